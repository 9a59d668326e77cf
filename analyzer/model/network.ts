// The CNI / MetalLB / ARP view of a bundle: address arithmetic, the pod and service networks as every
// source declares them (kubeadm, Calico, nodes), the lab's own LAN (node and host addresses, subnets,
// routes, gateways), MetalLB pools and LoadBalancer Services, and ARP observations from captures and
// pasted tcpdump output. Rules in cni/, metallb/ and arp/ ask these questions instead of reading files.
import ipaddr from 'ipaddr.js';
import { load as loadYaml } from 'js-yaml';
import { bundlePath, HOST_CMD } from '../../bundle/layout.js';
import { itemEvidence } from '../engine/evidence.js';
import type { AttachmentFacts } from '../facts/routes.js';
import { parseKubeadmConfig, type KubeProxyConfig } from '../parsers/config-kubeadm.js';
import { ParseError } from '../parsers/common.js';
import type { IpAddrFacts, IpLinkFacts, IpNeighFacts, IpRouteFacts } from '../parsers/net-ip.js';
import { summarizeArp, type ArpPacket, type ArpTargetSummary, type PcapFacts } from '../parsers/pcap.js';
import { parseTcpdumpText } from '../parsers/tcpdump-text.js';
import type { Evidence, ObjectRef } from '../report/types.js';
import type { KubeItem, KubeObject, Pod, Service } from './kube-types.js';
import type { Model } from './model.js';

// ---------------------------------------------------------------------------------------------------
// Addresses

export type Family = 4 | 6;

/** An inclusive address range: a CIDR, a MetalLB `a-b` range, or one address. */
export interface IpRange {
  family: Family;
  first: bigint;
  last: bigint;
  /** As written in the source. */
  text: string;
}

/** Strict dotted-quad IPv4 or IPv6 (zone ids dropped); legacy forms like `0x7f.1` are refused. */
export function parseIp(text: string): { family: Family; value: bigint } | undefined {
  const t = text.trim().replace(/%.*$/, '');
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(t);
  if (!v4 && !(t.includes(':') && ipaddr.IPv6.isValid(t))) return undefined;
  const bytes = ipaddr.parse(t).toByteArray();
  return { family: v4 ? 4 : 6, value: bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n) };
}

const bits = (family: Family): number => (family === 4 ? 32 : 128);

/** `10.244.0.0/16` (host bits ignored, as kubeadm and Calico accept them) or one address. */
export function parseCidr(text: string): IpRange | undefined {
  const t = text.trim();
  const [addr, prefixText, extra] = t.split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const ip = parseIp(addr);
  if (!ip) return undefined;
  const width = bits(ip.family);
  const prefix = prefixText === undefined ? width : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= width)) return undefined;
  const hostBits = BigInt(width - prefix);
  const first = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, first, last: first + (1n << hostBits) - 1n, text: t };
}

/** A MetalLB address entry: `a-b` (spaces allowed), a CIDR, or one address. */
export function parseRange(text: string): IpRange | undefined {
  const t = text.trim();
  const dash = /^([^\s-]+)\s*-\s*([^\s-]+)$/.exec(t);
  if (!dash) return parseCidr(t);
  const a = parseIp(dash[1]!);
  const b = parseIp(dash[2]!);
  if (!a || !b || a.family !== b.family || b.value < a.value) return undefined;
  return { family: a.family, first: a.value, last: b.value, text: t };
}

export function formatIp(family: Family, value: bigint): string {
  const length = family === 4 ? 4 : 16;
  const bytes = Array.from({ length }, (_, i) => Number((value >> BigInt(8 * (length - 1 - i))) & 0xffn));
  // ipaddr.js prints IPv6 compressed as RFC 5952 asks.
  return ipaddr.fromByteArray(bytes).toString();
}

export function rangeContains(range: IpRange, ip: string): boolean {
  const a = parseIp(ip);
  return a !== undefined && a.family === range.family && a.value >= range.first && a.value <= range.last;
}

