// Opens any input `labsnap analyze` and `labsnap import` accept: a labsnap bundle goes to the native reader,
// anything else to its importer, which yields the same entries under labsnap layout paths. The manifest
// of an import says `mode: imported` and which kind of input each part came from; its hosts and items are
// complete once forEachEntry has run (the analyzer reads them after the pass).
import { basename, join } from 'node:path';
import { InputError } from '../../common/errors.js';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, LayoutError, segment } from '../layout.js';
import type { HostRecord, ImportedInput, Manifest } from '../manifest.js';
import { openBundle, type BundleEntry, type OpenedBundle, type ReaderLimits, type ReadSummary } from '../reader.js';
import { openRegular } from '../reader-dir.js';
import { resolveLimits } from '../reader-entry.js';
import { ClusterInfoDumpImporter } from './cluster-info.js';
import { detectInput, type Detected } from './detect.js';
import { packageInfo } from '../../common/package-root.js';
import { INPUT_KIND_NAMES, type ImportedKind, type InputKind } from './kinds.js';
import { ImportOutput, newestHeartbeat, type Importer } from './output.js';
import { sosHostName, sosTime, SosImporter } from './sos.js';
import { TroubleshootImporter } from './troubleshoot.js';

export interface OpenInputOptions {
  limits?: Partial<ReaderLimits>;
  /** Host name for a sos report or a troubleshoot host-only bundle (`--host NAME=...`). */
  host?: string;
}

export interface OpenedInput {
  kind: InputKind;
  bundle: OpenedBundle;
}

/** Reads named files of an input before the main pass (the collection time, a sos report's host name). */
async function prescan(detected: Detected, wanted: string[], enough: (found: Map<string, string>) => boolean = (f) => f.size === wanted.length): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const raw = detected.raw!;
  const prefix = detected.prefix.join('/');
  const full = (rel: string) => (prefix ? `${prefix}/${rel}` : rel);
  if (detected.container === 'directory') {
    for (const rel of wanted) {
      const file = await openRegular(join(raw.path, ...full(rel).split('/')));
      if (!file.ok) continue;
      try {
        // Small files only: these are a hostname, a date, a node list.
        if (file.size <= 16 * 1024 * 1024) found.set(rel, (await file.handle.readFile()).toString('utf8'));
      } finally {
        await file.handle.close();
      }
    }
    return found;
  }
  const targets = new Map(wanted.map((w) => [full(w), w]));
  await raw.forEachRaw(async ({ segments, entry }) => {
    const rel = targets.get(segments.join('/'));
    if (rel !== undefined && entry.size <= 16 * 1024 * 1024) found.set(rel, await entry.text());
    return enough(found) ? 'stop' : undefined;
  });
  return found;
}

function importerFor(kind: ImportedKind, limits: ReaderLimits, host: string | undefined): Importer {
  // Held content (host collectors, custom resources) is bounded like one large entry.
  if (kind === 'troubleshoot') return new TroubleshootImporter(limits.maxEntryBytes, host);
  if (kind === 'cluster-info-dump') return new ClusterInfoDumpImporter();
  return new SosImporter(host ?? 'host', limits.maxEntryBytes);
}

/**
 * "Now" for every rule: none of these formats records when it was collected in one place. A sos report
 * has `date --utc`; otherwise the newest node heartbeat (folders) or the archive's entry times, and the
 * heartbeats again for an archive written without times.
 */
const SOS_DATE = 'sos_commands/date/date_--utc';
const SOS_HOSTNAME = 'sos_commands/host/hostname';
const SOS_ETC_HOSTNAME = 'etc/hostname';
const sosCache = new WeakMap<Detected, Promise<Map<string, string>>>();

/** A sos report's date and host name, read in one pass that stops once both are known. */
function sosFacts(detected: Detected): Promise<Map<string, string>> {
  let facts = sosCache.get(detected);
  if (!facts) {
    facts = prescan(detected, [SOS_DATE, SOS_HOSTNAME, SOS_ETC_HOSTNAME], (f) => f.has(SOS_DATE) && (f.has(SOS_HOSTNAME) || f.has(SOS_ETC_HOSTNAME)));
    sosCache.set(detected, facts);
  }
  return facts;
}

