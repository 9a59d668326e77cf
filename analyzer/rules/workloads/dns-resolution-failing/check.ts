// Fires when application pods log that names do not resolve (`no such host`, `bad address`, `Name or
// service not known`, `server misbehaving`, an i/o timeout to port 53 ...), and tells which layer is at
// fault. When CoreDNS is broken (no ready pod, crash loop, `plugin/loop` detected, upstream forwarders
// timing out) one cluster finding names CoreDNS's state and the pods it breaks; a loop is tied to the
// resolv.conf kubelet hands CoreDNS (systemd-resolved's 127.0.0.53 stub). When CoreDNS is healthy, each
// pod's finding looks at the names themselves: a Service that exists in another namespace than the one
// the name says, or no such Service at all. Lines older than an hour at collection are history; kubelet's
// DNSConfigForming warnings are not resolution failures.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import type { KubeItem, Pod } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import { podReady } from '../../../model/model.js';
import { kubeletConfigOf, nodeHosts } from '../../../model/node.js';
import { statusesOf, timeOf } from '../../../model/workloads.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const HOUR = 3_600_000;

/** The name a resolution failure is about, in the wording of Go, glibc, musl/busybox, Node.js, Java, libpq. */
export function failedName(text: string): string | undefined {
  const m =
    /lookup ([^\s:]+)(?: on [^:\s]+:\d+)?: [^\n]*?(?:no such host|server misbehaving|i\/o timeout|Temporary failure)/.exec(text) ??
    /bad address '([^']+)'/.exec(text) ??
    /(?:ENOTFOUND|EAI_AGAIN) ([^\s'",]+)/.exec(text) ??
    /could not translate host name "([^"]+)"/.exec(text) ??
    /UnknownHostException: ([^\s:]+)/.exec(text) ??
    /([a-z0-9][a-z0-9.-]*[a-z0-9]): (?:Name or service not known|Temporary failure in name resolution|Name does not resolve)/i.exec(text);
  return m?.[1]?.replace(/\.$/, '');
}

function lineTime(text: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s/.exec(text);
  return m ? timeOf(m[1]) : undefined;
}

function isCoreDns(p: KubeItem<Pod>): boolean {
  return p.namespace === 'kube-system' && (p.obj.metadata?.labels?.['k8s-app'] === 'kube-dns' || /^coredns-/.test(p.name));
}

interface DnsState {
  broken: boolean;
  known: boolean;
  summary: string;
  evidence: Evidence[];
  objects: ObjectRef[];
  noneReady: boolean;
  /** What is wrong with CoreDNS, for the explains relation: `not-ready` alone is what a node fault causes. */
  problems: string[];
}

