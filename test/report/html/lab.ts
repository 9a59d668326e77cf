// Helpers for the HTML report tests: analyze a bundle folder to report + topology, and a real headless
// Chromium (Debian's package, never a downloaded browser) when the machine has one.
import { existsSync } from 'node:fs';
import { analyzeBundle, type AnalyzeResult } from '../../../analyzer/engine/analyze.js';
import { loadRules } from '../../../analyzer/engine/load-rules.js';
import type { Lang } from '../../../analyzer/report/types.js';
import { openBundle } from '../../../bundle/reader.js';
import { chromium, type Browser } from 'playwright-core';

export const EXAMPLE_LAB = 'fixtures/bundles/example-broken-lab';

export async function analyzeDir(dir: string, lang: Lang = 'en'): Promise<AnalyzeResult> {
  const pack = await loadRules([]);
  return analyzeBundle(await openBundle(dir), pack, { lang }, dir);
}

export const CHROMIUM = process.env.LABSNAP_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can (CI installs the chromium package). */
export function browserSkipReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does)`;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
