// Memory must follow the largest thing a visitor keeps, not the bundle: stream a few hundred MiB of logs
// through lines() and watch the resident set. The bound is generous on purpose (GC timing varies); a
// reader that buffered entries or the archive would overshoot it by far.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openBundle } from '../../bundle/reader.js';
import { manifestEntry, ROOT, tarEntry, tempDir, END_OF_ARCHIVE, type TempDir } from './helpers.js';

const MiB = 1024 * 1024;
const ENTRY_BYTES = 80 * MiB;
const ENTRIES = 3;

let tmp: TempDir;
let file: string;
let expectedLines = 0;

/** A log line pattern repeated into one MiB, so each entry is a whole number of lines. */
function logBlock(): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < MiB; i++) {
    const line = `Jan 01 00:00:${String(i % 60).padStart(2, '0')} cp1 kubelet[812]: E0101 00:00:00.000000 812 kubelet.go:2373] "Error syncing pod" pod="kube-system/p-${i}" ü\n`;
    lines.push(line);
    size += Buffer.byteLength(line);
  }
  const block = Buffer.from(lines.join(''));
  return block.subarray(0, block.lastIndexOf(0x0a) + 1);
}

async function write(out: NodeJS.WritableStream, data: Buffer): Promise<void> {
  if (!out.write(data)) await once(out, 'drain');
}

beforeAll(async () => {
  tmp = await tempDir();
  file = join(tmp.path, 'big.tar.gz');
  const gzip = createGzip({ level: 1 });
  const sink = createWriteStream(file);
  gzip.pipe(sink);
  const block = logBlock();
  const linesPerBlock = block.toString().split('\n').length - 1;
  const blocks = Math.floor(ENTRY_BYTES / block.length);
  await write(gzip, tarEntry(manifestEntry()));
  for (let e = 0; e < ENTRIES; e++) {
    const size = blocks * block.length;
    // Only the header is built with tarEntry; the body is streamed so the test itself stays small.
    const header = tarEntry({ name: `${ROOT}/hosts/cp1/cmd/journal-${e}.log`, size }).subarray(0, 512);
    await write(gzip, header);
    for (let b = 0; b < blocks; b++) await write(gzip, block);
    await write(gzip, Buffer.alloc((512 - (size % 512)) % 512));
    expectedLines += blocks * linesPerBlock;
  }
  gzip.end(END_OF_ARCHIVE);
  await once(sink, 'close');
}, 300_000);

afterAll(async () => {
  await tmp.remove();
});

it('reading 200+ MiB of logs line by line keeps RSS growth far below the bundle size', async () => {
  const bundle = await openBundle(file);
  const before = process.memoryUsage().rss;
  let peak = before;
  let lines = 0;
  let bytes = 0;
  const summary = await bundle.forEachEntry(async (entry) => {
    bytes += entry.size;
    for await (const line of entry.lines()) {
      lines++;
      if (lines % 50_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
  });
  expect(bytes).toBeGreaterThan(200 * MiB);
  expect(summary.entries).toBe(ENTRIES);
  expect(lines).toBe(expectedLines);
  expect(peak - before).toBeLessThan(64 * MiB);
}, 300_000);
