// The pieces every bundle form shares: limits, entry-name checks, and the entry object handed to visitors.
import { InputError, InternalError } from '../common/errors.js';
import type { BundleEntry, EntryProblem, ReaderLimits } from './reader.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_LIMITS: Readonly<ReaderLimits> = Object.freeze({
  // The collector caps an item at 20 MiB; buffering one three times that size still leaves room under the
  // analyzer's 256 MiB RSS target, anything bigger must be read with lines().
  maxEntryBytes: 64 * MiB,
  // Streaming is bounded in memory whatever the size; this only stops one entry from eating the whole run.
  maxStreamEntryBytes: 512 * MiB,
  maxTotalBytes: 64 * GiB,
  maxEntries: 200_000,
  // kubectl and journald lines are short; a megabyte-long "line" is binary data or an attack on memory.
  maxLineBytes: 1 * MiB,
});

export function resolveLimits(given: Partial<ReaderLimits> | undefined): ReaderLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(given ?? {})) if (value !== undefined) limits[key as keyof ReaderLimits] = value;
  for (const [key, value] of Object.entries(limits)) {
    // A NaN or negative cap would silently disable the check it guards.
    if (!Number.isSafeInteger(value) || value <= 0) throw new InternalError(`reader limit ${key} must be a positive integer, got ${value}`);
  }
  return limits;
}

