// Fires for each attached join that cannot work with this cluster's CA: kubeadm's own "none of the public
// keys … are pinned" in attached join output, or an attached join command whose
// --discovery-token-ca-cert-hash pins none of the control planes' pki/ca.crt public keys (the SPKI sha256
// kubeadm computes). A join without a hash (unsafe-skip-ca-verification) pins nothing and is left alone.
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { attachments, clusterCas } from '../../../model/kubeadm.js';
import type { Model } from '../../../model/model.js';
import type { Evidence } from '../../../report/types.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const joins = attachments(model).filter((a) => a.facts.joins.length > 0 || a.facts.kubeadm.discovery.length > 0);
  if (joins.length === 0) {
    return { findings: [], skip: { reason: ja ? 'kubeadm join のコマンドも出力も添付されていない（labsnap collect --attach join.txt で添付する）' : 'no kubeadm join command or join output is attached (labsnap collect --attach join.txt)', missing: model.artifacts.explainMissing('attachments/*').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const cas = clusterCas(model);
  const caEvidence = cas.slice(0, 2).map((ca): Evidence => ({ path: ca.path, line: ca.line, excerpt: [`public key sha256:${ca.spkiSha256}`] }));
  const findings: FindingDraft[] = [];
  for (const a of joins) {
    const evidence: Evidence[] = [];
    let what = '';
    for (const p of a.facts.kubeadm.discovery.filter((d) => d.kind === 'ca-hash-mismatch')) {
      evidence.push({ path: a.path, line: p.line, excerpt: ctx.excerpt(a.path, p.line, 0, 0) });
      what = ja ? 'kubeadm join が「none of the public keys are pinned」で失敗（CA hash 不一致）' : 'kubeadm join failed: "none of the public keys are pinned" (CA hash mismatch)';
    }
    if (cas.length > 0) {
      for (const j of a.facts.joins.filter((x) => x.caCertHashes.length > 0)) {
        if (j.caCertHashes.some((h) => cas.some((ca) => ca.spkiSha256 === h))) continue;
        evidence.push({ path: a.path, line: j.line, excerpt: j.caCertHashes.map((h) => `--discovery-token-ca-cert-hash sha256:${h}`) });
        const pinned = `sha256:${j.caCertHashes[0]!.slice(0, 12)}…`;
        const actual = `sha256:${cas[0]!.spkiSha256.slice(0, 12)}…`;
        what = ja ? `join コマンドの CA hash ${pinned} が ${cas[0]!.host.name} の pki/ca.crt（${actual}）と一致しない` : `the join command pins ${pinned}, but ${cas[0]!.host.name}'s pki/ca.crt key is ${actual}`;
      }
    }
    if (evidence.length === 0) continue;
    findings.push({ subject: { level: 'cluster', name: a.path }, evidence: [...evidence, ...caEvidence], values: { what } });
  }
  return { findings };
}
