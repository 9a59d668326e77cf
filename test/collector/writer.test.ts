import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Manifest } from '../../bundle/manifest.js';
import { BundleStaging, writeBundle } from '../../bundle/writer.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labsnap-writer-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const at = new Date('2025-03-01T10:20:30Z');
const manifest: Manifest = {
  format: 'labsnap-bundle',
  formatVersion: 1,
  tool: { name: 'labsnap', version: 'test' },
  cluster: 'lab',
  collectedAt: at.toISOString(),
  finishedAt: at.toISOString(),
  commandLine: ['labsnap', 'collect'],
  hosts: [],
  items: [],
  interrupted: false,
};

async function build(name: string, order: string[]): Promise<{ file: string; staging: BundleStaging }> {
  const staging = await BundleStaging.create('labsnap-lab-20250301T102030Z');
  for (const p of order) await staging.put(p, `content of ${p}\n`);
  const file = join(dir, name);
  await writeBundle(staging, manifest, file, at);
  return { file, staging };
}

async function entries(file: string): Promise<Array<{ path: string; mtime: number }>> {
  const out: Array<{ path: string; mtime: number }> = [];
  await list({ file, onReadEntry: (e) => out.push({ path: e.path, mtime: e.mtime?.getTime() ?? 0 }) });
  return out;
}

describe('bundle writer', () => {
  const paths = ['hosts/b/cmd/x.txt', 'attachments/notes.txt', 'cluster/version.json', 'hosts/a/host.json', 'hosts/a/cmd/ip-link.json'];

  it('puts manifest.json first, then sorted entries, under one root folder with fixed mtimes', async () => {
    const { file, staging } = await build('a.tar.gz', paths);
    const got = await entries(file);
    expect(got.map((e) => e.path)).toEqual([
      'labsnap-lab-20250301T102030Z/manifest.json',
      ...[...paths].sort().map((p) => `labsnap-lab-20250301T102030Z/${p}`),
    ]);
    expect(new Set(got.map((e) => e.mtime))).toEqual(new Set([at.getTime()]));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await staging.remove();
  });

  it('is byte-for-byte deterministic whatever order items were staged in', async () => {
    const a = await build('a.tar.gz', paths);
    const b = await build('b.tar.gz', [...paths].reverse());
    expect((await readFile(a.file)).equals(await readFile(b.file))).toBe(true);
    await a.staging.remove();
    await b.staging.remove();
  });

  it('stages privately and removes the staging folder', async () => {
    const staging = await BundleStaging.create('labsnap-lab-20250301T102030Z');
    await staging.put('hosts/a/cmd/x.txt', 'x');
    expect((await stat(staging.tempDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(staging.tempDir, staging.rootName, 'hosts/a/cmd/x.txt'))).mode & 0o777).toBe(0o600);
    await expect(staging.put('hosts/a/cmd/x.txt', 'again')).rejects.toThrow();
    await expect(staging.put('hosts/../../etc/passwd', 'x')).rejects.toThrow(/invalid/);
    await staging.remove();
    await expect(stat(staging.tempDir)).rejects.toThrow();
  });

  it('never replaces an existing file', async () => {
    const file = join(dir, 'taken.tar.gz');
    await writeFile(file, 'precious');
    const staging = await BundleStaging.create('labsnap-lab-20250301T102030Z');
    await expect(writeBundle(staging, manifest, file, at)).rejects.toThrow(/appeared while/);
    expect(await readFile(file, 'utf8')).toBe('precious');
    await staging.remove();
  });
});
