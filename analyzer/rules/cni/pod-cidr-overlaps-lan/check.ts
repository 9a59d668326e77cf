// Fires for each pod or service network that overlaps the lab's own network: a node or host address, a
// host's interface subnet, a LAN route or the default gateway. Pods then shadow real machines: traffic
// to the router, the Proxmox host or another node is routed into the overlay. The pod network's own
// traces on the hosts (cali*/vxlan.calico interfaces, Calico's block routes, kube-ipvs0) are not the
// LAN and are left out.
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { calicoPools, formatIp, installationPools, kubeadmNetworks, lanEntries, lanInputsKnown, nodePodCidrs, rangesOverlap, rangeWithin, type CidrSource, type LanEntry } from '../../../model/network.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const SHOWN = 4;

const KIND_TEXT: Record<LanEntry['kind'], { en: string; ja: string }> = {
  gateway: { en: 'default gateway', ja: 'デフォルトゲートウェイ' },
  'node-ip': { en: 'node address', ja: 'ノードのアドレス' },
  'host-address': { en: 'host address', ja: 'ホストのアドレス' },
  'host-subnet': { en: 'LAN subnet', ja: 'LAN のサブネット' },
  route: { en: 'route', ja: 'ルート' },
};

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const kubeadm = kubeadmNetworks(model);
  const pools = calicoPools(model).filter((p) => !p.disabled);
  const networks: CidrSource[] = [...kubeadm.podSubnets, ...pools, ...(pools.length === 0 ? installationPools(model) : [])];
  // Node podCIDRs add something only when they lie outside every declared pod network.
  for (const n of nodePodCidrs(model)) if (!networks.some((x) => rangeWithin(n.range, x.range))) networks.push(n);
  networks.push(...kubeadm.serviceSubnets);
  if (networks.length === 0 || !lanInputsKnown(model)) {
    const missing = ['cluster/namespaces/kube-system/configmaps.json', 'cluster/custom/ippools.crd.projectcalico.org.json', 'cluster/nodes.json', 'hosts/*/cmd/ip-addr.json']
      .flatMap((p) => model.artifacts.explainMissing(p))
      .map((m) => `${m.path}: ${m.reason}`);
    const reason =
      networks.length === 0
        ? ja ? 'Pod や Service の CIDR がバンドルのどこにも定義されていない' : 'no pod or service CIDR is declared anywhere in the bundle'
        : ja ? 'Pod ネットワークと比べるノードやホストのアドレスがない' : 'no node or host addresses to compare the pod network with';
    return { findings: [], skip: { reason, missing } };
  }
  const lan = lanEntries(model);
  const findings: FindingDraft[] = [];
  const reported: CidrSource[] = [];
  for (const net of networks) {
    // The same CIDR declared twice (kubeadm and the pool) is one problem.
    if (reported.some((r) => r.range.first === net.range.first && r.range.last === net.range.last && r.range.family === net.range.family)) continue;
    const hits = lan.filter((l) => rangesOverlap(l.range, net.range));
    if (hits.length === 0) continue;
    reported.push(net);
    const same = networks.filter((x) => x !== net && x.range.first === net.range.first && x.range.last === net.range.last);
    const byKind = (k: LanEntry['kind'][]) => hits.filter((h) => k.includes(h.kind));
    const ordered = [...byKind(['gateway']), ...byKind(['node-ip']), ...byKind(['host-address']), ...byKind(['host-subnet', 'route'])];
    // The same gateway or subnet seen from every host is one fact: name it once with its hosts.
    const groups = new Map<string, LanEntry[]>();
    for (const h of ordered) {
      const key = `${h.kind} ${h.range.first}-${h.range.last}`;
      groups.set(key, [...(groups.get(key) ?? []), h]);
    }
    const unique = [...groups.values()];
    const shown = unique.slice(0, SHOWN).map((g) => g[0]!);
    const more = unique.length - shown.length;
    const describe = (g: LanEntry[]) => {
      const h = g[0]!;
      const what = h.range.first === h.range.last ? formatIp(h.range.family, h.range.first) : h.range.text;
      const who = [...new Set(g.map((x) => x.node ?? x.host).filter((x): x is string => x !== undefined))].join(', ');
      return `${KIND_TEXT[h.kind][ja ? 'ja' : 'en']} ${what}${who ? ` (${who})` : ''}`;
    };
    const objects: ObjectRef[] = [];
    for (const s of [net, ...same]) if (s.object) objects.push(s.object);
    for (const h of shown) if (h.object && !objects.some((o) => o.kind === h.object!.kind && o.name === h.object!.name)) objects.push(h.object);
    const evidence: Evidence[] = [net.evidence, ...same.map((s) => s.evidence), ...shown.map((h) => h.evidence)];
    const kindText = net.label.includes('serviceSubnet') ? (ja ? 'Service の CIDR' : 'service CIDR') : ja ? 'Pod の CIDR' : 'pod CIDR';
    findings.push({
      subject: { level: 'cluster', name: model.manifest.cluster },
      objects,
      evidence,
      values: {
        network: `${kindText} ${net.range.text} (${[net, ...same].map((s) => s.label).join(', ')})`,
        lan: unique.slice(0, SHOWN).map(describe).join('; ') + (more > 0 ? (ja ? ` ほか ${more} 件` : ` and ${more} more`) : ''),
      },
    });
  }
  return { findings };
}
