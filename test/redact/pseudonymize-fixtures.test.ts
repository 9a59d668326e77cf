// The pseudonymization invariant over every fixture bundle: analyzing the pseudonymized bundle gives
// the same findings (same rule ids, same counts) as the original, and none of the original IPs, MACs
// or host names is left in it.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzePath } from '../../analyzer/engine/run.js';
import { parsePcap } from '../../analyzer/parsers/pcap.js';
import { openBundle } from '../../bundle/reader.js';
import { redactBundleFile } from '../../collector/redact/index.js';
import { hostNamesOf, type ReverseMap } from '../../collector/redact/pseudonymize.js';
import { decompressed } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'bundles');
const bundles = readdirSync(FIXTURES).filter((d) => statSync(join(FIXTURES, d)).isDirectory());

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labsnap-pseudo-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function ruleCounts(bundle: string): Promise<Record<string, number>> {
  const { report } = await analyzePath({ bundle, lang: 'en', rulesDirs: [] });
  const counts: Record<string, number> = {};
  for (const f of report.findings) counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1;
  return counts;
}

describe.each(bundles)('fixture bundle %s, pseudonymized', (name) => {
  it('gives the same findings and keeps none of the original addresses or names', async () => {
    const packed = join(dir, `${name}.tar.gz`);
    execFileSync('tar', ['-czf', packed, '-C', FIXTURES, name]);
    const out = join(dir, `${name}.pseudo.tar.gz`);
    const mapFile = join(dir, `${name}.map.json`);
    const result = await redactBundleFile(await openBundle(packed), out, { redact: true, rules: null, pseudonymize: ['ips', 'macs', 'hostnames'], mapOut: mapFile });

    expect(await ruleCounts(out)).toEqual(await ruleCounts(packed));

    expect((await stat(mapFile)).mode & 0o777).toBe(0o600);
    const map = JSON.parse(await readFile(mapFile, 'utf8')) as ReverseMap;
    expect(map).toEqual(result.reverse);
    const originals = new Set([...Object.values(map.ips), ...Object.values(map.macs), ...Object.values(map.hostnames)]);
    expect(Object.keys(map.hostnames).length).toBeGreaterThan(0);
    expect(Object.keys(map.ips).length).toBeGreaterThan(0);
    expect(Object.keys(map.macs).length).toBeGreaterThan(0);

    // Whole-word scan of everything in the archive, paths and manifest included. A network written as
    // a.b.c.d/n may map onto itself when all its bits are kept, so only a bare address counts as a leak.
    const text = decompressed(out).toString('latin1');
    const left = [...originals].filter((o) => new RegExp(`(?<![A-Za-z0-9.:-])${o.replace(/[.]/g, '\\.')}(?![A-Za-z0-9:/]|\\.[0-9A-Za-z])`, 'i').test(text));
    expect(left).toEqual([]);
    for (const host of hostNamesOf((await openBundle(packed)).manifest)) expect(text.includes(`hosts/${host}/`)).toBe(false);

    const pseudo = await openBundle(out);
    expect(pseudo.manifest.redaction).toEqual({ enabled: true, pseudonymized: ['hostnames', 'ips', 'macs'] });
    // The ARP captures were rewritten inside: same packets, none of their addresses left.
    const captures = pseudo.manifest.items.filter((i) => i.kind === 'capture' && i.status === 'ok');
    expect(captures.length).toBeGreaterThan(0);
    await pseudo.forEachEntry(async (entry) => {
      if (!captures.some((c) => c.path === entry.path)) return;
      const facts = parsePcap(await entry.bytes());
      expect(facts.arp.length).toBeGreaterThan(0);
      for (const p of facts.arp) {
        for (const v of [p.senderIp, p.targetIp, p.senderMac, p.targetMac]) if (v !== undefined && v !== '00:00:00:00:00:00' && v !== 'ff:ff:ff:ff:ff:ff') expect(originals.has(v)).toBe(false);
      }
    });
  });
});
