// Tar (optionally gzip-compressed) bundles, read as a pull stream: the reader asks for bytes only when the
// visitor wants them, so memory holds one decompressed chunk whatever the archive size.
//
// tar's Header and Pax classes decode the headers (checksums, base-256 sizes, ustar prefixes, pax and GNU
// long names); the 512-byte framing around them is done here rather than with tar.Parser because Parser
// pushes entries as events (an async visitor then needs drain/queue bookkeeping that is easy to hang),
// re-sniffs already-decompressed data for gzip/zstd (a nested archive would expand outside our byte
// accounting) and reports truncation as a warning after the damaged entry was already handed out.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline, Transform, type Readable } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { Header, Pax, type HeaderData } from 'tar';
import { InputError } from '../common/errors.js';
import { MANIFEST_PATH } from './layout.js';
import type { BundleEntry, EntryProblem, OpenedBundle, ReaderLimits, ReadSummary } from './reader.js';
import { checkEntryName, formatBytes, StreamedEntry, type ChunkSource } from './reader-entry.js';
import { parseManifest } from './reader-manifest.js';

const BLOCK = 512;
const CHUNK = 64 * 1024;
// Inflating runs on libuv's pool; a read-ahead of several chunks lets it inflate the next ones while the
// visitor is busy with this one, instead of the two taking turns (the default 16 KiB buffer holds less
// than one chunk, so gunzip stalled whenever the visitor was working).
const READ_AHEAD = 1024 * 1024;
// Each piece zlib inflates is one trip to the pool and back, and the way back needs the main thread: with
// 64 KiB pieces zlib stood still whenever a visitor scanned a block for more than a piece's worth of time.
// 256 KiB pieces keep it working through those scans (reading the full bench bundle: 4.1 -> 2.9 s,
// redacting it: 10.1 -> 7.7-9.1 s); 1 MiB pieces gained little more and cost ~20 MiB of peak memory.
const INFLATE_PIECE = 256 * 1024;
// Pax and GNU long-name records hold a few paths; anything bigger is not metadata.
const MAX_META_BYTES = 1024 * 1024;
// GNU tar pads archives to 10 KiB records; a megabyte after the end marker is something else.
const MAX_TRAILER_BYTES = 1024 * 1024;
const SHOWN_NAMES = 5;

export type RecordKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'device' | 'fifo' | 'other';

export interface TarRecord {
  name: string;
  kind: RecordKind;
  typeName: string;
  linkpath: string;
  size: number;
  /** Modification time from the header (imports take the collection time from it). */
  mtime: Date | undefined;
  body: ChunkSource;
}

export interface PassState {
  /** Entries fully read, for "truncated after N entries". */
  completed: number;
  /** Name of the entry being read when the stream broke. */
  current: string | null;
}

const KIND_BY_TYPE: Record<string, RecordKind> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  GNUDumpDir: 'directory',
  SymbolicLink: 'symlink',
  Link: 'hardlink',
  CharacterDevice: 'device',
  BlockDevice: 'device',
  FIFO: 'fifo',
};

/**
 * Bytes of the (decompressed) archive, pulled on demand. A failure is sticky: once the stream broke, every
 * later read rethrows the same error, so a visitor that swallows it cannot make the reader go on.
 */
export class ByteSource {
  #iterator: AsyncIterator<Buffer>;
  #chunk: Buffer = Buffer.alloc(0);
  #failure: InputError | null = null;
  #total = 0;

  constructor(
    readable: Readable,
    private readonly maxTotalBytes: number,
    private readonly broken: (detail: string) => InputError,
    private readonly bomb: () => InputError,
  ) {
    this.#iterator = readable[Symbol.asyncIterator]();
  }

