// Host facts worth comparing between two bundles, read from parser output (never raw text): kernel and
// OS, packages as apt history leaves them, sysctls, modules, swap, containerd and kubelet settings,
// links, addresses and bridge VLANs, Proxmox guest NICs, firewall options and rules, certificate expiry,
// service states and probes. Each fact is one key with a printable value, named by what it is about
// (a sysctl key, a package, a VM's net0), so an inserted line elsewhere does not shift anything.
import { classifyPath } from '../../bundle/layout.js';
import { compareText } from '../../common/compare.js';
import type { FactStore } from '../facts/store.js';
import { routeFor } from '../facts/routes.js';
import type { PemFile } from '../parsers/cert-pem.js';
import type { ContainerdConfig } from '../parsers/config-containerd.js';
import type { KubeletConfig } from '../parsers/config-kubelet.js';
import type { AptHistoryFacts } from '../parsers/host-apt-history.js';
import type { MachineIdFacts, OsReleaseFacts, ProductUuidFacts, TimezoneFacts, UnameFacts, ClockFacts } from '../parsers/host-identity.js';
import type { LsmodFacts } from '../parsers/host-lsmod.js';
import type { SwapFacts } from '../parsers/host-swap.js';
import type { SysctlFacts } from '../parsers/host-sysctl.js';
import type { KubeadmCertsCheck } from '../parsers/kube-kubeadm-certs.js';
import type { SystemctlStatusText } from '../parsers/kube-systemctl.js';
import type { BridgeLinkFacts, BridgeVlanFacts } from '../parsers/net-bridge.js';
import type { IpAddress, IpLink, IpNeighbor } from '../parsers/net-ip.js';
import type { PingFacts } from '../parsers/net-ping.js';
import type { TcpProbeFacts } from '../parsers/net-tcp-probe.js';
import type { PcapFacts } from '../parsers/pcap.js';
import type { FirewallConfigFacts, FirewallRule, FirewallStatusFacts } from '../parsers/pve-firewall.js';
import type { GuestConfigFacts, GuestNic } from '../parsers/pve-guest.js';
import type { InterfacesFacts } from '../parsers/pve-interfaces.js';

/** What kind of host fact, for grouping and ranking. */
export type FactArea =
  | 'os'
  | 'identity'
  | 'clock'
  | 'package'
  | 'sysctl'
  | 'module'
  | 'swap'
  | 'containerd'
  | 'kubelet'
  | 'service'
  | 'link'
  | 'address'
  | 'route'
  | 'bridge'
  | 'neighbor'
  | 'arp'
  | 'probe'
  | 'interfaces'
  | 'guest'
  | 'firewall'
  | 'certificate'
  | 'attachment';

export interface HostFact {
  /** Host name, or '' for facts of the bundle as a whole (attachments, ARP captures the user attached). */
  host: string;
  area: FactArea;
  key: string;
  value: string;
  /** Where it was read, for evidence and for ranking against findings. */
  path: string;
  line?: number;
  /** Values that move by themselves (counters, ages); compared only with --include-churn. */
  churn?: boolean;
  /** Only a value in both bundles, or a new one, is a change: absence says nothing (apt history rotates). */
  log?: boolean;
}

/** Sysctls that are counters or random by nature. */
const CHURN_SYSCTL = /^(kernel\.random\.|fs\.(dentry-state|inode-nr|inode-state|file-nr|quota\.)|kernel\.ns_last_pid|kernel\.pty\.nr|net\.netfilter\.nf_conntrack_count|kernel\.tainted|vm\.stat_refresh)/;

/** Interfaces the CNI, kube-proxy and pods create: they come and go with pods, set by the cluster, not the admin. */
export const CLUSTER_INTERFACE = /^(vxlan\.calico|vxlan-v6\.calico|tunl0|cali[0-9a-f]|wireguard\.cali|flannel|cni0|kube-ipvs0|kube-bridge|cilium|lxc|weave|nodelocaldns|veth)/;