export function rangesOverlap(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

export function rangeWithin(inner: IpRange, outer: IpRange): boolean {
  return inner.family === outer.family && inner.first >= outer.first && inner.last <= outer.last;
}

export function rangeSize(r: IpRange): bigint {
  return r.last - r.first + 1n;
}

// ---------------------------------------------------------------------------------------------------
// Pod and service networks

export type CidrOrigin = 'kubeadm' | 'kube-proxy' | 'calico-ippool' | 'installation' | 'node';

export interface CidrSource {
  range: IpRange;
  origin: CidrOrigin;
  /** How a reader names the source: `kubeadm podSubnet`, `IPPool default-ipv4-ippool`, `node w1 podCIDR`. */
  label: string;
  object?: ObjectRef;
  evidence: Evidence;
  /** A Calico pool with `disabled: true` allocates nothing. */
  disabled?: boolean;
}

export interface KubeadmNetworks {
  podSubnets: CidrSource[];
  serviceSubnets: CidrSource[];
  /** Where the ClusterConfiguration was read, when it was found at all. */
  source?: string;
}

/** Evidence inside a List entry quoted as text lines (YAML inside a ConfigMap reads better as written). */
export function textEvidence(item: KubeItem, subPointer: string, lines: string[]): Evidence {
  return { path: item.path, pointer: `/items/${item.index}${subPointer}`, excerpt: lines };
}

function configMap(model: Model, namespace: string, name: string): KubeItem | undefined {
  return model.kube('configmaps').find((c) => c.namespace === namespace && c.name === name);
}

function splitCidrs(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** kubeadm's podSubnet / serviceSubnet: the kubeadm-config ConfigMap first, an attached kubeadm config else. */
export function kubeadmNetworks(model: Model): KubeadmNetworks {
  const out: KubeadmNetworks = { podSubnets: [], serviceSubnets: [] };
  const add = (which: 'podSubnet' | 'serviceSubnet', value: string | undefined, evidence: (text: string) => Evidence, object?: ObjectRef) => {
    for (const text of splitCidrs(value)) {
      const range = parseCidr(text);
      if (!range) continue;
      const source: CidrSource = { range, origin: 'kubeadm', label: `kubeadm ${which}`, evidence: evidence(text), ...(object ? { object } : {}) };
      (which === 'podSubnet' ? out.podSubnets : out.serviceSubnets).push(source);
    }
  };
  const cm = configMap(model, 'kube-system', 'kubeadm-config');
  const text = cm?.obj.data?.['ClusterConfiguration'];
  if (cm && text !== undefined) {
    const cluster = tryParse(() => parseKubeadmConfig(text, { collectedAt: model.collectedAt, path: cm.path }))?.clusterConfiguration;
    if (cluster) {
      out.source = `${cm.path} (ConfigMap kube-system/kubeadm-config)`;
      const object = { kind: 'ConfigMap', namespace: 'kube-system', name: 'kubeadm-config' };
      const ev = (key: 'podSubnet' | 'serviceSubnet') => () => textEvidence(cm, '/data/ClusterConfiguration', [`networking.${key}: ${cluster.networking[key]}`]);
      add('podSubnet', cluster.networking.podSubnet, ev('podSubnet'), object);
      add('serviceSubnet', cluster.networking.serviceSubnet, ev('serviceSubnet'), object);
      return out;
    }
  }
  for (const path of model.artifacts.matchUsable('attachments/*')) {
    const cluster = model.parsed<AttachmentFacts>(path)?.kubeadmConfig?.clusterConfiguration;
    if (!cluster) continue;
    out.source = path;
    const ev = (key: 'podSubnet' | 'serviceSubnet') => (t: string) => ({ path, line: cluster.lines[key] ?? cluster.line, excerpt: [`${key}: ${t}`] });
    add('podSubnet', cluster.networking.podSubnet, ev('podSubnet'));
    add('serviceSubnet', cluster.networking.serviceSubnet, ev('serviceSubnet'));
    return out;
  }
  return out;
}

function tryParse<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    // A hand-edited ConfigMap that is not kubeadm YAML is a missing input for these rules, not a crash.
    if (err instanceof ParseError) return undefined;
    throw err;
  }
}

