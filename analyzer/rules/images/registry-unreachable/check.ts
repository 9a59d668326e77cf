// Fires per namespace and image whose pods wait on a pull that cannot reach the registry (DNS "no such
// host", i/o timeout, connection refused, no route), per node whose sandbox (pause) image cannot be
// fetched (kubelet/containerd "failed to get sandbox image"), and per attachment quoting such an error.
import type { CheckContext, CheckResult } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { pullErrorTail, pullGroups, pullLogsMissing, registryOf } from '../../../model/workloads.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const logs = ctx.logHits('pullLogs');
  const groups = pullGroups(model, { cls: 'unreachable', logHits: logs.hits, logsScanned: logs.scanned.length, ja: ctx.lang === 'ja' });
  if (!groups) return { findings: [], skip: { reason: 'no pods, events, kubelet or containerd journal in the bundle', missing: pullLogsMissing(model) } };
  return {
    findings: groups.map((g) => ({
      subject: g.subject,
      objects: g.objects,
      evidence: g.evidence,
      values: { image: g.image, registry: registryOf(g.image), where: g.where.join(', '), error: pullErrorTail(g.message) },
    })),
  };
}
