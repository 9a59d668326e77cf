// Fires per Pending PVC without storageClassName when no StorageClass is marked default, or more than one
// is. A cluster with no StorageClass at all is storageclass-missing's finding, not this one.
import { bundlePath } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { claimEvidence, classesEvidence, eventEvidence, eventsFor, isDefaultClass, pendingClaims, type StorageClass } from '../../../model/workloads.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const missing = [bundlePath.clusterList('storageclasses'), 'cluster/namespaces/*/persistentvolumeclaims.json'].filter((p) => model.artifacts.matchUsable(p).length === 0);
  if (missing.length > 0) {
    return { findings: [], skip: { reason: ja ? 'StorageClass か PVC が収集されていない' : 'storage classes or PVCs were not collected', missing: missing.flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`)) } };
  }
  const classes = model.kube<StorageClass>('storageclasses');
  if (classes.length === 0) return { findings: [] };
  const defaults = classes.filter((c) => isDefaultClass(c.obj));
  if (defaults.length === 1) return { findings: [] };
  const reason =
    defaults.length === 0
      ? ja
        ? `default の StorageClass がない（クラス: ${classes.map((c) => c.name).join(', ')}）`
        : `no StorageClass is marked default (classes: ${classes.map((c) => c.name).join(', ')})`
      : ja
        ? `default の StorageClass が ${defaults.length} 個ある（${defaults.map((c) => c.name).join(', ')}）`
        : `${defaults.length} StorageClasses are default (${defaults.map((c) => c.name).join(', ')})`;
  const findings: FindingDraft[] = [];
  for (const claim of pendingClaims(model)) {
    const wanted = claim.obj.spec?.storageClassName;
    if (wanted !== undefined && wanted !== null) continue;
    const ns = claim.namespace ?? '';
    const events = eventsFor(model, 'PersistentVolumeClaim', ns, claim.name).slice(-2);
    findings.push({
      subject: { level: 'namespace', name: ns },
      objects: [{ kind: 'PersistentVolumeClaim', namespace: ns, name: claim.name }],
      evidence: [claimEvidence(claim), classesEvidence(classes), ...events.map(eventEvidence)],
      values: { pvc: `${ns}/${claim.name}`, reason },
    });
  }
  return { findings };
}
