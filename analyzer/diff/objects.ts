// Kubernetes objects of two bundles compared by kind, namespace and name, field by field. What moves by
// itself in a healthy cluster (resourceVersion, managedFields, uid, timestamps, restart counts, heartbeats,
// container ids) is churn: left out unless asked for, so what remains is what someone or something changed.
import { compareText } from '../../common/compare.js';
import type { FactStore } from '../facts/store.js';
import type { KubeItem } from '../model/kube-types.js';

export interface FieldChange {
  /** JSON-pointer-like path; array elements with a name or type are addressed by it: `/spec/containers[name=api]/image`. */
  path: string;
  old?: unknown;
  new?: unknown;
}

export interface ObjectKey {
  /** Plural resource (`pods`) or `<plural>.<group>` for custom resources. */
  resource: string;
  namespace?: string;
  name: string;
}

export interface ObjectChange extends ObjectKey {
  change: 'added' | 'removed' | 'changed';
  /** Field changes (changed only). */
  fields: FieldChange[];
  /** Where the object is in each bundle, for evidence and ranking: `path#/items/N`. */
  oldAt?: string;
  newAt?: string;
  /** The owner chain says it is a pod of a ReplicaSet/DaemonSet/Job: replaced by its controller, rarely the cause. */
  replaceable?: boolean;
}

/** Kinds left out of the object diff: events are history, compared as warning patterns instead. */
const SKIPPED = new Set(['events']);

const CHURN_KEYS = new Set([
  'resourceVersion',
  'managedFields',
  'uid',
  'generation',
  'observedGeneration',
  'selfLink',
  'restartCount',
  'containerID',
  'imageID',
  'startedAt',
  'finishedAt',
  'renewTime',
  'acquireTime',
  'lastObservedTime',
]);

/** Keys holding a point in time: `lastHeartbeatTime`, `creationTimestamp`, `startTime`… */
function isChurnKey(key: string, path = ''): boolean {
  // A ConfigMap's keys are the user's own names, never bookkeeping.
  if (path.startsWith('/data') || path.startsWith('/binaryData')) return false;
  return CHURN_KEYS.has(key) || /(Time|Timestamp|timestamp)$/.test(key);
}

function isChurnPath(path: string): boolean {
  // kubelet's own bookkeeping annotations and the deployment revision counter move without a change of intent.
  return /^\/metadata\/annotations\/(kubernetes\.io~1config\.seen|deployment\.kubernetes\.io~1revision|control-plane\.alpha\.kubernetes\.io~1leader)$/.test(path) || path === '/status/images' || /\/targetRef\/resourceVersion$/.test(path);
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyOf(el: Json): string | undefined {
  if (!isObject(el)) return undefined;
  for (const k of ['name', 'type', 'ip', 'key', 'mountPath', 'containerPort', 'port']) {
    const v = el[k];
    if (typeof v === 'string' || typeof v === 'number') return `${k}=${v}`;
  }
  return undefined;
}

function escapeKey(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Field-level differences between two JSON values. */
export function diffJson(a: Json, b: Json, includeChurn: boolean, path = '', out: FieldChange[] = []): FieldChange[] {
  if (!includeChurn && path !== '' && isChurnPath(path)) return out;
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareText);
    for (const k of keys) {
      if (!includeChurn && isChurnKey(k, path)) continue;
      const p = `${path}/${escapeKey(k)}`;
      if (!(k in a)) {
        if (includeChurn || !isChurnPath(p)) out.push({ path: p, new: b[k] });
      } else if (!(k in b)) {
        if (includeChurn || !isChurnPath(p)) out.push({ path: p, old: a[k] });
      } else diffJson(a[k], b[k], includeChurn, p, out);
    }
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = a.map(keyOf);
    const kb = b.map(keyOf);
    const keyed = ka.every((k) => k !== undefined) && kb.every((k) => k !== undefined) && new Set(ka).size === ka.length && new Set(kb).size === kb.length;
    if (keyed) {
      const mb = new Map(kb.map((k, i) => [k!, b[i]]));
      const ma = new Map(ka.map((k, i) => [k!, a[i]]));
      for (const [k, v] of ma) {
        if (mb.has(k)) diffJson(v, mb.get(k), includeChurn, `${path}[${k}]`, out);
        else out.push({ path: `${path}[${k}]`, old: v });
      }
      for (const [k, v] of mb) if (!ma.has(k)) out.push({ path: `${path}[${k}]`, new: v });
      return out;
    }
    if (a.length === b.length) {
      a.forEach((v, i) => diffJson(v, b[i], includeChurn, `${path}/${i}`, out));
      return out;
    }
    // Unkeyed lists of different length: element-wise would blame every element after an insertion.
    const strip = (v: Json) => (includeChurn ? v : stripChurn(v));
    if (JSON.stringify(strip(a)) !== JSON.stringify(strip(b))) out.push({ path, old: a, new: b });
    return out;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, old: a, new: b });
  return out;
}

