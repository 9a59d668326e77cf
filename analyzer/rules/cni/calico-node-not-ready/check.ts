// Fires per node whose calico-node pod is not Ready (with what the readiness probe, its containers and
// its log say: BIRD/BGP not established, felix not ready, an init container stuck pulling), and per node
// where Calico autodetected an address that is not the node's InternalIP (docker0, a NAT NIC): then the
// pod may look Ready while cross-node pod traffic is sent to the wrong address. Old probe failures on a
// pod that is Ready now are boot noise and stay silent.
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import { itemEvidence } from '../../../engine/evidence.js';
import type { KubeItem, Pod } from '../../../model/kube-types.js';
import { podReady, type Model, type NodeView } from '../../../model/model.js';
import { INSTALLATIONS, textEvidence } from '../../../model/network.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const CALICO_NODE = /^calico-node-[a-z0-9]{5}$/;
const ADDRESS_ANNOTATION = 'projectcalico.org/IPv4Address';
const PROBE_FAILURE = /calico\/node is not (?:ready|live)|BIRD is not ready|BGP not established|felix is not (?:ready|live)/i;

function calicoNodes(model: Model): KubeItem<Pod>[] {
  return model.pods().filter((p) => p.obj.metadata?.labels?.['k8s-app'] === 'calico-node' || CALICO_NODE.test(p.name));
}

interface Env {
  name?: string;
  value?: string;
}

function autodetection(model: Model, pod: KubeItem<Pod> | undefined): { text: string; evidence: Evidence } | undefined {
  const containers = (pod?.obj.spec?.containers ?? []) as { name?: string; env?: Env[] }[];
  for (const [ci, c] of containers.entries()) {
    const ei = (c.env ?? []).findIndex((e) => e.name === 'IP_AUTODETECTION_METHOD');
    if (ei >= 0 && pod) return { text: `IP_AUTODETECTION_METHOD=${c.env![ei]!.value ?? ''}`, evidence: textEvidence(pod, `/spec/containers/${ci}/env/${ei}`, [`IP_AUTODETECTION_METHOD=${c.env![ei]!.value ?? ''}`]) };
  }
  const inst = model.custom(INSTALLATIONS)[0];
  const method = (inst?.obj.spec as { calicoNetwork?: { nodeAddressAutodetectionV4?: Record<string, unknown> } } | undefined)?.calicoNetwork?.nodeAddressAutodetectionV4;
  if (inst && method) return { text: `nodeAddressAutodetectionV4 ${JSON.stringify(method)}`, evidence: itemEvidence(inst, '/spec/calicoNetwork/nodeAddressAutodetectionV4', method) };
  return undefined;
}

