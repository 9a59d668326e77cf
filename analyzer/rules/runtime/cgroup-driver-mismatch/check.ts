// Fires per node whose kubelet and containerd disagree on the cgroup driver: kubelet's cgroupDriver
// (cgroupfs when unset) against runc's SystemdCgroup (false when unset); or, docker-era, kubelet's own
// "misconfiguration: kubelet cgroup driver ... is different from" exit. Where the configurations were not
// collected it fires from the symptom: control-plane static pods whose sandbox is torn down again and
// again (SandboxChanged events with repeats, restarts). When both configurations agree the symptom has
// another cause and the rule stays silent; a kubelet that takes the driver from the runtime (newer
// kubelet + containerd 2) cannot disagree with it.
import { HOST_FILE } from '../../../../bundle/layout.js';
import { itemEvidence } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import type { KubeEvent, KubeItem, Pod } from '../../../model/kube-types.js';
import type { HostView, Model } from '../../../model/model.js';
import { containerdConfigOf, kubeletConfigOf, missingInputs, nodeHosts, nodeSubject } from '../../../model/node.js';
import type { Evidence } from '../../../report/types.js';

const CONTROL_PLANE_POD = /^(etcd|kube-apiserver|kube-controller-manager|kube-scheduler|kube-proxy)-/;
/** Sandbox teardowns a single node reboot does not explain. */
const MIN_SANDBOX_CHANGES = 3;

interface Symptom {
  pods: Set<string>;
  changes: number;
  evidence: Evidence[];
}

function symptoms(model: Model): Map<string, Symptom> {
  const pods = new Map<string, KubeItem<Pod>>(model.pods().filter((p) => p.namespace === 'kube-system').map((p) => [p.name, p]));
  const byNode = new Map<string, Symptom>();
  for (const e of model.events() as KubeItem<KubeEvent>[]) {
    const ev = e.obj;
    if (ev.reason !== 'SandboxChanged' || ev.involvedObject?.kind !== 'Pod' || e.namespace !== 'kube-system') continue;
    const name = ev.involvedObject.name ?? '';
    if (!CONTROL_PLANE_POD.test(name)) continue;
    const node = pods.get(name)?.obj.spec?.nodeName ?? ev.source?.host;
    if (!node) continue;
    const s = byNode.get(node) ?? { pods: new Set<string>(), changes: 0, evidence: [] };
    s.pods.add(name);
    s.changes += ev.series?.count ?? ev.count ?? 1;
    if (s.evidence.length < 3) s.evidence.push(itemEvidence(e, '', { reason: ev.reason, message: ev.message, count: ev.series?.count ?? ev.count, pod: name }));
    byNode.set(node, s);
  }
  for (const [node, s] of byNode) {
    const restarts = [...s.pods].map((n) => pods.get(n)).filter((p): p is KubeItem<Pod> => p !== undefined);
    for (const p of restarts.slice(0, 2)) {
      const statuses = p.obj.status?.containerStatuses ?? [];
      if (statuses.some((c) => (c.restartCount ?? 0) > 0)) s.evidence.push(itemEvidence(p, '/status/containerStatuses', statuses.map((c) => ({ name: c.name, restartCount: c.restartCount, lastState: c.lastState }))));
    }
    if (s.changes < MIN_SANDBOX_CHANGES) byNode.delete(node);
  }
  return byNode;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const findings: FindingDraft[] = [];
  const fromCri = ctx.logHits('driverFromCri').hits;
  const misconfig = ctx.logHits('misconfiguration').hits;
  const sandbox = symptoms(model);
  let judged = model.hasKube('events');
  const mine = (hits: LogHit[], host: HostView) => hits.filter((h) => h.host === host.name);
  for (const host of nodeHosts(model)) {
    const { subject, objects } = nodeSubject(model, host);
    const kubelet = kubeletConfigOf(model, host.name);
    const containerd = containerdConfigOf(model, host.name);
    const symptom = sandbox.get(subject.name);
    const evidence: Evidence[] = [];
    if (kubelet && containerd) {
      judged = true;
      if (mine(fromCri, host).length > 0) continue;
      const kubeletDriver = kubelet.facts.cgroupDriver ?? 'cgroupfs';
      const runcDriver = containerd.facts.systemdCgroup === true ? 'systemd' : 'cgroupfs';
      if (kubeletDriver === runcDriver) continue;
      const kLine = kubelet.facts.lines.cgroupDriver;
      evidence.push({ path: kubelet.path, ...(kLine !== undefined ? { line: kLine } : {}), excerpt: kLine !== undefined ? ctx.excerpt(kubelet.path, kLine, 0, 0) : [ja ? 'cgroupDriver 未設定（既定は cgroupfs）' : 'cgroupDriver not set (defaults to cgroupfs)'] });
      const cLine = containerd.facts.lines.systemdCgroup;
      evidence.push({ path: containerd.path, ...(cLine !== undefined ? { line: cLine } : {}), excerpt: cLine !== undefined ? ctx.excerpt(containerd.path, cLine, 0, 0) : [ja ? `runtimes.${containerd.facts.defaultRuntimeName}.options に SystemdCgroup がない（既定は false = cgroupfs）` : `no SystemdCgroup in runtimes.${containerd.facts.defaultRuntimeName}.options (defaults to false = cgroupfs)`] });
      if (symptom) evidence.push(...symptom.evidence);
      const reason = ja
        ? `kubelet の cgroupDriver は ${kubeletDriver}、containerd（runc）は ${runcDriver}${symptom ? `。コントロールプレーンの Pod の sandbox が ${symptom.changes} 回作り直されている` : ''}`
        : `kubelet uses cgroupDriver ${kubeletDriver}, containerd (runc) uses ${runcDriver}${symptom ? `; control-plane pod sandboxes were re-created ${symptom.changes} times` : ''}`;
      findings.push({ subject, objects, evidence, values: { reason } });
      continue;
    }
    const exit = mine(misconfig, host);
    if (exit.length > 0) judged = true;
    evidence.push(...exit.slice(-2).map((h) => ({ path: h.path, line: h.line, excerpt: [h.text] })));
    if (symptom) evidence.push(...symptom.evidence);
    if (evidence.length === 0) continue;
    const reason = exit.length > 0
      ? ja ? 'kubelet が cgroup ドライバの不一致で終了している' : 'kubelet exits on a cgroup driver mismatch'
      : ja
        ? `コントロールプレーンの Pod（${[...symptom!.pods].join(', ')}）の sandbox が ${symptom!.changes} 回作り直されている（設定ファイルは未収集）`
        : `control-plane pods (${[...symptom!.pods].join(', ')}) had their sandbox re-created ${symptom!.changes} times (configs not collected)`;
    findings.push({ subject, objects, evidence, values: { reason } });
  }
  if (!judged) {
    return {
      findings: [],
      skip: { reason: ja ? '同じノードの kubelet と containerd の設定の組も、イベントも収集されていない' : 'neither kubelet and containerd configurations of one node nor events were collected', missing: missingInputs(model, [`hosts/*/files${HOST_FILE.kubeletConfig}`, `hosts/*/files${HOST_FILE.containerdConfig}`, 'cluster/namespaces/*/events.json']) },
    };
  }
  return { findings };
}
