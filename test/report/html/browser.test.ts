// The HTML report in a real browser (Debian's Chromium through playwright-core): it renders from file://
// without console errors, shows every host, VM and node of the example lab, lists a red element's
// findings when clicked, sends no request anywhere, and a hostile pod name stays text.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../../analyzer/report/render-html.js';
import type { Lang } from '../../../analyzer/report/types.js';
import { analyzeDir, browserSkipReason, EXAMPLE_LAB, launchChromium } from './lab.js';

const skip = browserSkipReason();
if (skip) console.warn(`HTML browser tests skipped: ${skip}`);

const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>';
const HOSTILE_POD = `calico-node-${HOSTILE}`;

interface Opened {
  context: BrowserContext;
  page: Page;
  problems: string[];
  requests: string[];
}

/** A copy of the example lab whose not-Ready calico-node pod is named HOSTILE_POD everywhere it appears. */
async function hostileBundle(dir: string): Promise<string> {
  const target = path.join(dir, 'hostile-lab');
  await fs.cp(EXAMPLE_LAB, target, { recursive: true });
  const manifestPath = path.join(target, 'manifest.json');
  const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as { items: { path: string; sha256?: string | null; bytes?: number }[] };
  for (const item of manifest.items) {
    const file = path.join(target, item.path);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) continue;
    const text = await fs.readFile(file, 'utf8');
    if (!text.includes('calico-node-b96w2')) continue;
    const changed = Buffer.from(text.replaceAll('calico-node-b96w2', HOSTILE_POD), 'utf8');
    await fs.writeFile(file, changed);
    if (item.sha256) item.sha256 = createHash('sha256').update(changed).digest('hex');
    if (item.bytes !== undefined) item.bytes = changed.length;
  }
  await fs.writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  return target;
}

