// Fires per node whose kernel does not forward IPv4 (net.ipv4.ip_forward, or its alias
// net.ipv4.conf.all.forwarding, is not 1), or when a kubeadm preflight line in an attachment says so.
// Only Kubernetes nodes count: the Proxmox host of a bridged lab does not route and keeps 0 on purpose.
// A preflight line about a node whose current value is 1 was fixed since: silent.
import { HOST_CMD } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { missingInputs, nodeHosts, nodeSubject, preflightEvidence, preflightHits, preflightSubject, sysctlOf } from '../../../model/node.js';
import type { Model } from '../../../model/model.js';
import type { Evidence } from '../../../report/types.js';

const KEYS = ['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding'];
const PREFLIGHT = /^FileContent--proc-sys-net-ipv4-ip_forward$/;

type State = { ok: true } | { ok: false; reason: string; evidence: Evidence[] } | undefined;

function currentState(model: Model, host: string, ja: boolean): State {
  const sysctl = sysctlOf(model, host);
  if (!sysctl) return undefined;
  const key = KEYS.find((k) => sysctl.facts.values[k] !== undefined);
  if (key === undefined) return undefined;
  const value = sysctl.facts.values[key]!;
  if (value.value === '1') return { ok: true };
  return {
    ok: false,
    reason: ja ? `${key} = ${value.value}（1 であるべき）` : `${key} = ${value.value} (must be 1)`,
    evidence: [{ path: sysctl.path, line: value.line, excerpt: [`${key} = ${value.value}`] }],
  };
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const findings = new Map<string, FindingDraft>();
  let judged = false;
  for (const host of nodeHosts(model)) {
    const state = currentState(model, host.name, ja);
    if (state === undefined) continue;
    judged = true;
    if (state.ok) continue;
    const { subject, objects } = nodeSubject(model, host);
    findings.set(subject.name, { subject, objects, evidence: state.evidence, values: { reason: state.reason } });
  }
  for (const hit of preflightHits(model, PREFLIGHT)) {
    judged = true;
    if (hit.host && currentState(model, hit.host.name, ja)?.ok) continue;
    const { subject, objects } = preflightSubject(model, hit);
    const existing = findings.get(subject.name);
    if (existing) {
      existing.evidence.push(preflightEvidence(hit));
      continue;
    }
    const reason = ja ? `kubeadm の preflight が ${hit.finding.check} で失敗` : `kubeadm preflight failed ${hit.finding.check}`;
    findings.set(subject.name, { subject, objects, evidence: [preflightEvidence(hit)], values: { reason } });
  }
  if (!judged) {
    return { findings: [], skip: { reason: 'no sysctl output of any node and no kubeadm preflight output attached', missing: missingInputs(model, [`hosts/*/cmd/${HOST_CMD.sysctl}`, 'attachments/*']) } };
  }
  return { findings: [...findings.values()] };
}
