// Fires per Pending PVC that names a StorageClass that does not exist, or, when the cluster has no
// StorageClass at all, per Pending PVC that waits for dynamic provisioning. `storageClassName: ""` asks
// for a pre-created PV on purpose and is left alone.
import { bundlePath } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { claimEvidence, classesEvidence, eventEvidence, eventsFor, pendingClaims, type StorageClass } from '../../../model/workloads.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const missing = [bundlePath.clusterList('storageclasses'), 'cluster/namespaces/*/persistentvolumeclaims.json'].filter((p) => model.artifacts.matchUsable(p).length === 0);
  if (missing.length > 0) {
    return { findings: [], skip: { reason: ja ? 'StorageClass か PVC が収集されていない' : 'storage classes or PVCs were not collected', missing: missing.flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`)) } };
  }
  const classes = model.kube<StorageClass>('storageclasses');
  const names = new Set(classes.map((c) => c.name));
  const findings: FindingDraft[] = [];
  for (const claim of pendingClaims(model)) {
    const wanted = claim.obj.spec?.storageClassName;
    if (wanted === '') continue;
    let reason: string;
    if (classes.length === 0) reason = ja ? 'クラスタに StorageClass が 1 つもない' : 'the cluster has no StorageClass at all';
    else if (wanted && !names.has(wanted)) reason = ja ? `StorageClass "${wanted}" が存在しない（あるのは ${[...names].join(', ')}）` : `StorageClass "${wanted}" does not exist (there is ${[...names].join(', ')})`;
    else continue;
    const ns = claim.namespace ?? '';
    const events = eventsFor(model, 'PersistentVolumeClaim', ns, claim.name).filter((e) => e.obj.type === 'Warning').slice(-2);
    findings.push({
      subject: { level: 'namespace', name: ns },
      objects: [{ kind: 'PersistentVolumeClaim', namespace: ns, name: claim.name }],
      evidence: [claimEvidence(claim), classesEvidence(classes), ...events.map(eventEvidence)],
      values: { pvc: `${ns}/${claim.name}`, reason },
    });
  }
  return { findings };
}
