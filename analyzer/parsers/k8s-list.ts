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

/**
 * Shares equal strings between the objects of one analysis and copies each one out of the List's text.
 * V8's JSON.parse hands out longer string values as slices of the source, so an event that kept them
 * would keep its whole events.json text alive (a third of the memory events took); and events repeat the
 * same reasons, kinds, names, timestamps and messages over and over.
 */
export class StringPool {
  readonly #pool = new Map<string, string>();

  intern<T>(value: T): T {
    if (typeof value !== 'string') return value;
    let kept = this.#pool.get(value);
    if (kept === undefined) {
      // Short strings are copied by V8 anyway; a longer one is re-encoded to cut it loose from its source.
      kept = value.length < 13 ? value : Buffer.from(value, 'utf8').toString('utf8');
      this.#pool.set(kept, kept);
    }
    return kept as T;
  }

  /** A copy of a JSON value with every string interned; object keys keep their order. */
  copy(value: unknown): unknown {
    if (typeof value === 'string') return this.intern(value);
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => this.copy(v));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.copy(v);
    return out;
  }
}

function trimEvent(e: KubeEvent, pool: StringPool): KubeEvent {
  const m = e.metadata;
  const o = e.involvedObject;
  const s = <T>(v: T): T => pool.intern(v);
  const out: KubeEvent = { metadata: m ? { namespace: s(m.namespace), creationTimestamp: s(m.creationTimestamp) } : {} };
  if (o) out.involvedObject = { kind: s(o.kind), name: s(o.name), namespace: s(o.namespace), fieldPath: s(o.fieldPath) };
  for (const f of EVENT_FIELDS) if (e[f] !== undefined) (out as Record<string, unknown>)[f] = pool.copy(e[f]);
  return out;
}

/** `pool` shares strings across the Lists of one analysis; without one, each call uses its own. */
export function parseKubeList(text: string, ctx: ParseContext, kind?: string, pool: StringPool = new StringPool()): KubeItem[] {
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
    const obj = kind === 'events' ? trimEvent(raw as KubeEvent, pool) : trim(raw as KubeObject);
    out.push({ obj, path: ctx.path, index, namespace: obj.metadata?.namespace, name: obj.metadata?.name ?? '' });
  });
  return out;
}