export const CALICO_POOL_RESOURCES = ['ippools.crd.projectcalico.org', 'ippools.projectcalico.org'] as const;
export const INSTALLATIONS = 'installations.operator.tigera.io';

/** Calico IPPools (both API groups, one entry per pool name). */
export function calicoPools(model: Model): CidrSource[] {
  const seen = new Set<string>();
  const out: CidrSource[] = [];
  for (const resource of CALICO_POOL_RESOURCES) {
    for (const item of model.custom(resource)) {
      const spec = (item.obj.spec ?? {}) as { cidr?: string; disabled?: boolean };
      if (seen.has(item.name) || typeof spec.cidr !== 'string') continue;
      const range = parseCidr(spec.cidr);
      if (!range) continue;
      seen.add(item.name);
      out.push({
        range,
        origin: 'calico-ippool',
        label: `IPPool ${item.name}`,
        object: { kind: 'IPPool', name: item.name },
        evidence: itemEvidence(item, '/spec', { cidr: spec.cidr, ...(spec.disabled !== undefined ? { disabled: spec.disabled } : {}) }),
        ...(spec.disabled === true ? { disabled: true } : {}),
      });
    }
  }
  return out;
}

/** The pools the tigera operator's Installation asks for (`spec.calicoNetwork.ipPools[].cidr`). */
export function installationPools(model: Model): CidrSource[] {
  const out: CidrSource[] = [];
  for (const item of model.custom(INSTALLATIONS)) {
    const pools = ((item.obj.spec as { calicoNetwork?: { ipPools?: { cidr?: string; name?: string; disabledBGPExport?: boolean }[] } } | undefined)?.calicoNetwork?.ipPools ?? []);
    pools.forEach((p, i) => {
      const range = typeof p.cidr === 'string' ? parseCidr(p.cidr) : undefined;
      if (!range) return;
      out.push({
        range,
        origin: 'installation',
        label: `Installation ${item.name} ipPools[${i}]`,
        object: { kind: 'Installation', name: item.name },
        evidence: itemEvidence(item, `/spec/calicoNetwork/ipPools/${i}/cidr`, p.cidr),
      });
    });
  }
  return out;
}

export function nodePodCidrs(model: Model): CidrSource[] {
  const out: CidrSource[] = [];
  for (const n of model.nodes) {
    const spec = n.item.obj.spec ?? {};
    const list = spec.podCIDRs ?? (spec.podCIDR ? [spec.podCIDR] : []);
    list.forEach((text, i) => {
      const range = parseCidr(text);
      if (!range) return;
      out.push({
        range,
        origin: 'node',
        label: `node ${n.name} podCIDR`,
        object: { kind: 'Node', name: n.name },
        evidence: itemEvidence(n.item, spec.podCIDRs ? `/spec/podCIDRs/${i}` : '/spec/podCIDR', text),
      });
    });
  }
  return out;
}

/** kube-proxy's KubeProxyConfiguration from its ConfigMap (`config.conf`). */
export function kubeProxyConfig(model: Model): { config: KubeProxyConfig; item: KubeItem } | undefined {
  const cm = configMap(model, 'kube-system', 'kube-proxy');
  const text = cm?.obj.data?.['config.conf'];
  if (!cm || text === undefined) return undefined;
  const config = tryParse(() => parseKubeadmConfig(text, { collectedAt: model.collectedAt, path: cm.path }))?.kubeProxy;
  return config ? { config, item: cm } : undefined;
}

// ---------------------------------------------------------------------------------------------------
// The LAN: what the pod network must not overlap and MetalLB must not hand out