  /** Up to `max` bytes, or null at the end of the stream. */
  async piece(max: number): Promise<Buffer | null> {
    if (this.#failure) throw this.#failure;
    if (this.#chunk.length === 0) {
      let next: IteratorResult<Buffer>;
      try {
        next = await this.#iterator.next();
      } catch (err) {
        throw this.#fail(this.broken(streamErrorDetail(err)));
      }
      if (next.done) return null;
      this.#total += next.value.length;
      if (this.#total > this.maxTotalBytes) throw this.#fail(this.bomb());
      this.#chunk = next.value;
    }
    const n = Math.min(max, this.#chunk.length);
    const out = this.#chunk.subarray(0, n);
    this.#chunk = this.#chunk.subarray(n);
    return out;
  }

  /** Exactly n bytes; null when the stream ended before the first byte, an error when it ended inside. */
  async exactly(n: number): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const p = await this.piece(n - have);
      if (!p) {
        if (have === 0) return null;
        throw this.#fail(this.broken('the archive ends in the middle of a block'));
      }
      parts.push(p);
      have += p.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  async skip(n: number): Promise<void> {
    let left = n;
    while (left > 0) {
      const p = await this.piece(left);
      if (!p) throw this.#fail(this.broken('the archive ends in the middle of an entry'));
      left -= p.length;
    }
  }

  body(size: number): { chunks: ChunkSource; remaining: () => number } {
    let left = size;
    const source = this;
    return {
      chunks: async function* () {
        while (left > 0) {
          const p = await source.piece(Math.min(left, CHUNK));
          if (!p) throw source.#fail(source.broken('the archive ends in the middle of an entry'));
          left -= p.length;
          yield p;
        }
      },
      remaining: () => left,
    };
  }

  #fail(err: InputError): InputError {
    this.#failure ??= err;
    return this.#failure;
  }
}

export function streamErrorDetail(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'Z_BUF_ERROR') return 'gzip data ends early';
  if (typeof e?.code === 'string' && e.code.startsWith('Z_')) return `gzip data is damaged (${e.message})`;
  return e instanceof Error ? e.message : String(err);
}

/**
 * tar's Header throws on some malformed fields (a bad base-256 number, a pax `type` it does not know);
 * to us every such header is simply damaged.
 */
export function decodeHeader(block: Buffer, ex?: HeaderData, gex?: HeaderData): Header | null {
  try {
    return new Header(block, 0, ex, gex);
  } catch {
    return null;
  }
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** The raw file, tapped for its sha256, then gunzipped when compressed. Destroying the result closes the file. */
function openArchiveStream(path: string, compressed: boolean, hash: Hash): Readable {
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  // Errors surface through the returned stream's iterator; the callback only keeps pipeline from throwing.
  const ignore = (): void => undefined;
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  return compressed ? pipeline(raw, tap, readingGunzip(), ignore) : pipeline(raw, tap, ignore);
}

/** The gunzip stage of every archive reader (native bundles and other tools' .tar.gz alike). */
export function readingGunzip(): Transform {
  // zlib hands its options to the stream (ZlibOptions does not declare the stream's highWaterMark).
  return createGunzip({ chunkSize: INFLATE_PIECE, highWaterMark: READ_AHEAD } as ZlibOptions);
}

/**
 * Every non-metadata record of the archive in stored order. The consumer may read a record's body or not;
 * whatever it leaves is skipped when it asks for the next record. Ends only at a proper end-of-archive.
 */
export async function* tarRecords(source: ByteSource, state: PassState, limits: ReaderLimits, label: string): AsyncGenerator<TarRecord> {
  let ex: HeaderData | undefined;
  let gex: HeaderData | undefined;
  let headers = 0;
  const corrupt = (detail: string): InputError => new InputError(`${label} is truncated or corrupt after ${state.completed} entries: ${detail}`);
  for (;;) {
    state.current = null;
    const block = await source.exactly(BLOCK);
    if (!block) throw corrupt('the archive ends without an end-of-archive marker');
    if (isZeroBlock(block)) {
      const next = await source.exactly(BLOCK);
      if (next && !isZeroBlock(next)) throw corrupt('an empty block is followed by more data');
      let trailer = 0;
      for (let p = await source.piece(CHUNK); p; p = await source.piece(CHUNK)) {
        trailer += p.length;
        if (trailer > MAX_TRAILER_BYTES) throw corrupt(`more than ${formatBytes(MAX_TRAILER_BYTES)} of data after the end-of-archive marker`);
      }
      return;
    }
    const header = decodeHeader(block, ex, gex);
    if (!header?.cksumValid) {
      if (headers === 0) throw new InputError(`${label} is not a labsnap bundle: it is compressed, but what it holds is not a tar archive`);
      throw corrupt('a tar header is damaged (checksum mismatch)');
    }
    const size = header.size;
    if (size === undefined || !Number.isSafeInteger(size) || size < 0) throw corrupt('a tar header has an invalid size');
    if (++headers > limits.maxEntries) {
      throw new InputError(`${label} has more than ${limits.maxEntries} entries (maxEntries); refusing to read it`);
    }
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    const type = header.type;
    if (type === 'ExtendedHeader' || type === 'OldExtendedHeader' || type === 'GlobalExtendedHeader' || type === 'NextFileHasLongPath' || type === 'OldGnuLongPath' || type === 'NextFileHasLongLinkpath') {
      if (size > MAX_META_BYTES) throw corrupt(`a ${size}-byte ${type} record is far larger than tar metadata can be`);
      const data = size === 0 ? Buffer.alloc(0) : await source.exactly(size + padding);
      if (!data) throw corrupt('the archive ends inside a metadata record');
      const text = data.subarray(0, size).toString('utf8');
      if (type === 'GlobalExtendedHeader') gex = Pax.parse(text, gex, true);
      else if (type === 'ExtendedHeader' || type === 'OldExtendedHeader') ex = Pax.parse(text, ex, false);
      else {
        const value = text.replace(/\0[\s\S]*$/, '');
        ex = { ...ex, ...(type === 'NextFileHasLongLinkpath' ? { linkpath: value } : { path: value }) };
      }
      continue;
    }
    // Header puts the ustar prefix in front of a pax path; the pax record alone is the full name.
    const name = ex?.path ?? header.path ?? '';
    const linkpath = ex?.linkpath ?? header.linkpath ?? '';
    const mtime = ex?.mtime ?? header.mtime;
    ex = undefined;
    state.current = name;
    const body = source.body(size);
    yield { name, kind: KIND_BY_TYPE[type] ?? 'other', typeName: type, linkpath, size, mtime, body: body.chunks };
    await source.skip(body.remaining() + padding);
    state.completed++;
  }
}

interface TarPass {
  records: AsyncGenerator<TarRecord>;
  finish: () => string;
  close: () => void;
}

function startPass(path: string, label: string, compressed: boolean, limits: ReaderLimits, state: PassState): TarPass {
  const hash = createHash('sha256');
  const stream = openArchiveStream(path, compressed, hash);
  const broken = (detail: string): InputError =>
    new InputError(
      `${label} is truncated or corrupt after ${state.completed} entries` +
        `${state.current !== null ? ` (while reading ${JSON.stringify(state.current)})` : ''}: ${detail}`,
    );
  const bomb = (): InputError =>
    new InputError(
      `${label} expands to more than ${formatBytes(limits.maxTotalBytes)} (maxTotalBytes); refusing to read further, ` +
        'this looks like a decompression bomb',
    );
  const source = new ByteSource(stream, limits.maxTotalBytes, broken, bomb);
  return {
    records: tarRecords(source, state, limits, label),
    finish: () => hash.digest('hex'),
    close: () => stream.destroy(),
  };
}

export const KIND_PROBLEM: Record<Exclude<RecordKind, 'file' | 'directory'>, (r: TarRecord) => string> = {
  symlink: (r) => `symbolic link to ${JSON.stringify(r.linkpath)}; links are never followed, refused`,
  hardlink: (r) => `hard link to ${JSON.stringify(r.linkpath)}; links are never followed, refused`,
  device: () => 'device file; refused',
  fifo: () => 'FIFO; refused',
  other: (r) => `unsupported tar entry type ${r.typeName}; refused`,
};

/** Opens a tar bundle: one pass up to manifest.json (normally the first entry), then one pass per forEachEntry. */
export async function openTar(path: string, label: string, compressed: boolean, limits: ReaderLimits): Promise<OpenedBundle> {
  const found = await findManifest(path, label, compressed, limits);
  const manifest = parseManifest(found.text, `${label}: ${found.rootName}/${MANIFEST_PATH}`);
  const manifestHash = createHash('sha256').update(found.text).digest('hex');
  const rootName = found.rootName;

  async function forEachEntry(visit: (entry: BundleEntry) => Promise<void>): Promise<ReadSummary> {
    const state: PassState = { completed: 0, current: null };
    const pass = startPass(path, label, compressed, limits, state);
    const problems: EntryProblem[] = [];
    const seen = new Set<string>();
    let visited = 0;
    let sawManifest = false;
    try {
      for await (const record of pass.records) {
        const name = checkEntryName(record.name);
        if (!name.ok) {
          problems.push({ path: record.name, problem: name.reason });
          continue;
        }
        if (name.segments.length === 0) continue;
        if (name.segments[0] !== rootName) {
          problems.push({ path: record.name, problem: `outside the bundle's root folder ${rootName}/; refused` });
          continue;
        }
        const rel = name.segments.slice(1).join('/');
        if (record.kind === 'directory') continue;
        if (rel === '') {
          problems.push({ path: record.name, problem: 'stored where the root folder should be; refused' });
          continue;
        }
        if (rel === MANIFEST_PATH) {
          // A second manifest means tools that extract (last copy wins) and we (first copy) disagree.
          if (sawManifest) throw new InputError(`${label}: ${rootName}/${MANIFEST_PATH} is stored twice; refusing an ambiguous bundle`);
          sawManifest = true;
          const text = await readAll(record.body);
          if (createHash('sha256').update(text).digest('hex') !== manifestHash) {
            throw new InputError(`${label} changed while it was being read (manifest.json differs); read it again`);
          }
          continue;
        }
        if (seen.has(rel)) {
          problems.push({ path: rel, problem: 'duplicate entry; the first copy was read, this one refused' });
          continue;
        }
        seen.add(rel);
        if (record.kind !== 'file') {
          problems.push({ path: rel, problem: KIND_PROBLEM[record.kind](record) });
          continue;
        }
        if (record.size > limits.maxStreamEntryBytes) {
          problems.push({ path: rel, problem: `${record.size} bytes is over the ${formatBytes(limits.maxStreamEntryBytes)} per-entry cap (maxStreamEntryBytes); refused` });
          continue;
        }
        const entry = new StreamedEntry(rel, record.size, record.body, limits, (p) => problems.push(p));
        visited++;
        try {
          await visit(entry);
        } finally {
          entry.close();
        }
      }
    } finally {
      pass.close();
    }
    if (!sawManifest) throw new InputError(`${label} changed while it was being read (manifest.json is gone); read it again`);
    return { sha256: pass.finish(), entries: visited, problems };
  }

  return { kind: compressed ? 'tar.gz' : 'tar', rootName, manifest, forEachEntry };
}

async function readAll(chunks: ChunkSource): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks()) parts.push(c);
  return Buffer.concat(parts);
}

