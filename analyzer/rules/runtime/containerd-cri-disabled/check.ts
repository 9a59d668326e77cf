// Fires per node whose containerd runs without its CRI plugin: `disabled_plugins` lists cri (the
// config.toml Docker's containerd.io package ships), crictl gets "unknown service runtime.v1", kubelet
// says the CRI v1 runtime API is not implemented, or kubeadm's [ERROR CRI] says so in an attachment.
// kubelet's "unknown method RuntimeConfig" is a different, harmless message (an older containerd
// without that one call) and does not match. Log lines count only where the config was not collected:
// a config with CRI enabled is the current truth.
import { HOST_CMD, HOST_FILE } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { containerdConfigOf, crictlOf, missingInputs, nodeHosts, nodeSubject, preflightEvidence, preflightHits, preflightSubject } from '../../../model/node.js';
import type { Evidence } from '../../../report/types.js';

const NOT_IMPLEMENTED = /CRI v1 runtime API is not implemented|unknown service runtime\.v1(?:alpha2)?\.RuntimeService/i;

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const findings = new Map<string, FindingDraft>();
  const logHits = ctx.logHits('notImplemented').hits;
  const enabled = new Set<string>();
  let judged = false;
  for (const host of nodeHosts(model)) {
    const { subject, objects } = nodeSubject(model, host);
    const evidence: Evidence[] = [];
    const reasons: string[] = [];
    const config = containerdConfigOf(model, host.name);
    if (config) {
      judged = true;
      if (config.facts.criDisabled) {
        const line = config.facts.lines.disabledPlugins;
        evidence.push({ path: config.path, ...(line !== undefined ? { line } : {}), excerpt: line !== undefined ? ctx.excerpt(config.path, line, 0, 0) : [`disabled_plugins = ${JSON.stringify(config.facts.disabledPlugins)}`] });
        reasons.push(ja ? `containerd の設定で CRI プラグインが無効（disabled_plugins = ${JSON.stringify(config.facts.disabledPlugins)}）` : `containerd's config disables the CRI plugin (disabled_plugins = ${JSON.stringify(config.facts.disabledPlugins)})`);
      } else enabled.add(host.name);
    }
    const crictl = crictlOf(model, host.name);
    if (crictl) judged = true;
    if (crictl?.failure?.reason === 'cri-not-implemented' && crictl.evidence) {
      evidence.push(crictl.evidence);
      reasons.push(ja ? 'crictl が CRI v1 API 未実装と報告' : 'crictl reports the CRI v1 API is not implemented');
    }
    if (!config) {
      const mine = logHits.filter((h: LogHit) => h.host === host.name);
      if (mine.length > 0) {
        judged = true;
        evidence.push(...mine.slice(-2).map((h) => ({ path: h.path, line: h.line, excerpt: [h.text] })));
        reasons.push(ja ? 'kubelet が CRI v1 API 未実装と報告' : 'kubelet reports the CRI v1 API is not implemented');
      }
    }
    if (reasons.length > 0) findings.set(subject.name, { subject, objects, evidence, values: { reason: reasons.join(ja ? '。' : '; ') } });
  }
  for (const hit of preflightHits(model, /^CRI$/)) {
    judged = true;
    if (!NOT_IMPLEMENTED.test(hit.finding.message)) continue;
    if (hit.host && enabled.has(hit.host.name)) continue;
    const { subject, objects } = preflightSubject(model, hit);
    const existing = findings.get(subject.name);
    if (existing) existing.evidence.push(preflightEvidence(hit));
    else findings.set(subject.name, { subject, objects, evidence: [preflightEvidence(hit)], values: { reason: ja ? 'kubeadm の preflight [ERROR CRI]: CRI v1 API 未実装（CRI プラグインが無効）' : 'kubeadm preflight [ERROR CRI]: CRI v1 API not implemented (CRI plugin disabled)' } });
  }
  if (!judged) {
    return {
      findings: [],
      skip: {
        reason: ja ? 'containerd の設定、crictl の出力、kubelet ジャーナルの該当行、kubeadm の出力のどれもない' : 'no containerd configuration, crictl output, kubelet journal hit or kubeadm output',
        missing: missingInputs(model, [`hosts/*/cmd/${HOST_CMD.containerdConfigDump}`, `hosts/*/files${HOST_FILE.containerdConfig}`, `hosts/*/cmd/${HOST_CMD.crictlPs}`, 'attachments/*']),
      },
    };
  }
  return { findings: [...findings.values()] };
}
