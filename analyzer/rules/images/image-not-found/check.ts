// Fires per namespace and image whose pods wait on a pull the registry answers "not found" / "manifest
// unknown" (a wrong tag or name), per node whose sandbox (pause) image is not found, and per attachment
// quoting such an error. The newest error of a container decides, so a pod that hit Docker Hub's rate
// limit (429) or a credentials problem is left to the rule for that.
import type { CheckContext, CheckResult } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { pullErrorTail, pullGroups, pullLogsMissing, registryOf } from '../../../model/workloads.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const logs = ctx.logHits('pullLogs');
  const groups = pullGroups(model, { cls: 'not-found', logHits: logs.hits, logsScanned: logs.scanned.length, ja: ctx.lang === 'ja' });
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
