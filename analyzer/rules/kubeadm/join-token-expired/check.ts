// One cluster finding when a join fails or would fail for want of a bootstrap token: attached join
// output saying the token is unknown ("could not find a JWS signature … for token ID"), an attached join
// command whose token id is not a valid token of `kubeadm token list`, or a node host of the inventory
// that is not registered while no token is valid. No valid token with nobody joining is the normal state
// of a cluster older than a day (tokens live 24 h) and stays silent.
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { attachments, tokenLists } from '../../../model/kubeadm.js';
import type { Model } from '../../../model/model.js';
import type { KubeadmToken } from '../../../parsers/kube-kubeadm-tokens.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

function valid(t: KubeadmToken, now: number): boolean {
  if (t.ttl === '<invalid>') return false;
  return t.expires === null || Date.parse(t.expires) > now;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const now = ctx.collectedAt.getTime();
  const lists = tokenLists(model);
  const attached = attachments(model).filter((a) => a.facts.joins.length > 0 || a.facts.kubeadm.discovery.length > 0);
  if (lists.length === 0 && attached.length === 0) {
    const missing = [...model.artifacts.explainMissing('hosts/*/cmd/kubeadm-token-list.txt'), ...model.artifacts.explainMissing('attachments/*')].map((m) => `${m.path}: ${m.reason}`);
    return { findings: [], skip: { reason: ja ? 'コントロールプレーンの kubeadm token list がなく、join のコマンドや出力も添付されていない' : 'no kubeadm token list from a control plane and no join command or join output attached', missing } };
  }
  const tokens = lists.flatMap((l) => l.list.tokens.map((t) => ({ ...t, path: l.path })));
  const validIds = new Set(tokens.filter((t) => valid(t, now)).map((t) => t.id));
  const evidence: Evidence[] = [];
  const reasons: string[] = [];

  for (const a of attached) {
    for (const p of a.facts.kubeadm.discovery.filter((d) => d.kind === 'token-unknown')) {
      evidence.push({ path: a.path, line: p.line, excerpt: ctx.excerpt(a.path, p.line, 0, 0) });
      reasons.push(ja ? `join が token ${p.tokenId ?? ''} を見つけられず失敗（JWS signature なし）` : `join failed: no JWS signature for token ${p.tokenId ?? '(id not shown)'}`);
    }
    if (lists.length === 0) continue;
    for (const j of a.facts.joins.filter((x) => x.tokenId !== null && !validIds.has(x.tokenId))) {
      const listed = tokens.find((t) => t.id === j.tokenId);
      evidence.push({ path: a.path, line: j.line, excerpt: ctx.excerpt(a.path, j.line, 0, 0) });
      if (listed) evidence.push({ path: listed.path, line: listed.line, excerpt: ctx.excerpt(listed.path, listed.line, 0, 0) });
      reasons.push(
        listed
          ? ja ? `join コマンドの token ${j.tokenId} は期限切れ（${listed.expires ?? listed.ttl}）` : `the join command's token ${j.tokenId} expired (${listed.expires ?? listed.ttl})`
          : ja ? `join コマンドの token ${j.tokenId} が kubeadm token list にない（期限切れで削除済み）` : `the join command's token ${j.tokenId} is not in kubeadm token list (expired and deleted)`,
      );
    }
  }

  const objects: ObjectRef[] = [];
  if (lists.length > 0 && validIds.size === 0) {
    const pending = model.hasKube('nodes') ? model.hosts.filter((h) => h.isNode && h.reached && !h.node) : [];
    for (const l of lists) {
      const last = l.list.tokens.at(-1);
      evidence.push(last ? { path: l.path, line: last.line, excerpt: ctx.excerpt(l.path, last.line, 0, 0) } : { path: l.path, line: 1, excerpt: [ja ? '（トークンなし）' : '(no token)'] });
    }
    if (pending.length > 0) {
      for (const h of pending) objects.push({ kind: 'Node', name: h.name });
      reasons.push(ja ? `有効な bootstrap token がなく、${pending.map((h) => h.name).join(', ')} がノードとして未登録` : `no valid bootstrap token while ${pending.map((h) => h.name).join(', ')} is not registered as a node`);
    }
  }
  if (reasons.length === 0) return { findings: [] };
  const finding: FindingDraft = {
    subject: { level: 'cluster', name: model.manifest.cluster },
    objects,
    evidence: evidence.slice(0, 8),
    values: { what: [...new Set(reasons)].join(ja ? '。' : '; ') },
  };
  return { findings: [finding] };
}
