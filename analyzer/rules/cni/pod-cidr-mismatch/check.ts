// Fires once per cluster when the pod network is declared differently in the places that must agree:
// kubeadm's podSubnet (kube-controller-manager's --cluster-cidr, kube-proxy's clusterCIDR), the Calico
// IPPools pods really get addresses from, and the podCIDR each node was given. A pool inside the
// podSubnet (a smaller pool, one of several) agrees; disabled pools allocate nothing and are ignored.
// Families are compared separately, so a dual-stack pool is not held against a single-stack subnet.
import type { CheckContext, CheckResult } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import {
  calicoPools,
  installationPools,
  kubeadmNetworks,
  kubeProxyConfig,
  nodePodCidrs,
  parseCidr,
  rangeWithin,
  textEvidence,
  type CidrSource,
} from '../../../model/network.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

function outside(source: CidrSource, reference: CidrSource[]): boolean {
  const sameFamily = reference.filter((r) => r.range.family === source.range.family);
  return sameFamily.length > 0 && !sameFamily.some((r) => rangeWithin(source.range, r.range));
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const kubeadm = kubeadmNetworks(model);
  const proxy = kubeProxyConfig(model);
  const proxyRange = proxy?.config.clusterCIDR ? parseCidr(proxy.config.clusterCIDR) : undefined;
  const proxySource: CidrSource | undefined =
    proxy && proxyRange
      ? { range: proxyRange, origin: 'kube-proxy', label: 'kube-proxy clusterCIDR', object: { kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' }, evidence: textEvidence(proxy.item, '/data/config.conf', [`clusterCIDR: ${proxy.config.clusterCIDR}`]) }
      : undefined;
  const reference = kubeadm.podSubnets.length > 0 ? kubeadm.podSubnets : proxySource ? [proxySource] : [];
  const pools = calicoPools(model).filter((p) => !p.disabled);
  const wanted = installationPools(model);
  const nodes = nodePodCidrs(model);

  if (reference.length === 0) {
    // kubeadm init without --pod-network-cidr: nothing declares a subnet to disagree with.
    if (kubeadm.source !== undefined || proxy !== undefined) return { findings: [] };
    const missing = [
      ...model.artifacts.explainMissing('cluster/namespaces/kube-system/configmaps.json'),
      ...model.artifacts.explainMissing('attachments/*'),
    ].map((m) => `${m.path}: ${m.reason}`);
    return { findings: [], skip: { reason: ja ? '比較の基準になる kubeadm の podSubnet（kubeadm-config ConfigMap か添付の kubeadm 設定）も kube-proxy の clusterCIDR もない' : 'no kubeadm podSubnet (kubeadm-config ConfigMap or attached kubeadm config) and no kube-proxy clusterCIDR to compare against', missing } };
  }
  if (pools.length === 0 && wanted.length === 0 && nodes.length === 0 && !(proxySource && kubeadm.podSubnets.length > 0)) {
    const missing = ['cluster/custom/ippools.crd.projectcalico.org.json', 'cluster/custom/installations.operator.tigera.io.json', 'cluster/nodes.json'].flatMap((p) =>
      model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`),
    );
    return { findings: [], skip: { reason: ja ? 'podSubnet と比べる Calico の IPPool、Installation、ノードの podCIDR のどれもない' : 'no Calico IPPool, Installation or node podCIDR to compare with the podSubnet', missing } };
  }

  const disagreeing: CidrSource[] = [];
  for (const p of pools) if (outside(p, reference)) disagreeing.push(p);
  // The Installation is what the operator creates pools from; it matters when no live pool was
  // collected, or as a second witness when the live pool disagrees too.
  for (const w of wanted) if (outside(w, reference) && (pools.length === 0 || disagreeing.length > 0)) disagreeing.push(w);
  if (proxySource && kubeadm.podSubnets.length > 0 && outside(proxySource, kubeadm.podSubnets)) disagreeing.push(proxySource);
  const nodeOutside = nodes.filter((n) => outside(n, reference));
  disagreeing.push(...nodeOutside.slice(0, 3));
  if (disagreeing.length === 0) return { findings: [] };

  const refText = reference.map((r) => `${r.label} ${r.range.text}`).join(', ');
  const parts = disagreeing.map((d) => `${d.label} ${d.range.text}`);
  if (nodeOutside.length > 3) parts.push(ja ? `ほか ${nodeOutside.length - 3} ノード` : `${nodeOutside.length - 3} more nodes`);
  const evidence: Evidence[] = [...reference.map((r) => r.evidence), ...disagreeing.map((d) => d.evidence)];
  const objects: ObjectRef[] = [];
  for (const s of [...reference, ...disagreeing]) if (s.object && !objects.some((o) => o.kind === s.object!.kind && o.name === s.object!.name)) objects.push(s.object);
  return {
    findings: [
      {
        subject: { level: 'cluster', name: model.manifest.cluster },
        objects,
        evidence,
        values: { reference: refText, others: parts.join('; ') },
      },
    ],
  };
}
