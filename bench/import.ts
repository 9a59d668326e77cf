// `analyze-troubleshoot`: the generated bundle rewritten in the troubleshoot.sh layout (cluster-resources/,
// cluster-info/, per-node host collectors, sysctl/<node>), then analyzed through the importer next to the
// native bundle. Target: within 1.2x of the native analysis in time and peak memory.
import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, openSync, statSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Header, Pax } from 'tar';
import { classifyPath } from '../bundle/layout.js';
import { TROUBLESHOOT_CLUSTER, TROUBLESHOOT_NAMESPACED } from '../bundle/import/troubleshoot.js';
import { openBundle, type BundleEntry } from '../bundle/reader.js';

const BLOCK = 512;

// The importer's own tables, inverted: the benchmark writes exactly the layout the importer reads.
const invert = (table: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k]));
const NAMESPACED_DIR = invert(TROUBLESHOOT_NAMESPACED);
const CLUSTER_FILE = invert(TROUBLESHOOT_CLUSTER);
const JOURNALS: Record<string, string> = {
  'journal-kubelet.log': 'kubelet.txt',
  'journal-containerd.log': 'containerd.txt',
  'journal-kernel.log': 'kernel.txt',
  'journal-pve-firewall.log': 'pve-firewall.txt',
};

function header(name: string, size: number, mtime: Date): Buffer[] {
  const h = new Header({ path: name, mode: 0o600, uid: 0, gid: 0, uname: '', gname: '', size, mtime, type: 'File' });
  const needPax = h.encode();
  return needPax ? [new Pax({ path: name, mtime }).encode(), h.block!] : [h.block!];
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

type Out = { name: string; content: Buffer } | { name: string; entry: BundleEntry };

/** Where troubleshoot would keep a labsnap entry (and its content when the form differs), or null. */
async function troubleshootFor(entry: BundleEntry, sources: Map<string, string>): Promise<Out[]> {
  const ref = classifyPath(entry.path);
  switch (ref.area) {
    case 'cluster-version': {
      const v = JSON.parse(await entry.text()) as { serverVersion?: { gitVersion?: string } };
      return [{ name: 'cluster-info/cluster_version.json', content: Buffer.from(JSON.stringify({ info: v.serverVersion, string: v.serverVersion?.gitVersion ?? '' }, null, 2)) }];
    }
    case 'cluster-list':
      return CLUSTER_FILE[ref.kind] ? [{ name: `cluster-resources/${CLUSTER_FILE[ref.kind]}`, entry }] : [];
    case 'namespaced-list':
      return NAMESPACED_DIR[ref.kind] ? [{ name: `cluster-resources/${NAMESPACED_DIR[ref.kind]}/${ref.namespace}.json`, entry }] : [];
    case 'custom':
      return [{ name: `cluster-resources/custom-resources/${ref.resource}.json`, entry }];
    case 'pod-log':
      return [{ name: `cluster-resources/pods/logs/${ref.namespace}/${ref.pod}/${ref.container}${ref.previous ? '-previous' : ''}.log`, entry }];
    case 'host-cmd': {
      if (JOURNALS[ref.name]) return [{ name: `host-collectors/journald/${ref.host}/${JOURNALS[ref.name]}`, entry }];
      if (ref.name === 'sysctl.txt') {
        const text = (await entry.text()).replace(/^([^\s=]+)\s*=\s?/gm, (_, key: string) => `/proc/sys/${key.replace(/\./g, '/')} = `);
        return [{ name: `sysctl/${ref.host}`, content: Buffer.from(text) }];
      }
      const base = ref.name.replace(/\.[a-z]+$/, '');
      const command = (sources.get(entry.path) ?? base).split(' ');
      return [
        { name: `host-collectors/run-host/${ref.host}/${base}-info.json`, content: Buffer.from(JSON.stringify({ command: command[0], args: command.slice(1), exitCode: '0' })) },
        { name: `host-collectors/run-host/${ref.host}/${base}.txt`, entry },
      ];
    }
    case 'host-file':
      return [{ name: `host-collectors/copy-host/${ref.host}${ref.file}`, entry }];
    default:
      return [];
  }
}

/** Writes the troubleshoot-layout copy of a labsnap bundle (streaming: one entry at a time). */
export async function toTroubleshoot(bundleFile: string, outFile: string): Promise<void> {
  const opened = await openBundle(bundleFile);
  const mtime = new Date(opened.manifest.collectedAt);
  const sources = new Map(opened.manifest.items.map((i) => [i.path, i.source]));
  const root = 'support-bundle-bench';
  const partial = `${outFile}.partial`;
  const gzip = createGzip();
  const written = pipeline(gzip, createWriteStream(partial));
  const write = async (buf: Buffer): Promise<void> => {
    if (!gzip.write(buf)) await new Promise<void>((resolve) => gzip.once('drain', () => resolve()));
  };
  const version = Buffer.from('apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\n');
  await write(Buffer.concat([...header(`${root}/version.yaml`, version.length, mtime), version, padding(version.length)]));
  await opened.forEachEntry(async (entry) => {
    for (const out of await troubleshootFor(entry, sources)) {
      const name = `${root}/${out.name}`;
      if ('content' in out) {
        for (const b of header(name, out.content.length, mtime)) await write(b);
        await write(out.content);
        await write(padding(out.content.length));
      } else {
        for (const b of header(name, entry.size, mtime)) await write(b);
        let n = 0;
        for await (const chunk of out.entry.chunks()) {
          n += chunk.length;
          await write(chunk);
        }
        if (n !== entry.size) throw new Error(`${entry.path}: ${n} bytes read, ${entry.size} declared`);
        await write(padding(entry.size));
      }
    }
  });
  gzip.end(Buffer.alloc(BLOCK * 2));
  await written;
  await rename(partial, outFile);
}

export async function troubleshootCopy(bundleFile: string): Promise<string> {
  const out = bundleFile.replace(/\.tar\.gz$/, '-troubleshoot.tar.gz');
  if (!existsSync(out)) {
    await rm(`${out}.partial`, { force: true });
    await toTroubleshoot(bundleFile, out);
  }
  return out;
}

type Row = [label: string, value: string];

interface Context {
  runs: number;
  bundle(): Promise<{ path: string; bytes: number; tarBytes: number }>;
}

/** One `labsnap analyze` under GNU time: wall ms and peak RSS in KiB. */
function analyzeOnce(cli: string, file: string, report: string): Promise<{ ms: number; rssKiB: number }> {
  return new Promise((resolve, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-v', process.execPath, cli, 'analyze', file, '--format', 'json', '--output', report, '--fail-on', 'never', '--lang', 'en'], { stdio: ['ignore', devNull, 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(devNull);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      if (code !== 0 || !rss) reject(new Error(`labsnap analyze ${file} exited with ${code}:\n${err.slice(-3000)}`));
      else resolve({ ms, rssKiB: Number(rss[1]) });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export function importBenchmark(cli: string, outDir: string) {
  return {
    name: 'analyze-troubleshoot',
    description: 'labsnap analyze on the same bundle in the troubleshoot.sh layout (imported on the fly) vs. the native bundle',
    async run(ctx: Context): Promise<Row[]> {
      const bundle = await ctx.bundle();
      const started = Date.now();
      const ts = await troubleshootCopy(bundle.path);
      const made = Date.now() - started;
      const runs = Math.max(1, ctx.runs);
      const native: { ms: number; rssKiB: number }[] = [];
      const imported: { ms: number; rssKiB: number }[] = [];
      // Alternate the two so that a busy moment on a shared machine hits both alike.
      for (let i = 0; i < runs; i++) {
        native.push(await analyzeOnce(cli, bundle.path, `${outDir}/report-native.json`));
        imported.push(await analyzeOnce(cli, ts, `${outDir}/report-troubleshoot.json`));
      }
      const nMs = median(native.map((r) => r.ms));
      const tMs = median(imported.map((r) => r.ms));
      const nRss = Math.max(...native.map((r) => r.rssKiB));
      const tRss = Math.max(...imported.map((r) => r.rssKiB));
      const findings = async (file: string) => {
        const r = JSON.parse(await readFile(file, 'utf8')) as { findings: { ruleId: string; scope: { names: string[] } }[] };
        return r.findings.map((f) => `${f.ruleId}:${f.scope.names.join(',')}`).sort();
      };
      const nf = await findings(`${outDir}/report-native.json`);
      const tf = await findings(`${outDir}/report-troubleshoot.json`);
      const same = JSON.stringify(nf) === JSON.stringify(tf);
      return [
        ['findings', same ? `${nf.length}, the same in both` : `differ: native ${nf.join(' ')} / troubleshoot ${tf.join(' ')}`],
        ['native bundle', `${mib(bundle.bytes)} (.tar.gz)`],
        ['troubleshoot layout', `${mib(statSync(ts).size)} (.tar.gz)${made > 1000 ? `, written in ${(made / 1000).toFixed(1)} s` : ', cached'}`],
        ['analyze native', `${(nMs / 1000).toFixed(2)} s, peak RSS ${(nRss / 1024).toFixed(0)} MiB (median of ${runs})`],
        ['analyze troubleshoot', `${(tMs / 1000).toFixed(2)} s, peak RSS ${(tRss / 1024).toFixed(0)} MiB (median of ${runs})`],
        ['ratio time', `${(tMs / nMs).toFixed(2)}x  (target <= 1.2x)`],
        ['ratio memory', `${(tRss / nRss).toFixed(2)}x  (target <= 1.2x)`],
      ];
    },
  };
}
