// The HTML report without a browser: the same bytes for the same bundle, nothing that could load from
// the network, a Content-Security-Policy whose hashes pin exactly the inline style and script, both
// languages, and bundle text escaped wherever it lands.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { esc, jsonForScript, ruleHtml } from '../../../analyzer/report/html/escape.js';
import { REPORT_CSS } from '../../../analyzer/report/html/style.js';
import { renderHtml } from '../../../analyzer/report/render-html.js';
import { brokenLabReport, hostileContentReport } from '../reports.js';
import { analyzeDir, EXAMPLE_LAB } from './lab.js';

const hash = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

function inline(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}(?: [^>]*)?>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[0].startsWith(`<${tag}>`) ? m[1]! : '').filter((t) => t !== '');
}

describe('renderHtml', () => {
  it('gives the same bytes for the same bundle', async () => {
    const a = await analyzeDir(EXAMPLE_LAB);
    const b = await analyzeDir(EXAMPLE_LAB);
    expect(renderHtml(a.report, a.topology)).toBe(renderHtml(b.report, b.topology));
  });

  it('references nothing outside the file and pins its inline style and script by hash', async () => {
    const { report, topology } = await analyzeDir(EXAMPLE_LAB);
    const html = renderHtml(report, topology);
    expect(html).not.toMatch(/<link\b|<img\b|<iframe\b|<object\b|@import|url\(\s*['"]?(?!#)/i);
    expect(html).not.toMatch(/\s(?:src|srcset|action|formaction|poster|background)=/i);
    // Links only to places inside the page; the SVG namespace is a name, not a fetch.
    const hrefs = [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^#/);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    const scripts = inline(html, 'script');
    const styles = inline(html, 'style');
    expect(scripts).toHaveLength(1);
    expect(styles).toEqual([REPORT_CSS]);
    expect(csp).toContain(`script-src 'sha256-${hash(scripts[0]!)}'`);
    expect(csp).toContain(`style-src 'sha256-${hash(styles[0]!)}'`);
  });

  it('draws every host, VM, bridge port and node of the example lab, red where a critical finding names it', async () => {
    const { report, topology } = await analyzeDir(EXAMPLE_LAB);
    const html = renderHtml(report, topology);
    for (const id of ['pve:pve1', 'br:pve1/vmbr0', 'vm:pve1/101', 'vm:pve1/102', 'vm:pve1/103', 'port:pve1/103/net0', 'node:cp1', 'node:w1', 'node:w2', 'lb:ingress-nginx/ingress-nginx-controller']) {
      expect(html).toContain(`data-el="${id}"`);
    }
    expect(html).toMatch(/class="el machine sev-critical" data-el="node:w2" data-f="f\d+ f\d+ f\d+"/);
    expect(html).toMatch(/class="el pod sev-critical" data-el="pod:calico-system\/calico-node-b96w2"/);
    expect(html).toMatch(/class="el machine" data-el="node:cp1" data-f=""/);
  });

  it('speaks Japanese for a ja report', async () => {
    const { report, topology } = await analyzeDir(EXAMPLE_LAB, 'ja');
    const html = renderHtml(report, topology);
    expect(html).toContain('<html lang="ja">');
    for (const text of ['構成図', '検出事項', '直近の変更', '確認コマンド', '根拠', 'VLAN 対応、vids 2-4094']) expect(html).toContain(text);
  });

  it('renders a report without topology (a renderer test report) and escapes hostile content', () => {
    const html = renderHtml(hostileContentReport());
    expect(html).not.toMatch(/<script>(?!\s*\(function)/);
    expect(html).toContain('&lt;');
    expect(renderHtml(brokenLabReport('en'))).toContain('id="findings"');
  });

  it('escapes text, attributes and JSON for script blocks', () => {
    expect(esc(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    expect(esc('bell\u0007')).toBe('bell\\x07');
    expect(jsonForScript({ a: '</script><!--' })).toBe('{"a":"\\u003c/script\\u003e\\u003c!--"}');
    expect(ruleHtml('run `kubectl get <x>` then <b>', 'Copy')).toBe(
      'run <span class="inline-cmd"><code>kubectl get &lt;x&gt;</code><button type="button" class="copy">Copy</button></span> then &lt;b&gt;',
    );
  });
});

describe('labsnap analyze --format html', () => {
  it('writes the page with -o and keeps the --fail-on exit code', async () => {
    const { execFile } = await import('node:child_process');
    const { promises: fs } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'labsnap-html-cli-'));
    try {
      const out = path.join(dir, 'report.html');
      const run = (args: string[]) =>
        new Promise<{ code: number; stderr: string }>((resolve) => {
          execFile(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { env: { ...process.env, LANG: 'C', LC_ALL: '' } }, (err, _stdout, stderr) =>
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
          );
        });
      const { code, stderr } = await run(['analyze', EXAMPLE_LAB, '--format', 'html', '-o', out]);
      expect(code).toBe(1);
      expect(stderr).toContain(`report written to ${out}`);
      const html = await fs.readFile(out, 'utf8');
      expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
      const { report, topology } = await analyzeDir(EXAMPLE_LAB);
      expect(html).toBe(renderHtml(report, topology));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('marks the bridge port of a VM whose VLAN the bridge does not carry', async () => {
    const { report, topology } = await analyzeDir('fixtures/bundles/worker-vlan-not-allowed');
    const html = renderHtml(report, topology);
    expect(html).toMatch(/class="el port sev-critical" data-el="port:pve1\/103\/net0"/);
    expect(html).toMatch(/class="el vm sev-critical" data-el="vm:pve1\/103"/);
    expect(html).toMatch(/class="el port" data-el="port:pve1\/102\/net0" data-f=""/);
  });
});
