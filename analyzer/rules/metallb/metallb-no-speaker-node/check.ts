// Fires once per cluster when LoadBalancer addresses exist (or pools wait for them) but no node can
// announce them: no speaker pod at all, no speaker Ready, every node with a Ready speaker labelled
// node.kubernetes.io/exclude-from-external-load-balancers or NotReady, or the L2Advertisements'
// nodeSelectors match none of those nodes. One speaker down while others announce is not this fault;
// the control plane carrying the exclude label (kubeadm's default) is normal.
import type { CheckContext, CheckResult } from '../../../engine/types.js';
import { itemEvidence } from '../../../engine/evidence.js';
import { podReady, type Model } from '../../../model/model.js';
import { advertisements, EXCLUDE_LB_LABEL, loadBalancerServices, metallbInstalled, metallbPools, METALLB_NS, selectorMatches, speakerPods } from '../../../model/network.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';
import { bundlePath } from '../../../../bundle/layout.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('pods') || !model.hasKube('nodes')) {
    const missing = ['cluster/namespaces/*/pods.json', bundlePath.clusterList('nodes')].flatMap((p) => model.artifacts.explainMissing(p)).map((m) => `${m.path}: ${m.reason}`);
    return { findings: [], skip: { reason: ja ? 'Pod かノードが収集されていない' : 'pods or nodes were not collected', missing } };
  }
  if (!metallbInstalled(model)) return { findings: [] };
  const lbs = loadBalancerServices(model).filter((s) => !s.otherClass);
  if (lbs.length === 0 && metallbPools(model).length === 0) return { findings: [] };
  const speakers = speakerPods(model);
  const l2 = advertisements(model).filter((a) => a.kind === 'L2Advertisement');
  const selectable = (labels: Record<string, string>) => l2.length === 0 || l2.some((a) => a.nodeSelectors.length === 0 || a.nodeSelectors.some((s) => selectorMatches(s, labels)));
  const announcers = model.nodes.filter((n) => {
    const labels = n.item.obj.metadata?.labels ?? {};
    return n.ready === 'True' && !(EXCLUDE_LB_LABEL in labels) && selectable(labels) && speakers.some((p) => p.obj.spec?.nodeName === n.name && podReady(p.obj));
  });
  if (announcers.length > 0) return { findings: [] };

  const reasons: string[] = [];
  const evidence: Evidence[] = [];
  const objects: ObjectRef[] = [];
  const ready = speakers.filter((p) => podReady(p.obj));
  if (speakers.length === 0) {
    reasons.push(ja ? 'speaker の Pod が 1 つもない' : 'there is no speaker pod');
    const ds = model.kube('daemonsets').find((d) => d.namespace === METALLB_NS && /speaker/.test(d.name));
    if (ds) {
      evidence.push(itemEvidence(ds, '/status', ds.obj.status ?? {}));
      objects.push({ kind: 'DaemonSet', namespace: METALLB_NS, name: ds.name });
    } else evidence.push({ path: bundlePath.namespacedList(METALLB_NS, 'pods'), pointer: '/items', excerpt: [ja ? 'speaker の Pod なし' : 'no speaker pod'] });
  } else if (ready.length === 0) {
    const states = speakers.map((p) => {
      const w = [...(p.obj.status?.initContainerStatuses ?? []), ...(p.obj.status?.containerStatuses ?? [])].map((s) => s.state?.waiting?.reason).find(Boolean);
      return `${p.name}${w ? ` ${w}` : ''}`;
    });
    reasons.push(ja ? `Ready な speaker がない（${states.join(', ')}）` : `no speaker is Ready (${states.join(', ')})`);
    for (const p of speakers.slice(0, 4)) {
      objects.push({ kind: 'Pod', namespace: p.namespace ?? METALLB_NS, name: p.name });
      evidence.push(itemEvidence(p, '/status', { phase: p.obj.status?.phase, conditions: p.obj.status?.conditions, containerStatuses: p.obj.status?.containerStatuses?.map((s) => ({ name: s.name, ready: s.ready, state: s.state })) }));
    }
  } else {
    const speakerNodes = model.nodes.filter((n) => ready.some((p) => p.obj.spec?.nodeName === n.name));
    const excluded = speakerNodes.filter((n) => EXCLUDE_LB_LABEL in (n.item.obj.metadata?.labels ?? {}));
    const notReady = speakerNodes.filter((n) => n.ready !== 'True');
    const unselected = speakerNodes.filter((n) => !selectable(n.item.obj.metadata?.labels ?? {}));
    if (excluded.length > 0) reasons.push(ja ? `speaker のあるノード ${excluded.map((n) => n.name).join(', ')} に ${EXCLUDE_LB_LABEL} ラベルが付いている` : `nodes with a speaker (${excluded.map((n) => n.name).join(', ')}) carry the ${EXCLUDE_LB_LABEL} label`);
    if (notReady.length > 0) reasons.push(ja ? `speaker のあるノード ${notReady.map((n) => n.name).join(', ')} が NotReady` : `nodes with a speaker (${notReady.map((n) => n.name).join(', ')}) are NotReady`);
    if (unselected.length > 0) reasons.push(ja ? `L2Advertisement の nodeSelectors が ${unselected.map((n) => n.name).join(', ')} を選ばない` : `the L2Advertisements' nodeSelectors select none of ${unselected.map((n) => n.name).join(', ')}`);
    for (const n of speakerNodes.slice(0, 4)) {
      objects.push({ kind: 'Node', name: n.name });
      evidence.push(itemEvidence(n.item, '/metadata/labels', n.item.obj.metadata?.labels ?? {}));
    }
    for (const a of l2.filter((x) => x.nodeSelectors.length > 0).slice(0, 2)) evidence.push(itemEvidence(a.item, '/spec/nodeSelectors', a.nodeSelectors));
  }
  for (const s of lbs.slice(0, 3)) {
    objects.push(s.object);
    evidence.push(itemEvidence(s.item, '/status/loadBalancer', s.item.obj.status?.loadBalancer ?? {}));
  }
  return {
    findings: [
      {
        subject: { level: 'cluster', name: model.manifest.cluster },
        objects,
        evidence,
        values: { reason: reasons.join('; '), services: lbs.map((s) => `${s.namespace}/${s.name}`).join(', ') || '-' },
      },
    ],
  };
}
