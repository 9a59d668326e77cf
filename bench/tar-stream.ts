// Writes a tar stream entry by entry, without staging files: the generator knows every entry's size before
// its body exists, so a header can be emitted and the body streamed after it. tar's Header and Pax encode
// the 512-byte headers (ustar prefix split, pax records for names too long for ustar).
import { Header, Pax } from 'tar';

const BLOCK = 512;
// GNU tar and node-tar pad archives to 20 blocks; readers expect the trailing zeros to be that size or less.
const RECORD = 20 * BLOCK;

export interface TarEntry {
  /** Full name inside the archive, root folder included. */
  name: string;
  size: number;
  body: () => Iterable<Buffer>;
}

function headerBlocks(name: string, size: number, mtime: Date): Buffer[] {
  const data = { path: name, mode: 0o600, uid: 0, gid: 0, uname: '', gname: '', size, mtime, type: 'File' as const };
  const header = new Header(data);
  const needPax = header.encode();
  const block = header.block;
  if (!block) throw new Error(`tar header for ${name} was not encoded`);
  return needPax ? [new Pax({ path: name, mtime }).encode(), block] : [block];
}

/**
 * The archive as a sequence of buffers. A body that yields a different number of bytes than its declared
 * size would shift every later header, so it fails the stream instead of writing a corrupt archive.
 */
export function* tarStream(entries: Iterable<TarEntry>, mtime: Date): Generator<Buffer> {
  let written = 0;
  for (const entry of entries) {
    for (const block of headerBlocks(entry.name, entry.size, mtime)) {
      written += block.length;
      yield block;
    }
    let bodyBytes = 0;
    for (const chunk of entry.body()) {
      bodyBytes += chunk.length;
      if (bodyBytes > entry.size) throw new Error(`${entry.name}: body is longer than its declared ${entry.size} bytes`);
      yield chunk;
    }
    if (bodyBytes !== entry.size) throw new Error(`${entry.name}: body has ${bodyBytes} bytes, declared ${entry.size}`);
    const padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
    written += entry.size + padding;
    if (padding > 0) yield Buffer.alloc(padding);
  }
  const end = 2 * BLOCK;
  const tail = (RECORD - ((written + end) % RECORD)) % RECORD;
  yield Buffer.alloc(end + tail);
}