/** Interfaces that belong to the pod network or kube-proxy, not to the LAN. */
const POD_NETWORK_IFACE = /^(cali|vxlan[.-]|vxlan\.calico|vxlan-v6\.calico|tunl\d|wireguard\.cali|flannel|cni\d|cilium|lxc|kube-ipvs|kube-bridge|weave|nodelocaldns|veth|lo$)/;

export type LanKind = 'node-ip' | 'host-address' | 'host-subnet' | 'route' | 'gateway';

export interface LanEntry {
  range: IpRange;
  kind: LanKind;
  /** `node w1 InternalIP`, `host pve1 vmbr0 192.168.10.2/24`, `host w1 route 192.168.10.0/24`. */
  label: string;
  host?: string;
  node?: string;
  object?: ObjectRef;
  evidence: Evidence;
}

function linkLocalOrLoopback(range: IpRange): boolean {
  if (range.family === 4) return (range.first >> 24n) === 127n || (range.first >> 16n) === 0xa9fen;
  return range.first === 1n || (range.first >> 118n) === 0x3fan;
}

export function lanEntries(model: Model): LanEntry[] {
  const out: LanEntry[] = [];
  for (const n of model.nodes) {
    (n.item.obj.status?.addresses ?? []).forEach((a, i) => {
      if (a.type !== 'InternalIP' && a.type !== 'ExternalIP') return;
      const range = a.address ? parseCidr(a.address) : undefined;
      if (!range) return;
      out.push({ range, kind: 'node-ip', label: `node ${n.name} ${a.type} ${a.address}`, node: n.name, object: { kind: 'Node', name: n.name }, evidence: itemEvidence(n.item, `/status/addresses/${i}`, a) });
    });
  }
  model.manifest.hosts.forEach((h, i) => {
    const range = parseCidr(h.address);
    if (!range) return;
    out.push({ range, kind: 'host-address', label: `host ${h.name} ${h.address}`, host: h.name, evidence: { path: bundlePath.manifest(), pointer: `/hosts/${i}/address`, excerpt: [`${h.name}: ${h.address}`] } });
  });
  for (const host of model.hosts) {
    const addrPath = bundlePath.hostCmd(host.name, HOST_CMD.ipAddr);
    for (const a of model.parsed<IpAddrFacts>(addrPath)?.addresses ?? []) {
      if (POD_NETWORK_IFACE.test(a.ifname)) continue;
      const single = parseCidr(a.local);
      if (!single || linkLocalOrLoopback(single)) continue;
      const evidence = { path: addrPath, pointer: a.pointer, excerpt: [`${a.ifname}: ${a.cidr}`] };
      out.push({ range: single, kind: 'host-address', label: `host ${host.name} ${a.ifname} ${a.local}`, host: host.name, evidence });
      const subnet = parseCidr(a.cidr);
      if (subnet && subnet.last > subnet.first) out.push({ range: { ...subnet, text: formatCidr(subnet, a.prefixlen) }, kind: 'host-subnet', label: `host ${host.name} ${a.ifname} subnet ${formatCidr(subnet, a.prefixlen)}`, host: host.name, evidence });
    }
    const routePath = bundlePath.hostCmd(host.name, HOST_CMD.ipRoute);
    for (const r of model.parsed<IpRouteFacts>(routePath)?.routes ?? []) {
      if (r.type !== 'unicast' || (r.dev !== undefined && POD_NETWORK_IFACE.test(r.dev))) continue;
      // Calico (proto 80) and BIRD program routes for pod blocks; they are the pod network, not the LAN.
      if (r.protocol === '80' || r.protocol === 'bird' || (r.table !== undefined && r.table !== 'main')) continue;
      const evidence = { path: routePath, pointer: r.pointer, excerpt: [[r.dst, r.gateway ? `via ${r.gateway}` : '', r.dev ? `dev ${r.dev}` : ''].filter(Boolean).join(' ')] };
      if (r.isDefault) {
        const gw = r.gateway ? parseCidr(r.gateway) : undefined;
        if (gw && !linkLocalOrLoopback(gw)) out.push({ range: gw, kind: 'gateway', label: `host ${host.name} default gateway ${r.gateway}`, host: host.name, evidence });
        continue;
      }
      const range = parseCidr(r.dst);
      if (!range || linkLocalOrLoopback(range)) continue;
      out.push({ range, kind: 'route', label: `host ${host.name} route ${r.dst}${r.dev ? ` dev ${r.dev}` : ''}`, host: host.name, evidence });
    }
  }
  return out;
}

