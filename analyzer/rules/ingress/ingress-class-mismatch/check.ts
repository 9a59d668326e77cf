// Fires per Ingress that no running controller will serve: no class and no default IngressClass (and
// the controller does not watch class-less Ingresses), a class name no IngressClass has, an IngressClass
// whose ingress-nginx controller value no running controller answers to, or the controller's log saying
// it ignores the Ingress. Classes of other controllers (traefik …) are left alone: we cannot see them run.
import { bundlePath } from '../../../../bundle/layout.js';
import { itemEvidence, jsonExcerpt } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Ingress } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import { DEFAULT_INGRESS_CLASS_ANNOTATION, nginxControllers, requestedClass, type IngressClass } from '../../../model/workloads.js';
import type { Evidence } from '../../../report/types.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('ingresses')) {
    return { findings: [], skip: { reason: ja ? 'Ingress が収集されていない' : 'ingresses were not collected', missing: model.artifacts.explainMissing('cluster/namespaces/*/ingresses.json').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const classesKnown = model.hasKube('ingressclasses');
  const classes = model.kube<IngressClass>('ingressclasses');
  const defaults = classes.filter((c) => c.obj.metadata?.annotations?.[DEFAULT_INGRESS_CLASS_ANNOTATION] === 'true');
  const controllers = model.hasKube('pods') ? nginxControllers(model).filter((c) => c.running) : undefined;
  const ignoredHits = ctx.logHits('controllerIgnores').hits;
  const classesEvidence: Evidence = { path: bundlePath.clusterList('ingressclasses'), pointer: '/items', excerpt: jsonExcerpt(classes.map((c) => ({ name: c.name, controller: c.obj.spec?.controller, default: defaults.includes(c) }))) };
  const findings: FindingDraft[] = [];
  for (const ing of model.kube<Ingress>('ingresses')) {
    const ns = ing.namespace ?? '';
    const asked = requestedClass(ing.obj);
    let problem: string | undefined;
    const evidence: Evidence[] = [itemEvidence(ing, '', { ingressClassName: ing.obj.spec?.ingressClassName ?? null, annotations: ing.obj.metadata?.annotations ?? {} })];
    if (asked.how === 'none') {
      const watched = controllers?.some((c) => c.watchWithoutClass);
      if (classesKnown && defaults.length === 0 && !watched) {
        problem = ja ? 'ingressClassName がなく、default の IngressClass もない' : 'it has no ingressClassName and no IngressClass is default';
        evidence.push(classesEvidence);
      }
    } else if (asked.how === 'field' && classesKnown && !classes.some((c) => c.name === asked.name)) {
      problem = ja ? `IngressClass "${asked.name}" が存在しない（あるのは ${classes.map((c) => c.name).join(', ') || 'なし'}）` : `IngressClass "${asked.name}" does not exist (there is ${classes.map((c) => c.name).join(', ') || 'none'})`;
      evidence.push(classesEvidence);
    } else if (asked.how === 'field' && controllers) {
      const cls = classes.find((c) => c.name === asked.name);
      const wanted = cls?.obj.spec?.controller ?? '';
      if (/^k8s\.io\/ingress-nginx/.test(wanted) && !controllers.some((c) => c.controllerClass === wanted)) {
        problem = ja ? `IngressClass "${asked.name}" のコントローラ ${wanted} を担当する ingress-nginx が動いていない` : `no running ingress-nginx serves IngressClass "${asked.name}" (controller ${wanted})`;
        evidence.push(classesEvidence, ...controllers.slice(0, 1).map((c) => itemEvidence(c.pod, '/spec/containers', { controllerClass: c.controllerClass, ingressClass: c.ingressClass })));
      }
    } else if (asked.how === 'annotation' && controllers && controllers.length > 0 && !controllers.some((c) => c.ingressClass === asked.name) && !classes.some((c) => c.name === asked.name)) {
      problem = ja ? `注釈 kubernetes.io/ingress.class="${asked.name}" に一致するコントローラがない` : `annotation kubernetes.io/ingress.class="${asked.name}" matches no running controller`;
    }
    const logged = ignoredHits.filter((h) => h.groups?.ingress === `${ns}/${ing.name}` || h.groups?.legacy === ing.name);
    if (logged.length > 0) {
      problem ??= ja ? 'コントローラがこの Ingress を無視するとログに出している' : 'the controller logs that it ignores this Ingress';
      evidence.push(...logged.slice(-2).map((h) => ({ path: h.path, line: h.line, excerpt: [h.text] })));
    }
    if (!problem) continue;
    findings.push({ subject: { level: 'namespace', name: ns }, objects: [{ kind: 'Ingress', namespace: ns, name: ing.name }], evidence, values: { ingress: `${ns}/${ing.name}`, problem } });
  }
  return { findings };
}
