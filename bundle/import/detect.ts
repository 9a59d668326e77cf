// Which kind of input a path is, by content (names inside it), never by file name: a labsnap bundle, a
// troubleshoot.sh support bundle, a `kubectl cluster-info dump` folder, or a sos report. Archives are read
// only until a name decides; folders are decided from their top-level listing.
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, errorMessage } from '../../common/errors.js';
import { MANIFEST_PATH } from '../layout.js';
import type { ReaderLimits } from '../reader.js';
import { sortedChildren } from '../reader-dir.js';
import type { InputKind } from './kinds.js';
import { openRawArchive, openRawDirectory, type Container, type RawInput } from './raw.js';

export interface Detected {
  kind: InputKind;
  container: Container;
  /** Leading segments every entry of the input has (the archive's or folder's root folder), possibly none. */
  prefix: string[];
  /** Newest entry time seen while detecting (archives only); a fallback for the collection time. */
  newestMtime: Date | undefined;
  raw: RawInput | null;
}

const TROUBLESHOOT_TOP = new Set(['cluster-resources', 'cluster-info', 'host-collectors', 'version.yaml', 'analysis.json', 'execution-data']);
const SOS_TOP = new Set(['sos_commands', 'sos_logs', 'sos_reports', 'sos_strings']);
const DUMP_NS_FILES = /^(pods|events|services|replicationcontrollers|daemonsets|deployments|replicasets)\.(json|yaml)$/;

type Verdict = { kind: Exclude<InputKind, 'labsnap'>; prefixLength: number } | { kind: 'labsnap'; prefixLength: number } | null;

/** The kind a single name proves, if any. `host/` is where installers that embed troubleshoot keep host-only bundles. */
export function verdictFor(segments: string[]): Verdict {
  for (let k = 0; k <= Math.min(1, segments.length - 1); k++) {
    const rest = segments.slice(k);
    const first = rest[0]!;
    if (rest.length === 1 && first === MANIFEST_PATH && k === 1) return { kind: 'labsnap', prefixLength: k };
    if (TROUBLESHOOT_TOP.has(first) && (rest.length > 1 || first.includes('.'))) return { kind: 'troubleshoot', prefixLength: k };
    if (first === 'host' && rest.length > 1 && TROUBLESHOOT_TOP.has(rest[1]!)) return { kind: 'troubleshoot', prefixLength: k };
    if (SOS_TOP.has(first) && rest.length > 1) return { kind: 'sosreport', prefixLength: k };
    if (rest.length === 1 && /^nodes\.(json|yaml)$/.test(first)) return { kind: 'cluster-info-dump', prefixLength: k };
    if (rest.length === 2 && DUMP_NS_FILES.test(rest[1]!)) return { kind: 'cluster-info-dump', prefixLength: k };
  }
  return null;
}

const SNIFF = 512;
const SHOWN = 6;

