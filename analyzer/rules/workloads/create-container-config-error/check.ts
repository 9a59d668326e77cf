// Fires per container waiting in CreateContainerConfigError: kubelet cannot build its configuration
// because a Secret or ConfigMap it references (env, envFrom, a key) does not exist. The finding names the
// object and key from kubelet's message, the place in the pod spec that references it, and, for
// ConfigMaps (collected; Secrets never are), whether the bundle shows the map or the key.
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { KubeObject } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import { containerSpecOf, eventEvidence, eventsFor, formatAge, statusesOf, timeOf } from '../../../model/workloads.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const GRACE = 2 * 60_000;

/** What kubelet's message says is missing: `secret "x" not found`, `couldn't find key k in ConfigMap ns/x`. */
export function missingRef(message: string): { kind: 'Secret' | 'ConfigMap'; name: string; key?: string } | undefined {
  const notFound = /\b(secret|configmap) "([^"]+)" not found/i.exec(message);
  if (notFound) return { kind: notFound[1]!.toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap', name: notFound[2]! };
  const key = /couldn't find key (\S+) in (Secret|ConfigMap) (?:[^/\s]+\/)?(\S+)/i.exec(message);
  if (key) return { kind: key[2]!.toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap', name: key[3]!, key: key[1]! };
  return undefined;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('pods')) {
    return { findings: [], skip: { reason: ja ? 'Pod が収集されていない' : 'pods were not collected', missing: model.artifacts.explainMissing('cluster/namespaces/*/pods.json').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const now = ctx.collectedAt.getTime();
  const configmapsKnown = model.hasKube('configmaps');
  const configmaps = model.kube<KubeObject>('configmaps');
  const findings: FindingDraft[] = [];
  for (const pod of model.pods()) {
    const ns = pod.namespace ?? '';
    const created = timeOf(pod.obj.metadata?.creationTimestamp);
    if (created !== undefined && now - created < GRACE) continue;
    for (const s of statusesOf(pod.obj)) {
      const waiting = s.status.state?.waiting;
      if (waiting?.reason !== 'CreateContainerConfigError') continue;
      const container = s.status.name ?? '';
      const events = eventsFor(model, 'Pod', ns, pod.name).filter((e) => e.obj.reason === 'Failed' && (!e.obj.involvedObject?.fieldPath || e.obj.involvedObject.fieldPath.endsWith(`{${container}}`)));
      const message = waiting.message ?? events[events.length - 1]?.obj.message?.replace(/^Error:\s*/, '') ?? '';
      const evidence: Evidence[] = [itemEvidence(pod, `${s.pointer}/state/waiting`, waiting)];
      if (events.length > 0) evidence.push(eventEvidence(events[events.length - 1]!));
      const objects: ObjectRef[] = [{ kind: 'Pod', namespace: ns, name: pod.name }];
      const ref = missingRef(message);
      const details: string[] = [];
      if (ref) {
        objects.push({ kind: ref.kind, namespace: ns, name: ref.name });
        const spec = containerSpecOf(pod.obj, container);
        const users = [
          ...(spec?.env ?? [])
            .filter((e) => {
              const r = ref.kind === 'Secret' ? e.valueFrom?.secretKeyRef : e.valueFrom?.configMapKeyRef;
              return r?.name === ref.name && (ref.key === undefined || r.key === ref.key);
            })
            .map((e) => `env ${e.name}`),
          ...(spec?.envFrom ?? []).filter((e) => (ref.kind === 'Secret' ? e.secretRef?.name : e.configMapRef?.name) === ref.name).map(() => 'envFrom'),
        ];
        if (users.length > 0) details.push(ja ? `参照元: ${users.join(', ')}` : `used by ${users.join(', ')}`);
        if (ref.kind === 'ConfigMap' && configmapsKnown) {
          const cm = configmaps.find((c) => c.namespace === ns && c.name === ref.name);
          if (!cm) details.push(ja ? `バンドルの ${ns} に ConfigMap ${ref.name} はない` : `no ConfigMap ${ref.name} in ${ns} in the bundle`);
          else {
            const keys = Object.keys({ ...(cm.obj.data ?? {}), ...((cm.obj.binaryData as Record<string, string> | undefined) ?? {}) }).sort();
            evidence.push(itemEvidence(cm, '', { name: cm.name, keys }));
            if (ref.key !== undefined && !keys.includes(ref.key)) details.push(ja ? `ConfigMap ${ref.name} のキー: ${keys.join(', ') || 'なし'}` : `ConfigMap ${ref.name} has keys: ${keys.join(', ') || 'none'}`);
          }
        }
      }
      findings.push({
        subject: { level: 'namespace', name: ns },
        objects,
        evidence,
        values: {
          pod: `${ns}/${pod.name}`,
          container,
          error: message || 'CreateContainerConfigError',
          age: created !== undefined ? formatAge(now - created) : '?',
          detail: details.length > 0 ? ` (${details.join('; ')})` : '',
        },
      });
    }
  }
  return { findings };
}
