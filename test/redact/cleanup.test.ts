// Temporary files: private while they exist, and gone after success, after an error, and after a hard
// exit (a second Ctrl-C calls process.exit, which skips every finally block).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundle } from '../../bundle/reader.js';
import { BundleStaging, pendingCleanup } from '../../bundle/writer.js';
import { redactBundleFile } from '../../collector/redact/index.js';

const writer = pathToFileURL(join(import.meta.dirname, '..', '..', 'bundle', 'writer.ts')).href;
const fixture = join(import.meta.dirname, '..', '..', 'fixtures', 'bundles', 'healthy-lab');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labsnap-cleanup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('temporary files', () => {
  it('are private (0700 folder, 0600 files) and removed with the staging', async () => {
    const staging = await BundleStaging.create('labsnap-x-20260101T000000Z');
    await staging.putStream('hosts/a/cmd/x.txt', (async function* () { yield Buffer.from('x'); })());
    expect((await stat(staging.tempDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(staging.tempDir, staging.rootName, 'hosts/a/cmd/x.txt'))).mode & 0o777).toBe(0o600);
    expect(pendingCleanup()).toContain(staging.tempDir);
    await staging.remove();
    expect(existsSync(staging.tempDir)).toBe(false);
    expect(pendingCleanup()).not.toContain(staging.tempDir);
  });

  it('are removed when the process exits hard', async () => {
    const script = join(dir, 'hard-exit.mjs');
    await writeFile(
      script,
      [
        `const { BundleStaging } = await import(${JSON.stringify(writer)});`,
        `const s = await BundleStaging.create('labsnap-x-20260101T000000Z');`,
        `await s.put('a.txt', 'secret-ish');`,
        'process.stdout.write(s.tempDir);',
        'process.exit(130);',
      ].join('\n'),
    );
    let out = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    } catch (err) {
      out = (err as { stdout: string; status: number }).stdout;
      expect((err as { status: number }).status).toBe(130);
    }
    expect(out).toMatch(/labsnap-/);
    expect(existsSync(out)).toBe(false);
  });

  it('are removed when writing fails, and a redacted bundle is 0600', async () => {
    const before = pendingCleanup();
    await expect(redactBundleFile(await openBundle(fixture), join(dir, 'missing', 'out.tar.gz'), { redact: true, rules: null, pseudonymize: [], mapOut: null })).rejects.toThrow();
    expect(pendingCleanup()).toEqual(before);
    const out = join(dir, 'ok.tar.gz');
    await redactBundleFile(await openBundle(fixture), out, { redact: true, rules: null, pseudonymize: [], mapOut: null });
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(pendingCleanup()).toEqual(before);
  });
});