export function formatBytes(n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB} GiB`;
  if (n >= MiB && n % MiB === 0) return `${n / MiB} MiB`;
  return `${n} bytes`;
}

/** Thrown by text()/bytes() for an entry above maxEntryBytes; lines() still reads it. */
export class EntryTooLargeError extends InputError {
  override name = 'EntryTooLargeError';
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`${path}: ${size} bytes is too large to load whole (limit ${formatBytes(limit)}, maxEntryBytes); read it line by line`);
  }
}

export type NameCheck = { ok: true; segments: string[] } | { ok: false; reason: string };

// Backslashes and control characters are refused rather than rewritten: layout.segment() never produces
// them, so their presence means the archive was not written by the collector.
const UNSAFE_CHARS = /[\\\x00-\x1f\x7f]/;

/** Splits a stored name into segments, refusing anything that could resolve outside the bundle. */
export function checkEntryName(raw: string): NameCheck {
  if (raw.length === 0) return { ok: false, reason: 'entry has an empty name' };
  if (UNSAFE_CHARS.test(raw)) return { ok: false, reason: 'name contains a backslash or a control character; refused' };
  if (raw.startsWith('/')) return { ok: false, reason: 'absolute path; refused' };
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, reason: "path contains a '..' segment; refused" };
  return { ok: true, segments };
}

export type ChunkSource = () => AsyncIterable<Buffer>;

const CR = 0x0d;
const LF = 0x0a;

/**
 * One entry as a visitor sees it. The body can be consumed once (a tar stream cannot rewind), and only
 * while its visit runs; memory and directory entries enforce the same so rules behave alike on all forms.
 */
export class StreamedEntry implements BundleEntry {
  #source: ChunkSource | null;
  #live = true;

  constructor(
    readonly path: string,
    readonly size: number,
    source: ChunkSource,
    private readonly limits: ReaderLimits,
    private readonly report: (problem: EntryProblem) => void,
  ) {
    this.#source = source;
  }

  /** Called by the reader when the visit returns; later reads are a caller bug. */
  close(): void {
    this.#live = false;
  }

  async bytes(): Promise<Buffer> {
    if (this.size > this.limits.maxEntryBytes) throw new EntryTooLargeError(this.path, this.size, this.limits.maxEntryBytes);
    const out = Buffer.allocUnsafe(this.size);
    let filled = 0;
    for await (const chunk of this.#take()) filled += chunk.copy(out, filled);
    // A directory file can shrink between stat and read; never hand out uninitialised memory.
    return filled === this.size ? out : out.subarray(0, filled);
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  lines(): AsyncIterable<string> {
    return this.#lines(this.#take());
  }

  chunks(): AsyncIterable<Buffer> {
    return this.#take();
  }

  blocks(): AsyncIterable<string> {
    return this.#blocks(this.#take());
  }

  #take(): AsyncIterable<Buffer> {
    if (!this.#live) throw new InternalError(`${this.path}: entry read after its visit returned`);
    const source = this.#source;
    if (!source) throw new InternalError(`${this.path}: entry body already read (text(), bytes() and lines() each consume it)`);
    this.#source = null;
    return this.#guard(source());
  }

  // A visitor that forgets to await its reads would otherwise pull bytes that belong to the next tar entry.
  async *#guard(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      if (!this.#live) throw new InternalError(`${this.path}: entry read after its visit returned`);
      yield chunk;
    }
  }

  // Decodes each chunk once, up to its last LF (never inside a UTF-8 sequence), so log scanning runs over
  // large strings instead of one string per line. The unfinished last line is carried to the next chunk;
  // a carried line longer than maxLineBytes is cut and reported like lines() does.
  async *#blocks(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
    const max = this.limits.maxLineBytes;
    let carry: Buffer | null = null;
    let dropping = false;
    for await (const chunk of chunks) {
      let buf: Buffer = chunk;
      if (carry) buf = Buffer.concat([carry, chunk], carry.length + chunk.length);
      carry = null;
      const nl = buf.lastIndexOf(LF);
      if (nl === -1) {
        if (dropping) continue;
        if (buf.length > max) {
          this.report({ path: this.path, problem: `a line is longer than ${formatBytes(max)}; only its start was read` });
          yield `${buf.toString('utf8', 0, utf8Boundary(buf, max))}\n`;
          dropping = true;
        } else carry = Buffer.from(buf);
        continue;
      }
      let start = 0;
      if (dropping) {
        // The rest of a cut line ends at the first LF of this chunk.
        start = buf.indexOf(LF) + 1;
        dropping = false;
      }
      if (start <= nl) {
        yield buf.toString('utf8', start, nl + 1);
      }
      // Copied so a small carried tail does not pin the whole chunk in memory.
      if (nl + 1 < buf.length) carry = Buffer.from(buf.subarray(nl + 1));
    }
    if (carry && carry.length > 0 && !dropping) yield `${carry.toString('utf8')}\n`;
  }

  // Splits on the LF byte, which never occurs inside a multi-byte UTF-8 sequence, and decodes each line on
  // its own: characters are never cut, and no yielded string pins a whole chunk in memory.
  async *#lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
    const max = this.limits.maxLineBytes;
    let parts: Buffer[] = [];
    let partsLength = 0;
    let cut = false;
    let lineNo = 0;
    const finish = (): string => {
      let line = parts.length === 1 ? parts[0]! : Buffer.concat(parts, partsLength);
      if (cut) line = line.subarray(0, utf8Boundary(line, max));
      else if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
      parts = [];
      partsLength = 0;
      cut = false;
      return line.toString('utf8');
    };
    const append = (piece: Buffer): void => {
      if (cut || piece.length === 0) return;
      if (partsLength + piece.length > max) {
        cut = true;
        this.report({ path: this.path, problem: `line ${lineNo + 1} is longer than ${formatBytes(max)}; only its start was read` });
      }
      parts.push(piece);
      partsLength += piece.length;
    };
    for await (const chunk of chunks) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(LF, start);
        if (nl === -1) {
          append(chunk.subarray(start));
          break;
        }
        if (parts.length === 0 && !cut && nl - start <= max) {
          const end = nl > start && chunk[nl - 1] === CR ? nl - 1 : nl;
          yield chunk.toString('utf8', start, end);
        } else {
          append(chunk.subarray(start, nl));
          yield finish();
        }
        lineNo++;
        start = nl + 1;
      }
    }
    if (parts.length > 0 || cut) yield finish();
  }
}

/** Largest length <= max that does not end inside a UTF-8 sequence. */
function utf8Boundary(buf: Buffer, max: number): number {
  if (buf.length <= max) return buf.length;
  let i = max;
  // Back up over continuation bytes to the lead byte of the character that straddles the cut.
  while (i > 0 && (buf[i]! & 0xc0) === 0x80) i--;
  return i;
}

export function memorySource(content: Buffer): ChunkSource {
  return async function* () {
    if (content.length > 0) yield content;
  };
}