function formatCidr(range: IpRange, prefix: number | undefined): string {
  return prefix === undefined ? formatIp(range.family, range.first) : `${formatIp(range.family, range.first)}/${prefix}`;
}

/** Which host inputs the LAN view could read, for skip reasons. */
export function lanInputsKnown(model: Model): boolean {
  return model.nodes.length > 0 || model.artifacts.matchUsable(`hosts/*/cmd/${HOST_CMD.ipAddr}`).length > 0 || model.artifacts.matchUsable(`hosts/*/cmd/${HOST_CMD.ipRoute}`).length > 0;
}

// ---------------------------------------------------------------------------------------------------
// MetalLB

export const METALLB_NS = 'metallb-system';
export const POOLS = 'ipaddresspools.metallb.io';
export const L2ADS = 'l2advertisements.metallb.io';
export const BGPADS = 'bgpadvertisements.metallb.io';

export interface PoolRange {
  range: IpRange;
  evidence: Evidence;
}

export interface MetallbPool {
  name: string;
  namespace: string;
  /** From the pre-0.13 `config` ConfigMap, which MetalLB 0.13+ ignores. */
  legacy: boolean;
  autoAssign: boolean;
  labels: Record<string, string>;
  ranges: PoolRange[];
  object: ObjectRef;
  evidence: Evidence;
}

export function metallbPools(model: Model): MetallbPool[] {
  return model.custom(POOLS).map((item) => {
    const spec = (item.obj.spec ?? {}) as { addresses?: unknown[]; autoAssign?: boolean };
    const addresses = Array.isArray(spec.addresses) ? spec.addresses : [];
    const ranges: PoolRange[] = [];
    addresses.forEach((a, i) => {
      const range = typeof a === 'string' ? parseRange(a) : undefined;
      if (range) ranges.push({ range, evidence: itemEvidence(item, `/spec/addresses/${i}`, a) });
    });
    return {
      name: item.name,
      namespace: item.namespace ?? METALLB_NS,
      legacy: false,
      autoAssign: spec.autoAssign !== false,
      labels: item.obj.metadata?.labels ?? {},
      ranges,
      object: { kind: 'IPAddressPool', namespace: item.namespace ?? METALLB_NS, name: item.name },
      evidence: itemEvidence(item, '/spec', { addresses: spec.addresses, ...(spec.autoAssign !== undefined ? { autoAssign: spec.autoAssign } : {}) }),
    };
  });
}

/** Pools of the legacy `config` ConfigMap (`address-pools:` in `data.config`). */
export function legacyPools(model: Model): MetallbPool[] {
  const cm = configMap(model, METALLB_NS, 'config');
  const text = cm?.obj.data?.['config'];
  if (!cm || text === undefined) return [];
  let doc: unknown;
  try {
    doc = loadYaml(text);
  } catch {
    // Broken YAML in the ConfigMap: MetalLB could not read it either; nothing to list.
    return [];
  }
  const pools = (doc as { 'address-pools'?: { name?: string; addresses?: unknown[]; 'auto-assign'?: boolean }[] } | null)?.['address-pools'];
  if (!Array.isArray(pools)) return [];
  return pools.map((p, i) => {
    const ranges: PoolRange[] = [];
    for (const a of Array.isArray(p.addresses) ? p.addresses : []) {
      const range = typeof a === 'string' ? parseRange(a) : undefined;
      if (range) ranges.push({ range, evidence: textEvidence(cm, '/data/config', [`address-pools[${i}] ${p.name ?? ''}: ${a}`]) });
    }
    const name = p.name ?? `address-pools[${i}]`;
    return {
      name,
      namespace: METALLB_NS,
      legacy: true,
      autoAssign: p['auto-assign'] !== false,
      labels: {},
      ranges,
      object: { kind: 'ConfigMap', namespace: METALLB_NS, name: 'config' },
      evidence: textEvidence(cm, '/data/config', text.split('\n').slice(0, 10)),
    };
  });
}