function stripChurn(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripChurn);
  if (!isObject(v)) return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) if (!isChurnKey(k)) out[k] = stripChurn(x);
  return out;
}

function itemsOf(store: FactStore): Map<string, KubeItem & { resource: string }> {
  const out = new Map<string, KubeItem & { resource: string }>();
  const add = (resource: string, items: KubeItem[]) => {
    if (SKIPPED.has(resource)) return;
    for (const item of items) out.set(`${resource}\u0000${item.namespace ?? ''}\u0000${item.name}`, { ...item, resource });
  };
  for (const [kind, items] of store.kube) add(kind, items);
  for (const [resource, items] of store.custom) add(resource, items);
  return out;
}

function replaceable(item: KubeItem): boolean {
  return (item.obj.metadata?.ownerReferences ?? []).some((o) => o.controller && ['ReplicaSet', 'DaemonSet', 'Job', 'StatefulSet'].includes(o.kind ?? ''));
}

/**
 * Objects added, removed and changed between two bundles. Kinds collected in only one bundle are left
 * out (a List the old collector did not take says nothing about the cluster), and so are kinds absent
 * from both.
 */
export function diffObjects(oldStore: FactStore, newStore: FactStore, includeChurn: boolean): ObjectChange[] {
  const a = itemsOf(oldStore);
  const b = itemsOf(newStore);
  const collected = (s: FactStore, resource: string) => s.kube.has(resource) || s.custom.has(resource);
  const out: ObjectChange[] = [];
  const at = (i: KubeItem) => `${i.path}#/items/${i.index}`;
  for (const [key, oi] of a) {
    const ni = b.get(key);
    const base = { resource: oi.resource, ...(oi.namespace !== undefined ? { namespace: oi.namespace } : {}), name: oi.name };
    if (!ni) {
      if (collected(newStore, oi.resource)) out.push({ ...base, change: 'removed', fields: [], oldAt: at(oi), ...(replaceable(oi) ? { replaceable: true } : {}) });
      continue;
    }
    const fields = diffJson(oi.obj, ni.obj, includeChurn);
    if (fields.length > 0) out.push({ ...base, change: 'changed', fields, oldAt: at(oi), newAt: at(ni), ...(replaceable(ni) ? { replaceable: true } : {}) });
  }
  for (const [key, ni] of b) {
    if (a.has(key) || !collected(oldStore, ni.resource)) continue;
    out.push({ resource: ni.resource, ...(ni.namespace !== undefined ? { namespace: ni.namespace } : {}), name: ni.name, change: 'added', fields: [], newAt: at(ni), ...(replaceable(ni) ? { replaceable: true } : {}) });
  }
  return out.sort((x, y) => compareText(x.resource, y.resource) || compareText(x.namespace ?? '', y.namespace ?? '') || compareText(x.name, y.name));
}
