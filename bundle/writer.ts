// Writes a bundle: items are staged as files in a private temp folder, then streamed into one .tar.gz
// with manifest.json first and every other entry sorted by path, so two bundles of the same data are
// byte-identical and a reader finds the manifest without scanning. Memory stays flat: tar reads each
// staged file as a stream.
import { createWriteStream, rmSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { create as createTar } from 'tar';
import { MANIFEST_PATH, LayoutError, segment } from './layout.js';
import type { Manifest } from './manifest.js';

// Temp folders and partial archives that must not outlive the process: a second Ctrl-C (process.exit)
// or an uncaught error skips every finally block, but 'exit' handlers still run, synchronously.
const leftovers = new Set<string>();
let exitHookInstalled = false;
function removeOnExit(path: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const p of leftovers) rmSync(p, { recursive: true, force: true });
    });
  }
  leftovers.add(path);
}

/** Paths removed at process exit unless cleaned up before (for tests of that promise). */
export function pendingCleanup(): string[] {
  return [...leftovers];
}

export class BundleStaging {
  private constructor(
    /** The private temp folder (0700). */
    readonly tempDir: string,
    /** `labsnap-<cluster>-<timestamp>`, the bundle's single root folder. */
    readonly rootName: string,
  ) {}

  static async create(rootName: string): Promise<BundleStaging> {
    segment(rootName, 'bundle root name');
    const tempDir = await mkdtemp(join(tmpdir(), 'labsnap-'));
    removeOnExit(tempDir);
    // mkdtemp already uses 0700; chmod again in case a umask or platform default differs.
    await chmod(tempDir, 0o700);
    await mkdir(join(tempDir, rootName), { mode: 0o700 });
    return new BundleStaging(tempDir, rootName);
  }

  private resolve(relPath: string): string {
    const parts = relPath.split('/');
    for (const p of parts) segment(p, 'bundle path segment');
    return join(this.tempDir, this.rootName, ...parts);
  }

  /** Stores one entry (mode 0600). A path is written once: a second write is a planning bug. */
  async put(relPath: string, data: Buffer | string): Promise<void> {
    if (relPath === MANIFEST_PATH) throw new LayoutError('manifest.json is written by writeBundle');
    const target = this.resolve(relPath);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await writeFile(target, data, { mode: 0o600, flag: 'wx' });
  }

  /** Stores one entry from a stream (mode 0600), so an entry is never held whole in memory. */
  async putStream(relPath: string, chunks: AsyncIterable<Buffer>): Promise<void> {
    if (relPath === MANIFEST_PATH) throw new LayoutError('manifest.json is written by writeBundle');
    const target = this.resolve(relPath);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await pipeline(Readable.from(chunks, { objectMode: false }), createWriteStream(target, { mode: 0o600, flags: 'wx' }));
  }

  /** Every staged entry path, sorted by UTF-16 code units (the order entries appear in the tarball). */
  async entries(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (abs: string, rel: string): Promise<void> => {
      for (const d of await readdir(abs, { withFileTypes: true })) {
        const childRel = rel === '' ? d.name : `${rel}/${d.name}`;
        if (d.isDirectory()) await walk(join(abs, d.name), childRel);
        else if (d.isFile()) out.push(childRel);
      }
    };
    await walk(join(this.tempDir, this.rootName), '');
    return out.filter((p) => p !== MANIFEST_PATH).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async remove(): Promise<void> {
    await rm(this.tempDir, { recursive: true, force: true });
    leftovers.delete(this.tempDir);
  }
}

export interface WrittenBundle {
  path: string;
  bytes: number;
  entries: number;
}

/**
 * Streams the staged entries and `manifest` into `outFile` (mode 0600). The archive appears under its
 * final name only when complete, and an existing file is never replaced.
 */
export async function writeBundle(staging: BundleStaging, manifest: Manifest, outFile: string, mtime: Date): Promise<WrittenBundle> {
  const manifestFile = join(staging.tempDir, staging.rootName, MANIFEST_PATH);
  await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  const entries = await staging.entries();
  const list = [MANIFEST_PATH, ...entries].map((p) => `${staging.rootName}/${p}`);

  const partial = `${outFile}.partial`;
  const out = createWriteStream(partial, { mode: 0o600, flags: 'wx' });
  removeOnExit(partial);
  try {
    const tar = createTar({ cwd: staging.tempDir, gzip: true, portable: true, mtime, noDirRecurse: true, strict: true }, list);
    await pipeline(tar, out);
    await chmod(partial, 0o600);
    if (await exists(outFile)) throw new LayoutError(`${outFile} appeared while the bundle was written; the new bundle is kept as ${partial}`);
    await rename(partial, outFile);
    leftovers.delete(partial);
  } catch (err) {
    if (!(err instanceof LayoutError)) await rm(partial, { force: true });
    leftovers.delete(partial);
    throw err;
  }
  const st = await lstat(outFile);
  return { path: outFile, bytes: st.size, entries: list.length };
}

export async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
