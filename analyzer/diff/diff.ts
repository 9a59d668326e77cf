// `labsnap diff`: what changed between two bundles of one cluster, most likely cause first. Pure: it
// takes both sides already analyzed and read (load.ts does the I/O) and returns a DiffReport that the
// renderers only format. Changes are ranked by how directly the findings that appeared point at them
// (their evidence files and objects, then their hosts and namespaces), then by kind of change: a
// setting someone changed outranks a status that followed from it, which outranks a log line about it.
import type { ItemRecord, Manifest } from '../../bundle/manifest.js';
import { compareText } from '../../common/compare.js';
import type { Finding, Lang, Report, Severity } from '../report/types.js';
import { SEVERITIES } from '../report/types.js';
import { CLUSTER_INTERFACE, type FactArea, type HostFact } from './host-facts.js';
import { type LogPattern, patternKey } from './log-patterns.js';
import type { FieldChange, ObjectChange } from './objects.js';

export interface BundleLabel {
  name: string;
  cluster: string;
  collectedAt: string;
  sha256: string | null;
}

export interface FactChange {
  host: string;
  area: FactArea;
  key: string;
  old?: string;
  new?: string;
  oldAt?: string;
  newAt?: string;
}

export interface CollectionChange {
  path: string;
  host?: string;
  old?: string;
  new?: string;
}

export type ChangeKind = 'host-fact' | 'object' | 'log' | 'collection';

export interface RankedChange {
  kind: ChangeKind;
  /** One line: what changed, with old → new. */
  title: string;
  /** Subject for grouping: host name, namespace/name, log origin. */
  subject: string;
  old?: string;
  new?: string;
  /** Field changes of an object, for the detail view. */
  fields?: FieldChange[];
  /** Rule ids of appeared (or resolved) findings that point at this change. */
  related: string[];
  /** LAYER: how close to a cause this kind of change usually is. */
  layer: number;
  /** How strongly the findings point at it (evidence in the same place, same object, same host), by severity. */
  score: number;
  /** Bundle paths (with line or JSON pointer) in the old and new bundle. */
  oldAt?: string;
  newAt?: string;
}

export interface DiffFinding {
  ruleId: string;
  severity: Severity;
  title: string;
  summary: string;
  scope: Finding['scope'];
  /** Set when the same finding is in both bundles at another severity. */
  oldSeverity?: Severity;
}

export interface DiffReport {
  diffVersion: 1;
  lang: Lang;
  old: BundleLabel;
  new: BundleLabel;
  includeChurn: boolean;
  /** Messages about the comparison itself (different clusters, NEW older than OLD). */
  notes: string[];
  findings: { appeared: DiffFinding[]; resolved: DiffFinding[]; persisting: DiffFinding[] };
  /** Every change below, ranked: the likeliest cause of what appeared first. */
  changes: RankedChange[];
  hostFacts: FactChange[];
  objects: ObjectChange[];
  logs: { appeared: LogPattern[]; gone: LogPattern[] };
  collection: CollectionChange[];
  counts: { appeared: number; resolved: number; persisting: number; hostFacts: number; objectsAdded: number; objectsRemoved: number; objectsChanged: number; logPatterns: number; collection: number };
}

export interface DiffInput {
  lang: Lang;
  includeChurn: boolean;
  old: { name: string; manifest: Manifest; report: Report; facts: HostFact[]; patterns: LogPattern[] };
  new: { name: string; manifest: Manifest; report: Report; facts: HostFact[]; patterns: LogPattern[] };
  objects: ObjectChange[];
}

function findingKey(f: Finding): string {
  const objects = f.objects.map((o) => `${o.kind}/${o.namespace ?? ''}/${o.name}`).sort(compareText);
  return `${f.ruleId}|${f.scope.level}:${[...f.scope.names].sort(compareText).join(',')}|${objects.join(',')}`;
}

function diffFinding(f: Finding, oldSeverity?: Severity): DiffFinding {
  return { ruleId: f.ruleId, severity: f.severity, title: f.title, summary: f.summary, scope: f.scope, ...(oldSeverity && oldSeverity !== f.severity ? { oldSeverity } : {}) };
}

