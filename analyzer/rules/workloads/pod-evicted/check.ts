// Fires per node and starved resource whose kubelet evicted pods (phase Failed, reason Evicted): the
// eviction message's threshold and biggest user, the node's pressure condition now, and the kubelet
// journal's eviction-manager and image-GC lines that show why it could not free space otherwise. Evictions
// more than a day old on a node without pressure now are history (the Failed pods only linger); without
// a time and without pressure now they are reported as info, a leftover to clean up.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { KubeItem, Pod } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import { nodeConditionTrue } from '../../../model/node.js';
import { eventsFor, eventEvidence, journalLineTime, podCondition, timeOf } from '../../../model/workloads.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const DAY = 86_400_000;
const PRESSURE_OF: Record<string, string> = { memory: 'MemoryPressure', 'ephemeral-storage': 'DiskPressure', nodefs: 'DiskPressure', imagefs: 'DiskPressure', pid: 'PIDPressure', pids: 'PIDPressure' };

export function evictionResource(message: string): string {
  return /low on resource: ([\w.-]+?)\.?(?:\s|$)/.exec(message)?.[1] ?? (/ephemeral local storage|ephemeral-storage/i.test(message) ? 'ephemeral-storage' : 'unknown');
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('pods')) {
    return { findings: [], skip: { reason: ja ? 'Pod が収集されていない' : 'pods were not collected', missing: model.artifacts.explainMissing('cluster/namespaces/*/pods.json').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const now = ctx.collectedAt.getTime();
  const kubelet = ctx.logHits('evictionLog').hits;
  const groups = new Map<string, { node: string; resource: string; pods: { pod: KubeItem<Pod>; at?: number }[] }>();
  for (const pod of model.pods()) {
    if (pod.obj.status?.phase !== 'Failed' || pod.obj.status.reason !== 'Evicted') continue;
    const node = pod.obj.spec?.nodeName ?? '?';
    const resource = evictionResource(pod.obj.status.message ?? '');
    const at = timeOf(podCondition(pod.obj, 'DisruptionTarget')?.lastTransitionTime) ?? timeOf(podCondition(pod.obj, 'Ready')?.lastTransitionTime);
    const key = `${node}\u0000${resource}`;
    const g = groups.get(key) ?? { node, resource, pods: [] };
    g.pods.push({ pod, ...(at !== undefined ? { at } : {}) });
    groups.set(key, g);
  }
  const findings: FindingDraft[] = [];
  for (const g of groups.values()) {
    const nodeView = model.node(g.node);
    const pressureType = PRESSURE_OF[g.resource];
    const pressure = nodeView && pressureType ? nodeConditionTrue(nodeView, pressureType) : undefined;
    const host = nodeView?.host?.name ?? (model.host(g.node) ? g.node : undefined);
    const lines = kubelet.filter((h) => h.host !== undefined && h.host === host);
    const newest = Math.max(...g.pods.map((p) => p.at ?? -1), ...lines.map((l) => journalLineTime(l.text) ?? -1));
    if (!pressure && newest >= 0 && now - newest > DAY) continue;
    const recentLines = lines.filter((l) => (journalLineTime(l.text) ?? now) >= now - DAY);
    const severity = !pressure && recentLines.length === 0 && (newest < 0 || now - newest > DAY / 4) ? ('info' as const) : undefined;
    const first = g.pods[0]!.pod;
    const evidence: Evidence[] = g.pods.slice(0, 3).map((p) => itemEvidence(p.pod, '/status', { phase: 'Failed', reason: 'Evicted', message: p.pod.obj.status?.message }));
    const nodeEvents = nodeView ? eventsFor(model, 'Node', undefined, g.node).filter((e) => /EvictionThresholdMet|FreeDiskSpaceFailed|ImageGCFailed/.test(e.obj.reason ?? '')) : [];
    if (nodeEvents.length > 0) evidence.push(eventEvidence(nodeEvents[nodeEvents.length - 1]!));
    if (pressure && nodeView) evidence.push(itemEvidence(nodeView.item, `/status/conditions/${pressure.index}`, pressure.condition));
    const telling = recentLines.filter((l) => /Image garbage collection failed|unable to evict|must evict|attempting to reclaim|Attempted to free/i.test(l.text));
    for (const l of (telling.length > 0 ? telling : recentLines).slice(-3)) evidence.push({ path: l.path, line: l.line, excerpt: [l.text] });
    const gcFailed = recentLines.find((l) => /Image garbage collection failed|failed to garbage collect required amount of images/i.test(l.text));
    const msg = first.obj.status?.message ?? '';
    const threshold = /Threshold quantity: ([^,]+), available: ([^.\s]+)/.exec(msg);
    const user = /Container (\S+) was using (\S+?), request is (\S+?),/.exec(msg);
    const parts: string[] = [];
    if (threshold) parts.push(ja ? `閾値 ${threshold[1]}、残り ${threshold[2]}` : `threshold ${threshold[1]}, available ${threshold[2]}`);
    if (user) parts.push(ja ? `${first.name} のコンテナ ${user[1]} が ${user[2]} 使用（request ${user[3]}）` : `container ${user[1]} of ${first.name} used ${user[2]} (request ${user[3]})`);
    parts.push(pressure ? (ja ? `現在 ${pressureType}=True` : `${pressureType}=True now`) : ja ? '現在は圧迫なし' : 'no pressure now');
    if (gcFailed) parts.push(ja ? 'kubelet のイメージ GC も空きを作れなかった' : 'kubelet image GC could not free enough either');
    const pods = g.pods.map((p) => `${p.pod.namespace}/${p.pod.name}`);
    const objects: ObjectRef[] = [...g.pods.map((p) => ({ kind: 'Pod', namespace: p.pod.namespace ?? '', name: p.pod.name })), ...(g.node !== '?' ? [{ kind: 'Node', name: g.node }] : [])];
    findings.push({
      subject: g.node !== '?' ? { level: 'node', name: g.node } : { level: 'namespace', name: first.namespace ?? '' },
      objects,
      evidence: evidence.slice(0, 8),
      values: {
        count: g.pods.length,
        node: g.node,
        resource: g.resource,
        pods: pods.length > 3 ? `${pods.slice(0, 3).join(', ')} (+${pods.length - 3})` : pods.join(', '),
        detail: parts.join(ja ? '、' : '; '),
        // The node condition this resource's shortage raises, for the explains relation.
        pressure: pressureType ?? '',
      },
      ...(severity ? { severity } : {}),
    });
  }
  return { findings };
}