function coreDnsState(model: Model, ctx: CheckContext, ja: boolean): DnsState {
  const pods = model.pods().filter(isCoreDns);
  const evidence: Evidence[] = [];
  const objects: ObjectRef[] = [];
  const problems: string[] = [];
  const kinds: string[] = [];
  const logs = ctx.logHits('corednsLog').hits;
  const now = ctx.collectedAt.getTime();
  const recent = (h: LogHit) => (lineTime(h.text) ?? now) >= now - HOUR;
  const loop = logs.find((h) => /plugin\/loop/.test(h.text) && /detected/i.test(h.text));
  const upstream = logs.filter((h) => recent(h) && /plugin\/errors|plugin\/forward/.test(h.text) && /i\/o timeout|network is unreachable|connection refused|no route to host/.test(h.text));
  if (pods.length > 0) {
    const ready = pods.filter((p) => podReady(p.obj));
    const looping = pods.filter((p) => statusesOf(p.obj).some((s) => s.status.state?.waiting?.reason === 'CrashLoopBackOff'));
    for (const p of pods.filter((x) => !podReady(x.obj)).slice(0, 2)) {
      objects.push({ kind: 'Pod', namespace: 'kube-system', name: p.name });
      // The node a not-ready CoreDNS pod runs on: a NotReady node or its calico-node explains it.
      const node = p.obj.spec?.nodeName;
      if (node && !objects.some((o) => o.kind === 'Node' && o.name === node)) objects.push({ kind: 'Node', name: node });
      evidence.push(itemEvidence(p, '/status', { phase: p.obj.status?.phase, ready: false, containerStatuses: statusesOf(p.obj).map((s) => ({ name: s.status.name, restartCount: s.status.restartCount, state: s.status.state })) }));
    }
    if (looping.length > 0) {
      problems.push(ja ? `CoreDNS ${looping.length}/${pods.length} が CrashLoopBackOff` : `CoreDNS ${looping.length}/${pods.length} in CrashLoopBackOff`);
      kinds.push('crashloop');
    } else if (ready.length < pods.length) {
      problems.push(ja ? `CoreDNS の Ready は ${ready.length}/${pods.length}` : `CoreDNS ${ready.length}/${pods.length} ready`);
      kinds.push('not-ready');
    }
  }
  if (loop) {
    kinds.push('loop');
    evidence.push({ path: loop.path, line: loop.line, excerpt: [loop.text] });
    const resolv = nodeHosts(model)
      .map((h) => kubeletConfigOf(model, h.name))
      .find((c) => c !== undefined);
    const file = resolv?.facts.resolvConf ?? '/etc/resolv.conf';
    if (resolv) evidence.push({ path: resolv.path, ...(resolv.facts.lines.resolvConf ? { line: resolv.facts.lines.resolvConf } : {}), excerpt: [`resolvConf: ${resolv.facts.resolvConf ?? '(unset: /etc/resolv.conf)'}`] });
    problems.push(
      file === '/run/systemd/resolve/resolv.conf'
        ? ja
          ? 'CoreDNS が転送ループを検出（kubelet の resolvConf は正しいので、上流 DNS が CoreDNS に戻している）'
          : 'CoreDNS detected a forwarding loop (kubelet’s resolvConf is right, so the upstream DNS sends queries back)'
        : ja
          ? `CoreDNS が転送ループを検出: kubelet の resolvConf ${file} が systemd-resolved の 127.0.0.53 を指している`
          : `CoreDNS detected a forwarding loop: kubelet's resolvConf ${file} points at systemd-resolved's 127.0.0.53 stub`,
    );
  }
  if (upstream.length > 0) {
    kinds.push('upstream');
    evidence.push(...upstream.slice(-2).map((h) => ({ path: h.path, line: h.line, excerpt: [h.text] })));
    const to = /->([\d.]+:\d+)/.exec(upstream[upstream.length - 1]!.text)?.[1];
    problems.push(ja ? `CoreDNS から上流 DNS${to ? ` ${to}` : ''} に届かない` : `CoreDNS cannot reach its upstream DNS${to ? ` ${to}` : ''}`);
  }
  const known = pods.length > 0 || logs.length > 0;
  const noneReady = pods.length > 0 && pods.every((p) => !podReady(p.obj));
  return { broken: problems.length > 0, known, summary: problems.join(ja ? '、' : '; '), evidence, objects, noneReady, problems: kinds };
}

