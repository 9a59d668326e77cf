// Fires per Ingress whose backend names a Service that does not exist in its namespace, or a port
// (number or name) the Service does not expose. The controller's own complaint is added as evidence.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Ingress, IngressBackend, KubeItem, Service } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import type { Evidence } from '../../../report/types.js';

interface BackendRef {
  backend: IngressBackend;
  pointer: string;
}

function backendsOf(ing: Ingress): BackendRef[] {
  const out: BackendRef[] = [];
  if (ing.spec?.defaultBackend) out.push({ backend: ing.spec.defaultBackend, pointer: '/spec/defaultBackend' });
  const legacy = (ing.spec as { backend?: IngressBackend } | undefined)?.backend;
  if (legacy) out.push({ backend: legacy, pointer: '/spec/backend' });
  (ing.spec?.rules ?? []).forEach((r, ri) => (r.http?.paths ?? []).forEach((p, pi) => p.backend && out.push({ backend: p.backend, pointer: `/spec/rules/${ri}/http/paths/${pi}/backend` })));
  return out;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('ingresses') || !model.hasKube('services')) {
    const missing = ['cluster/namespaces/*/ingresses.json', 'cluster/namespaces/*/services.json'].filter((p) => model.artifacts.matchUsable(p).length === 0);
    return { findings: [], skip: { reason: ja ? 'Ingress か Service が収集されていない' : 'ingresses or services were not collected', missing: missing.flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`)) } };
  }
  const services = new Map(model.kube<Service>('services').map((s) => [`${s.namespace}/${s.name}`, s]));
  const controllerHits = ctx.logHits('controllerMissing').hits;
  const findings: FindingDraft[] = [];
  for (const ing of model.kube<Ingress>('ingresses')) {
    const ns = ing.namespace ?? '';
    const problems: string[] = [];
    const evidence: Evidence[] = [];
    const objects = [{ kind: 'Ingress', namespace: ns, name: ing.name }];
    const seen = new Set<string>();
    for (const { backend, pointer } of backendsOf(ing.obj)) {
      const name = backend.service?.name ?? backend.serviceName;
      if (!name) continue;
      const port = backend.service?.port?.number ?? backend.service?.port?.name ?? backend.servicePort;
      const key = `${name}:${port ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const svc: KubeItem<Service> | undefined = services.get(`${ns}/${name}`);
      if (!svc) {
        problems.push(ja ? `Service ${name} が存在しない` : `Service ${name} does not exist`);
        evidence.push(itemEvidence(ing, pointer, backend));
        for (const h of controllerHits.filter((x) => x.groups?.service === `${ns}/${name}`).slice(-1)) evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });
        continue;
      }
      if (port === undefined || svc.obj.spec?.type === 'ExternalName') continue;
      const ports = svc.obj.spec?.ports ?? [];
      const ok = typeof port === 'number' ? ports.some((p) => p.port === port) : /^\d+$/.test(port) ? ports.some((p) => p.port === Number(port)) : ports.some((p) => p.name === port);
      if (ok) continue;
      const offered = ports.map((p) => (p.name ? `${p.name}/${p.port}` : String(p.port))).join(', ') || '-';
      problems.push(ja ? `Service ${name} にポート ${port} がない（あるのは ${offered}）` : `Service ${name} has no port ${port} (it offers ${offered})`);
      evidence.push(itemEvidence(ing, pointer, backend), itemEvidence(svc, '/spec/ports', ports));
      objects.push({ kind: 'Service', namespace: ns, name });
    }
    if (problems.length === 0) continue;
    findings.push({ subject: { level: 'namespace', name: ns }, objects, evidence, values: { ingress: `${ns}/${ing.name}`, problem: problems.join('; ') } });
  }
  return { findings };
}