async function collectionTime(detected: Detected): Promise<Date> {
  const name = INPUT_KIND_NAMES[detected.kind];
  if (detected.kind === 'sosreport') {
    const at = sosTime((await sosFacts(detected)).get(SOS_DATE));
    if (at) return at;
  }
  const nodeFiles = detected.kind === 'troubleshoot' ? ['cluster-resources/nodes.json'] : detected.kind === 'cluster-info-dump' ? ['nodes.json', 'nodes.yaml'] : [];
  const fromHeartbeats = async (): Promise<Date | undefined> => {
    if (nodeFiles.length === 0) return undefined;
    const files = await prescan(detected, nodeFiles);
    for (const rel of nodeFiles) {
      const at = newestHeartbeat(files.get(rel) ?? '');
      if (at) return at;
    }
    return undefined;
  };
  if (detected.container === 'directory') {
    const at = await fromHeartbeats();
    if (at) return at;
    throw new InputError(
      `${detected.raw!.path}: cannot tell when this ${name} was collected (${nodeFiles.length > 0 ? `no node heartbeats in ${nodeFiles.join(' or ')}` : 'no sos_commands/date/date_--utc'}); import it from its archive instead`,
    );
  }
  if (detected.newestMtime) return detected.newestMtime;
  const at = await fromHeartbeats();
  if (at) return at;
  throw new InputError(`${detected.raw!.path}: cannot tell when this ${name} was collected (no entry times in the archive and no node heartbeats)`);
}

function rootNameOf(path: string, detected: Detected): string {
  return detected.prefix.at(-1) ?? basename(path).replace(/\.(tar\.gz|tgz|tar\.xz|txz|tar)$/, '');
}

/** One input (not a labsnap bundle) as an OpenedBundle. */
export async function openImported(path: string, detected: Detected, options: OpenInputOptions = {}): Promise<OpenedBundle> {
  const kind = detected.kind as ImportedKind;
  const limits = resolveLimits(options.limits);
  const at = await collectionTime(detected);
  let host = options.host;
  if (kind === 'sosreport' && host === undefined) {
    const files = await sosFacts(detected);
    host = sosHostName(files.get(SOS_HOSTNAME) ?? files.get(SOS_ETC_HOSTNAME));
  }
  if (host !== undefined) segment(host, 'host name');
  const input: ImportedInput = { kind, input: basename(path), cluster: kind !== 'sosreport', hosts: [] };
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    tool: { name: 'labsnap', version: packageInfo().version },
    // The input's own name stands for the cluster: none of these formats records a cluster name.
    cluster: rootNameOf(path, detected),
    collectedAt: at.toISOString(),
    finishedAt: at.toISOString(),
    commandLine: [],
    mode: 'imported',
    imported: [input],
    hosts: kind === 'sosreport' ? [{ name: host!, address: '', roles: [], reached: true }] : [],
    items: [],
    interrupted: false,
  };
  if (kind === 'sosreport') input.hosts = [host!];
  const rootName = rootNameOf(path, detected);
  const bundle: OpenedBundle = {
    kind: detected.container === 'tar.xz' ? 'tar.xz' : detected.container,
    rootName,
    manifest,
    async forEachEntry(visit: (entry: BundleEntry) => Promise<void>): Promise<ReadSummary> {
      const importer = importerFor(kind, limits, host);
      const out = new ImportOutput(visit, limits);
      const prefix = detected.prefix;
      const pass = await detected.raw!.forEachRaw(async (raw) => {
        if (raw.segments.length <= prefix.length || prefix.some((p, i) => raw.segments[i] !== p)) return;
        const rel = raw.segments.slice(prefix.length);
        try {
          await importer.entry(rel, raw, out);
        } catch (err) {
          // A name that cannot become a bundle path (too long, `..` in a log marker) or a file in the wrong
          // form loses that one entry, never the rest of the input.
          if (err instanceof LayoutError || err instanceof SyntaxError || (err instanceof Error && err.name === 'YAMLException')) {
            out.problems.push({ path: rel.join('/'), problem: `${err.message}; not imported` });
            return;
          }
          throw err;
        }
      });
      await importer.finish(out);
      manifest.items = out.items;
      const hosts = importer.hosts();
      if (kind !== 'sosreport') {
        manifest.hosts = hosts;
        input.hosts = hosts.map((h) => h.name);
      } else manifest.hosts = hosts;
      // A sos report stores convenience symbolic links beside the real files; refusing them is expected.
      const problems = [...pass.problems.filter((p) => kind !== 'sosreport' || !p.problem.startsWith('symbolic link')), ...out.problems];
      return { sha256: pass.sha256, entries: out.visited, problems };
    },
  };
  return bundle;
}

/** Any input: a labsnap bundle (read natively) or an input another tool wrote (imported on the fly). */
export async function openInput(path: string, options: OpenInputOptions = {}): Promise<OpenedInput> {
  const limits = resolveLimits(options.limits);
  let detected: Detected;
  try {
    detected = await detectInput(path, limits);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== undefined) return { kind: 'labsnap', bundle: await openBundle(path, options.limits) };
    throw err;
  }
  if (detected.kind === 'labsnap') return { kind: 'labsnap', bundle: await openBundle(path, options.limits) };
  return { kind: detected.kind, bundle: await openImported(path, detected, options) };
}

/** The kind of input a manifest describes, for the report: the imported kinds, or a labsnap bundle. */
export function inputKindsOf(manifest: Manifest): InputKind[] {
  const kinds = [...new Set((manifest.imported ?? []).map((i) => i.kind))];
  return kinds.length > 0 ? kinds : ['labsnap'];
}

export type { HostRecord };
