// Fires per workload (owner) whose pods stay Pending because the scheduler finds no node: the
// PodScheduled=False condition or the newest FailedScheduling event says why, and the finding joins each
// reason to the layer below: the pod's requests against what every node has left, the taints of the nodes
// (a one-node lab keeps the control-plane taint; a NotReady node gets node.kubernetes.io/not-ready), the
// node selector against the nodes' labels, cordoned nodes, and the claims that are not bound. Pods
// Pending for less than two minutes at collection time are still being scheduled, not stuck.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { KubeItem, Pod } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import { nodeAllocations, type NodeAllocation } from '../../../model/node.js';
import {
  eventEvidence,
  eventsFor,
  eventTime,
  formatAge,
  formatBytes,
  formatCpu,
  ownerOf,
  parseQuantity,
  parseSchedulingMessage,
  podCondition,
  podRequests,
  timeOf,
  tolerates,
  type PersistentVolumeClaim,
  type SchedulingReason,
} from '../../../model/workloads.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const GRACE = 2 * 60_000;
const CONTROL_PLANE_TAINTS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

interface Stuck {
  pod: KubeItem<Pod> | undefined;
  namespace: string;
  name: string;
  message: string;
  since: number | undefined;
  evidence: Evidence[];
}

function stuckPods(model: Model, now: number): Stuck[] {
  const out: Stuck[] = [];
  if (model.hasKube('pods')) {
    for (const pod of model.pods()) {
      const ns = pod.namespace ?? '';
      if (pod.obj.spec?.nodeName || pod.obj.status?.phase !== 'Pending' || pod.obj.metadata?.deletionTimestamp) continue;
      const cond = podCondition(pod.obj, 'PodScheduled');
      const events = eventsFor(model, 'Pod', ns, pod.name).filter((e) => e.obj.reason === 'FailedScheduling' && !/^skip schedule deleting pod/.test(e.obj.message ?? ''));
      const newest = events[events.length - 1];
      const unschedulable = cond?.status === 'False' && cond.reason === 'Unschedulable';
      if (!unschedulable && !newest) continue;
      const message = (unschedulable ? cond?.message : undefined) ?? newest?.obj.message ?? '';
      const since = timeOf(unschedulable ? cond?.lastTransitionTime : undefined) ?? timeOf(pod.obj.metadata?.creationTimestamp);
      const index = pod.obj.status?.conditions?.indexOf(cond!) ?? -1;
      const evidence: Evidence[] = [unschedulable && index >= 0 ? itemEvidence(pod, `/status/conditions/${index}`, cond) : itemEvidence(pod, '/status/phase', pod.obj.status?.phase)];
      if (newest) evidence.push(eventEvidence(newest));
      out.push({ pod, namespace: ns, name: pod.name, message, since, evidence });
    }
    return out;
  }
  // Only events: a pod whose newest scheduling event is a failure (not the scheduler dropping a deleted pod).
  const byPod = new Map<string, ReturnType<Model['events']>>();
  for (const e of model.events()) {
    const o = e.obj.involvedObject;
    if (o?.kind !== 'Pod' || !o.name || (e.obj.reason !== 'FailedScheduling' && e.obj.reason !== 'Scheduled')) continue;
    const key = `${o.namespace ?? e.namespace ?? ''}\u0000${o.name}`;
    byPod.set(key, [...(byPod.get(key) ?? []), e]);
  }
  for (const [key, events] of byPod) {
    const newest = [...events].sort((a, b) => eventTime(a.obj) - eventTime(b.obj)).pop()!;
    if (newest.obj.reason !== 'FailedScheduling' || /^skip schedule deleting pod/.test(newest.obj.message ?? '')) continue;
    // An event older than an hour at collection says nothing about now.
    if (now - eventTime(newest.obj) > 3_600_000) continue;
    const [namespace, name] = key.split('\u0000') as [string, string];
    const first = Math.min(...events.map((e) => timeOf(e.obj.firstTimestamp ?? e.obj.eventTime) ?? eventTime(e.obj)));
    out.push({ pod: undefined, namespace, name, message: newest.obj.message ?? '', since: first || undefined, evidence: [eventEvidence(newest)] });
  }
  return out;
}

