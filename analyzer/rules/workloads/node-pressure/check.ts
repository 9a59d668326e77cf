// Fires per node and pressure condition that is True now (MemoryPressure, DiskPressure, PIDPressure): how
// long, the kubelet eviction threshold that applies (its config's evictionHard, else kubelet's defaults),
// and the biggest consumers the bundle can show: for memory the node's pods by memory request/limit and
// those with no request at all; for disk the evicted pods' usage and kubelet's image-GC failures.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { kubeletConfigOf } from '../../../model/node.js';
import { containerSpecOf, formatAge, formatBytes, parseQuantity, timeOf } from '../../../model/workloads.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const SIGNALS: Record<string, string[]> = {
  MemoryPressure: ['memory.available'],
  DiskPressure: ['nodefs.available', 'imagefs.available', 'nodefs.inodesFree', 'imagefs.inodesFree'],
  PIDPressure: ['pid.available'],
};
/** kubelet's evictionHard defaults on Linux. */
const DEFAULTS: Record<string, string> = { 'memory.available': '100Mi', 'nodefs.available': '10%', 'imagefs.available': '15%', 'nodefs.inodesFree': '5%', 'imagefs.inodesFree': '5%' };

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('nodes')) {
    return { findings: [], skip: { reason: ja ? 'ノードが収集されていない' : 'nodes were not collected', missing: model.artifacts.explainMissing('cluster/nodes.json').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const now = ctx.collectedAt.getTime();
  const kubelet = ctx.logHits('pressureLog').hits;
  const findings: FindingDraft[] = [];
  for (const node of model.nodes) {
    node.conditions.forEach((cond, index) => {
      const signals = SIGNALS[cond.type ?? ''];
      if (!signals || cond.status !== 'True') return;
      const host = node.host?.name;
      const config = host ? kubeletConfigOf(model, host) : undefined;
      const evidence: Evidence[] = [itemEvidence(node.item, `/status/conditions/${index}`, cond)];
      const objects: ObjectRef[] = [{ kind: 'Node', name: node.name }];
      const configured = signals.filter((s) => config?.facts.evictionHard[s] !== undefined);
      // A configured evictionHard replaces kubelet's defaults for the signals it names.
      const thresholds = (configured.length > 0 ? configured : signals)
        .map((s) => `${s}<${config?.facts.evictionHard[s] ?? DEFAULTS[s] ?? '?'}`)
        .filter((t) => !t.endsWith('<?'));
      if (config && configured.length > 0) evidence.push({ path: config.path, ...(config.facts.lines.evictionHard ? { line: config.facts.lines.evictionHard } : {}), excerpt: configured.map((s) => `${s}: ${config.facts.evictionHard[s]}`) });
      const thresholdText = thresholds.length > 0 ? `${ja ? '退避閾値' : 'eviction threshold'} ${thresholds.join(', ')}${configured.length > 0 ? '' : ja ? '（kubelet の既定値）' : ' (kubelet defaults)'}` : '';
      const consumers: string[] = [];
      const onNode = model.pods().filter((p) => p.obj.spec?.nodeName === node.name);
      if (cond.type === 'MemoryPressure') {
        const running = onNode.filter((p) => p.obj.status?.phase === 'Running' || p.obj.status?.phase === 'Pending');
        const sized = running
          .map((p) => {
            const cs = p.obj.spec?.containers ?? [];
            const mem = (r: 'requests' | 'limits') => cs.reduce((n, c) => n + (parseQuantity(containerSpecOf(p.obj, c.name)?.resources?.[r]?.memory) ?? 0), 0);
            return { p, req: mem('requests'), lim: mem('limits') };
          })
          .sort((a, b) => Math.max(b.req, b.lim) - Math.max(a.req, a.lim));
        const top = sized.filter((x) => x.req > 0 || x.lim > 0).slice(0, 3);
        for (const t of top) objects.push({ kind: 'Pod', namespace: t.p.namespace ?? '', name: t.p.name });
        if (top.length > 0) consumers.push(`${ja ? '大きな Pod（request/limit）' : 'biggest pods by request/limit'}: ${top.map((t) => `${t.p.namespace}/${t.p.name} ${formatBytes(t.req)}/${t.lim > 0 ? formatBytes(t.lim) : '-'}`).join(', ')}`);
        const unbounded = sized.filter((x) => x.req === 0);
        if (unbounded.length > 0) consumers.push(ja ? `memory の request がない Pod ${unbounded.length} 個（実使用量が見えない）` : `${unbounded.length} pod(s) with no memory request (their real use is invisible to the scheduler)`);
      }
      if (cond.type === 'DiskPressure') {
        const evicted = onNode.filter((p) => p.obj.status?.reason === 'Evicted' && /ephemeral|storage/i.test(p.obj.status.message ?? ''));
        const users = evicted.flatMap((p) => {
          const m = /Container (\S+) was using (\S+?),/.exec(p.obj.status?.message ?? '');
          return m ? [{ p, text: `${p.namespace}/${p.name} (${m[1]} ${m[2]})` }] : [];
        });
        if (users.length > 0) consumers.push(`${ja ? '退避された Pod の使用量' : 'evicted pods used'}: ${users.slice(0, 3).map((u) => u.text).join(', ')}`);
        for (const u of users.slice(0, 3)) objects.push({ kind: 'Pod', namespace: u.p.namespace ?? '', name: u.p.name });
      }
      const lines = kubelet.filter((h) => h.host !== undefined && h.host === host);
      const gc = lines.filter((l) => /garbage collect|Image garbage collection failed/i.test(l.text));
      if (cond.type === 'DiskPressure' && gc.length > 0) {
        const freed = /Attempted to free (\d+) bytes, but only found (\d+) bytes/.exec(gc[gc.length - 1]!.text);
        consumers.push(
          freed
            ? ja
              ? `イメージ GC は ${formatBytes(Number(freed[1]))} 空けたかったが ${formatBytes(Number(freed[2]))} しか空けられない（使用中のイメージ）`
              : `image GC wanted to free ${formatBytes(Number(freed[1]))} but found ${formatBytes(Number(freed[2]))} eligible (images in use)`
            : ja
              ? 'イメージ GC が失敗'
              : 'image GC failed',
        );
      }
      for (const l of lines.slice(-3)) evidence.push({ path: l.path, line: l.line, excerpt: [l.text] });
      const since = timeOf(cond.lastTransitionTime);
      findings.push({
        subject: { level: 'node', name: node.name },
        objects,
        evidence: evidence.slice(0, 8),
        values: {
          node: node.name,
          condition: cond.type!,
          age: since !== undefined && since <= now ? formatAge(now - since) : ja ? '不明' : 'unknown',
          detail: [thresholdText, ...consumers].filter(Boolean).join(ja ? '。' : '; ') || (cond.message ?? ''),
        },
      });
    });
  }
  return { findings };
}
