// Fires per node whose CNI is missing, from any of: kubelet/node condition wording (old docker-era and
// current containerd wording), an empty /etc/cni/net.d, no CNI pod on the node; and once per cluster
// when no CNI is deployed at all (unless every node is Ready: the CNI is built into k3s/RKE2) or the
// Calico operator has no Installation. Old log lines on a node
// that is Ready now are ignored: kubelet logs the same words for a few seconds at every boot.
import { bundlePath, HOST_FILE } from '../../../../bundle/layout.js';
import { itemEvidence, jsonExcerpt } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { KubeItem, Pod } from '../../../model/kube-types.js';
import type { Model, NodeView } from '../../../model/model.js';
import type { Evidence } from '../../../report/types.js';

const CNI_POD = /^(calico-node|cilium|kube-flannel|flannel|weave-net|kube-router|antrea-agent|canal)(-|$)/;
const OPERATOR = /^tigera-operator/;
const INSTALLATIONS = 'installations.operator.tigera.io';

function cniPods(model: Model): KubeItem<Pod>[] {
  return model.pods().filter((p) => CNI_POD.test(p.name));
}

/** Evidence that /etc/cni/net.d has no config on a node's host, if the collector listed it. */
function emptyCniDir(model: Model, host: string): Evidence | undefined {
  const dirPath = bundlePath.hostFile(host, HOST_FILE.cniDir);
  const item = model.artifacts.item(dirPath);
  if (!item) return undefined;
  const files = model.artifacts.listUsable(`${dirPath}/`).filter((p) => /\.(conf|conflist|json)$/.test(p));
  if (files.length > 0) return undefined;
  if (item.status !== 'ok' && item.status !== 'not-found') return undefined;
  const index = model.manifest.items.indexOf(item);
  return { path: bundlePath.manifest(), pointer: `/items/${index}`, excerpt: jsonExcerpt({ path: item.path, source: item.source, status: item.status, files: 0 }) };
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const hits = ctx.logHits('notReady');
  const nodesKnown = model.hasKube('nodes');
  const podsKnown = model.hasKube('pods');
  const dirsKnown = model.hosts.some((h) => model.artifacts.item(bundlePath.hostFile(h.name, HOST_FILE.cniDir)));
  if (hits.scanned.length === 0 && !nodesKnown && !podsKnown && !dirsKnown) {
    const missing = ['hosts/*/cmd/journal-kubelet.log', bundlePath.clusterList('nodes'), 'cluster/namespaces/*/pods.json', `hosts/*/files${HOST_FILE.cniDir}`].flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`));
    return { findings: [], skip: { reason: ctx.lang === 'ja' ? 'kubelet のジャーナル、ノード一覧、Pod 一覧、CNI 設定ディレクトリの一覧のどれもバンドルにない' : 'no kubelet journal, node list, pod list or CNI config listing in the bundle', missing } };
  }

  const findings: FindingDraft[] = [];
  const cni = cniPods(model);
  const operator = model.pods().find((p) => OPERATOR.test(p.name));
  const installationsCollected = model.artifacts.usable(bundlePath.customResources(INSTALLATIONS));
  const noInstallation = operator !== undefined && installationsCollected && model.custom(INSTALLATIONS).length === 0;

  // Every node Ready means pod networking works: k3s and RKE2 run flannel inside their own binary, with
  // no CNI pod to see (found on a real k3s support bundle). Without such a pod only a tigera operator
  // lacking its Installation still says something is missing.
  const allReady = nodesKnown && model.nodes.length > 0 && model.nodes.every((n) => n.ready === 'True');
  if (podsKnown && cni.length === 0 && (noInstallation || !allReady)) {
    const reason = noInstallation
      ? ctx.lang === 'ja'
        ? 'tigera-operator はあるが Installation リソースがなく、CNI の Pod が 1 つもない'
        : 'the tigera operator runs but there is no Installation resource, and no CNI pod exists'
      : ctx.lang === 'ja'
        ? 'クラスタに CNI の Pod（calico-node, cilium, flannel など）が 1 つもない'
        : 'no CNI pod (calico-node, cilium, flannel …) exists in the cluster';
    const evidence: Evidence[] = [];
    if (operator) evidence.push(itemEvidence(operator, '/metadata/name', operator.name));
    if (noInstallation) evidence.push({ path: bundlePath.customResources(INSTALLATIONS), pointer: '/items', excerpt: ['[]'] });
    findings.push({ subject: { level: 'cluster', name: model.manifest.cluster }, evidence, values: { reason } });
  }

  const notReadyNodes = model.nodes.filter((n) => n.ready !== 'True');
  const candidates: { node?: NodeView; host?: string; name: string }[] = nodesKnown
    ? notReadyNodes.map((n) => ({ node: n, name: n.name, ...(n.host ? { host: n.host.name } : {}) }))
    : model.hosts.filter((h) => h.isNode).map((h) => ({ host: h.name, name: h.name }));
  for (const c of candidates) {
    const evidence: Evidence[] = [];
    const reasons: string[] = [];
    const nodeHits = hits.hits.filter((h) => (c.host !== undefined && h.host === c.host) || h.groups?.node === c.name);
    if (nodeHits.length > 0) {
      reasons.push(ctx.lang === 'ja' ? 'kubelet がネットワークプラグイン未準備と報告' : 'kubelet reports the network plugin is not ready');
      // The condition (current state) first, then the newest log lines.
      const ordered = [...nodeHits.filter((h) => h.pointer !== undefined), ...nodeHits.filter((h) => h.pointer === undefined).slice(-3)];
      for (const h of ordered.slice(0, 4)) evidence.push(h.pointer !== undefined ? { path: h.path, pointer: h.pointer, excerpt: [h.text] } : { path: h.path, line: h.line, excerpt: [h.text] });
    }
    const dir = c.host !== undefined ? emptyCniDir(model, c.host) : undefined;
    if (dir) {
      reasons.push(ctx.lang === 'ja' ? '/etc/cni/net.d に CNI 設定がない' : 'no CNI config in /etc/cni/net.d');
      evidence.push(dir);
    }
    if (c.node && cni.length > 0 && !cni.some((p) => p.obj.spec?.nodeName === c.name)) {
      reasons.push(ctx.lang === 'ja' ? 'このノードに CNI の Pod がない' : 'no CNI pod is scheduled on this node');
      evidence.push(itemEvidence(cni[0]!, '/spec/nodeName', { pod: cni[0]!.name, nodeName: cni[0]!.obj.spec?.nodeName }));
    } else if (c.node) {
      const notRunning = cni.find((p) => p.obj.spec?.nodeName === c.name && p.obj.status?.phase !== 'Running');
      if (notRunning) {
        reasons.push(ctx.lang === 'ja' ? `CNI の Pod ${notRunning.name} が Running ではない` : `CNI pod ${notRunning.name} is not running`);
        evidence.push(itemEvidence(notRunning, '/status', { phase: notRunning.obj.status?.phase, containerStatuses: notRunning.obj.status?.containerStatuses?.map((s) => ({ name: s.name, state: s.state })) }));
      }
    }
    // Log words alone on a node of unknown state are enough; on a NotReady node any single sign is.
    if (reasons.length === 0) continue;
    findings.push({
      subject: { level: 'node', name: c.name },
      objects: [{ kind: 'Node', name: c.name }],
      evidence,
      values: { reason: reasons.join('; ') },
    });
  }
  return { findings };
}