export function metallbInstalled(model: Model): boolean {
  return model.pods().some((p) => p.namespace === METALLB_NS) || model.artifacts.usable(bundlePath.customResources(POOLS));
}

export function speakerPods(model: Model): KubeItem<Pod>[] {
  return model.pods().filter((p) => {
    const labels = p.obj.metadata?.labels ?? {};
    return (
      labels['component'] === 'speaker' ||
      labels['app.kubernetes.io/component'] === 'speaker' ||
      (p.namespace === METALLB_NS && /^(metallb-)?speaker-/.test(p.name))
    );
  });
}

export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

const LB_IP_ANNOTATIONS = ['metallb.io/loadBalancerIPs', 'metallb.universe.tf/loadBalancerIPs'];
const POOL_ANNOTATIONS = ['metallb.io/address-pool', 'metallb.universe.tf/address-pool'];

export interface LoadBalancerService {
  item: KubeItem<Service>;
  namespace: string;
  name: string;
  /** Addresses in `status.loadBalancer.ingress`. */
  assigned: string[];
  /** Addresses asked for by `spec.loadBalancerIP` or MetalLB's annotation. */
  requested: string[];
  /** Pool asked for by annotation. */
  pool?: string;
  /** `spec.loadBalancerClass` set to something other than MetalLB: another controller's business. */
  otherClass: boolean;
  pending: boolean;
  object: ObjectRef;
}

export function loadBalancerServices(model: Model): LoadBalancerService[] {
  const out: LoadBalancerService[] = [];
  for (const item of model.kube<Service>('services')) {
    const spec = item.obj.spec as (Service['spec'] & { loadBalancerClass?: string }) | undefined;
    if (spec?.type !== 'LoadBalancer') continue;
    const annotations = item.obj.metadata?.annotations ?? {};
    const assigned = (item.obj.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : []));
    const requested = [
      ...(spec.loadBalancerIP ? [spec.loadBalancerIP] : []),
      ...LB_IP_ANNOTATIONS.flatMap((k) => splitCidrs(annotations[k])),
    ];
    const pool = POOL_ANNOTATIONS.map((k) => annotations[k]).find((v) => v !== undefined);
    const namespace = item.namespace ?? 'default';
    out.push({
      item,
      namespace,
      name: item.name,
      assigned,
      requested,
      ...(pool !== undefined ? { pool } : {}),
      otherClass: spec.loadBalancerClass !== undefined && !/metallb/i.test(spec.loadBalancerClass),
      pending: assigned.length === 0 && !(item.obj.status?.loadBalancer?.ingress ?? []).some((i) => i.hostname),
      object: { kind: 'Service', namespace, name: item.name },
    });
  }
  return out;
}

/** Label selector with matchLabels / matchExpressions (In, NotIn, Exists, DoesNotExist). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpr = (selector.matchExpressions ?? []).every((e) => {
    const v = e.key !== undefined ? labels[e.key] : undefined;
    switch (e.operator) {
      case 'In':
        return v !== undefined && (e.values ?? []).includes(v);
      case 'NotIn':
        return v === undefined || !(e.values ?? []).includes(v);
      case 'Exists':
        return v !== undefined;
      case 'DoesNotExist':
        return v === undefined;
      default:
        return false;
    }
  });
  return byLabel && byExpr;
}

export interface Advertisement {
  item: KubeItem;
  kind: 'L2Advertisement' | 'BGPAdvertisement';
  /** Pools it announces; undefined means every pool. */
  pools?: string[];
  poolSelectors: LabelSelector[];
  nodeSelectors: LabelSelector[];
}

