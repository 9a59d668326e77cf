// Hostile inputs get the defences of native bundles: links, devices, escaping and duplicate names are
// refused one by one (the rest is still analyzed); broken streams and decompression bombs stop the read
// with a clear error; names that cannot become bundle paths lose only their own entry.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeBundle } from '../../analyzer/engine/analyze.js';
import { loadRules, type RulePack } from '../../analyzer/engine/load-rules.js';
import { openInput } from '../../bundle/import/open.js';
import type { BundleEntry } from '../../bundle/reader.js';
import { InputError } from '../../common/errors.js';
import { gz, tarOf, type TarEntrySpec } from '../bundle/helpers.js';
import { SOS_XZ, writeTree } from './helpers.js';

let pack: RulePack;
let tmp: string;
beforeAll(async () => {
  pack = await loadRules();
  tmp = await mkdtemp(join(tmpdir(), 'labsnap-import-hostile-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const R = 'supportbundle';
const NODES = JSON.stringify({
  kind: 'NodeList',
  apiVersion: 'v1',
  items: [{ metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-11-27T10:00:00Z' }] } }],
});
const PODS = (name: string) => JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items: [{ metadata: { name, namespace: 'default' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } }] });

let n = 0;
/** A .tar.gz whose entries carry a real time, as troubleshoot writes them (the collection time comes from it). */
async function archive(entries: TarEntrySpec[]): Promise<string> {
  const file = join(tmp, `${n++}.tar.gz`);
  const timed = tarOf(entries);
  // Patch each header's mtime (octal at offset 136) and checksum, walking the archive's 512-byte blocks.
  for (let off = 0; off + 512 <= timed.length; ) {
    const block = timed.subarray(off, off + 512);
    if (block.every((b) => b === 0)) break;
    block.write('15120066400\0', 136, 'latin1');
    block.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of block) sum += b;
    block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    const size = parseInt(block.subarray(124, 136).toString('latin1').replace(/\0.*$/, '').trim() || '0', 8);
    const type = String.fromCharCode(block[156]!);
    off += 512 + (type === '0' || type === '\0' ? Math.ceil(size / 512) * 512 : 0);
  }
  await writeFile(file, gz(timed));
  return file;
}

async function readAll(path: string, limits?: Parameters<typeof openInput>[1]['limits']) {
  const opened = await openInput(path, limits ? { limits } : {});
  const seen: string[] = [];
  const summary = await opened.bundle.forEachEntry(async (e: BundleEntry) => {
    seen.push(e.path);
    for await (const chunk of e.chunks()) void chunk;
  });
  return { opened, seen, summary };
}

describe('hostile troubleshoot.sh archives', () => {
  it('refuses links, devices, escaping and absolute names and duplicates, and reads the rest', async () => {
    const file = await archive([
      { name: `${R}/version.yaml`, content: 'kind: SupportBundle\n' },
      { name: `${R}/cluster-resources/nodes.json`, type: 'SymbolicLink', linkpath: '/etc/passwd' },
      { name: `${R}/cluster-resources/nodes.json`, content: NODES },
      { name: `${R}/cluster-resources/pods/default.json`, content: PODS('first') },
      { name: `${R}/cluster-resources/pods/default.json`, content: PODS('second') },
      { name: `${R}/cluster-resources/events/default.json`, type: 'Link', linkpath: `${R}/cluster-resources/nodes.json` },
      { name: `${R}/cluster-resources/pods/logs/default/first/app.log`, type: 'CharacterDevice' },
      { name: `${R}/../../etc/cron.d/x`, content: 'owned' },
      { name: `/etc/shadow`, content: 'owned' },
      { name: `${R}/cluster-resources/pods/kube\\system.json`, content: PODS('backslash') },
    ]);
    const { seen, summary } = await readAll(file);
    expect(seen).toEqual(['cluster/namespaces/default/pods.json']);
    const problems = summary.problems.map((p) => `${p.path}: ${p.problem}`).join('\n');
    expect(problems).toMatch(/nodes\.json: symbolic link to "\/etc\/passwd"; links are never followed, refused/);
    expect(problems).toMatch(/nodes\.json: duplicate entry/);
    expect(problems).toMatch(/pods\/default\.json: duplicate entry; the first copy was read/);
    expect(problems).toMatch(/events\/default\.json: hard link/);
    expect(problems).toMatch(/app\.log: device file; refused/);
    expect(problems).toMatch(/\.\.\/\.\.\/etc\/cron\.d\/x: path contains a '\.\.' segment; refused/);
    expect(problems).toMatch(/\/etc\/shadow: absolute path; refused/);
    expect(problems).toMatch(/backslash or a control character/);
  });

  it('analyzes what survived and says the refused node list is damaged, without crashing', async () => {
    const file = await archive([
      { name: `${R}/cluster-resources/nodes.json`, type: 'SymbolicLink', linkpath: '/etc/passwd' },
      { name: `${R}/cluster-resources/pods/default.json`, content: PODS('web') },
      { name: `${R}/cluster-info/cluster_version.json`, content: '{"info":{"gitVersion":"v1.31.4"},"string":"v1.31.4"}' },
    ]);
    const opened = await openInput(file);
    const { report, warnings } = await analyzeBundle(opened.bundle, pack, { lang: 'en' });
    expect(warnings).toEqual([]);
    const nodeRule = report.skipped.find((s) => s.ruleId === 'node-not-ready');
    expect(nodeRule?.missing.join('\n')).toMatch(/cluster\/nodes\.json|symbolic link/);
    expect(report.gaps.items.map((g) => g.path).join('\n')).toMatch(/nodes\.json/);
  });

  it('a truncated archive is an input error naming how far it got', async () => {
    const whole = gz(tarOf([
      { name: `${R}/cluster-resources/nodes.json`, content: NODES },
      { name: `${R}/cluster-resources/pods/default.json`, content: 'x'.repeat(200_000) },
    ]));
    const file = join(tmp, 'truncated.tar.gz');
    await writeFile(file, whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(readAll(file)).rejects.toThrow(/truncated or corrupt/);
  });

  it('a decompression bomb stops at maxTotalBytes', async () => {
    const file = await archive([
      { name: `${R}/cluster-resources/nodes.json`, content: NODES },
      { name: `${R}/cluster-resources/pods/logs/default/web/app.log`, content: Buffer.alloc(8 * 1024 * 1024) },
    ]);
    await expect(readAll(file, { maxTotalBytes: 1024 * 1024 })).rejects.toThrow(/decompression bomb/);
  });

  it('an entry over maxStreamEntryBytes is refused, the others read', async () => {
    const file = await archive([
      { name: `${R}/cluster-resources/nodes.json`, content: NODES },
      { name: `${R}/cluster-resources/pods/logs/default/web/app.log`, content: Buffer.alloc(300_000, 0x61) },
    ]);
    const { seen, summary } = await readAll(file, { maxStreamEntryBytes: 100_000 });
    expect(seen).toEqual(['cluster/nodes.json']);
    expect(summary.problems[0]?.problem).toMatch(/per-entry cap/);
  });

  it('content held for conversion is bounded (custom resources, host collectors)', async () => {
    const big = JSON.stringify({ items: Array.from({ length: 2000 }, (_, i) => ({ kind: 'IPAddressPool', metadata: { name: `p${i}`, namespace: 'metallb-system' } })) });
    const file = await archive([
      { name: `${R}/cluster-resources/nodes.json`, content: NODES },
      { name: `${R}/cluster-resources/custom-resources/ipaddresspools.metallb.io/metallb-system.json`, content: big },
      { name: `${R}/cluster-resources/custom-resources/ipaddresspools.metallb.io/other.json`, content: big },
    ]);
    const { seen, summary } = await readAll(file, { maxEntryBytes: Math.ceil(big.length * 1.5) });
    expect(seen).toContain('cluster/custom/ipaddresspools.metallb.io.json');
    expect(summary.problems.map((p) => p.problem).join('\n')).toMatch(/content held for conversion/);
  });

  it('names that cannot become bundle paths and files in the wrong form lose only themselves', async () => {
    const file = await archive([
      { name: `${R}/cluster-resources/nodes.json`, content: NODES },
      { name: `${R}/cluster-resources/custom-resources/ipaddresspools.metallb.io/x.json`, content: '{not json' },
      { name: `${R}/host-collectors/system/hostos_info.json`, content: '[' },
    ]);
    const { seen, summary } = await readAll(file);
    expect(seen).toContain('cluster/nodes.json');
    expect(summary.problems.map((p) => p.path).sort()).toEqual([
      'cluster-resources/custom-resources/ipaddresspools.metallb.io/x.json',
      'host-collectors/system/hostos_info.json',
    ]);
  });
});

describe('hostile folders', () => {
  it('a cluster-info dump log marker naming a container `..` loses that log only', async () => {
    const dir = join(tmp, 'dump');
    await writeTree(dir, {
      'nodes.json': NODES,
      'default/pods.json': PODS('web'),
      'default/web/logs.txt': '==== START logs for container .. of pod default/web ====\nowned\n==== END logs for container .. of pod default/web ====\n',
    });
    const { seen, summary } = await readAll(dir);
    expect(seen.sort()).toEqual(['cluster/namespaces/default/pods.json', 'cluster/nodes.json']);
    expect(summary.problems.map((p) => `${p.path}: ${p.problem}`)).toEqual(['default/web/logs.txt: invalid container name for a bundle path: ".."; not imported']);
  });

  it('never follows a symbolic link planted in a troubleshoot folder, nor opens a FIFO', async () => {
    const dir = join(tmp, 'linked');
    await writeTree(dir, { 'cluster-resources/nodes.json': NODES, 'cluster-resources/events/default.json': '{"items":[]}' });
    await symlink('/etc/passwd', join(dir, 'cluster-resources', 'pods'));
    execFileSync('mkdir', ['-p', join(dir, 'cluster-resources', 'services')]);
    execFileSync('mkfifo', [join(dir, 'cluster-resources', 'services', 'default.json')]);
    const { seen, summary } = await readAll(dir);
    expect(seen.sort()).toEqual(['cluster/namespaces/default/events.json', 'cluster/nodes.json']);
    const problems = summary.problems.map((p) => `${p.path}: ${p.problem}`).join('\n');
    expect(problems).toMatch(/cluster-resources\/pods: symbolic link to "\/etc\/passwd"/);
    expect(problems).toMatch(/services\/default\.json: FIFO; refused/);
  });
});

describe('hostile xz', () => {
  it('a truncated .tar.xz is an input error', async () => {
    const data = await readFile(SOS_XZ);
    const file = join(tmp, 'cut.tar.xz');
    await writeFile(file, data.subarray(0, Math.floor(data.length / 2)));
    await expect(readAll(file)).rejects.toThrow(InputError);
    await expect(readAll(file)).rejects.toThrow(/truncated or corrupt/);
  });

  it('garbage after the xz magic is an input error', async () => {
    const file = join(tmp, 'garbage.tar.xz');
    await writeFile(file, Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(4096, 0x41)]));
    await expect(readAll(file)).rejects.toThrow(InputError);
  });
});
