// Fires per node where bridged pod traffic bypasses iptables: net.bridge.bridge-nf-call-iptables is not 1,
// or br_netfilter is not loaded at all (no net.bridge.* keys, no module in lsmod); or a kubeadm preflight
// line in an attachment says so. lsmod alone proves nothing when the key is readable (the module may be
// built in), so the sysctl value decides whenever it was collected. A preflight line about a node whose
// current value is 1 is an old failure that was fixed since: silent.
import { HOST_CMD } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { lsmodOf, missingInputs, nodeHosts, nodeSubject, preflightEvidence, preflightHits, preflightSubject, sysctlOf } from '../../../model/node.js';
import type { Model } from '../../../model/model.js';
import { findModule } from '../../../parsers/host-lsmod.js';
import type { Evidence } from '../../../report/types.js';

const KEY = 'net.bridge.bridge-nf-call-iptables';
const PREFLIGHT = /^FileContent--proc-sys-net-bridge-bridge-nf-call-ip(?:6)?tables$/;

type State = { ok: true } | { ok: false; reason: string; evidence: Evidence[] } | undefined;

function currentState(model: Model, host: string, ja: boolean): State {
  const sysctl = sysctlOf(model, host);
  const lsmod = lsmodOf(model, host);
  const value = sysctl?.facts.values[KEY];
  if (value) {
    if (value.value === '1') return { ok: true };
    return {
      ok: false,
      reason: ja ? `${KEY} = ${value.value}（1 であるべき）` : `${KEY} = ${value.value} (must be 1)`,
      evidence: [{ path: sysctl!.path, line: value.line, excerpt: [`${KEY} = ${value.value}`] }],
    };
  }
  const module = lsmod ? findModule(lsmod.facts, 'br_netfilter') : undefined;
  if (module) return sysctl ? undefined : { ok: true };
  if (!sysctl && !lsmod) return undefined;
  const evidence: Evidence[] = [];
  if (lsmod) evidence.push({ path: lsmod.path, excerpt: [ja ? `br_netfilter の行がない（モジュール ${lsmod.facts.modules.length} 個中）` : `no br_netfilter line among ${lsmod.facts.modules.length} modules`] });
  if (sysctl) evidence.push({ path: sysctl.path, excerpt: [ja ? `${KEY} がない（net.bridge.* のキーが 1 つもない）` : `no ${KEY} (no net.bridge.* key at all)`] });
  return { ok: false, reason: ja ? 'br_netfilter モジュールがロードされていない' : 'the br_netfilter module is not loaded', evidence };
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
    return { findings: [], skip: { reason: 'no sysctl or lsmod output of any node and no kubeadm output attached', missing: missingInputs(model, [`hosts/*/cmd/${HOST_CMD.sysctl}`, `hosts/*/cmd/${HOST_CMD.lsmod}`, 'attachments/*']) } };
  }
  return { findings: [...findings.values()] };
}
