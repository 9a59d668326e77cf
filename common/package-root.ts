// Finds labsnap's own installation folder, whether running from source (vitest, tsx) or from dist/.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string; fromSource: boolean } | undefined;

export function packageInfo(): { root: string; version: string; fromSource: boolean } {
  if (cached) return cached;
  const here = fileURLToPath(import.meta.url);
  for (let dir = dirname(here); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    // tsc copies an imported package.json into dist/; the real root is the folder above it.
    if (!existsSync(pkg) || (basename(dir) === 'dist' && existsSync(join(dirname(dir), 'package.json')))) continue;
    const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string; version?: string };
    if (json.name !== 'labsnap') continue;
    cached = { root: dir, version: json.version ?? '0.0.0', fromSource: here.endsWith('.ts') };
    return cached;
  }
  throw new Error(`labsnap's package.json not found above ${here}`);
}