/** What the cluster says about a failing name when CoreDNS itself is fine. */
function nameVerdict(model: Model, name: string, podNs: string, ja: boolean, objects: ObjectRef[]): string {
  const parts = name.toLowerCase().replace(/\.svc(\.cluster\.local)?$/, '').split('.');
  if (parts.length > 2 && !/\.svc(\.cluster\.local)?$/.test(name)) return ja ? `${name} はクラスタ外の名前: 上流 DNS が答えない` : `${name} is an outside name: the upstream DNS does not answer it`;
  const [svc, ns = podNs] = parts as [string, string?];
  const services = model.kube('services');
  if (!model.hasKube('services')) return '';
  if (services.some((s) => s.name === svc && s.namespace === ns)) return ja ? `Service ${ns}/${svc} は存在する（Endpoints を確認）` : `Service ${ns}/${svc} exists (check its endpoints)`;
  const elsewhere = services.filter((s) => s.name === svc).map((s) => s.namespace);
  if (elsewhere.length > 0) {
    objects.push({ kind: 'Service', namespace: elsewhere[0]!, name: svc });
    return ja
      ? `Service ${svc} は ${ns} ではなく ${elsewhere.join(', ')} にある: ${svc}.${elsewhere[0]} と書く`
      : `Service ${svc} is in namespace ${elsewhere.join(', ')}, not ${ns}: use ${svc}.${elsewhere[0]}`;
  }
  return ja ? `Service ${svc} は ${ns} にもほかの名前空間にもない` : `no Service ${svc} in ${ns} or any other namespace`;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const app = ctx.logHits('appDns');
  if (app.scanned.length === 0) {
    return { findings: [], skip: { reason: ja ? 'Pod のログが収集されていない' : 'no pod logs were collected', missing: model.artifacts.explainMissing('cluster/logs/**').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const now = ctx.collectedAt.getTime();
  const podsByKey = new Map(model.pods().map((p) => [`${p.namespace}/${p.name}`, p]));
  const failing = new Map<string, { ns: string; pod: string; hits: LogHit[]; names: Set<string> }>();
  for (const h of app.hits) {
    if (h.namespace === undefined || h.pod === undefined) continue;
    const item = podsByKey.get(`${h.namespace}/${h.pod}`);
    if (item ? isCoreDns(item) : h.namespace === 'kube-system' && /^coredns-/.test(h.pod)) continue;
    const t = lineTime(h.text);
    if (t !== undefined && now - t > HOUR) continue;
    const key = `${h.namespace}/${h.pod}`;
    const f = failing.get(key) ?? { ns: h.namespace, pod: h.pod, hits: [], names: new Set<string>() };
    f.hits.push(h);
    const name = failedName(h.text);
    if (name) f.names.add(name);
    failing.set(key, f);
  }
  if (failing.size === 0) return { findings: [] };
  const dns = coreDnsState(model, ctx, ja);
  const findings: FindingDraft[] = [];
  if (dns.broken) {
    const pods = [...failing.values()];
    const names = [...new Set(pods.flatMap((p) => [...p.names]))];
    findings.push({
      subject: { level: 'cluster', name: 'coredns' },
      objects: [...dns.objects, ...pods.slice(0, 5).map((p) => ({ kind: 'Pod', namespace: p.ns, name: p.pod }))],
      evidence: [...dns.evidence.slice(0, 4), ...pods.slice(0, 3).map((p) => p.hits[p.hits.length - 1]!).map((h) => ({ path: h.path, line: h.line, excerpt: [h.text] }))],
      values: {
        pods: pods.length > 3 ? `${pods.slice(0, 3).map((p) => `${p.ns}/${p.pod}`).join(', ')} (+${pods.length - 3})` : pods.map((p) => `${p.ns}/${p.pod}`).join(', '),
        names: names.length > 0 ? ` (${names.slice(0, 4).join(', ')})` : '',
        cause: dns.summary,
        coredns: dns.problems.join(','),
      },
      ...(dns.noneReady ? { severity: 'critical' as const } : {}),
    });
    return { findings };
  }
  for (const f of failing.values()) {
    const objects: ObjectRef[] = [{ kind: 'Pod', namespace: f.ns, name: f.pod }];
    const names = [...f.names];
    const verdicts = names.map((n) => nameVerdict(model, n, f.ns, ja, objects)).filter(Boolean);
    const cause = dns.known
      ? `${ja ? 'CoreDNS は正常' : 'CoreDNS is healthy'}${verdicts.length > 0 ? `: ${verdicts.join(ja ? '。' : '; ')}` : ''}`
      : ja
        ? 'CoreDNS の状態はバンドルにない'
        : 'CoreDNS state is not in the bundle';
    findings.push({
      subject: { level: 'namespace', name: f.ns },
      objects,
      evidence: f.hits.slice(-3).map((h) => ({ path: h.path, line: h.line, excerpt: [h.text] })),
      values: { pods: `${f.ns}/${f.pod}`, names: names.length > 0 ? ` (${names.slice(0, 4).join(', ')})` : '', cause, coredns: dns.known ? 'healthy' : 'unknown' },
    });
  }
  return { findings };
}
