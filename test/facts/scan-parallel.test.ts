// The log scan split across threads must find exactly what one thread finds: same hits, counts, scanned
// files and the same Map order. The worker runs from the compiled dist/ (npm test builds it first).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ArtifactRef } from '../../bundle/layout.js';
import type { LogPatternSpec } from '../../analyzer/engine/types.js';
import { LogScanner } from '../../analyzer/facts/log-scan.js';

const SPECS = new Map<string, LogPatternSpec>([
  ['a#errors', { sources: ['journal-kubelet', 'pod-logs'], regex: 'kubelet\\[\\d+\\]: E\\d{4} (?<what>\\w+)' }],
  ['b#cni', { sources: ['journal-kubelet'], regex: 'cni plugin not initiali[sz]ed', ignoreCase: true }],
  ['c#pod', { sources: ['pod-logs'], regex: 'panic: (?<msg>.+)' }],
]);

const kubelet = (host: string): ArtifactRef => ({ area: 'host-cmd', host, name: 'journal-kubelet.log' }) as ArtifactRef;
const podLog = (pod: string): ArtifactRef => ({ area: 'pod-log', namespace: 'shop', pod, container: 'web' }) as ArtifactRef;

/** A log of about `lines` lines with matches sprinkled through it (deterministic). */
function logText(seed: number, lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const k = (i * 7919 + seed * 104729) % 1000;
    if (k === 3) out.push(`2024-09-14T09:00:00Z w1 kubelet[812]: E0914 09:00:00.1 812 x.go:1] oops${i} something`);
    else if (k === 5) out.push(`2024-09-14T09:00:00Z w1 kubelet[812]: NetworkReady=false reason:NetworkPluginNotReady message:CNI Plugin Not Initialized ${i}`);
    else if (k === 7) out.push(`panic: runtime error ${i}`);
    else out.push(`2024-09-14T09:00:00Z w1 kubelet[812]: I0914 09:00:00.1 812 x.go:1] "Pod status updated" pod="shop/web-${i}"`);
  }
  return `${out.join('\n')}\n`;
}

const FILES: [string, ArtifactRef, string][] = [
  ['hosts/w1/cmd/journal-kubelet.log', kubelet('w1'), logText(1, 30_000)],
  ['cluster/logs/shop/web-1/web.log', podLog('web-1'), logText(2, 500)],
  ['hosts/w2/cmd/journal-kubelet.log', kubelet('w2'), logText(3, 25_000)],
  ['cluster/logs/shop/web-2/web.log', podLog('web-2'), logText(4, 20_000)],
];

async function* pieces(text: string, size: number): AsyncIterable<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

function snapshot(scanner: LogScanner) {
  return [...SPECS.keys()].map((key) => {
    const h = scanner.hits(key);
    return { key, hits: h.hits, counts: [...h.counts], scanned: h.scanned };
  });
}

async function sequential(): Promise<LogScanner> {
  const scanner = new LogScanner(SPECS);
  for (const [path, ref, text] of FILES) await scanner.scan(path, ref, pieces(text, 65_536));
  return scanner;
}

describe('log scan across threads', () => {
  it('merges a second scanner (another thread) in pass order: same hits, counts and order as one scanner', async () => {
    const one = await sequential();
    const main = new LogScanner(SPECS);
    const other = new LogScanner(SPECS);
    for (const [path, ref, text] of FILES) {
      // Big files go to the other scanner, as they go to the worker.
      if (text.length > 1_000_000) {
        const file = other.begin(path, ref, main.reserve())!;
        for await (const piece of pieces(text, 65_536)) file.push(piece);
        file.end();
      } else await main.scan(path, ref, pieces(text, 65_536));
    }
    main.absorb(structuredClone(other.exportState()));
    expect(snapshot(main)).toEqual(snapshot(one));
    expect(snapshot(main)[0]!.counts.map(([p]) => p)).toEqual(FILES.map(([p]) => p));
    expect(snapshot(one)[0]!.hits.length).toBeGreaterThan(0);
  });

  it('finds the same in a worker thread (compiled dist/) as in one thread, and stops the worker', async () => {
    const dist = join(import.meta.dirname, '..', '..', 'dist', 'analyzer', 'facts');
    if (!existsSync(join(dist, 'scan-worker.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    const { LogScanner: DistScanner } = (await import(pathToFileURL(join(dist, 'log-scan.js')).href)) as typeof import('../../analyzer/facts/log-scan.js');
    const { ParallelScan, PARALLEL_MIN_BYTES } = (await import(pathToFileURL(join(dist, 'scan-parallel.js')).href)) as typeof import('../../analyzer/facts/scan-parallel.js');
    const scanner = new DistScanner(SPECS);
    const parallel = ParallelScan.create(scanner);
    expect(parallel).not.toBeNull();
    let inWorker = 0;
    for (const [path, ref, text] of FILES) {
      if (text.length >= PARALLEL_MIN_BYTES) {
        inWorker++;
        await parallel!.scan(path, ref, pieces(text, 65_536));
      } else await scanner.scan(path, ref, pieces(text, 65_536));
    }
    expect(inWorker).toBe(3);
    await parallel!.finish();
    expect(snapshot(scanner as unknown as LogScanner)).toEqual(snapshot(await sequential()));
  });
});

describe('analyze with the log scan in a worker', () => {
  it('gives the report one thread gives, on a generated bundle whose journals are over 1 MiB', { timeout: 180_000 }, async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { generateBundle } = await import('../../bench/generate.js');
    const { analyzePath } = await import('../../analyzer/engine/run.js');
    const { renderJson } = await import('../../analyzer/report/render-json.js');
    const { openBundle } = await import('../../bundle/reader.js');
    const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
    if (!existsSync(cli)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    const dir = await mkdtemp(join(tmpdir(), 'labsnap-scan-parallel-'));
    try {
      const bundle = await generateBundle({
        seed: 'parallel',
        sizes: { workers: 4, controlPlanes: 1, proxmoxHosts: 1, pods: 80, namespaces: 12, events: 400, logBytes: 14_000_000 },
        out: join(dir, 'b.tar.gz'),
      });
      let big = 0;
      await (await openBundle(bundle.path)).forEachEntry(async (e) => {
        if (e.path.endsWith('journal-kubelet.log') && e.size >= 1024 * 1024) big++;
      });
      expect(big).toBeGreaterThanOrEqual(3);
      // From the TypeScript sources there is no worker script: this is the one-thread report.
      const { report } = await analyzePath({ bundle: bundle.path, lang: 'en', rulesDirs: [] });
      const out = join(dir, 'report.json');
      await promisify(execFile)(process.execPath, [cli, 'analyze', bundle.path, '--format', 'json', '--output', out, '--fail-on', 'never', '--lang', 'en']);
      const { readFile } = await import('node:fs/promises');
      expect(await readFile(out, 'utf8')).toBe(renderJson(report));
      expect(report.findings.length).toBeGreaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
