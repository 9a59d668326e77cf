// Fires per node whose container runtime is down at collection time: systemctl says containerd is
// inactive, failed or restarting in a loop, or the unit does not exist; or, when systemctl was not
// collected, crictl could not reach containerd.sock, the node's condition says the runtime is down, or
// kubelet exits because it cannot reach the socket. A running containerd decides: kubelet's socket
// errors during a containerd upgrade or restart are normal and already over. kubeadm's [ERROR CRI] in an
// attachment counts when it says the socket is missing or refused (not when the CRI plugin is disabled:
// containerd-cri-disabled).
import { HOST_CMD } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { crictlOf, missingInputs, nodeHosts, nodeSubject, preflightEvidence, preflightHits, preflightSubject, unitDown, unitStatus } from '../../../model/node.js';
import type { Evidence } from '../../../report/types.js';

const CRI_DISABLED = /not implemented|unknown service runtime\.v1/i;
const UNREACHABLE = /no such file or directory|connection refused|is not running|Cannot connect|deadline exceeded/i;

function hitEvidence(h: LogHit): Evidence {
  return h.pointer !== undefined ? { path: h.path, pointer: h.pointer, excerpt: [h.text] } : { path: h.path, line: h.line, excerpt: [h.text] };
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const findings = new Map<string, FindingDraft>();
  const runtimeDown = ctx.logHits('runtimeDown').hits;
  const kubeletExit = ctx.logHits('kubeletCannotReachRuntime').hits;
  let judged = false;
  const healthy = new Set<string>();
  for (const host of nodeHosts(model)) {
    const { subject, objects } = nodeSubject(model, host);
    const unit = unitStatus(model, host.name, 'containerd');
    if (unit) {
      judged = true;
      if (!unitDown(unit)) {
        healthy.add(host.name);
        continue;
      }
      const u = unit.unit;
      const evidence: Evidence[] = [];
      let reason: string;
      if (!u) {
        reason = ja ? 'containerd.service が存在しない（未インストール）' : 'containerd.service does not exist (not installed)';
        evidence.push({ path: unit.path, line: unit.notFoundLine!, excerpt: ctx.excerpt(unit.path, unit.notFoundLine!, 0, 0) });
      } else {
        const state = `${u.activeState}${u.subState ? ` (${u.subState})` : ''}${u.result ? `, result ${u.result}` : ''}`;
        const since = u.since ? `${u.since.slice(0, 16).replace('T', ' ')}Z` : undefined;
        reason = ja ? `containerd が停止している: ${state}${since ? `（${since} から）` : ''}` : `containerd is down: ${state}${since ? ` since ${since}` : ''}`;
        if (u.activeLine !== null) evidence.push({ path: unit.path, line: u.activeLine, excerpt: ctx.excerpt(unit.path, u.activeLine, 0, 0) });
        for (const entry of u.journal.slice(-3)) evidence.push({ path: unit.path, line: entry.line, excerpt: ctx.excerpt(unit.path, entry.line, 0, 0) });
      }
      findings.set(subject.name, { subject, objects, evidence, values: { reason } });
      continue;
    }
    const evidence: Evidence[] = [];
    const crictl = crictlOf(model, host.name);
    if (crictl) judged = true;
    if (crictl?.failure && (crictl.failure.reason === 'socket-missing' || crictl.failure.reason === 'connection-refused') && crictl.evidence) evidence.push(crictl.evidence);
    const mine = (h: LogHit) => h.host === host.name || (host.node !== undefined && h.groups?.node === host.node.name);
    const condition = runtimeDown.filter(mine);
    const exits = kubeletExit.filter(mine);
    if (condition.length > 0 || exits.length > 0) judged = true;
    evidence.push(...condition.slice(0, 2).map(hitEvidence));
    // kubelet's exit lines alone may be from a past boot; they count when the node is not known Ready.
    if (evidence.length > 0 || (exits.length > 0 && host.node?.ready !== 'True')) {
      evidence.push(...exits.slice(-2).map(hitEvidence));
      const reason = ja ? 'kubelet / crictl が containerd.sock に接続できない' : 'kubelet/crictl cannot reach containerd.sock';
      findings.set(subject.name, { subject, objects, evidence, values: { reason } });
    }
  }
  // Nodes without host data (not in the inventory, or not reached) are judged by their condition alone.
  for (const node of model.nodes.filter((n) => !n.host || !n.host.reached)) {
    const condition = runtimeDown.filter((h) => h.groups?.node === node.name || (node.host !== undefined && h.host === node.host.name));
    if (condition.length === 0 || findings.has(node.name)) continue;
    const reason = ja ? 'ノードの状態が「コンテナランタイム停止」を示している' : 'the node condition says the container runtime is down';
    findings.set(node.name, { subject: { level: 'node', name: node.name }, objects: [{ kind: 'Node', name: node.name }], evidence: condition.slice(0, 2).map(hitEvidence), values: { reason } });
  }
  if (ctx.logHits('runtimeDown').scanned.length > 0) judged = true;
  for (const hit of preflightHits(model, /^CRI$/)) {
    judged = true;
    if (CRI_DISABLED.test(hit.finding.message) || !UNREACHABLE.test(hit.finding.message)) continue;
    if (hit.host && healthy.has(hit.host.name)) continue;
    const { subject, objects } = preflightSubject(model, hit);
    const existing = findings.get(subject.name);
    if (existing) existing.evidence.push(preflightEvidence(hit));
    else findings.set(subject.name, { subject, objects, evidence: [preflightEvidence(hit)], values: { reason: ja ? 'kubeadm の preflight [ERROR CRI]: コンテナランタイムが動いていない' : 'kubeadm preflight [ERROR CRI]: the container runtime is not running' } });
  }
  if (!judged) {
    return {
      findings: [],
      skip: { reason: ja ? 'containerd の systemctl status、crictl の出力、ノードの Conditions、kubeadm の出力のどれもない' : 'no systemctl status of containerd, crictl output, node conditions or kubeadm output', missing: missingInputs(model, [`hosts/*/cmd/${HOST_CMD.systemctlContainerd}`, `hosts/*/cmd/${HOST_CMD.crictlPs}`, 'cluster/nodes.json', 'attachments/*']) },
    };
  }
  return { findings: [...findings.values()] };
}
