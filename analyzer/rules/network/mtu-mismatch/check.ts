// MTU along a node's path where packets really drop: the node's interface sends frames larger than the
// Proxmox bridge (or its uplink) carries, or Calico's pod MTU plus the encapsulation overhead exceeds the
// node's interface. A smaller inner MTU than needed only wastes bytes and stays silent; so does a jumbo
// path that is jumbo end to end. The live MTUs of `ip link` win over configured ones (Installation
// `calicoNetwork.mtu`, FelixConfiguration `vxlanMTU`/`ipipMTU`, calico-config `veth_mtu`).
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { KubeItem, KubeObject } from '../../../model/kube-types.js';
import type { HostView, Model } from '../../../model/model.js';
import { calicoNetwork, findStanza, guestLabel, liveLinks, networkConfig, routesOf, vmForHost } from '../../../model/proxmox.js';
import type { IpLink } from '../../../parsers/net-ip.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const OVERHEAD = { vxlan: 50, ipip: 20, none: 0, unknown: 0 } as const;
const CALICO_LINK = /^(cali[0-9a-f]{6,}|vxlan\.calico|tunl0)$/;

interface Mtu {
  value: number;
  what: string;
  evidence: Evidence;
}

function linkEvidence(path: string, l: IpLink): Evidence {
  return { path, pointer: l.pointer, excerpt: [JSON.stringify({ ifname: l.ifname, mtu: l.mtu, master: l.master, kind: l.kind })] };
}

/** Calico's configured inner MTU, for nodes whose live calico links were not collected. */
function configuredCalicoMtu(model: Model): Mtu | undefined {
  const installation = model.custom('installations.operator.tigera.io')[0];
  const fromInstallation = (installation?.obj.spec?.['calicoNetwork'] as { mtu?: number } | undefined)?.mtu;
  if (installation && typeof fromInstallation === 'number' && fromInstallation > 0) {
    return { value: fromInstallation, what: 'Installation calicoNetwork.mtu', evidence: { path: installation.path, pointer: `/items/${installation.index}/spec/calicoNetwork/mtu`, excerpt: [String(fromInstallation)] } };
  }
  for (const felix of model.custom('felixconfigurations.crd.projectcalico.org')) {
    for (const key of ['vxlanMTU', 'ipipMTU', 'wireguardMTU']) {
      const v = felix.obj.spec?.[key];
      if (typeof v === 'number' && v > 0) return { value: v, what: `FelixConfiguration ${felix.name} ${key}`, evidence: { path: felix.path, pointer: `/items/${felix.index}/spec/${key}`, excerpt: [String(v)] } };
    }
  }
  const cm = model.kube<KubeObject & { data?: Record<string, string> }>('configmaps').find((c: KubeItem<KubeObject & { data?: Record<string, string> }>) => c.name === 'calico-config');
  const veth = Number(cm?.obj.data?.['veth_mtu']);
  if (cm && Number.isInteger(veth) && veth > 0) return { value: veth, what: 'calico-config veth_mtu', evidence: { path: cm.path, pointer: `/items/${cm.index}/data/veth_mtu`, excerpt: [String(veth)] } };
  return undefined;
}

/** The node's uplink: the interface carrying the VM NIC's MAC, else the default route's device. */
function nodeInterface(model: Model, host: HostView, links: IpLink[]): IpLink | undefined {
  const joined = vmForHost(model, host)?.iface;
  if (joined) return links.find((l) => l.ifname === joined.ifname) ?? joined;
  const dev = routesOf(model, host.name)?.facts.routes.find((r) => r.isDefault && r.family === 'inet')?.dev;
  return dev !== undefined ? links.find((l) => l.ifname === dev) : undefined;
}