const bySeverity = (a: DiffFinding, b: DiffFinding) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compareText(a.ruleId, b.ruleId) || compareText(a.summary, b.summary);

function compareFindings(oldR: Report, newR: Report): DiffReport['findings'] {
  const before = new Map(oldR.findings.map((f) => [findingKey(f), f]));
  const after = new Map(newR.findings.map((f) => [findingKey(f), f]));
  const appeared: DiffFinding[] = [];
  const persisting: DiffFinding[] = [];
  const resolved: DiffFinding[] = [];
  for (const [k, f] of after) {
    const was = before.get(k);
    if (was) persisting.push(diffFinding(f, was.severity));
    else appeared.push(diffFinding(f));
  }
  for (const [k, f] of before) if (!after.has(k)) resolved.push(diffFinding(f));
  return { appeared: appeared.sort(bySeverity), resolved: resolved.sort(bySeverity), persisting: persisting.sort(bySeverity) };
}

function location(path: string, line?: number): string {
  return line !== undefined ? `${path}:${line}` : path;
}

function compareFacts(a: HostFact[], b: HostFact[], includeChurn: boolean): FactChange[] {
  const id = (f: HostFact) => `${f.host}\u0000${f.area}\u0000${f.key}`;
  const ma = new Map(a.map((f) => [id(f), f]));
  const mb = new Map(b.map((f) => [id(f), f]));
  // A fact is only compared where both bundles read its source: a host or file missing from one bundle
  // is a collection change, not every sysctl "removed".
  const sources = (facts: HostFact[]) => new Set(facts.map((f) => `${f.host}\u0000${f.path}`));
  const sa = sources(a);
  const sb = sources(b);
  const hostsA = new Set(a.map((f) => f.host));
  const hostsB = new Set(b.map((f) => f.host));
  const out: FactChange[] = [];
  for (const [k, f] of ma) {
    if (f.churn && !includeChurn) continue;
    const g = mb.get(k);
    if (f.log && !g) continue;
    if (g) {
      if (g.value !== f.value) out.push({ host: f.host, area: f.area, key: f.key, old: f.value, new: g.value, oldAt: location(f.path, f.line), newAt: location(g.path, g.line) });
    } else if (sb.has(`${f.host}\u0000${f.path}`) || (f.area !== 'attachment' && hostsB.has(f.host) && hasArea(b, f.host, f.area))) {
      out.push({ host: f.host, area: f.area, key: f.key, old: f.value, oldAt: location(f.path, f.line) });
    } else if (f.area === 'attachment') out.push({ host: f.host, area: f.area, key: f.key, old: f.value, oldAt: f.path });
  }
  for (const [k, g] of mb) {
    if ((g.churn && !includeChurn) || ma.has(k)) continue;
    if (sa.has(`${g.host}\u0000${g.path}`) || g.area === 'attachment' || (hostsA.has(g.host) && hasArea(a, g.host, g.area))) {
      out.push({ host: g.host, area: g.area, key: g.key, new: g.value, newAt: location(g.path, g.line) });
    }
  }
  return out.sort((x, y) => compareText(x.host, y.host) || compareText(x.area, y.area) || compareText(x.key, y.key));
}

function hasArea(facts: HostFact[], host: string, area: FactArea): boolean {
  return facts.some((f) => f.host === host && f.area === area);
}

