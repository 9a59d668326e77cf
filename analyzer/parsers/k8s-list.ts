// Kubernetes List JSON as `kubectl get -o json` prints it → objects with their place in the file.
// Fields no rule reads and that make up most of the bytes are dropped, so 100 000 events or 5 000 pods
// stay small in memory.
import type { KubeEvent, KubeItem, KubeObject } from '../model/kube-types.js';
import { ParseError, type ParseContext } from './common.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function trim(obj: KubeObject): KubeObject {
  const meta = obj.metadata;
  if (meta) {
    delete (meta as Record<string, unknown>).managedFields;
    if (meta.annotations && LAST_APPLIED in meta.annotations) {
      const { [LAST_APPLIED]: _dropped, ...rest } = meta.annotations;
      meta.annotations = rest;
    }
  }
  return obj;
}

/**
 * Events are the most numerous objects by far (100 000 in a busy week); only what rules and the
 * timeline read is kept of them.
 */
const EVENT_FIELDS = ['reason', 'message', 'type', 'count', 'firstTimestamp', 'lastTimestamp', 'eventTime', 'source', 'series', 'reportingComponent'] as const;

function trimEvent(e: KubeEvent): KubeEvent {
  const m = e.metadata;
  const o = e.involvedObject;
  const out: KubeEvent = { metadata: m ? { namespace: m.namespace, creationTimestamp: m.creationTimestamp } : {} };
  if (o) out.involvedObject = { kind: o.kind, name: o.name, namespace: o.namespace, fieldPath: o.fieldPath };
  for (const f of EVENT_FIELDS) if (e[f] !== undefined) (out as Record<string, unknown>)[f] = e[f];
  return out;
}

export function parseKubeList(text: string, ctx: ParseContext, kind?: string): KubeItem[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ParseError(`not JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ParseError('expected a Kubernetes List object');
  const items = (doc as { items?: unknown }).items;
  // kubectl prints a single object (not a List) when asked for one by name.
  const list: unknown[] = Array.isArray(items) ? items : 'kind' in doc ? [doc] : [];
  const out: KubeItem[] = [];
  list.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null) return;
    const obj = kind === 'events' ? trimEvent(raw as KubeEvent) : trim(raw as KubeObject);
    out.push({ obj, path: ctx.path, index, namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? '' });
  });
  return out;
}
