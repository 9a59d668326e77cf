// Fires per pod stuck in ContainerCreating (or PodInitializing) for more than two minutes while kubelet
// reports FailedMount / FailedAttachVolume: names each volume that does not mount, what it is (the Secret,
// ConfigMap, hostPath, NFS export or claim behind it, through the PV when the bundle has it) and kubelet's
// words. A claim on local-path points at the provisioner's helper pods, whose failures are
// local-path-provisioner-failing's. A pod running now has mounted everything, whatever its old events say.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { KubeEvent, KubeItem, KubeObject, PodVolume } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import { eventEvidence, eventsFor, formatAge, statusesOf, timeOf, type PersistentVolumeClaim } from '../../../model/workloads.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const GRACE = 2 * 60_000;
const STUCK = /^(ContainerCreating|PodInitializing)$/;

interface PersistentVolume extends KubeObject {
  spec?: { nfs?: { server?: string; path?: string }; hostPath?: { path?: string }; local?: { path?: string }; storageClassName?: string; csi?: { driver?: string } };
}

/** The volume a kubelet mount message is about: `for volume "x"`, `unmounted volumes=[a b]`. */
function volumesOf(message: string): string[] {
  const one = /for volume "([^"]+)"/.exec(message)?.[1];
  if (one) return [one];
  const list = /unmounted volumes=\[([^\]]*)\]/.exec(message)?.[1];
  return list ? list.split(/\s+/).filter(Boolean) : [];
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('pods')) {
    return { findings: [], skip: { reason: ja ? 'Pod が収集されていない' : 'pods were not collected', missing: model.artifacts.explainMissing('cluster/namespaces/*/pods.json').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const now = ctx.collectedAt.getTime();
  const claims = model.kube<PersistentVolumeClaim>('persistentvolumeclaims');
  const pvs = model.kube<PersistentVolume>('persistentvolumes');
  const configmapsKnown = model.hasKube('configmaps');
  const configmaps = model.kube('configmaps');
  const findings: FindingDraft[] = [];
  for (const pod of model.pods()) {
    const ns = pod.namespace ?? '';
    if (pod.obj.status?.phase !== 'Pending' || !pod.obj.spec?.nodeName) continue;
    const statuses = statusesOf(pod.obj);
    if (statuses.length > 0 && !statuses.some((s) => STUCK.test(s.status.state?.waiting?.reason ?? ''))) continue;
    const created = timeOf(pod.obj.metadata?.creationTimestamp);
    if (created !== undefined && now - created < GRACE) continue;
    const events = eventsFor(model, 'Pod', ns, pod.name).filter((e) => e.obj.reason === 'FailedMount' || e.obj.reason === 'FailedAttachVolume');
    if (events.length === 0) continue;
    // Per volume, the newest message that names it; kubelet's specific SetUp error over its generic timeout.
    const byVolume = new Map<string, KubeItem<KubeEvent>>();
    for (const e of [...events].reverse()) {
      for (const v of volumesOf(e.obj.message ?? '')) {
        const prior = byVolume.get(v);
        if (!prior || (/^Unable to attach or mount volumes/.test(prior.obj.message ?? '') && !/^Unable to attach or mount volumes/.test(e.obj.message ?? ''))) byVolume.set(v, e);
      }
    }
    if (byVolume.size === 0) byVolume.set('?', events[events.length - 1]!);
    const objects: ObjectRef[] = [{ kind: 'Pod', namespace: ns, name: pod.name }];
    const evidence: Evidence[] = [itemEvidence(pod, '/status', { phase: pod.obj.status?.phase, containerStatuses: statuses.map((s) => ({ name: s.status.name, state: s.status.state })) })];
    const parts: string[] = [];
    const volumes = pod.obj.spec?.volumes ?? [];
    for (const [name, event] of byVolume) {
      evidence.push(eventEvidence(event));
      // kubelet names a claim's volume by its PV (`pvc-…`), the pod spec by the volume's own name.
      let vi = volumes.findIndex((v) => v.name === name);
      if (vi < 0) vi = volumes.findIndex((v) => claims.some((c) => c.namespace === ns && c.name === v.persistentVolumeClaim?.claimName && c.obj.spec?.volumeName === name));
      const vol: PodVolume | undefined = volumes[vi];
      if (vol) evidence.push(itemEvidence(pod, `/spec/volumes/${vi}`, vol));
      const source = describeSource(vol, ns, ja, { pods: model.pods(), claims, pvs, configmapsKnown, configmaps, objects, evidence });
      const raw = event.obj.message ?? '';
      // mount(8)'s own complaint is on the Output: line of kubelet's multi-line message.
      const output = /\nOutput:\s*(.+)/.exec(raw)?.[1]?.trim();
      const msg = (output ? `${raw.split('\n')[0]} — ${output}` : raw).replace(/^MountVolume\.[\w ]+? failed for volume "[^"]+"\s*:\s*/, '');
      const label = vol?.name && vol.name !== name ? `${vol.name} (${name})` : name;
      parts.push(`${ja ? 'ボリューム' : 'volume'} ${label}${source ? ` (${source})` : ''}: ${msg.length > 200 ? `${msg.slice(0, 200)}…` : msg}`);
    }
    findings.push({
      subject: { level: 'namespace', name: ns },
      objects,
      evidence: evidence.slice(0, 8),
      values: {
        pod: `${ns}/${pod.name}`,
        node: pod.obj.spec.nodeName,
        age: created !== undefined ? formatAge(now - created) : '?',
        volumes: parts.join(ja ? '。' : '; '),
      },
    });
  }
  return { findings };
}

function describeSource(
  vol: PodVolume | undefined,
  ns: string,
  ja: boolean,
  j: { pods: KubeItem[]; claims: KubeItem<PersistentVolumeClaim>[]; pvs: KubeItem<PersistentVolume>[]; configmapsKnown: boolean; configmaps: KubeItem[]; objects: ObjectRef[]; evidence: Evidence[] },
): string {
  if (!vol) return '';
  if (vol.secret?.secretName) {
    j.objects.push({ kind: 'Secret', namespace: ns, name: vol.secret.secretName });
    return `Secret ${vol.secret.secretName}`;
  }
  if (vol.configMap?.name) {
    j.objects.push({ kind: 'ConfigMap', namespace: ns, name: vol.configMap.name });
    const missing = j.configmapsKnown && !j.configmaps.some((c) => c.namespace === ns && c.name === vol.configMap!.name);
    return `ConfigMap ${vol.configMap.name}${missing ? (ja ? '、バンドルにない' : ', not in the bundle') : ''}`;
  }
  if (vol.hostPath?.path) return `hostPath ${vol.hostPath.path}${vol.hostPath.type ? ` type ${vol.hostPath.type}` : ''}`;
  if (vol.nfs?.server) return `NFS ${vol.nfs.server}:${vol.nfs.path ?? '/'}`;
  const claimName = vol.persistentVolumeClaim?.claimName;
  if (!claimName) return '';
  j.objects.push({ kind: 'PersistentVolumeClaim', namespace: ns, name: claimName });
  const claim = j.claims.find((c) => c.namespace === ns && c.name === claimName);
  const pv = claim?.obj.spec?.volumeName ? j.pvs.find((p) => p.name === claim.obj.spec!.volumeName) : undefined;
  if (pv) j.evidence.push(itemEvidence(pv, '/spec', pv.obj.spec));
  const cls = claim?.obj.spec?.storageClassName ?? pv?.obj.spec?.storageClassName;
  const backing = pv?.obj.spec?.nfs?.server
    ? `NFS ${pv.obj.spec.nfs.server}:${pv.obj.spec.nfs.path ?? '/'}`
    : (pv?.obj.spec?.hostPath?.path ?? pv?.obj.spec?.local?.path)
      ? `${ja ? 'ノード上のパス' : 'node path'} ${pv?.obj.spec?.hostPath?.path ?? pv?.obj.spec?.local?.path}`
      : pv?.obj.spec?.csi?.driver
        ? `CSI ${pv.obj.spec.csi.driver}`
        : '';
  let helper = '';
  if (cls === 'local-path') {
    const pvName = claim?.obj.spec?.volumeName;
    const helpers = j.pods.filter((p) => /^helper-pod-/.test(p.name) && pvName !== undefined && p.name.includes(pvName));
    for (const h of helpers) j.objects.push({ kind: 'Pod', namespace: h.namespace ?? '', name: h.name });
    helper =
      helpers.length > 0
        ? ja
          ? `、local-path のヘルパー Pod: ${helpers.map((h) => `${h.namespace}/${h.name}`).join(', ')}`
          : `; local-path helper pods: ${helpers.map((h) => `${h.namespace}/${h.name}`).join(', ')}`
        : ja
          ? '、local-path のヘルパー Pod（local-path-storage の helper-pod-*）とそのログを確認'
          : '; check the local-path helper pods (helper-pod-* in local-path-storage) and their logs';
  }
  return `PVC ${claimName}${cls ? `, class ${cls}` : ''}${pv ? `, PV ${pv.name}` : ''}${backing ? `, ${backing}` : ''}${helper}`;
}
