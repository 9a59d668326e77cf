// Joins the Proxmox side of a bundle to the Kubernetes side: guest configs and their NICs, the bridges
// of /etc/network/interfaces, and the live links of every host. A guest NIC is tied to the host that runs
// inside the VM by MAC (`netN: virtio=MAC` ↔ `ip link` of the host), then by the cloud-init address, then
// by name, so rules can say "VM 102 (w1) on vmbr0 of pve1" about a node.
import { bundlePath, HOST_CMD, HOST_FILE } from '../../bundle/layout.js';
import type { IpAddrFacts, IpLink, IpLinkFacts, IpRouteFacts } from '../parsers/net-ip.js';
import type { BridgeVlanFacts } from '../parsers/net-bridge.js';
import type { GuestConfigFacts, GuestNic, QmListFacts } from '../parsers/pve-guest.js';
import type { InterfaceStanza, InterfacesFacts } from '../parsers/pve-interfaces.js';
import type { ObjectRef } from '../report/types.js';
import type { HostView, Model } from './model.js';

export interface GuestView {
  /** The Proxmox host whose /etc/pve the config was read from. */
  pveHost: string;
  vmid: number;
  name?: string;
  path: string;
  config: GuestConfigFacts;
  template: boolean;
  /** From `qm list` (running, stopped …) when it was collected. */
  status?: string;
}

export interface InterfacesFile {
  path: string;
  facts: InterfacesFacts;
}

export interface StanzaRef {
  path: string;
  stanza: InterfaceStanza;
}

export interface LiveLinks {
  path: string;
  links: IpLink[];
}

export interface VmJoin {
  guest: GuestView;
  nic: GuestNic;
  host: HostView;
  /** The host's interface carrying the NIC's MAC, when the join was by MAC. */
  iface?: IpLink;
  via: 'mac' | 'address' | 'name';
}

export function isProxmox(host: HostView): boolean {
  return host.roles.includes('proxmox');
}

export function proxmoxHosts(model: Model): HostView[] {
  return model.hosts.filter(isProxmox);
}

/** Guest configs of one Proxmox host, in vmid order; templates are flagged, not dropped. */
export function guestsOf(model: Model, pveHost: string): GuestView[] {
  const dir = `${bundlePath.hostFile(pveHost, HOST_FILE.qemuServerDir)}/`;
  const qm = model.parsed<QmListFacts>(bundlePath.hostCmd(pveHost, HOST_CMD.qmList));
  const guests: GuestView[] = [];
  for (const path of model.artifacts.listUsable(dir)) {
    const config = model.parsed<GuestConfigFacts>(path);
    if (!config || config.vmid === undefined) continue;
    const status = qm?.vms.find((v) => v.vmid === config.vmid)?.status;
    guests.push({
      pveHost,
      vmid: config.vmid,
      ...(config.name !== undefined ? { name: config.name } : {}),
      path,
      config,
      template: config.options['template']?.value === '1',
      ...(status !== undefined ? { status } : {}),
    });
  }
  return guests.sort((a, b) => a.vmid - b.vmid);
}

export function allGuests(model: Model): GuestView[] {
  return proxmoxHosts(model).flatMap((h) => guestsOf(model, h.name));
}

/** `/etc/network/interfaces` first, then each `interfaces.d/*` file: where ifupdown2 reads stanzas from. */
export function networkConfig(model: Model, pveHost: string): InterfacesFile[] {
  const main = bundlePath.hostFile(pveHost, HOST_FILE.networkInterfaces);
  const paths = [main, ...model.artifacts.listUsable(`${bundlePath.hostFile(pveHost, HOST_FILE.networkInterfacesD)}/`)];
  return paths.flatMap((path) => {
    const facts = model.parsed<InterfacesFacts>(path);
    return facts ? [{ path, facts }] : [];
  });
}

export function findStanza(files: InterfacesFile[], name: string): StanzaRef | undefined {
  for (const f of files) {
    const stanza = f.facts.stanzas.find((s) => s.name === name && s.family !== 'inet6') ?? f.facts.stanzas.find((s) => s.name === name);
    if (stanza) return { path: f.path, stanza };
  }
  return undefined;
}

/** The live links of a host: `ip -j link`, else the link part of `ip -j addr`. */
export function liveLinks(model: Model, host: string): LiveLinks | undefined {
  const linkPath = bundlePath.hostCmd(host, HOST_CMD.ipLink);
  const link = model.parsed<IpLinkFacts>(linkPath);
  if (link && model.artifacts.usable(linkPath)) return { path: linkPath, links: link.links };
  const addrPath = bundlePath.hostCmd(host, HOST_CMD.ipAddr);
  const addr = model.parsed<IpAddrFacts>(addrPath);
  if (addr && model.artifacts.usable(addrPath)) return { path: addrPath, links: addr.links };
  return undefined;
}

