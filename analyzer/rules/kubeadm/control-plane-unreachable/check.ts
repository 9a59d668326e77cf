// Fires per node host that cannot open a TCP connection to the API server: the collector's probe (the
// endpoint in kubelet.conf, then each control plane on 6443) failed, or, where no probe succeeded from
// that host, kubelet logs "dial tcp <api>: … no route to host / i/o timeout / connection refused". Also
// per attachment of join output failing the same way. kubelet logs refused connections for a few seconds
// whenever the API server restarts, so log lines from a host whose probe succeeded are history.
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import { bundlePath, HOST_CMD } from '../../../../bundle/layout.js';
import { controlPlanes } from '../../../model/kubeadm.js';
import type { Model } from '../../../model/model.js';
import type { TcpProbeFacts } from '../../../parsers/net-tcp-probe.js';
import type { Evidence } from '../../../report/types.js';

// kubeadm's default bind port, the one the collector probes on every control plane.
const API_SERVER_PORT = 6443;

function splitTarget(target: string): { host: string; port: number } {
  const i = target.lastIndexOf(':');
  return { host: target.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(target.slice(i + 1)) };
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const logs = ctx.logHits('dial');
  const probes = model.hosts
    .filter((h) => h.isNode)
    .flatMap((h) => {
      const path = bundlePath.hostCmd(h.name, HOST_CMD.tcpApiserver);
      const facts = model.artifacts.usable(path) ? model.parsed<TcpProbeFacts>(path) : undefined;
      return facts ? [{ host: h, path, facts }] : [];
    });
  if (probes.length === 0 && logs.scanned.length === 0) {
    const missing = [...model.artifacts.explainMissing(`hosts/*/cmd/${HOST_CMD.tcpApiserver}`), ...model.artifacts.explainMissing('hosts/*/cmd/journal-kubelet.log')].map((m) => `${m.path}: ${m.reason}`);
    return { findings: [], skip: { reason: ja ? 'API サーバーへの TCP 疎通確認も kubelet のジャーナルもバンドルにない' : 'no TCP probe to the API server and no kubelet journal in the bundle', missing } };
  }
  // What counts as the API endpoint: 6443, the control planes' addresses, and kubelet.conf's server.
  const apiHosts = new Set([...controlPlanes(model).map((h) => h.address), ...probes.flatMap((p) => (p.facts.kubeletServer ? [splitTarget(p.facts.kubeletServer).host] : []))]);
  const isApi = (t: { host: string; port: number }) => t.port === API_SERVER_PORT || apiHosts.has(t.host);

  const findings: FindingDraft[] = [];
  const reachable = new Set<string>();
  for (const p of probes) {
    const failed = p.facts.probes.filter((x) => !x.ok);
    if (p.facts.probes.some((x) => x.ok)) reachable.add(p.host.name);
    if (failed.length === 0) continue;
    const server = p.facts.kubeletServer ? splitTarget(p.facts.kubeletServer) : undefined;
    const serverFailed = server !== undefined && failed.some((x) => x.host === server.host && x.port === server.port);
    const allFailed = failed.length === p.facts.probes.length;
    const evidence: Evidence[] = [];
    if (p.facts.kubeletServerLine !== undefined) evidence.push({ path: p.path, line: p.facts.kubeletServerLine, excerpt: ctx.excerpt(p.path, p.facts.kubeletServerLine, 0, 0) });
    evidence.push(...failed.slice(0, 3).map((x): Evidence => ({ path: p.path, line: x.line, excerpt: [x.message] })));
    const targets = [...new Set(failed.map((x) => `${x.host}:${x.port} (${x.error ?? 'failed'})`))].join(', ');
    findings.push({
      subject: { level: 'host', name: p.host.name },
      objects: p.host.node ? [{ kind: 'Node', name: p.host.node.name }] : [],
      evidence,
      values: { what: ja ? `API サーバー ${targets} に TCP 接続できない` : `cannot open a TCP connection to the API server ${targets}` },
      ...(serverFailed || allFailed ? {} : { severity: 'warning' as const }),
    });
  }

  const byKey = new Map<string, LogHit[]>();
  for (const h of logs.hits) {
    const target = h.groups?.target ? splitTarget(h.groups.target) : undefined;
    if (!target || !isApi(target)) continue;
    if (h.host !== undefined && (reachable.has(h.host) || findings.some((f) => f.subject.name === h.host))) continue;
    const key = h.host ?? h.path;
    byKey.set(key, [...(byKey.get(key) ?? []), h]);
  }
  for (const [key, hits] of byKey) {
    const host = hits[0]!.host !== undefined ? model.host(key) : undefined;
    const last = hits.at(-1)!;
    const reasons = [...new Set(hits.map((h) => h.groups?.reason?.toLowerCase()))].join(', ');
    findings.push({
      subject: host ? { level: 'host', name: key } : { level: 'cluster', name: key },
      objects: host?.node ? [{ kind: 'Node', name: host.node.name }] : [],
      evidence: hits.slice(-3).map((h): Evidence => ({ path: h.path, line: h.line, excerpt: [h.text] })),
      values: { what: ja ? `API サーバー ${last.groups!.target} への接続に失敗（${reasons}）` : `connections to the API server ${last.groups!.target} fail (${reasons})` },
    });
  }
  return { findings };
}
