// Extracted bundles. Nothing is followed: a symbolic link is reported, never opened, and regular files are
// opened with O_NOFOLLOW|O_NONBLOCK and re-checked with fstat, so a link or FIFO swapped in after the
// directory listing can neither redirect the read nor block it.
//
// Hard links are read like any file: from inside the directory they cannot be told apart from the
// original, and reading one reveals nothing its creator could not already have copied into the bundle.
import { constants, type Dirent } from 'node:fs';
import { lstat, open, opendir, readlink, type FileHandle } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InputError, errorMessage } from '../common/errors.js';
import { MANIFEST_PATH } from './layout.js';
import type { BundleEntry, EntryProblem, OpenedBundle, ReaderLimits, ReadSummary } from './reader.js';
import { checkEntryName, formatBytes, StreamedEntry, type ChunkSource } from './reader-entry.js';
import { parseManifest } from './reader-manifest.js';

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const CHUNK = 64 * 1024;
const SHOWN_NAMES = 5;

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

export async function sortedChildren(dir: string): Promise<Dirent[]> {
  const children: Dirent[] = [];
  for await (const d of await opendir(dir)) children.push(d);
  // Code-unit order, not localeCompare: the same bundle must walk the same way on every machine.
  return children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The bundle's root: the directory itself, or the one folder in it that holds a manifest. */
async function findRoot(path: string, label: string): Promise<string> {
  if (await exists(join(path, MANIFEST_PATH))) return path;
  const children = await sortedChildren(path);
  const roots: string[] = [];
  for (const d of children) if (d.isDirectory() && (await exists(join(path, d.name, MANIFEST_PATH)))) roots.push(d.name);
  if (roots.length === 1) return join(path, roots[0]!);
  if (roots.length > 1) {
    throw new InputError(`${label} holds ${roots.length} bundles (${roots.map((r) => JSON.stringify(r)).join(', ')}); name one of them`);
  }
  const names = children.slice(0, SHOWN_NAMES).map((d) => JSON.stringify(d.isDirectory() ? `${d.name}/` : d.name));
  const looks = children.length === 0 ? 'it is empty' : `it contains ${names.join(', ')}${children.length > names.length ? ', …' : ''}`;
  throw new InputError(
    `${label} is not a labsnap bundle: no ${MANIFEST_PATH} in it nor in a labsnap-<cluster>-<timestamp>/ folder inside; ${looks}`,
  );
}

export type Opened = { ok: true; handle: FileHandle; size: number } | { ok: false; problem: string };

export async function openRegular(path: string): Promise<Opened> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { ok: false, problem: 'is a symbolic link; links are never followed, refused' };
    return { ok: false, problem: `cannot be read (${code ?? errorMessage(err)})` };
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    return { ok: false, problem: 'is not a regular file; refused' };
  }
  return { ok: true, handle, size: stat.size };
}

export function fileSource(handle: FileHandle, size: number, label: string, rel: string): ChunkSource {
  return async function* () {
    if (size === 0) return;
    // Bounded by the size seen at open, so a file that grows while it is read cannot exceed the caps.
    const stream = handle.createReadStream({ start: 0, end: size - 1, highWaterMark: CHUNK, autoClose: false });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (err) {
      throw new InputError(`${label}: ${rel}: read failed (${errorMessage(err)})`);
    } finally {
      stream.destroy();
    }
  };
}

export function specialKind(d: Dirent): string {
  if (d.isFIFO()) return 'FIFO';
  if (d.isSocket()) return 'socket';
  if (d.isCharacterDevice() || d.isBlockDevice()) return 'device file';
  return 'special file';
}

export async function openDirectory(path: string, label: string, limits: ReaderLimits): Promise<OpenedBundle> {
  const root = await findRoot(path, label);
  const rootName = basename(resolve(root));
  const where = `${label}: ${root === path ? '' : `${rootName}/`}${MANIFEST_PATH}`;
  const opened = await openRegular(join(root, MANIFEST_PATH));
  if (!opened.ok) throw new InputError(`${where}: ${opened.problem}`);
  let text: string;
  try {
    if (opened.size > limits.maxEntryBytes) {
      throw new InputError(`${where}: ${opened.size} bytes is too large for a manifest (limit ${formatBytes(limits.maxEntryBytes)})`);
    }
    text = (await opened.handle.readFile()).toString('utf8');
  } finally {
    await opened.handle.close();
  }
  const manifest = parseManifest(text, where);

  async function forEachEntry(visit: (entry: BundleEntry) => Promise<void>): Promise<ReadSummary> {
    const problems: EntryProblem[] = [];
    let visited = 0;
    let walked = 0;
    let total = 0;

    async function walk(dir: string, rel: string): Promise<void> {
      let children: Dirent[];
      try {
        children = await sortedChildren(dir);
      } catch (err) {
        problems.push({ path: rel, problem: `folder cannot be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})` });
        return;
      }
      for (const d of children) {
        if (++walked > limits.maxEntries) throw new InputError(`${label} has more than ${limits.maxEntries} entries (maxEntries); refusing to read it`);
        const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
        const abs = join(dir, d.name);
        if (rel === '' && d.name === MANIFEST_PATH) continue;
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
          if (total > limits.maxTotalBytes) {
            throw new InputError(`${label} holds more than ${formatBytes(limits.maxTotalBytes)} (maxTotalBytes); refusing to read further`);
          }
          const entry = new StreamedEntry(childRel, file.size, fileSource(file.handle, file.size, label, childRel), limits, (p) => problems.push(p));
          visited++;
          try {
            await visit(entry);
          } finally {
            entry.close();
          }
        } finally {
          await file.handle.close();
        }
      }
    }

    await walk(root, '');
    return { sha256: null, entries: visited, problems };
  }

  return { kind: 'directory', rootName, manifest, forEachEntry };
}