export function advertisements(model: Model): Advertisement[] {
  const read = (resource: string, kind: Advertisement['kind']) =>
    model.custom(resource).map((item) => {
      const spec = (item.obj.spec ?? {}) as { ipAddressPools?: string[]; ipAddressPoolSelectors?: LabelSelector[]; nodeSelectors?: LabelSelector[] };
      const pools = spec.ipAddressPools && spec.ipAddressPools.length > 0 ? spec.ipAddressPools : undefined;
      const poolSelectors = spec.ipAddressPoolSelectors ?? [];
      return { item, kind, ...(pools ? { pools } : {}), poolSelectors, nodeSelectors: spec.nodeSelectors ?? [] };
    });
  return [...read(L2ADS, 'L2Advertisement'), ...read(BGPADS, 'BGPAdvertisement')];
}

export function advertises(ad: Advertisement, pool: MetallbPool): boolean {
  if (!ad.pools && ad.poolSelectors.length === 0) return true;
  return (ad.pools ?? []).includes(pool.name) || ad.poolSelectors.some((s) => selectorMatches(s, pool.labels));
}

// ---------------------------------------------------------------------------------------------------
// ARP observations

export interface ArpSource {
  path: string;
  /** The capturing host, for collector captures. */
  host?: string;
  iface?: string;
  kind: 'pcap' | 'text';
  packets: ArpPacket[];
  summary: ArpTargetSummary[];
  truncated: boolean;
}

/** tcpdump ARP lines, whatever the timestamp and link-header options. */
const TCPDUMP_ARP = /\bARP\b.*\b(?:Request who-has|Reply \S+ is-at)\b|\b(?:Request who-has \S+.* tell|Reply \S+ is-at) /;

/** The skip of an ARP rule when the bundle holds no capture of any kind. */
export function arpSkip(model: Model, ja: boolean): { findings: []; skip: { reason: string; missing: string[] } } {
  const missing = ['hosts/*/capture/*.pcap', 'attachments/*'].flatMap((p) => model.artifacts.explainMissing(p)).map((m) => `${m.path}: ${m.reason}`);
  return { findings: [], skip: { reason: ja ? 'ARP のキャプチャ（collector の pcap、添付の pcap、貼り付けた tcpdump の出力）がバンドルにない' : 'no ARP capture (collector pcap, attached pcap or pasted tcpdump output) in the bundle', missing } };
}

export function arpSources(model: Model): ArpSource[] {
  const out: ArpSource[] = [];
  for (const path of model.artifacts.matchUsable('hosts/*/capture/*')) {
    const facts = model.parsed<PcapFacts>(path);
    if (!facts) continue;
    const m = /^hosts\/([^/]+)\/capture\/arp-(.+)\.pcap$/.exec(path);
    out.push({ path, ...(m ? { host: m[1]!, iface: m[2]! } : {}), kind: 'pcap', packets: facts.arp, summary: summarizeArp(facts.arp), truncated: facts.truncated });
  }
  for (const path of model.artifacts.matchUsable('attachments/*')) {
    const parsed = model.parsed<PcapFacts | AttachmentFacts>(path);
    if (parsed && 'arp' in parsed && 'format' in parsed) {
      out.push({ path, kind: 'pcap', packets: parsed.arp, summary: summarizeArp(parsed.arp), truncated: parsed.truncated });
      continue;
    }
    const text = model.store.texts.get(path);
    if (text === undefined || !TCPDUMP_ARP.test(text)) continue;
    const facts = parseTcpdumpText(text);
    if (facts.arp.length === 0) continue;
    out.push({ path, kind: 'text', packets: facts.arp, summary: summarizeArp(facts.arp), truncated: false });
  }
  return out;
}