function compareCollection(a: Manifest, b: Manifest): CollectionChange[] {
  const out: CollectionChange[] = [];
  const status = (i: ItemRecord) => (i.status === 'ok' ? 'collected' : `${i.status}${i.stderr ? `: ${i.stderr.trim().split('\n')[0]!.slice(0, 160)}` : ''}`);
  const ia = new Map(a.items.map((i) => [i.path, i]));
  const ib = new Map(b.items.map((i) => [i.path, i]));
  for (const [p, i] of ia) {
    const j = ib.get(p);
    if (j && j.status !== i.status) out.push({ path: p, ...(i.host ? { host: i.host } : {}), old: status(i), new: status(j) });
  }
  for (const h of a.hosts) {
    const g = b.hosts.find((x) => x.name === h.name);
    if (g && g.reached !== h.reached) out.push({ path: `hosts/${h.name}`, host: h.name, old: h.reached ? 'reached' : `unreached: ${h.error ?? ''}`, new: g.reached ? 'reached' : `unreached: ${g.error ?? ''}` });
    if (!g) out.push({ path: `hosts/${h.name}`, host: h.name, old: 'in the bundle' });
  }
  for (const g of b.hosts) if (!a.hosts.some((h) => h.name === g.name)) out.push({ path: `hosts/${g.name}`, host: g.name, new: 'in the bundle' });
  return out.sort((x, y) => compareText(x.path, y.path));
}

/**
 * How close to a cause a kind of change usually is, lowest layer first: a host setting someone edited,
 * then host state (a service, a link, an address), then Kubernetes objects as people wrote them, then
 * what probes and captures observed, then state controllers write (status, endpoints, replaced pods),
 * then log lines. Among changes the new findings point at, the lowest layer comes first.
 */
export const LAYER = { hostSetting: 6, hostState: 5, objectIntent: 4, observation: 3, objectState: 2, log: 1, other: 0 } as const;

const SETTING_AREAS = new Set<FactArea>(['swap', 'sysctl', 'module', 'containerd', 'kubelet', 'firewall', 'guest', 'interfaces', 'certificate', 'package', 'identity', 'os', 'clock', 'attachment']);
const STATE_AREAS = new Set<FactArea>(['bridge', 'link', 'address', 'route', 'service']);

function factLayer(area: FactArea, key: string): number {
  if ((area === 'link' || area === 'address') && CLUSTER_INTERFACE.test(key)) return LAYER.objectState;
  return SETTING_AREAS.has(area) ? LAYER.hostSetting : STATE_AREAS.has(area) ? LAYER.hostState : LAYER.observation;
}

/** Kinds only controllers write. */
const CONTROLLER_KINDS = new Set(['endpoints', 'endpointslices', 'replicasets', 'events', 'servicel2statuses.metallb.io', 'leases']);

/** Annotations and taints that controllers and agents keep up to date, not people. */
const CONTROLLER_ANNOTATION = /^\/metadata\/annotations\/(projectcalico\.org~1|node\.alpha\.kubernetes\.io~1|volumes\.kubernetes\.io~1|csi\.volume\.kubernetes\.io~1|kubeadm\.alpha\.kubernetes\.io~1|deployment\.kubernetes\.io~1|endpoints\.kubernetes\.io~1|pv\.kubernetes\.io~1|volume\.kubernetes\.io~1|volume\.beta\.kubernetes\.io~1|control-plane\.alpha\.kubernetes\.io~1|kubernetes\.io~1config\.|metallb\.universe\.tf~1ip-allocated-from-pool)/;

function controllerTaints(v: unknown): boolean {
  return Array.isArray(v) && v.every((t) => typeof t === 'object' && t !== null && String((t as { key?: unknown }).key ?? '').startsWith('node.kubernetes.io/'));
}

/** Fields of an object change that say what someone wanted, rather than what a controller observed. */
export function intentFields(c: ObjectChange): FieldChange[] {
  return c.fields.filter((f) => {
    if (f.path.startsWith('/status') || CONTROLLER_ANNOTATION.test(f.path)) return false;
    if (f.path.startsWith('/spec/taints[key=node.kubernetes.io/')) return false;
    if (f.path === '/spec/taints' && controllerTaints(f.old ?? []) && controllerTaints(f.new ?? [])) return false;
    return true;
  });
}

function objectLayer(c: ObjectChange): number {
  if (CONTROLLER_KINDS.has(c.resource) || c.replaceable) return LAYER.objectState;
  if (c.change !== 'changed') return LAYER.objectIntent;
  return intentFields(c).length > 0 ? LAYER.objectIntent : LAYER.objectState;
}

interface Pointer {
  path: string;
  /** Object index in a List (`/items/N`), when the evidence points into one. */
  item?: number;
  line?: number;
}

