// Redaction and pseudonymization throughput on the generated bundle's realistic logs, next to `gzip -dc`
// of the same file. Each pass reads the bundle through the bundle reader; a read-only pass is timed too,
// so the cost of the stage itself (pass minus read) can be set against the gzip pass (target: below it).
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { openBundle } from '../bundle/reader.js';
import { RedactionKey } from '../collector/redact/placeholder.js';
import { hostNamesOf, Pseudonymizer } from '../collector/redact/pseudonymize.js';
import { pseudonymizeCapture } from '../collector/redact/pcap.js';
import { TextRedactor } from '../collector/redact/secrets.js';
import { isBinaryEntry, transformText } from '../collector/redact/stream.js';

type Row = [label: string, value: string, met?: boolean];

/** Issue 13: the stage (pass minus read) against gzip -dc of the same file. */
const REDACT_TARGET = 1.0;
const PSEUDONYMIZE_TARGET = 1.2;

interface Context {
  runs: number;
  bundle(): Promise<{ path: string; tarBytes: number }>;
}

function gzipMs(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const started = process.hrtime.bigint();
    const child = spawn('gzip', ['-dc', file], { stdio: ['ignore', devNull, 'ignore'] });
    child.on('error', reject);
    child.on('close', (code) => {
      closeSync(devNull);
      if (code !== 0) reject(new Error(`gzip -dc exited with ${code}`));
      else resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
  });
}

type Mode = 'read' | 'redact' | 'pseudonymize' | 'both';

/** One pass over the bundle; returns wall ms and the bytes that went through the stage. */
async function pass(file: string, mode: Mode): Promise<{ ms: number; bytes: number; removed: number }> {
  const key = RedactionKey.fromBytes(Buffer.alloc(32, 1));
  const started = process.hrtime.bigint();
  const opened = await openBundle(file);
  const pseudo = mode === 'pseudonymize' || mode === 'both' ? new Pseudonymizer(key, ['ips', 'macs', 'hostnames'], hostNamesOf(opened.manifest)) : null;
  let bytes = 0;
  let removed = 0;
  await opened.forEachEntry(async (entry) => {
    if (mode === 'read') {
      for await (const c of entry.chunks()) bytes += c.length;
      return;
    }
    if (isBinaryEntry(entry.path)) {
      const data = await entry.bytes();
      if (pseudo) pseudonymizeCapture(pseudo, data);
      bytes += data.length;
      return;
    }
    const redactor = mode === 'redact' || mode === 'both' ? new TextRedactor(key, null) : null;
    for await (const c of transformText(entry.chunks(), redactor, pseudo)) bytes += c.length;
    for (const v of redactor?.counts.values() ?? []) removed += v;
  });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, bytes, removed };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

export const redactBenchmark = {
  name: 'redact',
  description: 'redaction and pseudonymization throughput on the generated bundle vs. gzip -dc of the same file',
  async run(ctx: Context): Promise<Row[]> {
    const bundle = await ctx.bundle();
    await gzipMs(bundle.path);
    const gzip: number[] = [];
    for (let i = 0; i < Math.max(3, ctx.runs); i++) gzip.push(await gzipMs(bundle.path));
    const timed = async (mode: Mode) => {
      const runs = [];
      for (let i = 0; i < ctx.runs; i++) runs.push(await pass(bundle.path, mode));
      return { ...runs[0]!, ms: median(runs.map((r) => r.ms)) };
    };
    const read = await timed('read');
    const redact = await timed('redact');
    const pseudo = await timed('pseudonymize');
    const both = await timed('both');
    const gzipMedian = median(gzip);
    const mib = bundle.tarBytes / 1024 / 1024;
    const stage = (ms: number) => Math.max(1, ms - read.ms);
    const row = (label: string, r: { ms: number }, target?: number): Row => {
      const ratio = stage(r.ms) / gzipMedian;
      const text = `${(r.ms / 1000).toFixed(2)} s total, stage ${(stage(r.ms) / 1000).toFixed(2)} s = ${(mib / (stage(r.ms) / 1000)).toFixed(0)} MiB/s; stage/gzip ${ratio.toFixed(2)}x`;
      return target === undefined ? [label, text] : [label, `${text} (target <= ${target.toFixed(1)}x)`, ratio <= target];
    };
    return [
      ['uncompressed (tar)', `${mib.toFixed(1)} MiB`],
      ['gzip -dc', `${(gzipMedian / 1000).toFixed(2)} s  (median of ${gzip.length})`],
      ['read only (reader)', `${(read.ms / 1000).toFixed(2)} s`],
      row('redact', redact, REDACT_TARGET),
      row('pseudonymize', pseudo, PSEUDONYMIZE_TARGET),
      row('redact + pseudonymize', both),
      ['values removed', String(redact.removed)],
    ];
  },
};
