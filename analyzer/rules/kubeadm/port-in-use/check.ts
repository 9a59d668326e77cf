// Fires per node where a port kubeadm needs is held by the wrong process: from `ss -ltnp` (6443, 10257,
// 10259, 2379, 2380 on control-plane nodes, 10250 on every node) or from kubeadm's [ERROR Port-NNNN] in an
// attachment. ss truncates process names to 15 characters (kube-controller), and lists no process when
// it ran without root: such sockets cannot be judged and are left alone. A preflight error for a port
// held by its own component means kubeadm was re-run on a node already set up; that is said plainly.
import { HOST_CMD } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { missingInputs, nodeHosts, nodeSubject, preflightEvidence, preflightHits, preflightSubject, ssOf } from '../../../model/node.js';
import type { Listener } from '../../../parsers/host-ss.js';
import type { Evidence } from '../../../report/types.js';

const OWNERS: Record<number, { component: string; names: RegExp; controlPlaneOnly: boolean }> = {
  6443: { component: 'kube-apiserver', names: /^kube-apiserver$/, controlPlaneOnly: true },
  10250: { component: 'kubelet', names: /^kubelet$/, controlPlaneOnly: false },
  10257: { component: 'kube-controller-manager', names: /^kube-controller(?:-manager)?$/, controlPlaneOnly: true },
  10259: { component: 'kube-scheduler', names: /^kube-scheduler$/, controlPlaneOnly: true },
  2379: { component: 'etcd', names: /^etcd$/, controlPlaneOnly: true },
  2380: { component: 'etcd', names: /^etcd$/, controlPlaneOnly: true },
};

function strangers(l: Listener): string[] {
  const owner = OWNERS[l.port];
  return owner ? l.processes.filter((p) => !owner.names.test(p.name)).map((p) => `${p.name} (pid ${p.pid})`) : [];
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const findings = new Map<string, FindingDraft>();
  let judged = false;
  for (const host of nodeHosts(model)) {
    const ss = ssOf(model, host.name);
    if (!ss) continue;
    judged = true;
    const controlPlane = host.roles.includes('control-plane');
    const wrong = ss.facts.listeners.filter((l) => OWNERS[l.port] && (controlPlane || !OWNERS[l.port]!.controlPlaneOnly) && strangers(l).length > 0);
    if (wrong.length === 0) continue;
    const { subject, objects } = nodeSubject(model, host);
    const evidence: Evidence[] = wrong.map((l) => ({ path: ss.path, line: l.line, excerpt: ctx.excerpt(ss.path, l.line, 0, 0) }));
    const parts = [...new Set(wrong.map((l) => ja ? `${l.port}（${OWNERS[l.port]!.component} 用）を ${strangers(l).join(', ')} が使用` : `${l.port} (for ${OWNERS[l.port]!.component}) is held by ${strangers(l).join(', ')}`))];
    findings.set(subject.name, { subject, objects, evidence, values: { reason: parts.join('; ') } });
  }
  for (const hit of preflightHits(model, /^Port-\d+$/)) {
    judged = true;
    const port = Number(hit.finding.check.slice(5));
    const { subject, objects } = preflightSubject(model, hit);
    const existing = findings.get(subject.name);
    if (existing) {
      existing.evidence.push(preflightEvidence(hit));
      continue;
    }
    const ss = hit.host ? ssOf(model, hit.host.name) : undefined;
    const holders = ss?.facts.listeners.filter((l) => l.port === port).flatMap((l) => l.processes.map((p) => p.name)) ?? [];
    const owner = OWNERS[port];
    const own = holders.length > 0 && owner !== undefined && holders.every((n) => owner.names.test(n));
    const evidence = [preflightEvidence(hit)];
    for (const l of ss?.facts.listeners.filter((x) => x.port === port) ?? []) evidence.push({ path: ss!.path, line: l.line, excerpt: ctx.excerpt(ss!.path, l.line, 0, 0) });
    const reason = own
      ? ja
        ? `kubeadm の preflight: ポート ${port} は使用中。${owner!.component} 自身が使っているので、このノードは既にセットアップ済み（kubeadm の再実行）`
        : `kubeadm preflight: port ${port} is in use by ${owner!.component} itself: this node is already set up (kubeadm re-run)`
      : ja
        ? `kubeadm の preflight: ポート ${port} は使用中${holders.length > 0 ? `（${[...new Set(holders)].join(', ')}）` : ''}`
        : `kubeadm preflight: port ${port} is in use${holders.length > 0 ? ` (by ${[...new Set(holders)].join(', ')})` : ''}`;
    findings.set(subject.name, { subject, objects, evidence, values: { reason } });
  }
  if (!judged) {
    return { findings: [], skip: { reason: ja ? 'どのノードの ss 出力もなく、kubeadm の出力も添付されていない' : 'no ss output of any node and no kubeadm output attached', missing: missingInputs(model, [`hosts/*/cmd/${HOST_CMD.ssListen}`, 'attachments/*']) } };
  }
  return { findings: [...findings.values()] };
}