export function describePacket(p: ArpPacket): string {
  const at = p.time ? `${p.time.slice(11, 23)} ` : p.localTime ? `${p.localTime} ` : '';
  const body =
    p.op === 'request'
      ? `${p.gratuitous ? 'gratuitous ' : ''}Request who-has ${p.targetIp ?? '?'} tell ${p.senderIp}${p.senderMac ? ` (${p.senderMac})` : ''}`
      : `Reply ${p.senderIp} is-at ${p.senderMac ?? '?'}`;
  return `${at}${body}`;
}

/** Evidence for some packets of a source: frame numbers for captures, lines for tcpdump text. */
export function arpEvidence(model: Model, source: ArpSource, packets: readonly ArpPacket[]): Evidence {
  const shown = packets.slice(0, 6);
  if (source.kind === 'text') {
    const text = model.store.texts.get(source.path) ?? '';
    const lines = text.split('\n');
    return { path: source.path, line: shown[0]?.line ?? 1, excerpt: shown.map((p) => lines[(p.line ?? 1) - 1]?.trim() ?? describePacket(p)) };
  }
  return { path: source.path, excerpt: shown.map((p) => `frame ${p.frame}: ${describePacket(p)}`) };
}

export interface MacOwner {
  mac: string;
  host: string;
  node?: string;
  /** The host is a Kubernetes node by role, even when no node list joins it to a Node. */
  isNode: boolean;
  iface: string;
}

/** MACs of the lab's own machines, from each host's `ip link` / `ip addr` (pod-side interfaces left out). */
export function macOwners(model: Model): Map<string, MacOwner> {
  const out = new Map<string, MacOwner>();
  for (const host of model.hosts) {
    const links = [
      ...(model.parsed<IpLinkFacts>(bundlePath.hostCmd(host.name, HOST_CMD.ipLink))?.links ?? []),
      ...(model.parsed<IpAddrFacts>(bundlePath.hostCmd(host.name, HOST_CMD.ipAddr))?.links ?? []),
    ];
    for (const l of links) {
      if (!l.address || l.address === '00:00:00:00:00:00' || POD_NETWORK_IFACE.test(l.ifname) || l.kind === 'veth') continue;
      if (!out.has(l.address)) out.set(l.address, { mac: l.address, host: host.name, ...(host.node ? { node: host.node.name } : {}), isNode: host.isNode, iface: l.ifname });
    }
  }
  return out;
}

/** MACs that answer for node InternalIPs in captures or neighbour tables: the nodes' NICs seen from outside. */
export function nodeMacsSeen(model: Model, sources: readonly ArpSource[]): Map<string, string> {
  const byIp = new Map<string, string>();
  for (const n of model.nodes) for (const ip of n.internalIPs) byIp.set(ip, n.name);
  const out = new Map<string, string>();
  for (const s of sources) {
    for (const t of s.summary) {
      const node = byIp.get(t.ip);
      if (node) for (const a of [...t.answeredBy, ...t.announcedBy]) out.set(a.mac, node);
    }
  }
  for (const host of model.hosts) {
    for (const n of model.parsed<IpNeighFacts>(bundlePath.hostCmd(host.name, HOST_CMD.ipNeigh))?.neighbors ?? []) {
      const node = byIp.get(n.dst);
      if (node && n.lladdr) out.set(n.lladdr, node);
    }
  }
  return out;
}

/** Who a MAC is, as far as the bundle knows: `w1 (ens18)`, `node w1`, or undefined. */
export function macName(mac: string, owners: Map<string, MacOwner>, seen: Map<string, string>): string | undefined {
  const o = owners.get(mac);
  if (o) return `${o.node ?? o.host} (${o.iface})`;
  const node = seen.get(mac);
  return node !== undefined ? `node ${node}` : undefined;
}

export function objectRef(item: KubeItem<KubeObject>, kind: string): ObjectRef {
  return item.namespace !== undefined ? { kind, namespace: item.namespace, name: item.name } : { kind, name: item.name };
}
