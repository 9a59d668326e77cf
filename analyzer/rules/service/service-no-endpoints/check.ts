// Fires for Services that something sends traffic to (an Ingress backend or type LoadBalancer) and that
// have no ready endpoint. Selector-less Services (manual Endpoints, leader-election objects) and
// ExternalName Services are left alone: an empty Endpoints object is how they normally look.
import { bundlePath } from '../../../../bundle/layout.js';
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { KubeItem, Pod } from '../../../model/kube-types.js';
import { podReady, type Model, type ServiceView } from '../../../model/model.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

function selectorText(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Pods of the namespace whose labels share a key with the selector: the likely intended targets. */
function nearMisses(model: Model, svc: ServiceView, selector: Record<string, string>): KubeItem<Pod>[] {
  return model
    .pods()
    .filter((p) => p.namespace === svc.namespace && Object.keys(selector).some((k) => p.obj.metadata?.labels?.[k] !== undefined))
    .slice(0, 3);
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('services') || !model.hasKube('endpoints')) {
    const missing = ['cluster/namespaces/*/services.json', 'cluster/namespaces/*/endpoints.json'].filter((p) => model.artifacts.matchUsable(p).length === 0);
    return { findings: [], skip: { reason: ja ? 'Service か Endpoints が収集されていない' : 'services or endpoints were not collected', missing: missing.flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`)) } };
  }
  const controllerHits = ctx.logHits('controllerNoEndpoints').hits;
  const findings: FindingDraft[] = [];
  for (const svc of model.services()) {
    const spec = svc.item.obj.spec ?? {};
    const selector = spec.selector ?? {};
    if (spec.type === 'ExternalName' || Object.keys(selector).length === 0) continue;
    const isLoadBalancer = spec.type === 'LoadBalancer';
    if (!isLoadBalancer && svc.ingresses.length === 0) continue;
    if (svc.readyAddresses > 0) continue;
    const usage = [
      ...svc.ingresses.map((i) => `Ingress ${i.name}`),
      ...(isLoadBalancer ? [ja ? 'LoadBalancer' : 'LoadBalancer'] : []),
    ].join(', ');
    const selected = svc.selectedPods;
    const notReady = selected.filter((p) => !podReady(p.obj));
    const reason =
      selected.length === 0
        ? ja
          ? `selector ${selectorText(selector)} に一致する Pod がない`
          : `selector ${selectorText(selector)} matches no pod`
        : ja
          ? `選択された Pod ${selected.length} 個のうち Ready は 0 個`
          : `none of the ${selected.length} selected pods is Ready`;
    const evidence: Evidence[] = [itemEvidence(svc.item, '/spec', { type: spec.type ?? 'ClusterIP', selector, ports: spec.ports })];
    if (svc.endpoints) evidence.push(itemEvidence(svc.endpoints, '', { subsets: svc.endpoints.obj.subsets ?? [] }));
    else evidence.push({ path: bundlePath.namespacedList(svc.namespace, 'endpoints'), excerpt: [ja ? `Endpoints ${svc.name} がない` : `no Endpoints named ${svc.name}`] });
    const objects: ObjectRef[] = [{ kind: 'Service', namespace: svc.namespace, name: svc.name }, ...svc.ingresses.map((i) => ({ kind: 'Ingress', namespace: svc.namespace, name: i.name }))];
    if (selected.length === 0) {
      for (const p of nearMisses(model, svc, selector)) evidence.push(itemEvidence(p, '/metadata/labels', p.obj.metadata?.labels ?? {}));
    } else {
      for (const p of notReady.slice(0, 3)) {
        objects.push({ kind: 'Pod', namespace: svc.namespace, name: p.name });
        evidence.push(itemEvidence(p, '/status/conditions', p.obj.status?.conditions ?? []));
      }
    }
    for (const h of controllerHits.filter((x) => x.groups?.service === `${svc.namespace}/${svc.name}`).slice(-2)) {
      evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });
    }
    findings.push({
      subject: { level: 'namespace', name: svc.namespace },
      objects,
      evidence,
      values: { service: `${svc.namespace}/${svc.name}`, usage, reason },
    });
  }
  return { findings };
}