async function head(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF);
    const { bytesRead } = await handle.read(buf, 0, SNIFF, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function containerOf(bytes: Buffer): Exclude<Container, 'directory'> | null {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'tar.gz';
  if (bytes.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'tar.xz';
  if (bytes.length >= 262 && bytes.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return null;
}

const EXPECTED =
  'expected a labsnap bundle (manifest.json), a troubleshoot.sh bundle (cluster-resources/, cluster-info/, host-collectors/, version.yaml), ' +
  'a kubectl cluster-info dump folder (nodes.json, <namespace>/pods.json) or a sos report (sos_commands/, sos_logs/)';

/** Detects the kind of input at `path`; throws InputError naming what was found when it is none of them. */
export async function detectInput(path: string, limits: ReaderLimits): Promise<Detected> {
  const info = await lstat(path);
  if (info.isDirectory()) return detectDirectory(path, limits);
  if (!info.isFile()) throw new InputError(`${path} is neither a file nor a folder; ${EXPECTED}`);
  const container = containerOf(await head(path));
  if (!container) return { kind: 'labsnap', container: 'tar', prefix: [], newestMtime: undefined, raw: null };
  const raw = openRawArchive(path, container, limits);
  let verdict: Verdict = null;
  let prefix: string[] = [];
  let newest: Date | undefined;
  const names: string[] = [];
  let count = 0;
  await raw.forEachRaw(async ({ segments, mtime }) => {
    count++;
    if (names.length < SHOWN) names.push(segments.join('/'));
    if (mtime && mtime.getTime() > 0 && (!newest || mtime > newest)) newest = mtime;
    verdict = verdictFor(segments);
    if (verdict) {
      prefix = segments.slice(0, verdict.prefixLength);
      return 'stop';
    }
    return undefined;
  });
  const found = verdict as Verdict;
  if (!found) {
    const looks = count === 0 ? 'it is an empty archive' : `it is a ${container} archive of ${count} entries (${names.map((n) => JSON.stringify(n)).join(', ')}${count > names.length ? ', …' : ''})`;
    throw new InputError(`${path} is not an input labsnap can read: ${looks}; ${EXPECTED}`);
  }
  // A labsnap archive is read by the native reader, which checks its manifest.
  if (found.kind === 'labsnap') return { kind: 'labsnap', container, prefix, newestMtime: newest, raw: null };
  return { kind: found.kind, container, prefix, newestMtime: newest, raw };
}

async function detectDirectory(path: string, limits: ReaderLimits): Promise<Detected> {
  let children;
  try {
    children = await sortedChildren(path);
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? errorMessage(err)}`);
  }
  const decide = (names: { name: string; dir: boolean; sub?: string[] }[]): Verdict => {
    for (const n of names) {
      const segs = n.dir ? [n.name, ...(n.sub?.length ? [n.sub[0]!] : ['x'])] : [n.name];
      if (!n.dir && n.name === MANIFEST_PATH) return { kind: 'labsnap', prefixLength: 0 };
      const v = verdictFor(segs);
      if (v && v.prefixLength === 0 && v.kind !== 'cluster-info-dump') return v;
    }
    // A cluster-info dump folder: nodes.json at the top, or namespace folders holding pods.json.
    for (const n of names) {
      if (!n.dir && /^nodes\.(json|yaml)$/.test(n.name)) return { kind: 'cluster-info-dump', prefixLength: 0 };
      if (n.dir && n.sub?.some((s) => DUMP_NS_FILES.test(s))) return { kind: 'cluster-info-dump', prefixLength: 0 };
    }
    return null;
  };
  const listing = async (dir: string) =>
    Promise.all(
      (await sortedChildren(dir)).map(async (d) => ({
        name: d.name,
        dir: d.isDirectory(),
        ...(d.isDirectory() ? { sub: (await sortedChildren(join(dir, d.name)).catch(() => [])).map((c) => c.name) } : {}),
      })),
    );
  const top = await listing(path);
  let verdict = decide(top);
  let prefix: string[] = [];
  if (!verdict) {
    // The folder an archive was extracted into: one folder inside that is the input.
    const dirs = top.filter((n) => n.dir);
    if (dirs.length === 1) {
      const inner = await listing(join(path, dirs[0]!.name));
      verdict = decide(inner);
      prefix = [dirs[0]!.name];
    }
  }
  if (!verdict && top.some((n) => n.dir && n.sub?.includes(MANIFEST_PATH))) verdict = { kind: 'labsnap', prefixLength: 0 };
  if (!verdict) {
    const shown = children.slice(0, SHOWN).map((d) => JSON.stringify(d.isDirectory() ? `${d.name}/` : d.name));
    const looks = children.length === 0 ? 'it is empty' : `it contains ${shown.join(', ')}${children.length > shown.length ? ', …' : ''}`;
    throw new InputError(`${path} is not an input labsnap can read: ${looks}; ${EXPECTED}`);
  }
  if (verdict.kind === 'labsnap') return { kind: 'labsnap', container: 'directory', prefix, newestMtime: undefined, raw: null };
  return { kind: verdict.kind, container: 'directory', prefix, newestMtime: undefined, raw: openRawDirectory(path, limits) };
}