describe.skipIf(skip !== undefined)('HTML report in Chromium', () => {
  let browser: Browser;
  let dir: string;
  const files: Record<string, string> = {};

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'labsnap-html-'));
    browser = await launchChromium();
    const write = async (name: string, bundle: string, lang: Lang) => {
      const { report, topology } = await analyzeDir(bundle, lang);
      files[name] = path.join(dir, `${name}.html`);
      await fs.writeFile(files[name]!, renderHtml(report, topology));
    };
    await write('en', EXAMPLE_LAB, 'en');
    await write('ja', EXAMPLE_LAB, 'ja');
    await write('hostile', await hostileBundle(dir), 'en');
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  async function open(file: string): Promise<Opened> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
    return { context, page, problems, requests };
  }

  const panelText = (page: Page) => page.locator('#panel').innerText();
  const panelRules = (page: Page) => page.locator('#panel .finding h4 code').allTextContents();

  it('renders the example lab from file:// without console errors, drawing each host, VM and node', async () => {
    const { context, page, problems } = await open(files['en']!);
    try {
      const boxes: Record<string, string> = {
        'pve:pve1': 'pve1',
        'vm:pve1/101': 'VM 101 · cp1',
        'vm:pve1/102': 'VM 102 · w1',
        'vm:pve1/103': 'VM 103 · w2',
        'node:cp1': 'cp1',
        'node:w1': 'w1',
        'node:w2': 'w2',
      };
      for (const [id, title] of Object.entries(boxes)) {
        const box = page.locator(`#topology [data-el="${id}"]`);
        await expect(box.isVisible()).resolves.toBe(true);
        await expect(box.locator('text.title').textContent()).resolves.toBe(title);
      }
      await expect(page.locator('#topology [data-el="node:w2"]').getAttribute('class')).resolves.toContain('sev-critical');
      await expect(page.locator('#topology [data-el="node:w2"] text.bad').first().textContent()).resolves.toBe('NotReady');
      await expect(page.locator('#topology [data-el="br:pve1/vmbr0"]').textContent()).resolves.toContain('VLAN-aware, vids 2-4094');
      const vm = (await page.locator('#topology [data-el="vm:pve1/103"]').textContent()) ?? '';
      expect(vm).toContain('net0 → vmbr0 · tag 10');
      expect(vm).toContain('firewall on');
      await expect(page.locator('#topology [data-el="port:pve1/103/net0"]').isVisible()).resolves.toBe(true);
      await expect(page.locator('#topology [data-el="port:pve1/103/net0"] text').textContent()).resolves.toBe('fwpr103p0');
      await expect(page.locator('#topology [data-el="lb:ingress-nginx/ingress-nginx-controller"]').textContent()).resolves.toContain('bc:24:11:c2:57:3b');
      // Every change of the timeline is behind exactly one dot of the chart.
      const held = await page.locator('svg.timeline a').evaluateAll((dots) => dots.flatMap((d) => (d.getAttribute('data-tl') ?? '').split(' ')));
      expect(held.map(Number).sort((a, b) => a - b)).toEqual([...Array(await page.locator('.tl-table tbody tr').count()).keys()]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('lists the findings and evidence of a red element when it is clicked', async () => {
    const { context, page, problems } = await open(files['en']!);
    try {
      await expect(page.locator('#panel').isVisible()).resolves.toBe(false);
      await page.locator('#topology [data-el="node:w2"] > .frame').click();
      await expect(page.locator('#panel').isVisible()).resolves.toBe(true);
      await expect(panelRules(page)).resolves.toEqual(['calico-node-not-ready', 'cni-not-installed', 'node-not-ready']);
      await expect(panelText(page)).resolves.toContain('cluster/nodes.json#/items/2/status/conditions');

      await page.locator('#topology [data-el="pod:calico-system/calico-node-b96w2"]').click();
      // The pull behind ImagePullBackOff was refused by Docker Hub's rate limit (image-pull-rate-limited names the pod).
      await expect(panelRules(page)).resolves.toEqual(['calico-node-not-ready', 'node-not-ready', 'image-pull-rate-limited']);
      await expect(panelText(page)).resolves.toContain('ImagePullBackOff');

      await page.locator('#topology [data-el="node:cp1"] > .frame').click();
      await expect(panelText(page)).resolves.toContain('No finding names this element.');

      // From a finding back to the picture.
      await page.locator('#findings button[data-show="node:w1"]').first().click();
      await expect(page.locator('#topology [data-el="node:w1"]').getAttribute('class')).resolves.toContain('selected');
      await expect(panelRules(page)).resolves.toEqual(['swap-enabled']);
      await page.keyboard.press('Escape');
      await expect(page.locator('#panel').isVisible()).resolves.toBe(false);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('copies a confirm command with its button', async () => {
    const { context, page, problems } = await open(files['en']!);
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      const item = page.locator('#findings .cmds li').filter({ hasText: 'swapon --show' }).first();
      // The button says so for a moment; an observer records it however slow the machine is.
      await page.evaluate(() => {
        const w = window as unknown as { sawCopied?: string };
        new MutationObserver(() => {
          const done = document.querySelector('#findings button.copy.done');
          if (done) w.sawCopied = done.textContent ?? '';
        }).observe(document.getElementById('findings')!, { subtree: true, childList: true, attributes: true, characterData: true });
      });
      await item.locator('button.copy').click();
      await page.waitForFunction(() => (window as unknown as { sawCopied?: string }).sawCopied === 'Copied', undefined, { timeout: 15_000 });
      await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe('swapon --show');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('sends no request anywhere, from file:// or served, while in use', async () => {
    const exercise = async (page: Page) => {
      await page.locator('#topology [data-el="node:w2"] > .frame').click();
      await page.locator('#zoom-in').click();
      await page.locator('#zoom-fit').click();
      await page.locator('svg.timeline a').first().click();
      await page.locator('#findings button.copy').first().click();
      await page.waitForTimeout(200);
    };
    const local = await open(files['en']!);
    try {
      await exercise(local.page);
      expect(local.requests).toEqual([pathToFileURL(files['en']!).href]);
    } finally {
      await local.context.close();
    }

    // Served over a routed origin every request is seen by the route, whatever its scheme handler.
    const context = await browser.newContext();
    try {
      const origin = 'http://report.labsnap.invalid/';
      const url = `${origin}report.html`;
      const routed: string[] = [];
      const html = await fs.readFile(files['en']!, 'utf8');
      await context.route('**/*', async (route) => {
        routed.push(route.request().url());
        if (route.request().url() === url) await route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
        else await route.abort();
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(m.text());
      });
      await page.goto(url);
      await exercise(page);
      expect(routed).toEqual([url]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('renders the Japanese report', async () => {
    const { context, page, problems } = await open(files['ja']!);
    try {
      await expect(page.locator('html').getAttribute('lang')).resolves.toBe('ja');
      await expect(page.locator('h2').first().textContent()).resolves.toBe('構成図');
      await page.locator('#topology [data-el="node:cp1"] > .frame').click();
      await expect(panelText(page)).resolves.toContain('この要素を挙げた検出事項はありません。');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows a pod named with <script> and an onerror <img> as text, and runs neither', async () => {
    const html = await fs.readFile(files['hostile']!, 'utf8');
    expect(html).not.toContain(HOSTILE);
    const { context, page, problems, requests } = await open(files['hostile']!);
    try {
      const pod = page.locator(`#topology [data-el="pod:calico-system/${HOSTILE_POD}"]`);
      await expect(pod.count()).resolves.toBe(1);
      await pod.click();
      await expect(panelText(page)).resolves.toContain(HOSTILE_POD);
      await expect(page.locator('#findings').innerText()).resolves.toContain(HOSTILE_POD);
      await page.waitForTimeout(200);
      await expect(page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
      await expect(page.locator('img').count()).resolves.toBe(0);
      await expect(page.locator('script').count()).resolves.toBe(2);
      expect(requests).toEqual([pathToFileURL(files['hostile']!).href]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
