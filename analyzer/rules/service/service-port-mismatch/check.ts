// Fires per Service port whose targetPort matches no container port of the pods the Service selects:
// a named targetPort no container declares (kube-proxy then has no endpoint for it), or a number that
// differs from every declared containerPort. Pods that declare no ports at all are not judged: a
// container may listen without declaring, so only a declared mismatch is evidence. ingress-nginx's
// "Connection refused while connecting to upstream" for the pods' addresses is added when present.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { ContainerSpec, KubeItem, Pod } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import type { Evidence } from '../../../report/types.js';

function declaredPorts(pod: Pod): NonNullable<ContainerSpec['ports']> {
  return (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
}

function matches(pod: Pod, target: number | string): boolean {
  const ports = declaredPorts(pod);
  if (typeof target === 'string' && !/^\d+$/.test(target)) return ports.some((p) => p.name === target);
  return ports.some((p) => p.containerPort === Number(target));
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('services') || !model.hasKube('pods')) {
    const missing = ['cluster/namespaces/*/services.json', 'cluster/namespaces/*/pods.json'].filter((p) => model.artifacts.matchUsable(p).length === 0);
    return { findings: [], skip: { reason: ja ? 'Service か Pod が収集されていない' : 'services or pods were not collected', missing: missing.flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`)) } };
  }
  const refused = ctx.logHits('upstreamRefused').hits;
  const findings: FindingDraft[] = [];
  for (const svc of model.services()) {
    const spec = svc.item.obj.spec ?? {};
    if (spec.type === 'ExternalName') continue;
    const pods: KubeItem<Pod>[] = svc.selectedPods.filter((p) => p.obj.status?.phase !== 'Succeeded' && p.obj.status?.phase !== 'Failed');
    const judged = pods.filter((p) => declaredPorts(p.obj).length > 0);
    if (judged.length === 0) continue;
    (spec.ports ?? []).forEach((port, i) => {
      const target = port.targetPort ?? port.port;
      if (target === undefined) return;
      const named = typeof target === 'string' && !/^\d+$/.test(target);
      // A named port is resolved per pod; any pod without it is dropped from the endpoints.
      const bad = judged.filter((p) => !matches(p.obj, target));
      if (bad.length === 0 || (!named && bad.length < judged.length)) return;
      const offered = [...new Set(declaredPorts(bad[0]!.obj).map((p) => (p.name ? `${p.name}/${p.containerPort}` : String(p.containerPort))))].join(', ');
      const evidence: Evidence[] = [
        itemEvidence(svc.item, `/spec/ports/${i}`, port),
        itemEvidence(bad[0]!, '/spec/containers', (bad[0]!.obj.spec?.containers ?? []).map((c) => ({ name: c.name, ports: c.ports ?? [] }))),
      ];
      const ips = new Set(bad.map((p) => p.obj.status?.podIP).filter(Boolean));
      for (const h of refused.filter((x) => ips.has(x.groups?.ip ?? '')).slice(-2)) evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });
      findings.push({
        subject: { level: 'namespace', name: svc.namespace },
        objects: [{ kind: 'Service', namespace: svc.namespace, name: svc.name }, ...bad.slice(0, 3).map((p) => ({ kind: 'Pod', namespace: svc.namespace, name: p.name }))],
        evidence,
        values: {
          service: `${svc.namespace}/${svc.name}`,
          port: port.name ? `${port.name} (${port.port})` : String(port.port),
          target: String(target),
          offered,
          pods: ja ? `Pod ${bad.length} 個` : `${bad.length} pod${bad.length > 1 ? 's' : ''}`,
        },
      });
    });
  }
  return { findings };
}
