// Fires per Pending PVC of a local-path class that has something to wait for (Immediate binding, or a
// consumer pod / selected node with WaitForFirstConsumer) and shows a sign of the provisioner failing:
// ProvisioningFailed events, provisioner log errors naming the claim or its volume, a helper pod that
// failed, or no running provisioner. A WaitForFirstConsumer PVC without a consumer is normal and silent.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { claimEvidence, consumersOf, eventEvidence, eventsFor, pendingClaims, statusesOf, type StorageClass } from '../../../model/workloads.js';
import type { Evidence } from '../../../report/types.js';

const LOCAL_PATH = 'rancher.io/local-path';
const PROVISIONER_POD = /^local-path-provisioner-/;
const HELPER_POD = /^helper-pod-(?:create|delete)-(pvc-[0-9a-f-]+)/;

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('persistentvolumeclaims') || !model.hasKube('storageclasses')) {
    const missing = ['cluster/storageclasses.json', 'cluster/namespaces/*/persistentvolumeclaims.json'].filter((p) => model.artifacts.matchUsable(p).length === 0);
    return { findings: [], skip: { reason: ja ? 'StorageClass か PVC が収集されていない' : 'storage classes or PVCs were not collected', missing: missing.flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`)) } };
  }
  const classes = new Map(model.kube<StorageClass>('storageclasses').map((c) => [c.name, c.obj]));
  const defaultClass = [...classes.entries()].find(([, c]) => c.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true')?.[0];
  const logHits = ctx.logHits('provisionerErrors').hits;
  const provisioners = model.pods().filter((p) => PROVISIONER_POD.test(p.name));
  const provisionerRunning = provisioners.some((p) => p.obj.status?.phase === 'Running' && statusesOf(p.obj).every((s) => s.status.ready !== false));
  const findings: FindingDraft[] = [];
  for (const claim of pendingClaims(model)) {
    const className = claim.obj.spec?.storageClassName ?? defaultClass;
    const sc = className ? classes.get(className) : undefined;
    if (sc?.provisioner !== LOCAL_PATH) continue;
    const ns = claim.namespace ?? '';
    const consumers = consumersOf(model, claim);
    const selectedNode = claim.obj.metadata?.annotations?.['volume.kubernetes.io/selected-node'];
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && consumers.length === 0 && !selectedNode) continue;
    const volume = `pvc-${claim.obj.metadata?.uid ?? '?'}`;
    const reasons: string[] = [];
    const evidence: Evidence[] = [claimEvidence(claim)];
    const failed = eventsFor(model, 'PersistentVolumeClaim', ns, claim.name).filter((e) => e.obj.reason === 'ProvisioningFailed');
    if (failed.length > 0) {
      const last = failed[failed.length - 1]!;
      reasons.push((last.obj.message ?? '').replace(/^failed to provision volume with StorageClass "[^"]+": /, ''));
      evidence.push(eventEvidence(last));
    }
    const lines = logHits.filter((h) => h.text.includes(volume) || h.text.includes(`${ns}/${claim.name}`) || (claim.obj.metadata?.uid !== undefined && h.text.includes(claim.obj.metadata.uid)));
    if (lines.length > 0) {
      if (failed.length === 0) reasons.push(ja ? 'local-path-provisioner のログにエラー' : 'local-path-provisioner logs errors for it');
      for (const h of lines.slice(-2)) evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });
    }
    const helper = model.pods().find((p) => HELPER_POD.exec(p.name)?.[1] === volume && p.obj.status?.phase !== 'Running' && p.obj.status?.phase !== 'Succeeded');
    if (helper) {
      const waiting = statusesOf(helper.obj).map((s) => s.status.state?.waiting?.reason ?? s.status.state?.terminated?.reason).find(Boolean);
      reasons.push(ja ? `helper Pod ${helper.name} が ${waiting ?? helper.obj.status?.phase}` : `helper pod ${helper.name} is ${waiting ?? helper.obj.status?.phase}`);
      evidence.push(itemEvidence(helper, '/status', { phase: helper.obj.status?.phase, containerStatuses: helper.obj.status?.containerStatuses?.map((s) => ({ name: s.name, state: s.state })) }));
    }
    if (model.hasKube('pods') && !provisionerRunning) {
      reasons.push(provisioners.length === 0 ? (ja ? 'local-path-provisioner の Pod がない' : 'no local-path-provisioner pod exists') : ja ? `local-path-provisioner が動いていない（${provisioners[0]!.name}）` : `local-path-provisioner is not running (${provisioners[0]!.name})`);
      if (provisioners[0]) evidence.push(itemEvidence(provisioners[0], '/status', { phase: provisioners[0].obj.status?.phase, containerStatuses: provisioners[0].obj.status?.containerStatuses?.map((s) => ({ name: s.name, ready: s.ready, state: s.state })) }));
    }
    if (reasons.length === 0) continue;
    findings.push({
      subject: { level: 'namespace', name: ns },
      objects: [{ kind: 'PersistentVolumeClaim', namespace: ns, name: claim.name }, ...consumers.slice(0, 3).map((p) => ({ kind: 'Pod', namespace: ns, name: p.name }))],
      evidence,
      values: { pvc: `${ns}/${claim.name}`, reason: reasons.join('; ') },
    });
  }
  return { findings };
}
