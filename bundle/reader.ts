// Reads a bundle (.tar.gz, .tar, extracted directory, or in-memory files for rule tests) without side
// effects: nothing is extracted, written, or followed, and memory stays bounded by one chunk plus whatever
// the visitor buffers, never by the bundle size.
//
// Fatal (InputError, exit 2), because nothing after them can be trusted or read:
//   - not a bundle: not gzip/tar/directory, no <root>/manifest.json, several bundles in one directory;
//   - the manifest: invalid JSON, wrong format, missing or newer formatVersion, schema errors, a link,
//     stored twice, or changed between opening and reading;
//   - a truncated or corrupt stream (gzip error, damaged tar header, no end-of-archive marker): the tar
//     framing is lost, so later entries cannot be located; the message says after how many entries;
//   - a bomb: more than maxTotalBytes decompressed or maxEntries entries.
// Per entry (listed in ReadSummary.problems, the entry is not visited, the rest is still analyzed), because
// one hostile or odd file must not hide every other finding:
//   - absolute paths, '..' segments, backslashes or control characters, entries outside the root folder;
//   - symbolic and hard links (in a tar) and symbolic links (in a directory), device files, FIFOs, sockets;
//   - duplicate paths (the first copy is visited), entries over maxStreamEntryBytes, unreadable files.
// An entry over maxEntryBytes is visited, but text()/bytes() throw EntryTooLargeError (lines() works); a
// line over maxLineBytes is cut and noted in problems. The analyzer turns both into skipped rules.
import { stat, open } from 'node:fs/promises';
import { InputError, errorMessage } from '../common/errors.js';
import { MANIFEST_PATH } from './layout.js';
import type { ItemRecord, Manifest } from './manifest.js';
import { openDirectory } from './reader-dir.js';
import { checkEntryName, formatBytes, memorySource, resolveLimits, StreamedEntry } from './reader-entry.js';
import { checkManifest } from './reader-manifest.js';
import { decodeHeader, openTar } from './reader-tar.js';

export { DEFAULT_LIMITS, EntryTooLargeError } from './reader-entry.js';

export interface ReaderLimits {
  /** Largest single entry a caller may buffer with text()/bytes(). Default 64 MiB. */
  maxEntryBytes: number;
  /** Entries above this are refused outright (listed in problems, not visited). Default 512 MiB. */
  maxStreamEntryBytes: number;
  /** Decompressed bytes in the whole bundle before it is treated as a bomb. Default 64 GiB. */
  maxTotalBytes: number;
  /** Entries (of every kind, tar metadata included) before the bundle is treated as a bomb. Default 200 000. */
  maxEntries: number;
  /** lines() cuts a longer line to this many bytes. Default 1 MiB. */
  maxLineBytes: number;
}

export interface BundleEntry {
  /** Path relative to the bundle root folder, `/`-separated, normalized. */
  readonly path: string;
  readonly size: number;
  /** Whole content as UTF-8; throws EntryTooLargeError above the limit. */
  text(): Promise<string>;
  bytes(): Promise<Buffer>;
  /** Streams lines (without the newline); memory stays bounded whatever the entry size. */
  lines(): AsyncIterable<string>;
  /** Streams the raw bytes, unchanged (for copying an entry, e.g. `labsnap redact`). */
  chunks(): AsyncIterable<Buffer>;
  /** Streams the text in blocks of whole lines (each ends with a newline); for scanning large logs. */
  blocks(): AsyncIterable<string>;
}

export interface EntryProblem {
  path: string;
  problem: string;
}

export interface ReadSummary {
  /** sha256 of the archive file (.tar.gz or .tar); null for a directory or an in-memory bundle. */
  sha256: string | null;
  /** Entries handed to the visitor. */
  entries: number;
  /** Entries that were refused (unsafe name, link, device, duplicate, over the size cap), and cut lines. */
  problems: EntryProblem[];
}

export interface OpenedBundle {
  readonly kind: 'tar.gz' | 'tar.xz' | 'tar' | 'directory' | 'memory';
  /** Name of the root folder (`labsnap-<cluster>-<timestamp>`), or of the directory. */
  readonly rootName: string;
  readonly manifest: Manifest;
  /** One pass over every entry but the manifest, in stored order; visit is awaited before the next. */
  forEachEntry(visit: (entry: BundleEntry) => Promise<void>): Promise<ReadSummary>;
}

const SNIFF_BYTES = 512;

