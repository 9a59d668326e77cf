// Makes the README's picture of the HTML report: `npx tsx test/report/html/screenshot.ts [out.png]`.
// Renders the example lab, opens it in Debian's Chromium, selects the NotReady node so the details panel
// shows, and captures the top of the page. Options (env): LANG_REPORT=ja, SELECT=<element id> ('' for
// none), SCROLL=<css selector>, BUNDLE=<folder>, WIDTH, HEIGHT.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../../../analyzer/report/render-html.js';
import type { Lang } from '../../../analyzer/report/types.js';
import { analyzeDir, EXAMPLE_LAB, launchChromium } from './lab.js';

const out = process.argv[2] ?? 'docs/html-report.png';
const lang = (process.env.LANG_REPORT ?? 'en') as Lang;
const { report, topology } = await analyzeDir(process.env.BUNDLE ?? EXAMPLE_LAB, lang);
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'labsnap-shot-'));
const file = path.join(dir, 'report.html');
await fs.writeFile(file, renderHtml(report, topology));
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: Number(process.env.WIDTH ?? 1440), height: Number(process.env.HEIGHT ?? 760) } });
  page.on('pageerror', (e) => console.error(`pageerror: ${e.message}`));
  await page.goto(pathToFileURL(file).href);
  const select = process.env.SELECT ?? 'node:w2';
  if (select !== '') await page.locator(`#topology [data-el="${select}"]`).first().click();
  if (process.env.SCROLL) await page.locator(process.env.SCROLL).first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await fs.rm(dir, { recursive: true, force: true });
}