interface FindingTarget {
  ruleId: string;
  weight: number;
  evidence: Pointer[];
  hosts: Set<string>;
  namespaces: Set<string>;
  objects: Set<string>;
}

function severityWeight(s: Severity): number {
  return s === 'critical' ? 3 : s === 'warning' ? 2 : 1;
}

function targetsOf(report: Report, appeared: DiffFinding[], hostOfNode: (n: string) => string): FindingTarget[] {
  const keys = new Set(appeared.map((f) => `${f.ruleId}|${f.summary}`));
  return report.findings
    .filter((f) => keys.has(`${f.ruleId}|${f.summary}`))
    .map((f) => {
      const hosts = new Set<string>();
      const namespaces = new Set<string>();
      const objects = new Set<string>();
      if (f.scope.level === 'host') f.scope.names.forEach((n) => hosts.add(n));
      if (f.scope.level === 'node') f.scope.names.forEach((n) => hosts.add(hostOfNode(n)));
      if (f.scope.level === 'namespace') f.scope.names.forEach((n) => namespaces.add(n));
      for (const o of f.objects) {
        if (o.kind === 'Host') hosts.add(o.name);
        if (o.kind === 'Node') hosts.add(hostOfNode(o.name));
        if (o.namespace) namespaces.add(o.namespace);
        objects.add(`${o.kind.toLowerCase()}/${o.namespace ?? ''}/${o.name}`);
      }
      for (const e of f.evidence) {
        const m = /^hosts\/([^/]+)\//.exec(e.path);
        if (m) hosts.add(m[1]!);
      }
      const evidence = f.evidence.map((e) => {
        const m = e.pointer ? /^\/items\/(\d+)/.exec(e.pointer) : null;
        return { path: e.path, ...(m ? { item: Number(m[1]) } : {}), ...(e.line !== undefined ? { line: e.line } : {}) };
      });
      return { ruleId: f.ruleId, weight: severityWeight(f.severity), evidence, hosts, namespaces, objects };
    });
}

function splitAt(at: string | undefined): { path: string; item?: number; line?: number } | undefined {
  if (!at) return undefined;
  const obj = /^(.*)#\/items\/(\d+)$/.exec(at);
  if (obj) return { path: obj[1]!, item: Number(obj[2]) };
  const line = /^(.*):(\d+)$/.exec(at);
  if (line) return { path: line[1]!, line: Number(line[2]) };
  return { path: at };
}

/** Singular Kind (lowercase) of a plural resource, for matching findings' object refs. */
const KIND_OF: Record<string, string> = {
  pods: 'pod', nodes: 'node', services: 'service', endpoints: 'endpoints', endpointslices: 'endpointslice', ingresses: 'ingress', ingressclasses: 'ingressclass',
  storageclasses: 'storageclass', persistentvolumes: 'persistentvolume', persistentvolumeclaims: 'persistentvolumeclaim', deployments: 'deployment',
  replicasets: 'replicaset', daemonsets: 'daemonset', statefulsets: 'statefulset', configmaps: 'configmap', namespaces: 'namespace', jobs: 'job',
};

interface Scored {
  score: number;
  related: Set<string>;
}

function score(targets: FindingTarget[], at: (string | undefined)[], host: string | undefined, namespace: string | undefined, objectIds: string[]): Scored {
  let total = 0;
  const related = new Set<string>();
  const pointers = at.map(splitAt).filter((p): p is NonNullable<typeof p> => p !== undefined);
  for (const t of targets) {
    let best = 0;
    for (const p of pointers) {
      for (const e of t.evidence) {
        if (e.path !== p.path) continue;
        // Evidence on the whole List (a pool that is now empty, a class no longer default) is about every object in it.
        if (p.item !== undefined) best = Math.max(best, e.item === p.item ? 100 : e.item === undefined ? 80 : 25);
        else best = Math.max(best, p.line !== undefined && e.line !== undefined && Math.abs(e.line - p.line) <= 3 ? 100 : 80);
      }
    }
    if (objectIds.some((o) => t.objects.has(o))) best = Math.max(best, 70);
    if (host && t.hosts.has(host)) best = Math.max(best, 40);
    if (namespace && t.namespaces.has(namespace)) best = Math.max(best, 20);
    if (best > 0) {
      related.add(t.ruleId);
      total += best * t.weight;
    }
  }
  return { score: total, related };
}

