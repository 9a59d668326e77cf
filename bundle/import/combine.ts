// Several inputs as one bundle: one cluster input (a troubleshoot.sh bundle or a cluster-info dump) plus
// one sos report per node (`labsnap import CLUSTER --host w1=w1.tar.xz --host w2=w2.tar.xz`). Each part
// is read in turn; the manifest joins their hosts, items and imported-input records.
import { UsageError } from '../../common/errors.js';
import { segment } from '../layout.js';
import type { Manifest } from '../manifest.js';
import type { BundleEntry, EntryProblem, OpenedBundle, ReadSummary } from '../reader.js';
import { openInput, type OpenInputOptions } from './open.js';

export interface HostInput {
  host: string;
  path: string;
}

/** `NAME=PATH` from `--host`. */
export function parseHostInput(value: string): HostInput {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new UsageError(`--host ${value}: expected NAME=PATH, e.g. --host w1=sosreport-w1.tar.xz`);
  const host = value.slice(0, eq);
  try {
    segment(host, 'host name');
  } catch (err) {
    throw new UsageError(`--host ${value}: ${(err as Error).message}`);
  }
  return { host, path: value.slice(eq + 1) };
}

/** Opens the cluster input (optional) and the per-host sos reports as one bundle. */
export async function openCombined(clusterPath: string | undefined, hostInputs: HostInput[], options: OpenInputOptions = {}): Promise<OpenedBundle> {
  const seen = new Set<string>();
  for (const h of hostInputs) {
    if (seen.has(h.host)) throw new UsageError(`--host ${h.host}: named twice`);
    seen.add(h.host);
  }
  const parts: OpenedBundle[] = [];
  if (clusterPath !== undefined) {
    const opened = await openInput(clusterPath, options);
    if (opened.kind === 'labsnap') throw new UsageError(`${clusterPath} is already a labsnap bundle; there is nothing to import`);
    if (opened.kind === 'sosreport' && hostInputs.length > 0) {
      throw new UsageError(`${clusterPath} is a sos report; with --host, give every sos report as --host NAME=PATH and the cluster bundle as INPUT`);
    }
    parts.push(opened.bundle);
  }
  for (const h of hostInputs) {
    const opened = await openInput(h.path, { ...options, host: h.host });
    if (opened.kind !== 'sosreport') throw new UsageError(`--host ${h.host}=${h.path}: expected a sos report, but this is a ${opened.kind === 'labsnap' ? 'labsnap bundle' : opened.kind}`);
    parts.push(opened.bundle);
  }
  if (parts.length === 0) throw new UsageError('nothing to import: give an INPUT, or sos reports with --host NAME=PATH');
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  // The cluster input's time is "now" for every rule; sos reports of the same incident are taken minutes apart.
  const manifest: Manifest = {
    ...first.manifest,
    imported: parts.flatMap((p) => p.manifest.imported ?? []),
    hosts: [],
    items: [],
  };
  return {
    kind: first.kind,
    rootName: first.rootName,
    manifest,
    async forEachEntry(visit: (entry: BundleEntry) => Promise<void>): Promise<ReadSummary> {
      const problems: EntryProblem[] = [];
      const seenPaths = new Set<string>();
      let entries = 0;
      const hosts = new Map<string, Manifest['hosts'][number]>();
      const items: Manifest['items'] = [];
      const seenItems = new Set<string>();
      for (const part of parts) {
        const summary = await part.forEachEntry(async (entry) => {
          if (seenPaths.has(entry.path)) {
            problems.push({ path: entry.path, problem: 'also in an earlier input; the first was read, this one ignored' });
            return;
          }
          seenPaths.add(entry.path);
          await visit(entry);
        });
        entries += summary.entries;
        problems.push(...summary.problems);
        for (const h of part.manifest.hosts) {
          // A sos host that is also a node of the cluster input keeps the node's address and role.
          const known = hosts.get(h.name);
          if (!known) hosts.set(h.name, h);
          else if (!known.address && h.address) hosts.set(h.name, { ...h });
        }
        for (const i of part.manifest.items) if (seenItems.has(i.path) ? false : seenItems.add(i.path)) items.push(i);
      }
      manifest.hosts = [...hosts.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      manifest.items = items;
      return { sha256: null, entries, problems };
    },
  };
}
