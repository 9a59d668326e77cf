// Label and field selectors as the Kubernetes API server reads them from `?labelSelector=` and
// `?fieldSelector=`. A selector that does not parse is the caller's error (400), as on a real server.

export class SelectorError extends Error {
  override name = 'SelectorError';
}

type LabelRequirement =
  | { op: 'exists' | 'notexists'; key: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'gt' | 'lt'; key: string; value: number };

export type LabelSelector = LabelRequirement[];

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** Splits at commas that are not inside `( … )`. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key ${JSON.stringify(key)} in ${JSON.stringify(whole)}`);
  return key;
}

function checkValue(value: string, whole: string): string {
  if (value.length > 63 || !VALUE.test(value)) throw new SelectorError(`unable to parse requirement: invalid label value ${JSON.stringify(value)} in ${JSON.stringify(whole)}`);
  return value;
}

export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text || text.trim() === '') return [];
  const out: LabelSelector = [];
  for (const raw of splitTop(text)) {
    const part = raw.trim();
    if (part === '') throw new SelectorError(`found ',', expected: identifier in label selector ${JSON.stringify(text)}`);
    let m: RegExpExecArray | null;
    if ((m = /^!\s*(\S+)$/.exec(part))) out.push({ op: 'notexists', key: checkKey(m[1]!, text) });
    else if ((m = /^(\S+?)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part))) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim(), text));
      out.push({ op: m[2] as 'in' | 'notin', key: checkKey(m[1]!, text), values });
    } else if ((m = /^([^=!<>\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part))) {
      const key = checkKey(m[1]!, text);
      const value = checkValue(m[3]!, text);
      out.push({ op: m[2] === '!=' ? 'notin' : 'in', key, values: [value] });
    } else if ((m = /^([^=!<>\s]+)\s*([<>])\s*(-?\d+)$/.exec(part))) {
      out.push({ op: m[2] === '>' ? 'gt' : 'lt', key: checkKey(m[1]!, text), value: Number(m[3]) });
    } else if (KEY.test(part)) out.push({ op: 'exists', key: part });
    else throw new SelectorError(`unable to parse requirement: ${JSON.stringify(part)} in label selector ${JSON.stringify(text)}`);
  }
  return out;
}

export function labelsMatch(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = has ? l[r.key]! : undefined;
    switch (r.op) {
      case 'exists':
        return has;
      case 'notexists':
        return !has;
      case 'in':
        return has && r.values.includes(v!);
      case 'notin':
        return !has || !r.values.includes(v!);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        return r.op === 'gt' ? Number(v) > r.value : Number(v) < r.value;
      }
    }
  });
}

export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

/** `a=b,c!=d`, with `\,` `\=` `\\` escapes as in Kubernetes' fields package. */
export function parseFieldSelector(text: string | null | undefined): FieldRequirement[] {
  if (!text || text.trim() === '') return [];
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      cur += c + text[i + 1];
      i++;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
  return parts.map((part) => {
    const m = /^((?:[^=!\\]|\\.)+?)(!=|==|=)(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${text}'; can't understand '${part}'`);
    return { field: unescape(m[1]!.trim()), value: unescape(m[3]!), negate: m[2] === '!=' };
  });
}

/** The fields each kind can be selected by, beyond metadata.name and metadata.namespace. */
const FIELDS: Record<string, Record<string, (o: Record<string, any>) => unknown>> = {
  pods: {
    'spec.nodeName': (o) => o.spec?.nodeName,
    'spec.restartPolicy': (o) => o.spec?.restartPolicy,
    'spec.schedulerName': (o) => o.spec?.schedulerName,
    'spec.serviceAccountName': (o) => o.spec?.serviceAccountName,
    'spec.hostNetwork': (o) => o.spec?.hostNetwork ?? false,
    'status.phase': (o) => o.status?.phase,
    'status.podIP': (o) => o.status?.podIP,
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName,
  },
  events: {
    'involvedObject.kind': (o) => o.involvedObject?.kind,
    'involvedObject.namespace': (o) => o.involvedObject?.namespace,
    'involvedObject.name': (o) => o.involvedObject?.name,
    'involvedObject.uid': (o) => o.involvedObject?.uid,
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion,
    'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion,
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath,
    reason: (o) => o.reason,
    reportingComponent: (o) => o.reportingComponent,
    source: (o) => o.source?.component,
    type: (o) => o.type,
  },
  nodes: { 'spec.unschedulable': (o) => o.spec?.unschedulable ?? false },
  namespaces: { 'status.phase': (o) => o.status?.phase },
  replicasets: { 'status.replicas': (o) => o.status?.replicas ?? 0 },
};

const META: Record<string, (o: Record<string, any>) => unknown> = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace,
};

/** Throws SelectorError for a field the kind cannot be selected by, as the API server does. */
export function checkFields(plural: string, reqs: FieldRequirement[]): void {
  for (const r of reqs) {
    if (!(r.field in META) && !(r.field in (FIELDS[plural] ?? {}))) throw new SelectorError(`field label not supported: ${r.field}`);
  }
}

function fieldText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'boolean' || typeof v === 'number' ? String(v) : String(v);
}

export function fieldsMatch(plural: string, reqs: FieldRequirement[], obj: Record<string, any>): boolean {
  return reqs.every((r) => {
    const get = META[r.field] ?? FIELDS[plural]?.[r.field];
    const actual = get ? fieldText(get(obj)) : '';
    return r.negate ? actual !== r.value : actual === r.value;
  });
}