/** Opens a bundle and validates its manifest; entries are read by forEachEntry. `path` appears in messages as given. */
export async function openBundle(path: string, limits?: Partial<ReaderLimits>): Promise<OpenedBundle> {
  const resolved = resolveLimits(limits);
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new InputError(`cannot read bundle ${path}: ${fsReason(err)}`);
  }
  if (info.isDirectory()) return openDirectory(path, path, resolved);
  if (!info.isFile()) throw new InputError(`${path} is not a labsnap bundle: expected a .tar.gz file or a directory`);
  const head = await readHead(path);
  if (head[0] === 0x1f && head[1] === 0x8b) return openTar(path, path, true, resolved);
  if (head.length === SNIFF_BYTES && decodeHeader(head)?.cksumValid) return openTar(path, path, false, resolved);
  throw new InputError(`${path} is not a labsnap bundle: expected a .tar.gz, a .tar or an extracted directory, but ${describeHead(head)}`);
}

/** What went wrong opening a path, in words (the errno code alone means little to most users). */
function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (the bundle is mode 0600: read it as its owner, or with sudo)';
  return code ?? errorMessage(err);
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read bundle ${path}: ${fsReason(err)}`);
  });
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function describeHead(head: Buffer): string {
  if (head.length === 0) return 'the file is empty';
  if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return 'it is a zip archive (re-create it with tar czf, or extract it and pass the directory)';
  const start = head.subarray(0, 64).toString('utf8');
  // Printable text is worth quoting; binary is shown as its leading bytes (a "magic number" users can look up).
  if (/^[\t\n\r\x20-\x7e\u00a0-\uffff]+$/.test(start) && !start.includes('\ufffd')) {
    return `it is a text file starting with ${JSON.stringify(start.slice(0, 40))}`;
  }
  return `it is binary data starting with bytes ${[...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}

/**
 * A bundle from inline content (the rule tester's mini-bundles). Paths are relative to the root folder;
 * names get the same checks as archive entries, and unsafe ones end up in problems.
 */
export function openMemoryBundle(
  files: Record<string, string | Buffer>,
  manifest: Manifest,
  rootName = 'labsnap-memory',
  limits?: Partial<ReaderLimits>,
): OpenedBundle {
  const resolved = resolveLimits(limits);
  const checked = checkManifest(manifest, `${rootName}/${MANIFEST_PATH}`);
  const names = Object.keys(files).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length > resolved.maxEntries) throw new InputError(`${rootName} has more than ${resolved.maxEntries} entries (maxEntries)`);
  const contents = names.map((name) => {
    const value = files[name]!;
    return { name, content: typeof value === 'string' ? Buffer.from(value, 'utf8') : value };
  });
  const total = contents.reduce((sum, c) => sum + c.content.length, 0);
  if (total > resolved.maxTotalBytes) throw new InputError(`${rootName} holds more than ${formatBytes(resolved.maxTotalBytes)} (maxTotalBytes)`);
  for (const { name } of contents) {
    const check = checkEntryName(name);
    if (check.ok && check.segments.join('/') === MANIFEST_PATH) {
      throw new InputError(`${rootName}: pass the manifest as the manifest argument, not as the file ${JSON.stringify(name)}`);
    }
  }

  async function forEachEntry(visit: (entry: BundleEntry) => Promise<void>): Promise<ReadSummary> {
    const problems: EntryProblem[] = [];
    const seen = new Set<string>();
    let visited = 0;
    for (const { name, content } of contents) {
      const check = checkEntryName(name);
      if (!check.ok || check.segments.length === 0) {
        problems.push({ path: name, problem: check.ok ? 'entry has an empty name' : check.reason });
        continue;
      }
      const rel = check.segments.join('/');
      if (seen.has(rel)) {
        problems.push({ path: rel, problem: 'duplicate entry; the first copy was read, this one refused' });
        continue;
      }
      seen.add(rel);
      if (content.length > resolved.maxStreamEntryBytes) {
        problems.push({ path: rel, problem: `${content.length} bytes is over the ${formatBytes(resolved.maxStreamEntryBytes)} per-entry cap (maxStreamEntryBytes); refused` });
        continue;
      }
      const entry = new StreamedEntry(rel, content.length, memorySource(content), resolved, (p) => problems.push(p));
      visited++;
      try {
        await visit(entry);
      } finally {
        entry.close();
      }
    }
    return { sha256: null, entries: visited, problems };
  }

  return { kind: 'memory', rootName, manifest: checked, forEachEntry };
}

/** Items the manifest lists as collected (status ok) whose file is not in the bundle, in manifest order. */
export function missingItems(manifest: Manifest, seenPaths: Iterable<string>): ItemRecord[] {
  const seen = seenPaths instanceof Set ? (seenPaths as ReadonlySet<string>) : new Set(seenPaths);
  return manifest.items.filter((item) => item.status === 'ok' && !seen.has(item.path));
}
