// Inputs written by other tools (troubleshoot.sh, kubectl cluster-info dump, sos report), read entry by entry
// with the same defences as a labsnap bundle (bundle/reader-tar.ts, bundle/reader-dir.ts): nothing is
// extracted or followed, links/devices/unsafe names/duplicates/oversized entries are refused one by one,
// and a decompression bomb or a broken stream stops the read. Unlike a labsnap bundle there is no manifest
// and no fixed root folder: names are handed out as stored (relative to the directory for a folder).
import { createHash } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { pipeline, Readable, Transform } from 'node:stream';
import xz from 'xz-decompress';
import { InputError, errorMessage } from '../../common/errors.js';
import type { BundleEntry, EntryProblem, ReaderLimits } from '../reader.js';
import { fileSource, openRegular, sortedChildren, specialKind } from '../reader-dir.js';
import { checkEntryName, formatBytes, StreamedEntry } from '../reader-entry.js';
import { ByteSource, KIND_PROBLEM, readingGunzip, streamErrorDetail, tarRecords, type PassState } from '../reader-tar.js';
import { join } from 'node:path';
import { readlink } from 'node:fs/promises';

export type Container = 'tar.gz' | 'tar.xz' | 'tar' | 'directory';

export interface RawEntry {
  /** Stored name split into safe segments (for a directory: relative to it). */
  segments: string[];
  /** Header time (archives) or file time (directories). */
  mtime: Date | undefined;
  /** The body, readable once, only while the visit runs. */
  entry: BundleEntry;
}

export interface RawPass {
  sha256: string | null;
  problems: EntryProblem[];
  /** False when the visitor stopped the pass early. */
  complete: boolean;
}

/** The visitor returns 'stop' to end the pass early (detection reads only the first entries). */
export type RawVisitor = (raw: RawEntry) => Promise<void | 'stop'>;

const CHUNK = 64 * 1024;
const STOP = Symbol('stop');

export interface RawInput {
  readonly container: Container;
  readonly path: string;
  forEachRaw(visit: RawVisitor): Promise<RawPass>;
}

export function openRawArchive(path: string, container: Exclude<Container, 'directory'>, limits: ReaderLimits): RawInput {
  return { container, path, forEachRaw: (visit) => tarPass(path, container, limits, visit) };
}

export function openRawDirectory(path: string, limits: ReaderLimits): RawInput {
  return { container: 'directory', path, forEachRaw: (visit) => dirPass(path, limits, visit) };
}

function archiveStream(path: string, container: Exclude<Container, 'directory'>, onChunk: (c: Buffer) => void): Readable {
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onChunk(chunk);
      done(null, chunk);
    },
  });
  const ignore = (): void => undefined;
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  if (container === 'tar.gz') return pipeline(raw, tap, readingGunzip(), ignore);
  if (container === 'tar') return pipeline(raw, tap, ignore);
  // xz-decompress is liblzma's xz-embedded compiled to WebAssembly: streaming, no native build, no shell-out.
  const compressed = pipeline(raw, tap, ignore);
  const web = new xz.XzReadableStream(Readable.toWeb(compressed) as unknown as ReadableStream<Uint8Array>);
  return Readable.fromWeb(web as unknown as import('node:stream/web').ReadableStream<Uint8Array>, { highWaterMark: 1 });
}

function xzDetail(err: unknown): string {
  const message = errorMessage(err);
  return /get_next_output|error code/.test(message) ? `xz data is damaged or ends early (${message})` : streamErrorDetail(err);
}

async function tarPass(path: string, container: Exclude<Container, 'directory'>, limits: ReaderLimits, visit: RawVisitor): Promise<RawPass> {
  const hash = createHash('sha256');
  const stream = archiveStream(path, container, (c) => hash.update(c));
  const state: PassState = { completed: 0, current: null };
  const broken = (detail: string): InputError =>
    new InputError(
      `${path} is truncated or corrupt after ${state.completed} entries` +
        `${state.current !== null ? ` (while reading ${JSON.stringify(state.current)})` : ''}: ${container === 'tar.xz' ? xzDetail(detail) : detail}`,
    );
  const bomb = (): InputError =>
    new InputError(`${path} expands to more than ${formatBytes(limits.maxTotalBytes)} (maxTotalBytes); refusing to read further, this looks like a decompression bomb`);
  const source = new ByteSource(stream, limits.maxTotalBytes, broken, bomb);
  const problems: EntryProblem[] = [];
  const seen = new Set<string>();
  let complete = true;
  try {
    for await (const record of tarRecords(source, state, limits, path)) {
      const name = checkEntryName(record.name);
      if (!name.ok) {
        problems.push({ path: record.name, problem: name.reason });
        continue;
      }
      if (name.segments.length === 0 || record.kind === 'directory') continue;
      const rel = name.segments.join('/');
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
      let result: void | 'stop';
      try {
        result = await visit({ segments: name.segments, mtime: record.mtime, entry });
      } finally {
        entry.close();
      }
      if (result === 'stop') {
        complete = false;
        throw STOP;
      }
    }
  } catch (err) {
    if (err !== STOP) throw err;
  } finally {
    stream.destroy();
  }
  return { sha256: complete ? hash.digest('hex') : null, problems, complete };
}

async function dirPass(root: string, limits: ReaderLimits, visit: RawVisitor): Promise<RawPass> {
  const problems: EntryProblem[] = [];
  let walked = 0;
  let total = 0;
  let stopped = false;

  async function walk(dir: string, rel: string): Promise<void> {
    let children: Dirent[];
    try {
      children = await sortedChildren(dir);
    } catch (err) {
      problems.push({ path: rel, problem: `folder cannot be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})` });
      return;
    }
    for (const d of children) {
      if (stopped) return;
      if (++walked > limits.maxEntries) throw new InputError(`${root} has more than ${limits.maxEntries} entries (maxEntries); refusing to read it`);
      const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
      const abs = join(dir, d.name);
      const name = checkEntryName(childRel);
      if (!name.ok) {
        problems.push({ path: childRel, problem: name.reason });
        continue;
      }
      if (d.isDirectory()) {
        await walk(abs, childRel);
        continue;
      }
      if (d.isSymbolicLink()) {
        const target = await readlink(abs).catch(() => '?');
        problems.push({ path: childRel, problem: `symbolic link to ${JSON.stringify(target)}; links are never followed, refused` });
        continue;
      }
      if (!d.isFile()) {
        problems.push({ path: childRel, problem: `${specialKind(d)}; refused` });
        continue;
      }
      const file = await openRegular(abs);
      if (!file.ok) {
        problems.push({ path: childRel, problem: file.problem });
        continue;
      }
      try {
        if (file.size > limits.maxStreamEntryBytes) {
          problems.push({ path: childRel, problem: `${file.size} bytes is over the ${formatBytes(limits.maxStreamEntryBytes)} per-entry cap (maxStreamEntryBytes); refused` });
          continue;
        }
        total += file.size;
        if (total > limits.maxTotalBytes) throw new InputError(`${root} holds more than ${formatBytes(limits.maxTotalBytes)} (maxTotalBytes); refusing to read further`);
        const mtime = (await file.handle.stat()).mtime;
        const entry = new StreamedEntry(childRel, file.size, fileSource(file.handle, file.size, root, childRel), limits, (p) => problems.push(p));
        try {
          if ((await visit({ segments: name.segments, mtime, entry })) === 'stop') stopped = true;
        } finally {
          entry.close();
        }
      } finally {
        await file.handle.close();
      }
    }
  }

  await walk(root, '');
  return { sha256: null, problems, complete: !stopped };
}
