// The streaming stage: bytes in, redacted (and optionally pseudonymized) bytes out, line by line with the
// partial last line of a chunk carried over to the next, so a secret split across chunk boundaries is
// still seen whole and memory stays at one chunk plus one line.
import { createHash } from 'node:crypto';
import { classifyPath } from '../../bundle/layout.js';
import type { Pseudonymizer } from './pseudonymize.js';
import type { TextRedactor } from './secrets.js';

/**
 * Lines longer than this are processed in pieces of this size (a secret straddling two pieces can be
 * missed). kubectl, journald and config files never come near it; a line this long is binary data.
 */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** Slice size when an in-memory buffer is fed to the stage. */
export const SLICE_BYTES = 1024 * 1024;
const LF = 0x0a;

/** Captures are binary: they are not text-redacted; pseudonymization rewrites their address fields. */
export function isBinaryEntry(path: string): boolean {
  return classifyPath(path).area === 'host-capture' || /\.pcap(ng)?$/i.test(path);
}

export async function* slices(data: Buffer, size = SLICE_BYTES): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, Math.min(at + size, data.length));
}

/** Regroups small chunks (a tar stream gives 64 KiB) into about SLICE_BYTES: fewer, longer regex scans. */
async function* batches(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    if (chunk.length >= SLICE_BYTES && parts.length === 0) {
      yield chunk;
      continue;
    }
    parts.push(chunk);
    size += chunk.length;
    if (size >= SLICE_BYTES) {
      yield Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(parts, size);
}

export async function* transformText(
  source: AsyncIterable<Buffer>,
  redactor: TextRedactor | null,
  pseudonymizer: Pseudonymizer | null,
  maxLine = MAX_LINE_BYTES,
): AsyncGenerator<Buffer> {
  const stage = (text: string): string => {
    const redacted = redactor ? redactor.block(text) : text;
    return pseudonymizer ? pseudonymizer.text(redacted) : redacted;
  };
  let carry: Buffer | null = null;
  for await (const chunk of batches(source)) {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let cut = buf.lastIndexOf(LF) + 1;
    if (cut === 0 && buf.length >= maxLine) cut = buf.length;
    if (cut === 0) {
      carry = Buffer.from(buf);
      continue;
    }
    // Copied so a small carried tail does not pin the whole chunk.
    carry = cut < buf.length ? Buffer.from(buf.subarray(cut)) : null;
    const text = buf.toString('latin1', 0, cut);
    const out = stage(text);
    // Nothing changed (the common case): the original bytes go out without a re-encode.
    if (out === text) yield buf.subarray(0, cut);
    else if (out.length > 0) yield Buffer.from(out, 'latin1');
  }
  const text = carry ? carry.toString('latin1') : '';
  const last = stage(text) + (redactor ? redactor.end() : '');
  if (last.length > 0) yield Buffer.from(last, 'latin1');
}

/** Passes chunks through while hashing and counting them. */
export class Measured {
  bytes = 0;
  private readonly hash = createHash('sha256');
  async *pass(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const c of chunks) {
      this.hash.update(c);
      this.bytes += c.length;
      yield c;
    }
  }
  sha256(): string {
    return this.hash.digest('hex');
  }
}