function sameSubnet(model: Model): boolean {
  const nets = new Set(model.nodes.flatMap((n) => n.internalIPs.map((ip) => ip.split('.').slice(0, 3).join('.'))));
  return nets.size <= 1;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const nodes = model.hosts.filter((h) => h.isNode);
  const withLinks = nodes.map((h) => ({ host: h, live: liveLinks(model, h.name) })).filter((x) => x.live !== undefined);
  if (withLinks.length === 0) {
    const missing = model.artifacts.explainMissing('hosts/*/cmd/ip-link.json').map((m) => `${m.path}: ${m.reason}`);
    return { findings: [], skip: { reason: ja ? 'Kubernetes ノードの ip link 出力で使えるものがない' : 'no usable ip link output of a Kubernetes node', missing } };
  }
  const calico = calicoNetwork(model);
  const overhead = calico.crossSubnet && sameSubnet(model) ? 0 : OVERHEAD[calico.encapsulation];
  const configured = configuredCalicoMtu(model);
  const findings: FindingDraft[] = [];
  for (const { host, live } of withLinks) {
    const iface = nodeInterface(model, host, live!.links);
    if (!iface?.mtu) continue;
    const problems: string[] = [];
    const evidence: Evidence[] = [linkEvidence(live!.path, iface)];
    const objects: ObjectRef[] = [{ kind: 'Host', name: host.name }, ...(host.node ? [{ kind: 'Node', name: host.node.name }] : []), { kind: 'Interface', name: iface.ifname }];

    const join = vmForHost(model, host);
    if (join?.nic.bridge !== undefined) {
      const bridge = join.nic.bridge;
      objects.push({ kind: 'VM', name: String(join.guest.vmid) }, { kind: 'Bridge', name: bridge }, { kind: 'ProxmoxHost', name: join.guest.pveHost });
      const pveLinks = liveLinks(model, join.guest.pveHost);
      const bridgeLink = pveLinks?.links.find((l) => l.ifname === bridge);
      const uplinkNames = findStanza(networkConfig(model, join.guest.pveHost), bridge)?.stanza.bridgePorts ?? [];
      const path = [bridgeLink, ...uplinkNames.map((n) => pveLinks?.links.find((l) => l.ifname === n))].filter((l): l is IpLink => l?.mtu !== undefined);
      const narrowest = path.sort((a, b) => a.mtu! - b.mtu!)[0];
      if (narrowest && iface.mtu > narrowest.mtu!) {
        problems.push(ja ? `${iface.ifname} の MTU ${iface.mtu} が ${join.guest.pveHost} の ${narrowest.ifname}（${bridge} 経路）の MTU ${narrowest.mtu} より大きい` : `${iface.ifname} MTU ${iface.mtu} is larger than ${narrowest.ifname} MTU ${narrowest.mtu} on ${join.guest.pveHost} (path of ${bridge})`);
        evidence.push(linkEvidence(pveLinks!.path, narrowest), { path: join.guest.path, line: join.nic.line, excerpt: ctx.excerpt(join.guest.path, join.nic.line, 0, 0) });
      }
    }

    const calicoLinks = live!.links.filter((l) => CALICO_LINK.test(l.ifname) && l.mtu !== undefined);
    const widest = calicoLinks.sort((a, b) => b.mtu! - a.mtu!)[0];
    const inner: Mtu | undefined = widest ? { value: widest.mtu!, what: widest.ifname, evidence: linkEvidence(live!.path, widest) } : configured;
    if (inner && calico.encapsulation !== 'unknown' && inner.value + overhead > iface.mtu) {
      const encap = overhead > 0 ? `${calico.encapsulation.toUpperCase()} +${overhead}` : ja ? 'カプセル化なし' : 'no encapsulation';
      problems.push(ja ? `Calico の MTU ${inner.value}（${inner.what}、${encap}）が ${iface.ifname} の MTU ${iface.mtu} に収まらない` : `Calico MTU ${inner.value} (${inner.what}, ${encap}) does not fit ${iface.ifname} MTU ${iface.mtu}`);
      evidence.push(inner.evidence, ...calico.evidence.slice(0, 1));
    }
    if (problems.length === 0) continue;
    findings.push({
      subject: { level: 'host', name: host.name },
      objects,
      evidence,
      values: { reason: problems.join('; '), vm: join ? ` (VM ${guestLabel(join.guest)})` : '' },
    });
  }
  return { findings };
}