function brief(v: unknown, max = 80): string {
  if (v === undefined) return '(none)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function arrow(old: string | undefined, neu: string | undefined, absent: string): string {
  return `${old ?? absent} -> ${neu ?? absent}`;
}

export function buildDiff(input: DiffInput): DiffReport {
  const ja = input.lang === 'ja';
  const absent = ja ? '(なし)' : '(none)';
  const findings = compareFindings(input.old.report, input.new.report);
  const hostFacts = compareFacts(input.old.facts, input.new.facts, input.includeChurn);
  const collection = compareCollection(input.old.manifest, input.new.manifest);
  const oldPatterns = new Set(input.old.patterns.map(patternKey));
  const newPatterns = new Set(input.new.patterns.map(patternKey));
  const logs = {
    appeared: input.new.patterns.filter((p) => !oldPatterns.has(patternKey(p))),
    gone: input.old.patterns.filter((p) => !newPatterns.has(patternKey(p))),
  };
  // Node names in findings, host names in facts: joined through the new bundle's manifest addresses.
  const hostOfNode = (n: string) => input.new.manifest.hosts.find((h) => h.name === n || h.name.split('.')[0] === n.split('.')[0])?.name ?? n;
  const targets = targetsOf(input.new.report, findings.appeared, hostOfNode);
  const resolvedTargets = targetsOf(input.old.report, findings.resolved, hostOfNode);

  const changes: RankedChange[] = [];
  const push = (c: Omit<RankedChange, 'related' | 'score' | 'layer'>, s: Scored, s2: Scored, layer: number) => {
    // What made findings disappear counts too, a little less than what made them appear.
    changes.push({ ...c, related: [...new Set([...s.related, ...s2.related])].sort(compareText), layer, score: s.score + Math.round(s2.score / 2) });
  };
  for (const f of hostFacts) {
    push(
      { kind: 'host-fact', subject: f.host || (ja ? '(バンドル)' : '(bundle)'), title: `${f.host ? `${f.host} ` : ''}${f.area} ${f.key}: ${arrow(f.old, f.new, absent)}`, ...(f.old !== undefined ? { old: f.old } : {}), ...(f.new !== undefined ? { new: f.new } : {}), ...(f.oldAt ? { oldAt: f.oldAt } : {}), ...(f.newAt ? { newAt: f.newAt } : {}) },
      score(targets, [f.newAt, f.oldAt], f.host, undefined, []),
      score(resolvedTargets, [f.oldAt], f.host, undefined, []),
      factLayer(f.area, f.key),
    );
  }
  for (const o of input.objects) {
    const subject = `${o.resource} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
    const kind = KIND_OF[o.resource] ?? o.resource.split('.')[0]!.replace(/s$/, '');
    const ids = [`${kind}/${o.namespace ?? ''}/${o.name}`];
    const host = o.resource === 'nodes' ? hostOfNode(o.name) : undefined;
    const intent = intentFields(o);
    let title: string;
    if (o.change === 'changed') {
      const shown = (intent.length ? intent : o.fields).slice(0, 2).map((f) => `${f.path} ${brief(f.old, 40)} -> ${brief(f.new, 40)}`);
      title = `${subject}: ${shown.join('; ')}${o.fields.length > shown.length ? ` (+${o.fields.length - shown.length})` : ''}`;
    } else title = `${subject} ${o.change === 'added' ? (ja ? '追加' : 'added') : ja ? '削除' : 'removed'}`;
    push(
      { kind: 'object', subject, title, fields: o.fields, ...(o.oldAt ? { oldAt: o.oldAt } : {}), ...(o.newAt ? { newAt: o.newAt } : {}), ...(o.change !== 'changed' ? (o.change === 'added' ? { new: o.change } : { old: 'present' }) : {}) },
      score(targets, [o.newAt, o.oldAt], host, o.namespace, ids),
      score(resolvedTargets, [o.oldAt], host, o.namespace, ids),
      objectLayer(o),
    );
  }
  for (const p of logs.appeared) {
    const host = p.source.startsWith('journal') ? p.where[0] : undefined;
    const ns = p.source === 'pod-logs' || p.source === 'events' ? p.where[0]?.split('/')[0] : undefined;
    push(
      { kind: 'log', subject: `${p.source} ${p.origin}`, title: `${ja ? '新しいログパターン' : 'new log pattern'} [${p.source} ${p.origin}] x${p.count}: ${brief(p.pattern, 100)}`, new: p.sample.text, newAt: p.sample.line ? `${p.sample.path}:${p.sample.line}` : p.sample.path },
      score(targets, [p.sample.line ? `${p.sample.path}:${p.sample.line}` : p.sample.path], host, ns, []),
      { score: 0, related: new Set() },
      LAYER.log,
    );
  }
  for (const c of collection) {
    push(
      { kind: 'collection', subject: c.host ?? c.path, title: `${ja ? '収集' : 'collection'} ${c.path}: ${arrow(c.old, c.new, absent)}`, ...(c.old ? { old: c.old } : {}), ...(c.new ? { new: c.new } : {}), newAt: c.path },
      score(targets, [], c.host, undefined, []),
      { score: 0, related: new Set() },
      // A host that became unreachable is as telling as a host state; a file that failed to collect is not.
      c.path.startsWith('hosts/') && !c.path.includes('/', 'hosts/'.length) ? LAYER.hostState : LAYER.other,
    );
  }
  const kindOrder: ChangeKind[] = ['host-fact', 'object', 'log', 'collection'];
  const relatedFirst = (c: RankedChange) => (c.related.length > 0 ? 1 : 0);
  changes.sort((a, b) => relatedFirst(b) - relatedFirst(a) || b.layer - a.layer || b.score - a.score || kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) || compareText(a.title, b.title));

  const notes: string[] = [];
  if (input.old.manifest.cluster !== input.new.manifest.cluster) {
    notes.push(ja ? `クラスタ名が異なります: ${input.old.manifest.cluster} と ${input.new.manifest.cluster}` : `the bundles are of different clusters: ${input.old.manifest.cluster} and ${input.new.manifest.cluster}`);
  }
  if (Date.parse(input.new.manifest.collectedAt) < Date.parse(input.old.manifest.collectedAt)) {
    notes.push(ja ? 'NEW のほうが OLD より前に収集されています(引数の順序を確認してください)' : 'NEW was collected before OLD (check the order of the arguments)');
  }
  const label = (side: DiffInput['old']): BundleLabel => ({ name: side.name, cluster: side.manifest.cluster, collectedAt: side.manifest.collectedAt, sha256: side.report.summary.bundle.sha256 });
  return {
    diffVersion: 1,
    lang: input.lang,
    old: label(input.old),
    new: label(input.new),
    includeChurn: input.includeChurn,
    notes,
    findings,
    changes,
    hostFacts,
    objects: input.objects,
    logs,
    collection,
    counts: {
      appeared: findings.appeared.length,
      resolved: findings.resolved.length,
      persisting: findings.persisting.length,
      hostFacts: hostFacts.length,
      objectsAdded: input.objects.filter((o) => o.change === 'added').length,
      objectsRemoved: input.objects.filter((o) => o.change === 'removed').length,
      objectsChanged: input.objects.filter((o) => o.change === 'changed').length,
      logPatterns: logs.appeared.length,
      collection: collection.length,
    },
  };
}

/** Exit-code policy: a finding that appeared at or above the threshold. */
export function diffFailsAt(report: DiffReport, failOn: Severity | 'never'): boolean {
  if (failOn === 'never') return false;
  const limit = SEVERITIES.indexOf(failOn);
  return report.findings.appeared.some((f) => SEVERITIES.indexOf(f.severity) <= limit);
}