export function liveBridgeVlans(model: Model, host: string): { path: string; facts: BridgeVlanFacts } | undefined {
  const path = bundlePath.hostCmd(host, HOST_CMD.bridgeVlan);
  const facts = model.parsed<BridgeVlanFacts>(path);
  return facts && model.artifacts.usable(path) ? { path, facts } : undefined;
}

export function routesOf(model: Model, host: string): { path: string; facts: IpRouteFacts } | undefined {
  const path = bundlePath.hostCmd(host, HOST_CMD.ipRoute);
  const facts = model.parsed<IpRouteFacts>(path);
  return facts && model.artifacts.usable(path) ? { path, facts } : undefined;
}

/** The bridge-side port Proxmox creates for a guest NIC: `fwpr<vmid>p<n>` with the firewall, else the tap. */
export function guestBridgePort(guest: GuestView, nic: GuestNic): string {
  return nic.firewall ? `fwpr${guest.vmid}p${nic.index}` : `tap${guest.vmid}i${nic.index}`;
}

export function guestLabel(guest: GuestView): string {
  return guest.name !== undefined ? `${guest.vmid} (${guest.name})` : String(guest.vmid);
}

const joinCache = new WeakMap<Model, VmJoin[]>();

/** Every guest NIC tied to a host of the inventory, one join per host at most (the first NIC that matches). */
export function vmJoins(model: Model): VmJoin[] {
  const cached = joinCache.get(model);
  if (cached) return cached;
  const guests = allGuests(model).filter((g) => !g.template);
  const joins: VmJoin[] = [];
  const taken = new Set<string>();
  const others = model.hosts.filter((h) => !isProxmox(h));
  const add = (join: VmJoin) => {
    if (taken.has(join.host.name) || joins.some((j) => j.guest === join.guest && j.nic === join.nic)) return;
    taken.add(join.host.name);
    joins.push(join);
  };
  for (const host of others) {
    const links = liveLinks(model, host.name)?.links ?? [];
    for (const guest of guests) {
      for (const nic of guest.config.nics) {
        const iface = nic.mac !== undefined ? links.find((l) => l.address === nic.mac && l.kind === undefined) ?? links.find((l) => l.address === nic.mac) : undefined;
        if (iface) add({ guest, nic, host, iface, via: 'mac' });
      }
    }
  }
  for (const host of others) {
    if (taken.has(host.name)) continue;
    const addresses = new Set([host.address, ...(host.node?.internalIPs ?? [])]);
    for (const guest of guests) {
      const ipconfig = guest.config.ipconfigs.find((c) => c.ip !== undefined && addresses.has(c.ip.split('/')[0]!));
      const nic = ipconfig ? guest.config.nics.find((n) => n.index === ipconfig.index) : undefined;
      if (nic) add({ guest, nic, host, via: 'address' });
    }
  }
  for (const host of others) {
    if (taken.has(host.name)) continue;
    const names = new Set([host.name, host.node?.name].filter((n): n is string => n !== undefined).map(short));
    const guest = guests.find((g) => g.name !== undefined && names.has(short(g.name)));
    const nic = guest?.config.nics[0];
    if (guest && nic) add({ guest, nic, host, via: 'name' });
  }
  joinCache.set(model, joins);
  return joins;
}

export function vmForHost(model: Model, host: HostView): VmJoin | undefined {
  return vmJoins(model).find((j) => j.host === host);
}

export function hostForGuest(model: Model, guest: GuestView): VmJoin | undefined {
  return vmJoins(model).find((j) => j.guest.pveHost === guest.pveHost && j.guest.vmid === guest.vmid);
}

/**
 * Who a finding about a guest NIC is about: the host inside the VM when it is in the inventory (so the
 * node's findings list it as a cause), else the Proxmox host. Objects name the VM, bridge, PVE host and node.
 */
export function guestSubject(model: Model, guest: GuestView, nic?: GuestNic): { subject: { level: 'host'; name: string }; objects: ObjectRef[] } {
  const join = hostForGuest(model, guest);
  const objects: ObjectRef[] = [
    { kind: 'VM', name: String(guest.vmid) },
    { kind: 'ProxmoxHost', name: guest.pveHost },
  ];
  if (guest.name !== undefined) objects.push({ kind: 'VMName', name: guest.name });
  if (nic?.bridge !== undefined) objects.push({ kind: 'Bridge', name: nic.bridge });
  if (join?.host.node) objects.push({ kind: 'Node', name: join.host.node.name });
  return { subject: { level: 'host', name: join ? join.host.name : guest.pveHost }, objects };
}

