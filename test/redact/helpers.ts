import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

export const SECRETS_FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'secrets');

export interface Planted {
  secrets: Array<{ item: string; redactor: string; value: string }>;
  alsoGone: string[];
  kept: string[];
}

export function planted(): Planted {
  return JSON.parse(readFileSync(join(SECRETS_FIXTURE, 'planted.json'), 'utf8')) as Planted;
}

/** The whole bundle, decompressed: every entry's bytes and every header, as one buffer to scan. */
export function decompressed(file: string): Buffer {
  return gunzipSync(readFileSync(file));
}

/** Expected counts per item and redactor, from the planted list. */
export function expectedCounts(p: Planted): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const s of p.secrets) {
    const c = out.get(s.item) ?? {};
    c[s.redactor] = (c[s.redactor] ?? 0) + 1;
    out.set(s.item, c);
  }
  return out;
}
