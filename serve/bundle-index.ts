// One pass over a bundle, through the bundle reader, that keeps what `labsnap serve` answers from:
// every Kubernetes object (as compact JSON, parsed again per request) and where each pod log is.
// Logs are never held: a log request reads its entry again when kubectl asks for it.
import { classifyPath } from '../bundle/layout.js';
import type { ItemRecord } from '../bundle/manifest.js';
import type { BundleEntry, OpenedBundle } from '../bundle/reader.js';
import { compareText } from '../common/compare.js';
import { builtinPlurals, builtinResource, customResource, type ResourceInfo } from './resources.js';

export interface StoredObject {
  namespace: string | undefined;
  name: string;
  labels: Record<string, string> | undefined;
  /** The object as the bundle has it, compact. */
  json: string;
}

export interface ServedResource {
  info: ResourceInfo;
  objects: StoredObject[];
}

export interface LogRef {
  path: string;
  size: number;
}

export interface BundleIndex {
  bundle: OpenedBundle;
  collectedAt: Date;
  resources: ServedResource[];
  /** Key: `namespace/pod/container` plus `#previous` for the previous container's log. */
  logs: Map<string, LogRef>;
  /** `kubectl version -o json` as collected, if it was. */
  version: { serverVersion?: Record<string, unknown> } | undefined;
  /** Lists that could not be read, by bundle path: they are not served, and `serve` says why. */
  problems: { path: string; problem: string }[];
}

export function logKey(namespace: string, pod: string, container: string, previous: boolean): string {
  return `${namespace}/${pod}/${container}${previous ? '#previous' : ''}`;
}

interface RawList {
  items: Record<string, unknown>[];
}

function listItems(text: string): RawList['items'] {
  const doc = JSON.parse(text) as unknown;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('expected a Kubernetes List object');
  const items = (doc as { items?: unknown }).items;
  const list = Array.isArray(items) ? items : 'kind' in doc ? [doc] : [];
  return list.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null && !Array.isArray(i));
}

/**
 * Fields a real API server fills in by defaulting, which kubectl then relies on being there (its
 * `describe service` dereferences every EndpointSlice port's name). Saved or imported objects may lack
 * them; they get the server's default, nothing else is touched.
 */
function applyDefaults(item: Record<string, unknown>, info: Pick<ResourceInfo, 'group' | 'kind'> | undefined): void {
  if (info?.group === 'discovery.k8s.io' && info.kind === 'EndpointSlice' && Array.isArray(item.ports)) {
    for (const port of item.ports as Record<string, unknown>[]) {
      if (typeof port !== 'object' || port === null) continue;
      port.name ??= '';
      port.protocol ??= 'TCP';
    }
  }
}

function stored(item: Record<string, unknown>, info: Pick<ResourceInfo, 'group' | 'version' | 'kind'> | undefined): StoredObject {
  applyDefaults(item, info);
  const meta = (item.metadata ?? {}) as { name?: string; namespace?: string; labels?: Record<string, string> };
  // kubectl prints List items with apiVersion and kind; an importer's items may lack them.
  if (info && item.kind === undefined) item.kind = info.kind;
  if (info && item.apiVersion === undefined) item.apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
  return { namespace: meta.namespace, name: meta.name ?? '', labels: meta.labels, json: JSON.stringify(item) };
}

async function readList(entry: BundleEntry): Promise<RawList['items']> {
  return listItems(await entry.text());
}

export async function indexBundle(bundle: OpenedBundle): Promise<BundleIndex> {
  const builtin = new Map<string, StoredObject[]>();
  const custom = new Map<string, Record<string, unknown>[]>();
  const logs = new Map<string, LogRef>();
  const problems: BundleIndex['problems'] = [];
  let version: BundleIndex['version'];
  const read = await bundle.forEachEntry(async (entry) => {
    const ref = classifyPath(entry.path);
    try {
      if (ref.area === 'cluster-list' || ref.area === 'namespaced-list') {
        const info = builtinResource(ref.kind);
        if (!info) return;
        const objs = (await readList(entry)).map((i) => stored(i, info));
        builtin.set(ref.kind, [...(builtin.get(ref.kind) ?? []), ...objs]);
      } else if (ref.area === 'custom') {
        custom.set(ref.resource, [...(custom.get(ref.resource) ?? []), ...(await readList(entry))]);
      } else if (ref.area === 'pod-log') {
        logs.set(logKey(ref.namespace, ref.pod, ref.container, ref.previous), { path: entry.path, size: entry.size });
      } else if (ref.area === 'cluster-version') {
        version = JSON.parse(await entry.text()) as BundleIndex['version'];
      }
    } catch (err) {
      problems.push({ path: entry.path, problem: (err as Error).message });
    }
  });
  problems.push(...read.problems);

  const resources: ServedResource[] = [];
  for (const plural of builtinPlurals()) {
    const objects = builtin.get(plural);
    if (objects) resources.push({ info: builtinResource(plural)!, objects: sortObjects(objects) });
  }
  for (const [name, items] of [...custom].sort((a, b) => compareText(a[0], b[0]))) {
    const info = customResource(
      name,
      items.map((i) => ({ apiVersion: i.apiVersion, kind: i.kind, namespaced: typeof (i.metadata as { namespace?: unknown } | undefined)?.namespace === 'string' })),
    );
    if (!info) {
      problems.push({ path: `cluster/custom/${name}.json`, problem: 'its items do not say their apiVersion and kind, so it cannot be served' });
      continue;
    }
    // Two files for one Kind (ippools of crd.projectcalico.org and projectcalico.org) are two groups, both kept.
    resources.push({ info, objects: sortObjects(items.map((i) => stored(i, info))) });
  }
  return { bundle, collectedAt: new Date(bundle.manifest.collectedAt), resources, logs, version, problems };
}

function sortObjects(objects: StoredObject[]): StoredObject[] {
  return objects.sort((a, b) => compareText(a.namespace ?? '', b.namespace ?? '') || compareText(a.name, b.name));
}

/** Why a log is not in the bundle, from the manifest's record of trying to collect it. */
export function logGap(items: ItemRecord[], path: string): ItemRecord | undefined {
  return items.find((i) => i.path === path);
}
