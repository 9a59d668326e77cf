// Fires per container whose last run (or current state) ended OOMKilled, unless it has run since for a
// day without a restart (history, not a fault). It tells the two fixes apart: a container that hit its own
// memory limit (the kernel's oom-kill line says CONSTRAINT_MEMCG for the pod's cgroup) needs a bigger
// limit or a smaller appetite; a container killed because the node ran out (CONSTRAINT_NONE, the node's
// MemoryPressure, no limit set) needs requests that stop overcommitting the node, or more memory on the VM.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { containerSpecOf, formatAge, formatBytes, journalLineTime, parseKernelOom, parseQuantity, statusesOf, timeOf, type KernelOom } from '../../../model/workloads.js';
import type { Evidence } from '../../../report/types.js';

const DAY = 86_400_000;
/** Kernel lines this close to the container's end are about its death. */
const NEAR = 10 * 60_000;

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('pods')) {
    return { findings: [], skip: { reason: ja ? 'Pod が収集されていない' : 'pods were not collected', missing: model.artifacts.explainMissing('cluster/namespaces/*/pods.json').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const now = ctx.collectedAt.getTime();
  const kernel = ctx.logHits('kernelOom').hits.flatMap((h) => {
    const oom = parseKernelOom(h.text);
    return oom && h.host !== undefined ? [{ hit: h, oom, host: h.host, time: journalLineTime(h.text) }] : [];
  });
  const findings: FindingDraft[] = [];
  for (const pod of model.pods()) {
    const ns = pod.namespace ?? '';
    for (const s of statusesOf(pod.obj)) {
      const st = s.status;
      const current = st.state?.terminated?.reason === 'OOMKilled';
      const term = current ? st.state!.terminated! : st.lastState?.terminated?.reason === 'OOMKilled' ? st.lastState.terminated : undefined;
      if (!term) continue;
      const started = timeOf(st.state?.running?.startedAt);
      if (started !== undefined && now - started >= DAY) continue;
      const container = st.name ?? '';
      const resources = containerSpecOf(pod.obj, container)?.resources;
      const limit = parseQuantity(resources?.limits?.memory);
      const request = parseQuantity(resources?.requests?.memory);
      const nodeName = pod.obj.spec?.nodeName;
      const node = nodeName ? model.node(nodeName) : undefined;
      const host = node?.host?.name ?? (nodeName && model.host(nodeName) ? nodeName : undefined);
      const finished = timeOf(term.finishedAt);
      const uid = pod.obj.metadata?.uid;
      const onHost = kernel.filter((k) => k.host === host);
      const mine = onHost.filter((k) => uid !== undefined && k.oom.podUid === uid);
      const nodeWide = onHost.filter((k) => k.oom.scope === 'node' && (finished === undefined || k.time === undefined || Math.abs(k.time - finished) <= NEAR));
      const pressureIndex = node?.conditions.findIndex((c) => c.type === 'MemoryPressure' && c.status === 'True') ?? -1;
      const scopeOf = (o: KernelOom[]) => (o.some((x) => x.scope === 'limit') ? 'limit' : o.some((x) => x.scope === 'node') ? 'node' : undefined);
      const byKernel = scopeOf(mine.map((k) => k.oom)) ?? (nodeWide.length > 0 ? 'node' : undefined);
      const nodeLevel = byKernel === 'node' || (byKernel === undefined && (limit === undefined || pressureIndex >= 0));
      const evidence: Evidence[] = [
        itemEvidence(pod, s.pointer, { name: container, restartCount: st.restartCount, state: st.state, ...(current ? {} : { lastState: st.lastState }) }),
      ];
      if (resources) evidence.push(itemEvidence(pod, `/spec/${s.init ? 'initContainers' : 'containers'}/${(s.init ? pod.obj.spec?.initContainers : pod.obj.spec?.containers)?.findIndex((c) => c.name === container) ?? 0}/resources`, resources));
      for (const k of [...mine, ...nodeWide.filter((k) => !mine.includes(k))].slice(-3)) evidence.push({ path: k.hit.path, line: k.hit.line, excerpt: [k.hit.text] });
      if (node && pressureIndex >= 0) evidence.push(itemEvidence(node.item, `/status/conditions/${pressureIndex}`, node.conditions[pressureIndex]));
      const limitText = limit !== undefined ? formatBytes(limit) : undefined;
      const requestText = request !== undefined ? formatBytes(request) : ja ? 'なし' : 'none';
      let cause: string;
      if (!nodeLevel) {
        cause = ja ? `コンテナ自身のメモリ limit ${limitText}（request ${requestText}）に達した` : `it reached its own memory limit ${limitText} (request ${requestText})`;
      } else {
        const where = nodeName ?? (ja ? '（不明なノード）' : '(unknown node)');
        const why = [
          byKernel === 'node' ? (ja ? 'カーネルの OOM killer がノード全体のメモリ不足で動いた' : 'the kernel OOM killer ran for the whole node') : '',
          pressureIndex >= 0 ? 'MemoryPressure=True' : '',
          limit === undefined ? (ja ? 'メモリ limit が未設定' : 'no memory limit is set') : (ja ? `limit ${limitText} には達していない` : `its limit ${limitText} was not the trigger`),
        ].filter(Boolean);
        cause = ja ? `ノード ${where} のメモリが尽きた（${why.join('、')}）` : `node ${where} ran out of memory (${why.join('; ')})`;
      }
      const when = finished !== undefined ? (ja ? `${formatAge(now - finished)}前` : `${formatAge(now - finished)} ago`) : ja ? '時刻不明' : 'time unknown';
      findings.push({
        subject: { level: 'namespace', name: ns },
        objects: [{ kind: 'Pod', namespace: ns, name: pod.name }, ...(nodeLevel && nodeName ? [{ kind: 'Node', name: nodeName }] : [])],
        evidence,
        values: {
          pod: `${ns}/${pod.name}`,
          container: `${container}${s.init ? (ja ? '（init）' : ' (init)') : ''}`,
          restarts: st.restartCount ?? 0,
          when,
          kind: nodeLevel ? (ja ? 'ノードのメモリ不足' : 'node out of memory') : ja ? 'limit 超過' : 'limit reached',
          cause,
        },
      });
    }
  }
  return { findings };
}