/** `net.ipv4.conf.<iface>.…` and friends for such an interface. */
function clusterInterfaceSysctl(key: string): boolean {
  // sysctl writes the dots of an interface name as slashes: net.ipv4.conf.vxlan/calico.forwarding.
  const m = /^net\.ipv[46]\.(?:conf|neigh)\.([^.]+)\./.exec(key);
  return m !== null && CLUSTER_INTERFACE.test(m[1]!.replace(/\//g, '.'));
}

type Emit = (area: FactArea, key: string, value: string | undefined | null, line?: number, churn?: boolean, log?: boolean) => void;

function onOff(v: boolean | undefined): string | undefined {
  return v === undefined ? undefined : v ? 'true' : 'false';
}

function nicText(n: GuestNic): string {
  const parts = [
    n.model && n.mac ? `${n.model}=${n.mac}` : n.model ?? n.mac,
    n.bridge ? `bridge=${n.bridge}` : undefined,
    n.tag !== undefined ? `tag=${n.tag}` : undefined,
    n.trunks?.length ? `trunks=${n.trunks.map((r) => (r.start === r.end ? `${r.start}` : `${r.start}-${r.end}`)).join(';')}` : undefined,
    n.firewall ? 'firewall=1' : undefined,
    n.linkDown ? 'link_down=1' : undefined,
    n.mtu !== undefined ? `mtu=${n.mtu}` : undefined,
  ];
  return parts.filter(Boolean).join(' ');
}

function ruleText(r: FirewallRule): string {
  const parts = [
    r.direction,
    r.macro ? `${r.macro}(${r.action})` : r.action,
    r.iface ? `-i ${r.iface}` : undefined,
    r.source ? `-source ${r.source}` : undefined,
    r.dest ? `-dest ${r.dest}` : undefined,
    r.proto ? `-p ${r.proto}` : undefined,
    r.dport ? `-dport ${r.dport}` : undefined,
    r.sport ? `-sport ${r.sport}` : undefined,
    r.icmpType ? `-icmp-type ${r.icmpType}` : undefined,
  ];
  return parts.filter(Boolean).join(' ');
}

function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function extract(route: string, parsed: unknown, path: string, hostFile: string | undefined, emit: Emit): void {
  switch (route) {
    case 'uname': {
      const u = parsed as UnameFacts;
      emit('os', 'kernel', u.kernelRelease, u.line);
      return;
    }
    case 'os-release': {
      const o = parsed as OsReleaseFacts;
      emit('os', 'os', o.prettyName ?? [o.id, o.versionId].filter(Boolean).join(' '));
      return;
    }
    case 'machine-id':
      emit('identity', 'machine-id', (parsed as MachineIdFacts).machineId ?? (parsed as MachineIdFacts).invalid, (parsed as MachineIdFacts).line);
      return;
    case 'product-uuid':
      emit('identity', 'product_uuid', (parsed as ProductUuidFacts).uuid, (parsed as ProductUuidFacts).line);
      return;
    case 'timezone': {
      const t = parsed as TimezoneFacts;
      emit('clock', 'timezone', t.timezone);
      emit('clock', 'NTP synchronized', onOff(t.ntpSynchronized));
      emit('clock', 'NTP service', onOff(t.ntpEnabled));
      return;
    }
    case 'clock': {
      const c = parsed as ClockFacts;
      if (c.offsetFromCollectionMs === undefined) return;
      // Milliseconds of offset differ in every collection; seconds of skew are what break TLS and etcd.
      const s = Math.round(c.offsetFromCollectionMs / 1000);
      emit('clock', 'offset from the collector', Math.abs(c.offsetFromCollectionMs) < 2000 ? 'within 2s' : `${s > 0 ? '+' : ''}${s}s`, c.line);
      return;
    }
    case 'sysctl': {
      const s = parsed as SysctlFacts;
      for (const [k, v] of Object.entries(s.values)) emit('sysctl', k, v.value, v.line, CHURN_SYSCTL.test(k) || clusterInterfaceSysctl(k));
      return;
    }
    case 'lsmod':
      for (const m of (parsed as LsmodFacts).modules) emit('module', m.name, 'loaded', m.line);
      return;
    case 'swapon':
    case 'proc-swaps': {
      const s = parsed as SwapFacts;
      // swapon and /proc/swaps say the same thing; one key so a host with both does not count twice.
      const text = s.entries.length === 0 ? 'off' : s.entries.map((e) => `${e.name} (${e.type}${e.sizeBytes !== undefined ? `, ${Math.round(e.sizeBytes / 1048576)} MiB` : ''})`).join(', ');
      emit('swap', route === 'swapon' ? 'swap (swapon)' : 'swap (/proc/swaps)', text, s.entries[0]?.line);
      return;
    }
    case 'apt-history': {
      const state = new Map<string, { value: string; line: number }>();
      for (const e of (parsed as AptHistoryFacts).entries) {
        for (const [action, pkgs] of Object.entries(e.packages)) {
          for (const p of pkgs) {
            const value = action === 'remove' || action === 'purge' ? `removed` : p.version ?? action;
            state.set(p.name, { value, line: e.line });
          }
        }
      }
      for (const [name, s] of state) emit('package', name, s.value, s.line, false, true);
      return;
    }
    case 'containerd-config':
    case 'containerd-config-dump': {
      const c = parsed as ContainerdConfig;
      const where = route === 'containerd-config' ? 'config.toml' : 'config dump';
      emit('containerd', `${where}: version`, String(c.version), c.lines.version);
      emit('containerd', `${where}: disabled_plugins`, c.disabledPlugins.length ? c.disabledPlugins.join(', ') : '(none)', c.lines.disabledPlugins);
      emit('containerd', `${where}: CRI`, c.criDisabled ? 'disabled' : 'enabled', c.lines.disabledPlugins);
      emit('containerd', `${where}: default_runtime_name`, c.defaultRuntimeName, c.lines.defaultRuntimeName);
      emit('containerd', `${where}: SystemdCgroup`, onOff(c.systemdCgroup ?? c.legacySystemdCgroup) ?? '(unset)', c.lines.systemdCgroup ?? c.lines.legacySystemdCgroup);
      emit('containerd', `${where}: sandbox_image`, c.sandboxImage, c.lines.sandboxImage);
      emit('containerd', `${where}: registry config_path`, c.registry.configPath, c.lines.configPath);
      for (const m of c.registry.mirrors) emit('containerd', `${where}: mirror ${m.host}`, m.endpoints.join(', '), m.line ?? undefined);
      return;
    }
    case 'kubelet-config': {
      const k = parsed as KubeletConfig;
      for (const [field, value] of Object.entries(k)) {
        if (field === 'lines') continue;
        const text = value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : typeof value === 'object' ? JSON.stringify(value) : String(value);
        if (field === 'featureGates' && text === '{}') continue;
        emit('kubelet', field, text, k.lines[field as keyof typeof k.lines]);
      }
      return;
    }
    case 'systemctl-kubelet':
    case 'systemctl-containerd':
      for (const u of (parsed as SystemctlStatusText).units) {
        emit('service', u.unit, [u.activeState, u.subState ? `(${u.subState})` : undefined].filter(Boolean).join(' ') || undefined, u.activeLine ?? u.line);
        emit('service', `${u.unit} enabled`, u.enablement ?? undefined, u.line);
      }
      return;
    case 'ip-link':
      for (const l of (parsed as { links: IpLink[] }).links ?? []) {
        const text = [`mtu ${l.mtu ?? '?'}`, l.up ? (l.lowerUp ? 'UP' : 'UP NO-CARRIER') : 'DOWN', l.master ? `master ${l.master}` : undefined, l.bridge?.vlanFiltering !== undefined ? `vlan_filtering ${l.bridge.vlanFiltering ? 1 : 0}` : undefined];
        emit('link', l.ifname, text.filter(Boolean).join(' '));
      }
      return;
    case 'ip-addr': {
      const by = new Map<string, string[]>();
      for (const a of (parsed as { addresses: IpAddress[] }).addresses ?? []) {
        if (a.scope === 'link' && a.family === 'inet6') continue;
        by.set(a.ifname, [...(by.get(a.ifname) ?? []), a.cidr]);
      }
      for (const [ifname, cidrs] of by) emit('address', ifname, cidrs.sort().join(', '));
      return;
    }
    case 'ip-route': {
      const routes = (parsed as { routes: { isDefault: boolean; gateway?: string; dev?: string; family: string }[] }).routes ?? [];
      const def = routes.filter((r) => r.isDefault && r.family === 'inet');
      emit('route', 'default route', def.length ? def.map((r) => `via ${r.gateway ?? '-'} dev ${r.dev ?? '-'}`).join(', ') : 'none');
      return;
    }
    case 'ip-neigh':
      for (const n of (parsed as { neighbors: IpNeighbor[] }).neighbors ?? []) {
        if (!n.lladdr || n.dst.includes(':')) continue;
        emit('neighbor', `${n.dst} on ${n.dev ?? '?'}`, n.lladdr, undefined, true);
      }
      return;
    case 'bridge-link':
      for (const p of (parsed as BridgeLinkFacts).ports) emit('bridge', `port ${p.ifname}`, [p.master ? `master ${p.master}` : undefined, p.state].filter(Boolean).join(' '));
      return;
    case 'bridge-vlan':
      for (const p of (parsed as BridgeVlanFacts).ports) {
        const text = p.vlans.map((v) => `${v.start === v.end ? v.start : `${v.start}-${v.end}`}${v.pvid ? ' PVID' : ''}${v.untagged ? ' untagged' : ''}`).join(', ');
        emit('bridge', `vlans ${p.ifname}`, text || '(none)');
      }
      return;
    case 'arp-capture':
    case 'attachment-capture': {
      const answers = new Map<string, Set<string>>();
      for (const a of (parsed as PcapFacts).arp) {
        if (a.op !== 'reply' || !a.senderMac) continue;
        answers.set(a.senderIp, (answers.get(a.senderIp) ?? new Set()).add(a.senderMac));
      }
      const asked = new Set((parsed as PcapFacts).arp.filter((a) => a.op === 'request' && a.targetIp).map((a) => a.targetIp!));
      for (const ip of new Set([...asked, ...answers.keys()])) {
        emit('arp', `who answers ${ip} (${fileName(path)})`, answers.has(ip) ? [...answers.get(ip)!].sort().join(', ') : 'nobody');
      }
      return;
    }
    case 'tcp-apiserver': {
      const t = parsed as TcpProbeFacts;
      for (const p of t.probes) emit('probe', `TCP ${p.host}:${p.port}`, p.ok ? 'open' : p.error ?? 'failed', p.line);
      return;
    }
    case 'ping-gateway': {
      const p = parsed as PingFacts;
      emit('probe', `ping gateway ${p.gateway ?? p.target ?? ''}`.trim(), p.outcome, p.line);
      return;
    }
    case 'network-interfaces':
    case 'network-interfaces-new':
    case 'network-interfaces-d': {
      const where = hostFile ?? path;
      for (const s of (parsed as InterfacesFacts).stanzas) {
        emit('interfaces', `${where}: iface ${s.name}${s.family ? ` ${s.family}` : ''}`, [s.auto ? 'auto' : undefined, s.method].filter(Boolean).join(' ') || 'defined', s.line);
        for (const o of s.options) emit('interfaces', `${where}: iface ${s.name} ${o.key}`, o.value, o.line);
      }
      return;
    }
    case 'pve-guest-config': {
      const g = parsed as GuestConfigFacts;
      const vm = `VM ${g.vmid ?? fileName(path).replace(/\.conf$/, '')}`;
      for (const n of g.nics) emit('guest', `${vm} net${n.index}`, nicText(n), n.line);
      for (const ip of g.ipconfigs) emit('guest', `${vm} ipconfig${ip.index}`, [ip.ip ? `ip=${ip.ip}` : undefined, ip.gw ? `gw=${ip.gw}` : undefined].filter(Boolean).join(' '), ip.line);
      if (g.pending) emit('guest', `${vm} pending changes`, g.pending.nics.map((n) => `net${n.index}: ${nicText(n)}`).join('; ') || 'yes', g.pending.line);
      for (const [k, v] of Object.entries(g.options)) if (/^(onboot|cores|memory|cpu|machine|agent|name)$/.test(k)) emit('guest', `${vm} ${k}`, v.value, v.line);
      return;
    }
    case 'pve-firewall-config':
    case 'pve-host-firewall': {
      const f = parsed as FirewallConfigFacts;
      const where = `firewall ${hostFile ?? fileName(path)}`;
      for (const [k, o] of Object.entries(f.options)) emit('firewall', `${where} option ${k}`, o.value, o.line);
      const counts = new Map<string, number>();
      for (const r of [...f.rules, ...f.groups.flatMap((g) => g.rules)]) {
        const text = ruleText(r);
        const n = (counts.get(text) ?? 0) + 1;
        counts.set(text, n);
        emit('firewall', `${where} rule ${text}${n > 1 ? ` #${n}` : ''}`, r.enabled ? 'enabled' : 'disabled', r.line);
      }
      return;
    }
    case 'pve-firewall-status': {
      const f = parsed as FirewallStatusFacts;
      emit('firewall', 'pve-firewall', [f.enabled === undefined ? undefined : f.enabled ? 'enabled' : 'disabled', f.running === undefined ? undefined : f.running ? 'running' : 'stopped'].filter(Boolean).join('/'), f.line);
      return;
    }
    case 'pki-certificate':
      for (const c of (parsed as PemFile).certificates) emit('certificate', `${hostFile ?? path} (${c.commonName ?? c.subject}) expires`, c.notAfter, c.line);
      return;
    case 'kubeadm-certs':
      for (const c of (parsed as KubeadmCertsCheck).certs) emit('certificate', `kubeadm ${c.table === 'authorities' ? 'CA' : 'certificate'} ${c.name} expires`, c.missing ? 'missing' : c.expires ?? 'unknown', c.line);
      return;
    default:
      return;
  }
}

/** Every comparable host fact of one bundle, sorted by host, area and key. */
export function hostFacts(store: FactStore): HostFact[] {
  const out = new Map<string, HostFact>();
  for (const [path, parsed] of store.parsed) {
    const ref = classifyPath(path);
    const route = routeFor(ref);
    if (!route || parsed === undefined) continue;
    let host = '';
    let hostFile: string | undefined;
    if (ref.area === 'host-cmd' || ref.area === 'host-file' || ref.area === 'host-capture') host = ref.host;
    if (ref.area === 'host-file') hostFile = ref.file;
    if (ref.area === 'attachment') {
      const key = `\u0000attachment\u0000${ref.name}`;
      out.set(key, { host: '', area: 'attachment', key: ref.name, value: 'attached', path });
    }
    const emit: Emit = (area, key, value, line, churn, log) => {
      if (value === undefined || value === null || value === '') return;
      const id = `${host}\u0000${area}\u0000${key}`;
      out.set(id, { host, area, key, value, path, ...(line !== undefined && line !== null ? { line } : {}), ...(churn ? { churn } : {}), ...(log ? { log } : {}) });
    };
    extract(route.name, parsed, path, hostFile, emit);
  }
  return [...out.values()].sort((a, b) => compareText(a.host, b.host) || compareText(a.area, b.area) || compareText(a.key, b.key));
}