function stuck(pod: KubeItem<Pod>): { text: string; pointer: string; value: unknown } | undefined {
  const st = pod.obj.status ?? {};
  for (const [key, list] of [['initContainerStatuses', st.initContainerStatuses], ['containerStatuses', st.containerStatuses]] as const) {
    for (const [i, s] of (list ?? []).entries()) {
      const waiting = s.state?.waiting;
      if (waiting?.reason && waiting.reason !== 'PodInitializing') {
        const init = key === 'initContainerStatuses' ? 'Init:' : '';
        return { text: `${init}${waiting.reason} (${s.name ?? '?'})`, pointer: `/status/${key}/${i}/state`, value: { name: s.name, state: s.state, restartCount: s.restartCount } };
      }
    }
  }
  return undefined;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('pods') && !model.hasKube('nodes')) {
    const missing = ['cluster/namespaces/*/pods.json', 'cluster/nodes.json'].flatMap((p) => model.artifacts.explainMissing(p)).map((m) => `${m.path}: ${m.reason}`);
    return { findings: [], skip: { reason: ja ? 'Pod もノードも収集されていない' : 'neither pods nor nodes were collected', missing } };
  }
  const pods = calicoNodes(model);
  const logHits = ctx.logHits('probe').hits;
  const autoHits = ctx.logHits('autodetect').hits;
  const findings: FindingDraft[] = [];
  const nodeNames = new Set([...model.nodes.map((n) => n.name), ...pods.flatMap((p) => (p.obj.spec?.nodeName ? [p.obj.spec.nodeName] : []))]);
  for (const nodeName of [...nodeNames].sort()) {
    const node: NodeView | undefined = model.node(nodeName);
    const pod = pods.find((p) => p.obj.spec?.nodeName === nodeName);
    const reasons: string[] = [];
    const evidence: Evidence[] = [];
    const objects: ObjectRef[] = [{ kind: 'Node', name: nodeName }];
    let severity: 'critical' | 'warning' | undefined;

    if (pod && pod.obj.status?.phase !== 'Succeeded' && !podReady(pod.obj)) {
      severity = 'critical';
      objects.push({ kind: 'Pod', namespace: pod.namespace ?? '', name: pod.name });
      const s = stuck(pod);
      reasons.push(ja ? `${pod.name} が Ready でない${s ? `（${s.text}）` : ''}` : `${pod.name} is not Ready${s ? ` (${s.text})` : ''}`);
      evidence.push(s ? itemEvidence(pod, s.pointer, s.value) : itemEvidence(pod, '/status/conditions', pod.obj.status?.conditions ?? []));
      const probeEvents = model.events().filter((e) => e.obj.involvedObject?.name === pod.name && PROBE_FAILURE.test(e.obj.message ?? ''));
      for (const e of probeEvents.slice(-2)) evidence.push(itemEvidence(e, '/message', `${e.obj.reason ?? ''}: ${e.obj.message ?? ''}`));
      const bgp = /BGP not established with ([0-9a-f.:, ]+)/i.exec([...probeEvents.map((e) => e.obj.message ?? ''), ...logHits.filter((h) => h.pod === pod.name).map((h) => h.text)].join('\n'));
      if (bgp) reasons.push(ja ? `BGP セッションが確立していない（相手: ${bgp[1]!.trim()}）` : `BGP not established with ${bgp[1]!.trim()}`);
      else if (probeEvents.length > 0) reasons.push(ja ? 'readiness probe が calico/node 未準備と報告' : 'the readiness probe reports calico/node not ready');
      for (const h of logHits.filter((x: LogHit) => x.pod === pod.name).slice(-2)) evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });
    }

    const annotation = node?.item.obj.metadata?.annotations?.[ADDRESS_ANNOTATION];
    const detected = annotation?.split('/')[0];
    if (node && detected && node.internalIPs.length > 0 && !node.internalIPs.includes(detected)) {
      severity ??= 'warning';
      const hit = autoHits.filter((h) => (pod && h.pod === pod.name) || h.groups?.addr === detected).slice(-1)[0];
      const iface = hit?.groups?.iface;
      reasons.push(
        ja
          ? `Calico が ${annotation}${iface ? `（${iface}）` : ''} を自動検出したが、ノードの InternalIP は ${node.internalIPs.join(', ')}`
          : `Calico autodetected ${annotation}${iface ? ` on ${iface}` : ''}, but the node's InternalIP is ${node.internalIPs.join(', ')}`,
      );
      evidence.push(itemEvidence(node.item, `/metadata/annotations/${ADDRESS_ANNOTATION.replace('/', '~1')}`, annotation));
      const ai = (node.item.obj.status?.addresses ?? []).findIndex((a) => a.type === 'InternalIP');
      evidence.push(itemEvidence(node.item, `/status/addresses/${ai}`, node.item.obj.status?.addresses?.[ai]));
      if (hit) evidence.push({ path: hit.path, line: hit.line, excerpt: [hit.text] });
      const method = autodetection(model, pod);
      if (method) {
        reasons.push(ja ? `検出方式: ${method.text}` : `detection method: ${method.text}`);
        evidence.push(method.evidence);
      }
    }
    if (reasons.length === 0) continue;
    findings.push({ subject: { level: 'node', name: nodeName }, objects, evidence, values: { reason: reasons.join('; ') }, ...(severity ? { severity } : {}) });
  }
  return { findings };
}