function explain(model: Model, s: Stuck, reason: SchedulingReason, allocations: NodeAllocation[], ja: boolean, objects: ObjectRef[], evidence: Evidence[]): string {
  const pod = s.pod?.obj;
  const nodeEv = (a: NodeAllocation, sub: string, value: unknown) => evidence.length < 8 && evidence.push(itemEvidence(a.node.item, sub, value));
  if ((reason.kind === 'cpu' || reason.kind === 'memory') && pod && allocations.length > 0) {
    const res = reason.kind;
    const want = podRequests(pod)[res];
    const fmt = res === 'cpu' ? formatCpu : formatBytes;
    // Only nodes the pod could go to otherwise: not cordoned, no taint it does not tolerate.
    const open = (a: NodeAllocation) =>
      !a.node.item.obj.spec?.unschedulable &&
      (a.node.item.obj.spec?.taints ?? []).every((t) => t.effect === 'PreferNoSchedule' || tolerates(pod.spec?.tolerations, t));
    const free = allocations
      .filter((a) => a.allocatable[res] !== undefined && open(a))
      .map((a) => ({ a, left: a.allocatable[res]! - a.requested[res] }))
      .sort((x, y) => y.left - x.left);
    const best = free[0];
    if (!best) return '';
    nodeEv(best.a, '/status/allocatable', best.a.node.item.obj.status?.allocatable);
    const total = best.a.allocatable[res]!;
    return ja
      ? `${res} の要求 ${fmt(want)} に対し、最も空いているノード ${best.a.node.name} の残りは ${fmt(Math.max(0, best.left))}（allocatable ${fmt(total)}、要求済み ${fmt(best.a.requested[res])}）`
      : `requests ${fmt(want)} ${res}; the emptiest node ${best.a.node.name} has ${fmt(Math.max(0, best.left))} left (allocatable ${fmt(total)}, already requested ${fmt(best.a.requested[res])})`;
  }
  if (reason.kind === 'resource' && pod && allocations.length > 0) {
    const res = /Insufficient (\S+)/.exec(reason.text)?.[1] ?? '';
    const want = [...(pod.spec?.containers ?? [])].reduce((n, c) => n + (parseQuantity(c.resources?.requests?.[res] ?? c.resources?.limits?.[res]) ?? 0), 0);
    const offers = allocations.filter((a) => (a.allocatable[res] ?? 0) > 0).map((a) => `${a.node.name}: ${a.allocatable[res]}`);
    return ja
      ? `${res} を ${want} 要求しているが、${offers.length > 0 ? `提供するノードは ${offers.join(', ')}` : '提供するノードがない'}`
      : `requests ${want} ${res}; ${offers.length > 0 ? `nodes offering it: ${offers.join(', ')}` : 'no node offers it'}`;
  }
  if (reason.kind === 'taint') {
    const key = /\{([^:}]+)(?::\s*([^}]*))?\}/.exec(reason.text)?.[1]?.trim();
    if (!key) return '';
    const tainted = model.nodes.filter((n) => (n.item.obj.spec?.taints ?? []).some((t) => t.key === key));
    for (const n of CONTROL_PLANE_TAINTS.includes(key) && !model.nodes.every((x) => tainted.includes(x)) ? [] : tainted.slice(0, 3)) {
      objects.push({ kind: 'Node', name: n.name });
      const i = (n.item.obj.spec?.taints ?? []).findIndex((t) => t.key === key);
      if (evidence.length < 8) evidence.push(itemEvidence(n.item, `/spec/taints/${i}`, n.item.obj.spec!.taints![i]));
    }
    const names = tainted.map((n) => n.name).join(', ') || '?';
    if (CONTROL_PLANE_TAINTS.includes(key)) {
      // With workers beside it, the control-plane's taint is the design, not the reason.
      if (model.nodes.length === 0 || !model.nodes.every((n) => tainted.includes(n))) return '';
      return ja
        ? `ノードは control-plane（${names}）だけで、taint ${key} が付いている（1 台構成のラボではこの taint を外す）`
        : `the only node(s) are control-plane (${names}) with taint ${key} (on a one-node lab, remove that taint)`;
    }
    if (key === 'node.kubernetes.io/not-ready' || key === 'node.kubernetes.io/unreachable') {
      return ja ? `ノード ${names} が NotReady（taint ${key}）: 先にノードを直す` : `node ${names} is NotReady (taint ${key}): fix the node first`;
    }
    return ja ? `ノード ${names} の taint ${key} を Pod が許容していない` : `node(s) ${names} carry taint ${key} the pod does not tolerate`;
  }
  if (reason.kind === 'affinity' && pod) {
    const sel = pod.spec?.nodeSelector ?? {};
    const parts = Object.entries(sel).map(([k, v]) => {
      const having = model.nodes.filter((n) => n.item.obj.metadata?.labels?.[k] === v).length;
      return `${k}=${v} (${ja ? `一致するノード ${having} 台` : `${having} node(s) have it`})`;
    });
    if (pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution) parts.push(ja ? 'required な nodeAffinity あり' : 'a required nodeAffinity');
    if (s.pod) evidence.push(itemEvidence(s.pod, '/spec', { nodeSelector: pod.spec?.nodeSelector, affinity: pod.spec?.affinity }));
    return parts.length > 0 ? (ja ? `Pod の指定: ${parts.join('、')}` : `the pod asks for ${parts.join(', ')}`) : '';
  }
  if (reason.kind === 'volume' && pod) {
    const claims = (pod.spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((c): c is string => !!c);
    const pvcs = model.kube<PersistentVolumeClaim>('persistentvolumeclaims').filter((c) => c.namespace === s.namespace && claims.includes(c.name));
    for (const c of pvcs) {
      objects.push({ kind: 'PersistentVolumeClaim', namespace: s.namespace, name: c.name });
      if (evidence.length < 8) evidence.push(itemEvidence(c, '', { name: c.name, storageClassName: c.obj.spec?.storageClassName ?? null, phase: c.obj.status?.phase }));
    }
    const list = pvcs.map((c) => `${c.name} (${c.obj.status?.phase ?? '?'}, class ${c.obj.spec?.storageClassName ?? (ja ? '既定' : 'default')})`);
    return list.length > 0 ? (ja ? `PVC ${list.join('、')} が未バインド` : `PVC ${list.join(', ')} not bound`) : claims.length > 0 ? `PVC ${claims.join(', ')}` : '';
  }
  if (reason.kind === 'unschedulable') {
    const cordoned = model.nodes.filter((n) => n.item.obj.spec?.unschedulable);
    for (const n of cordoned.slice(0, 3)) objects.push({ kind: 'Node', name: n.name });
    return cordoned.length > 0 ? (ja ? `cordon されたノード: ${cordoned.map((n) => n.name).join(', ')}` : `cordoned: ${cordoned.map((n) => n.name).join(', ')}`) : '';
  }
  return '';
}