function short(name: string): string {
  return name.split('.')[0]!.toLowerCase();
}

export function vlanInRanges(vid: number, ranges: readonly { start: number; end: number }[]): boolean {
  return ranges.some((r) => vid >= r.start && vid <= r.end);
}

export function rangesText(ranges: readonly { start: number; end: number }[]): string {
  return ranges.map((r) => (r.start === r.end ? String(r.start) : `${r.start}-${r.end}`)).join(',');
}

/**
 * Why a Proxmox rule cannot judge anything: no Proxmox host in the inventory, or none of `inputs`
 * (path patterns under each Proxmox host) usable, with the manifest's reasons. Undefined when it can.
 */
export function proxmoxSkip(model: Model, ja: boolean, inputs: ((host: string) => string)[]): { reason: string; missing: string[] } | undefined {
  const hosts = proxmoxHosts(model);
  if (hosts.length === 0) return { reason: ja ? 'インベントリに Proxmox ホスト（role proxmox）がない' : 'no Proxmox host in the inventory (role proxmox)', missing: [bundlePath.manifest()] };
  const patterns = hosts.flatMap((h) => inputs.map((f) => f(h.name)));
  if (patterns.some((p) => model.artifacts.matchUsable(p).length > 0)) return undefined;
  const missing = patterns.flatMap((p) => model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`));
  return { reason: ja ? 'このルールが読む Proxmox ホストの設定が収集されていない' : 'the Proxmox host configuration it reads was not collected', missing: [...new Set(missing)] };
}

export interface CalicoNetwork {
  /** The overlay Calico wraps pod traffic in between nodes, from the IP pools. */
  encapsulation: 'vxlan' | 'ipip' | 'none' | 'unknown';
  /** CrossSubnet: only traffic between nodes of different subnets is encapsulated. */
  crossSubnet: boolean;
  bgp: boolean;
  /** Where the pools were read from, for evidence. */
  evidence: { path: string; pointer: string; excerpt: string[] }[];
}

interface PoolSpec {
  vxlanMode?: string;
  ipipMode?: string;
  encapsulation?: string;
}

/** Calico's encapsulation and BGP use, from IPPool resources or the operator's Installation. */
export function calicoNetwork(model: Model): CalicoNetwork {
  const result: CalicoNetwork = { encapsulation: 'unknown', crossSubnet: false, bgp: false, evidence: [] };
  const installation = model.custom('installations.operator.tigera.io')[0];
  const calicoNet = (installation?.obj.spec?.['calicoNetwork'] ?? undefined) as { bgp?: string; ipPools?: PoolSpec[] } | undefined;
  const pools = [...model.custom('ippools.crd.projectcalico.org'), ...model.custom('ippools.projectcalico.org')];
  const modes: { mode: string; kind: 'vxlan' | 'ipip' }[] = [];
  for (const p of pools) {
    const spec = (p.obj.spec ?? {}) as PoolSpec;
    if (spec.vxlanMode && spec.vxlanMode !== 'Never') modes.push({ mode: spec.vxlanMode, kind: 'vxlan' });
    if (spec.ipipMode && spec.ipipMode !== 'Never') modes.push({ mode: spec.ipipMode, kind: 'ipip' });
    result.evidence.push({ path: p.path, pointer: `/items/${p.index}/spec`, excerpt: [JSON.stringify({ name: p.name, vxlanMode: spec.vxlanMode, ipipMode: spec.ipipMode })] });
  }
  if (pools.length === 0 && calicoNet?.ipPools) {
    calicoNet.ipPools.forEach((pool, i) => {
      const e = pool.encapsulation ?? 'IPIP';
      if (e.startsWith('VXLAN')) modes.push({ mode: e.endsWith('CrossSubnet') ? 'CrossSubnet' : 'Always', kind: 'vxlan' });
      else if (e.startsWith('IPIP')) modes.push({ mode: e.endsWith('CrossSubnet') ? 'CrossSubnet' : 'Always', kind: 'ipip' });
      result.evidence.push({ path: installation!.path, pointer: `/items/${installation!.index}/spec/calicoNetwork/ipPools/${i}`, excerpt: [JSON.stringify({ cidr: (pool as { cidr?: string }).cidr, encapsulation: e })] });
    });
  }
  if (pools.length > 0 || calicoNet?.ipPools) {
    const first = modes[0];
    result.encapsulation = first ? first.kind : 'none';
    result.crossSubnet = modes.length > 0 && modes.every((m) => m.mode === 'CrossSubnet');
  }
  // Manifest installs (no Installation) run BIRD exactly when IP-in-IP is used; the operator says so itself.
  result.bgp = installation ? calicoNet?.bgp !== 'Disabled' : result.encapsulation === 'ipip';
  return result;
}
