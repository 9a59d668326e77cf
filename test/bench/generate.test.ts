import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBundle, type GeneratedBundle } from '../../bench/generate.js';
import type { Sizes } from '../../bench/world.js';
import { openBundle, type BundleEntry } from '../../bundle/reader.js';
import { validateAgainst } from '../../common/schema.js';
import manifestSchema from '../../schemas/manifest.schema.json' with { type: 'json' };

const TINY: Sizes = { workers: 4, controlPlanes: 1, proxmoxHosts: 1, pods: 60, namespaces: 12, events: 300, logBytes: 300_000 };

describe('bench generator', () => {
  let dir: string;
  let first: GeneratedBundle;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'labsnap-bench-'));
    first = await generateBundle({ seed: 'test', sizes: TINY, out: join(dir, 'a.tar.gz') });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a bundle the reader accepts, with a schema-valid manifest listing every entry and its size', async () => {
    const bundle = await openBundle(first.path);
    expect(validateAgainst(manifestSchema, bundle.manifest, 'manifest.json')).toEqual([]);
    expect(bundle.rootName).toBe(first.rootName);
    const seen = new Map<string, number>();
    const hashes = new Map<string, string>();
    const summary = await bundle.forEachEntry(async (entry: BundleEntry) => {
      const bytes = await entry.bytes();
      seen.set(entry.path, bytes.length);
      hashes.set(entry.path, createHash('sha256').update(bytes).digest('hex'));
    });
    expect(summary.problems).toEqual([]);
    expect(summary.entries).toBe(first.entries - 1);
    const listed = bundle.manifest.items.filter((i) => i.status === 'ok');
    expect(listed.map((i) => i.path).sort()).toEqual([...seen.keys()].sort());
    for (const item of listed) {
      expect(seen.get(item.path), item.path).toBe(item.bytes);
      if (item.sha256) expect(hashes.get(item.path), item.path).toBe(item.sha256);
    }
    const logs = listed.filter((i) => i.path.endsWith('.log'));
    expect(logs.reduce((sum, i) => sum + (i.bytes ?? 0), 0)).toBe(first.logBytes);
  });

  it('is byte-identical for the same seed and differs for another', async () => {
    const again = await generateBundle({ seed: 'test', sizes: TINY, out: join(dir, 'b.tar.gz') });
    const other = await generateBundle({ seed: 'other', sizes: TINY, out: join(dir, 'c.tar.gz') });
    const a = await readFile(first.path);
    expect((await readFile(again.path)).equals(a)).toBe(true);
    expect((await readFile(other.path)).equals(a)).toBe(false);
  });
});