async function findManifest(
  path: string,
  label: string,
  compressed: boolean,
  limits: ReaderLimits,
): Promise<{ rootName: string; text: string }> {
  const state: PassState = { completed: 0, current: null };
  const pass = startPass(path, label, compressed, limits, state);
  const names: string[] = [];
  let count = 0;
  let misplaced: string | null = null;
  try {
    for await (const record of pass.records) {
      count++;
      if (names.length < SHOWN_NAMES) names.push(record.name);
      const name = checkEntryName(record.name);
      if (!name.ok || name.segments.at(-1) !== MANIFEST_PATH) continue;
      if (name.segments.length !== 2) {
        misplaced ??= record.name;
        continue;
      }
      const where = `${label}: ${record.name}`;
      if (record.kind !== 'file') throw new InputError(`${where}: the manifest is a ${record.kind}, not a regular file; refused`);
      if (record.size > limits.maxEntryBytes) {
        throw new InputError(`${where}: ${record.size} bytes is too large for a manifest (limit ${formatBytes(limits.maxEntryBytes)})`);
      }
      return { rootName: name.segments[0]!, text: (await readAll(record.body)).toString('utf8') };
    }
  } finally {
    pass.close();
  }
  const looks =
    count === 0
      ? 'it is an empty tar archive'
      : `it is a tar archive of ${count} entries (${names.map((n) => JSON.stringify(n)).join(', ')}${count > names.length ? ', …' : ''})`;
  const hint = misplaced !== null ? `; it has ${JSON.stringify(misplaced)}, but a bundle keeps manifest.json directly in its root folder` : '';
  throw new InputError(
    `${label} is not a labsnap bundle: no labsnap-<cluster>-<timestamp>/${MANIFEST_PATH} inside; ${looks}${hint}`,
  );
}
