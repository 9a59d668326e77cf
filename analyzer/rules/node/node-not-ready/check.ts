// Fires per node whose Ready condition is False or Unknown (or missing), from the node list or, when
// the API server could not list nodes, from `kubectl describe node` output. The summary says how far the
// damage goes (pods on the node that are not Ready, whether the control plane runs there) and names the
// cause when what this rule sees explains it: the host was unreachable, kubelet or containerd is down,
// kubelet stopped posting status. Otherwise it quotes the Ready condition. Other rules that fired for
// the same node are attached by the engine; this rule does not repeat their logic.
import { bundlePath } from '../../../../bundle/layout.js';
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import { podReady, type HostView, type Model } from '../../../model/model.js';
import { nodeSubject, unitDown, unitStatus } from '../../../model/node.js';
import { parseJournalLine } from '../../../parsers/log-journald.js';
import type { DescribedNode } from '../../../parsers/kube-describe-node.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const MAX_MESSAGE = 160;

interface NotReady {
  name: string;
  status: string;
  reason: string;
  message: string;
  since?: string;
  heartbeat?: string;
  host?: HostView;
  evidence: Evidence[];
}

function short(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

function fromNodeList(model: Model): NotReady[] {
  return model.nodes
    .filter((n) => n.ready !== 'True')
    .map((n) => {
      const c = n.readyCondition;
      const abnormal = n.conditions.filter((x) => (x.type === 'Ready' ? x.status !== 'True' : x.status !== 'False'));
      return {
        name: n.name,
        status: n.ready ?? 'Unknown',
        reason: c?.reason ?? '',
        message: c?.message ?? '',
        ...(c?.lastTransitionTime ? { since: c.lastTransitionTime } : {}),
        ...(c?.lastHeartbeatTime ? { heartbeat: c.lastHeartbeatTime } : {}),
        ...(n.host ? { host: n.host } : {}),
        evidence: [itemEvidence(n.item, '/status/conditions', (abnormal.length > 0 ? abnormal : n.conditions).map((x) => ({ type: x.type, status: x.status, reason: x.reason, message: x.message, lastHeartbeatTime: x.lastHeartbeatTime })))],
      };
    });
}

function fromDescribe(model: Model): NotReady[] {
  return model.artifacts.matchUsable('cluster/describe/nodes/*.txt').flatMap((path) =>
    (model.parsed<DescribedNode[]>(path) ?? []).flatMap((d) => {
      const c = d.conditions.find((x) => x.type === 'Ready');
      if (c?.status === 'True') return [];
      const host = model.hosts.find((h) => h.name === d.name);
      return [{
        name: d.name,
        status: c?.status ?? 'Unknown',
        reason: c?.reason ?? '',
        message: c?.message ?? '',
        ...(c?.lastTransition ? { since: c.lastTransition } : {}),
        ...(c?.lastHeartbeat ? { heartbeat: c.lastHeartbeat } : {}),
        ...(host ? { host } : {}),
        evidence: c ? [{ path, line: c.line, excerpt: [`${c.type} ${c.status} ${c.reason} ${c.message}`] }] : [{ path, line: d.line, excerpt: [`Name: ${d.name}`] }],
      }];
    }),
  );
}

function hhmm(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 16).replace('T', ' ')}Z` : '?';
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const listed = model.hasKube('nodes');
  const describes = model.artifacts.matchUsable('cluster/describe/nodes/*.txt');
  if (!listed && describes.length === 0) {
    const missing = [bundlePath.clusterList('nodes'), 'cluster/describe/nodes/*.txt'].flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`));
    return { findings: [], skip: { reason: ja ? 'ノード一覧も kubectl describe node の出力も収集されていない' : 'neither the node list nor kubectl describe node output was collected', missing } };
  }
  const kubeletErrors = ctx.logHits('kubeletErrors').hits;
  const findings: FindingDraft[] = [];
  for (const n of listed ? fromNodeList(model) : fromDescribe(model)) {
    const host = n.host;
    const { subject, objects } = host ? nodeSubject(model, host) : { subject: { level: 'node' as const, name: n.name }, objects: [{ kind: 'Node', name: n.name }] as ObjectRef[] };
    const evidence = [...n.evidence];
    const causes: string[] = [];
    if (host && !host.reached) causes.push(ja ? `コレクタがホスト ${host.name} に接続できなかった（${host.record.error ?? 'unreachable'}）` : `the collector could not reach host ${host.name} (${host.record.error ?? 'unreachable'})`);
    for (const unit of ['kubelet', 'containerd'] as const) {
      const state = host ? unitStatus(model, host.name, unit) : undefined;
      if (!state || !unitDown(state)) continue;
      const u = state.unit;
      causes.push(u
        ? ja ? `${unit} が動いていない（${u.activeState}${u.subState ? ` (${u.subState})` : ''}${u.result ? `, ${u.result}` : ''}${u.since ? `、${hhmm(u.since)} から` : ''}）` : `${unit} is not running (${u.activeState}${u.subState ? ` (${u.subState})` : ''}${u.result ? `, ${u.result}` : ''}${u.since ? ` since ${hhmm(u.since)}` : ''})`
        : ja ? `${unit}.service が存在しない` : `${unit}.service does not exist`);
      if (u?.activeLine != null) evidence.push({ path: state.path, line: u.activeLine, excerpt: ctx.excerpt(state.path, u.activeLine, 0, 0) });
    }
    if (causes.length === 0 && (n.status === 'Unknown' || /NodeStatusUnknown/.test(n.reason) || /stopped posting node status/i.test(n.message))) {
      causes.push(ja ? `kubelet が ${hhmm(n.heartbeat)} 以降ステータスを報告していない（kubelet 停止、ノード停止、またはネットワーク断）` : `kubelet stopped posting status at ${hhmm(n.heartbeat)} (kubelet down, node down or cut off)`);
    }
    if (causes.length === 0) causes.push(n.reason || n.message ? `${n.reason}${n.message ? `: ${short(n.message)}` : ''}` : ja ? 'Ready 状態の報告がない' : 'no Ready condition reported');

    // The last kubelet errors: the tail systemctl status printed, then the journal's sample.
    const tail = host ? unitStatus(model, host.name, 'kubelet') : undefined;
    const tailErrors = (tail?.unit?.journal ?? []).filter((e) => /^E\d{4} |"err"|level=error/.test(e.message)).slice(-2);
    for (const e of tailErrors) evidence.push({ path: tail!.path, line: e.line, excerpt: ctx.excerpt(tail!.path, e.line, 0, 0) });
    // The scanner keeps the first matches of a file; those from before the node went NotReady (a join
    // retried until its config existed) would mislead, so only lines since the transition are shown.
    const sinceMs = n.since ? Date.parse(n.since) : NaN;
    const mine = kubeletErrors
      .filter((h: LogHit) => host !== undefined && h.host === host.name)
      .filter((h) => {
        const entry = parseJournalLine(h.text, { collectedAt: ctx.collectedAt, path: h.path });
        return Number.isNaN(sinceMs) || (entry?.kind === 'entry' && entry.time !== null && Date.parse(entry.time) >= sinceMs);
      })
      .slice(-3);
    for (const h of mine) evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });

    const pods = model.pods().filter((p) => p.obj.spec?.nodeName === n.name && p.obj.status?.phase !== 'Succeeded' && p.obj.status?.phase !== 'Failed');
    const notReady = pods.filter((p) => !podReady(p.obj));
    const controlPlane = host?.roles.includes('control-plane') || pods.some((p) => p.namespace === 'kube-system' && /^kube-apiserver-/.test(p.name));
    for (const p of notReady.slice(0, 5)) objects.push({ kind: 'Pod', namespace: p.namespace ?? '', name: p.name });
    const damage = model.hasKube('pods')
      ? ja
        ? `Pod ${pods.length} 個中 ${notReady.length} 個が Ready でない${controlPlane ? '。コントロールプレーンのノードなのでクラスタ全体に影響' : ''}`
        : `${notReady.length} of ${pods.length} pods on it not Ready${controlPlane ? '; it runs the control plane, so the whole cluster is affected' : ''}`
      : ja ? 'Pod 一覧は未収集' : 'pod list not collected';
    if (notReady.length > 0) evidence.push(...notReady.slice(0, 2).map((p) => itemEvidence(p, '/status/phase', { pod: `${p.namespace}/${p.name}`, phase: p.obj.status?.phase })));
    const state = n.status === 'Unknown' ? 'Unknown' : 'NotReady';
    // Down: nothing on the node reports any more (its pods' status is stale), which is what lets this
    // finding explain others on the node (calico-node-not-ready) rather than be explained by them.
    const kubelet = host ? unitStatus(model, host.name, 'kubelet') : undefined;
    const down = (host !== undefined && !host.reached) || (kubelet !== undefined && unitDown(kubelet)) || n.status === 'Unknown' || /NodeStatusUnknown/.test(n.reason) || /stopped posting node status/i.test(n.message);
    findings.push({
      subject,
      objects,
      evidence,
      values: { state, since: hhmm(n.since), cause: causes.join(ja ? '。' : '; '), damage, down: down ? 'yes' : 'no' },
    });
  }
  return { findings };
}
