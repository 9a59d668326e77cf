// Fires when ingress-nginx answered 404 from its default backend (no Ingress rule matched the request).
// With a log format that records the Host (JSON or custom formats with host/vhost), one finding per host
// that no served Ingress rule has; with the default format, which has no Host, one finding per controller
// pod listing the hosts the Ingresses do have. Stays silent when an Ingress the controller ignores (its
// class) explains the 404s: that is ingress-class-mismatch.
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import type { Ingress } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import { hostMatches, nginxControllers, requestedClass, type IngressClass } from '../../../model/workloads.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const hits = ctx.logHits('defaultBackend404');
  if (hits.scanned.length === 0 || !model.hasKube('ingresses')) {
    const missing = ['cluster/logs/ingress-nginx/**', 'cluster/namespaces/*/ingresses.json'].filter((p) => model.artifacts.matchUsable(p).length === 0);
    return { findings: [], skip: { reason: ja ? 'ingress-nginx コントローラーのログか Ingress 一覧がバンドルにない' : 'no ingress-nginx controller log or no Ingress list in the bundle', missing: missing.flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`)) } };
  }
  if (hits.hits.length === 0) return { findings: [] };
  const ingresses = model.kube<Ingress>('ingresses');
  const classes = model.kube<IngressClass>('ingressclasses');
  const controllers = nginxControllers(model);
  const served = (ing: Ingress) => {
    const asked = requestedClass(ing);
    if (asked.how === 'none') return true;
    if (asked.how === 'annotation') return controllers.length === 0 || controllers.some((c) => c.ingressClass === asked.name);
    const cls = classes.find((c) => c.name === asked.name);
    return cls !== undefined && (controllers.length === 0 || controllers.some((c) => c.controllerClass === cls.obj.spec?.controller));
  };
  const hostsOf = (ing: Ingress) => (ing.spec?.rules ?? []).map((r) => r.host).filter((h): h is string => !!h);
  const servedHosts = ingresses.filter((i) => served(i.obj)).flatMap((i) => hostsOf(i.obj));
  const ignored = ingresses.filter((i) => !served(i.obj));
  const ignoredHosts = ignored.flatMap((i) => hostsOf(i.obj));
  const findings: FindingDraft[] = [];
  const byKey = new Map<string, LogHit[]>();
  for (const h of hits.hits) {
    const host = h.groups?.host;
    if (host !== undefined) {
      if (servedHosts.some((r) => hostMatches(r, host)) || ignoredHosts.some((r) => hostMatches(r, host))) continue;
      byKey.set(`host\u0000${host.toLowerCase()}`, [...(byKey.get(`host\u0000${host.toLowerCase()}`) ?? []), h]);
    } else if (ignored.length === 0) {
      byKey.set(`pod\u0000${h.namespace ?? ''}/${h.pod ?? h.path}`, [...(byKey.get(`pod\u0000${h.namespace ?? ''}/${h.pod ?? h.path}`) ?? []), h]);
    }
  }
  const known = servedHosts.length > 0 ? servedHosts.join(', ') : ja ? 'なし' : 'none';
  for (const [key, list] of byKey) {
    const [kind, name] = key.split('\u0000') as [string, string];
    const count = list.reduce((n, h) => Math.max(n, hits.counts.get(h.path) ?? 0), 0) || list.length;
    const last = list[list.length - 1]!;
    const podRef = last.pod ? [{ kind: 'Pod', namespace: last.namespace ?? 'ingress-nginx', name: last.pod }] : [];
    findings.push({
      subject: { level: 'namespace', name: last.namespace ?? 'ingress-nginx' },
      objects: podRef,
      evidence: list.slice(-3).map((h) => ({ path: h.path, line: h.line, excerpt: [h.text] })),
      values:
        kind === 'host'
          ? { what: `Host ${name}`, count, known }
          : { what: ja ? `Host の記録がないリクエスト（${name} のログ形式）` : `requests whose Host the log format of ${name} does not record`, count, known },
    });
  }
  return { findings };
}