/** `taint:<key>` for a taint (the control-plane's is the design when workers stand beside it), else the reason's kind. */
function blockerOf(model: Model, reason: SchedulingReason): string[] {
  if (reason.kind !== 'taint') return [reason.kind];
  const key = /\{([^:}]+)/.exec(reason.text)?.[1]?.trim();
  if (!key) return ['taint'];
  if (CONTROL_PLANE_TAINTS.includes(key) && !model.nodes.every((n) => (n.item.obj.spec?.taints ?? []).some((t) => t.key === key))) return [];
  return [`taint:${key}`];
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('pods') && !model.hasKube('events')) {
    return {
      findings: [],
      skip: {
        reason: ja ? 'Pod もイベントも収集されていない' : 'neither pods nor events were collected',
        missing: ['cluster/namespaces/*/pods.json', 'cluster/namespaces/*/events.json'].flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`)),
      },
    };
  }
  const now = ctx.collectedAt.getTime();
  const allocations = nodeAllocations(model);
  const groups = new Map<string, { stuck: Stuck[]; owner?: string }>();
  for (const s of stuckPods(model, now)) {
    if (s.since !== undefined && now - s.since < GRACE) continue;
    const owner = s.pod ? ownerOf(s.pod.obj) : undefined;
    const key = `${s.namespace}\u0000${owner ? `${owner.kind}/${owner.name}` : s.name}\u0000${s.message}`;
    const g = groups.get(key) ?? { stuck: [], ...(owner ? { owner: `${owner.kind}/${owner.name}` } : {}) };
    g.stuck.push(s);
    groups.set(key, g);
  }
  const findings: FindingDraft[] = [];
  for (const g of groups.values()) {
    const first = g.stuck[0]!;
    const parsed = parseSchedulingMessage(first.message);
    const objects: ObjectRef[] = g.stuck.map((s) => ({ kind: 'Pod', namespace: s.namespace, name: s.name }));
    const evidence: Evidence[] = g.stuck.slice(0, 3).flatMap((s) => s.evidence);
    const details = parsed.reasons.map((r) => explain(model, first, r, allocations, ja, objects, evidence)).filter(Boolean);
    // What keeps the pod off every node, for the explains relation: a node fault (NotReady, pressure)
    // explains the finding only when its taint is all that stands in the way.
    const blockers = [...new Set(parsed.reasons.flatMap((r) => blockerOf(model, r)))].sort().join(',');
    const reasons = parsed.reasons.map((r) => (r.nodes > 0 ? `${r.nodes} ${r.text}` : r.text)).join(', ');
    const since = Math.min(...g.stuck.map((s) => s.since ?? now));
    const pods = g.stuck.map((s) => `${s.namespace}/${s.name}`);
    findings.push({
      subject: { level: 'namespace', name: first.namespace },
      objects,
      evidence,
      values: {
        pods: pods.length > 3 ? `${pods.slice(0, 3).join(', ')} (+${pods.length - 3})` : pods.join(', '),
        owner: g.owner ? ` (${g.owner})` : '',
        age: since < now ? formatAge(now - since) : ja ? '不明' : 'unknown',
        reasons: parsed.total !== undefined ? `${parsed.available}/${parsed.total} ${ja ? 'ノードが利用可能' : 'nodes available'}: ${reasons}` : reasons,
        detail: details.length > 0 ? ` — ${details.join(ja ? '。' : '; ')}` : '',
        blockers,
      },
    });
  }
  return { findings };
}
