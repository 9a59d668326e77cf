// Fires per pod in CrashLoopBackOff (a container waiting with that reason) that has probe failures:
// Unhealthy events "Liveness/Readiness/Startup probe failed", Killing events "failed liveness probe, will
// be restarted", or, once events have aged out, kubelet's "Probe failed" lines naming the pod. The seed
// says to suspect the probe first: a too-short initialDelaySeconds or a wrong path/port kills a healthy app.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { KubeEvent, KubeItem, Pod } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import type { Evidence } from '../../../report/types.js';

const PROBE_EVENT = /\b(Liveness|Readiness|Startup) probe (?:failed|errored)|failed (liveness|startup) probe/i;

function crashLooping(pod: Pod): string[] {
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
    .filter((s) => s.state?.waiting?.reason === 'CrashLoopBackOff')
    .map((s) => s.name ?? '?');
}

function probeKind(text: string): string {
  const m = PROBE_EVENT.exec(text) ?? /probeType="?(\w+)/.exec(text);
  const kind = (m?.[1] ?? m?.[2] ?? '').toLowerCase();
  return kind.charAt(0).toUpperCase() + kind.slice(1);
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('pods')) {
    return { findings: [], skip: { reason: ja ? 'Pod が収集されていない' : 'pods were not collected', missing: model.artifacts.explainMissing('cluster/namespaces/*/pods.json').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const events = model.events().filter((e) => e.obj.involvedObject?.kind === 'Pod' && PROBE_EVENT.test(e.obj.message ?? ''));
  const kubelet = ctx.logHits('probeFailed').hits;
  const findings: FindingDraft[] = [];
  for (const pod of model.pods()) {
    const containers = crashLooping(pod.obj);
    if (containers.length === 0) continue;
    const ns = pod.namespace ?? '';
    const mine: KubeItem<KubeEvent>[] = events.filter((e) => e.obj.involvedObject?.name === pod.name && (e.obj.involvedObject?.namespace ?? e.namespace) === ns);
    const lines = kubelet.filter((h) => h.groups?.pod === `${ns}/${pod.name}`);
    if (mine.length === 0 && lines.length === 0) continue;
    const kinds = [...new Set([...mine.map((e) => probeKind(e.obj.message ?? '')), ...lines.map((h) => probeKind(h.text))].filter(Boolean))];
    const statuses = (pod.obj.status?.containerStatuses ?? []).filter((s) => containers.includes(s.name ?? '?'));
    const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
    const evidence: Evidence[] = [itemEvidence(pod, '/status/containerStatuses', statuses.map((s) => ({ name: s.name, restartCount: s.restartCount, state: s.state, lastState: s.lastState })))];
    for (const e of mine.slice(0, 3)) evidence.push(itemEvidence(e, '', { type: e.obj.type, reason: e.obj.reason, message: e.obj.message, count: e.obj.count ?? e.obj.series?.count }));
    for (const h of lines.slice(-2)) evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });
    const spec = pod.obj.spec?.containers?.find((c) => containers.includes(c.name ?? ''));
    const probes = spec ? { livenessProbe: spec.livenessProbe, readinessProbe: spec.readinessProbe, startupProbe: spec.startupProbe } : undefined;
    if (probes && Object.values(probes).some((p) => p !== undefined)) evidence.push(itemEvidence(pod, `/spec/containers/${pod.obj.spec!.containers!.indexOf(spec!)}`, probes));
    findings.push({
      subject: { level: 'namespace', name: ns },
      objects: [{ kind: 'Pod', namespace: ns, name: pod.name }],
      evidence,
      values: { pod: `${ns}/${pod.name}`, containers: containers.join(', '), probes: kinds.join('/') || (ja ? 'probe' : 'probe'), restarts },
    });
  }
  return { findings };
}
