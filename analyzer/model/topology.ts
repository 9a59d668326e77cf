// The lab as a picture would show it: Proxmox host → bridge → VM (and the bridge port of its NIC) →
// Kubernetes node → system pods, plus LoadBalancer IPs and the MACs that answered ARP for them. Only the
// joins the model already makes (vmJoins, node ↔ host, ARP summaries, MAC owners) are used; this file
// decides nothing about health beyond copying the states the bundle reports. Pure and deterministic:
// every list is sorted, so the same bundle always gives the same topology.
import { compareText } from '../../common/compare.js';
import type { Pod } from './kube-types.js';
import type { Model } from './model.js';
import { podReady } from './model.js';
import { arpSources, loadBalancerServices, macOwners, nodeMacsSeen } from './network.js';
import { findStanza, guestBridgePort, guestsOf, liveBridgeVlans, networkConfig, proxmoxHosts, rangesText, vmJoins } from './proxmox.js';

export interface TopologyBridge {
  name: string;
  /** From `bridge-vlan-aware` in /etc/network/interfaces; undefined when no stanza was found. */
  vlanAware?: boolean;
  /** `bridge-vids` (`2-4094`, also the default when unwritten), when VLAN-aware. */
  vids?: string;
  /** Uplinks from `bridge-ports`. */
  ports: string[];
}

export interface TopologyNic {
  /** The N of `netN`. */
  index: number;
  bridge?: string;
  tag?: number;
  trunks?: string;
  firewall: boolean;
  linkDown: boolean;
  mac?: string;
  /** The bridge-side port Proxmox creates for it (`tap102i0`, `fwpr102p0`). */
  port: string;
  /** VLANs the live bridge allows on that port (`bridge -j vlan`), when collected. */
  liveVlans?: string;
}

export interface TopologyVm {
  vmid: number;
  name?: string;
  /** From `qm list`: running, stopped … */
  status?: string;
  nics: TopologyNic[];
  /** The inventory host running inside this VM, when joined (by MAC, address or name). */
  host?: string;
}

export interface TopologyPveHost {
  name: string;
  address: string;
  reached: boolean;
  bridges: TopologyBridge[];
  /** Guests other than templates, by vmid. */
  vms: TopologyVm[];
}

export interface TopologyPod {
  namespace: string;
  name: string;
  /** What kubectl's STATUS column would say: Running, Pending, Init:ImagePullBackOff, CrashLoopBackOff … */
  status: string;
  ready: boolean;
  /** Ran to completion (phase Succeeded, a Job's pod): not Ready, and fine. */
  done: boolean;
  restarts: number;
}

export interface TopologyNode {
  name: string;
  /** Status of the Ready condition (True, False, Unknown); undefined when the node reports none. */
  ready?: string;
  roles: string[];
  internalIPs: string[];
  kubeletVersion?: string;
}

/** A machine of the lab that is not a Proxmox host: a Kubernetes node, an inventory host, or both. */
export interface TopologyMachine {
  /** Stable key: the node name when there is a node, else the inventory host name. */
  id: string;
  host?: { name: string; address: string; reached: boolean };
  node?: TopologyNode;
  /** The VM it runs in, when joined. */
  vm?: { pveHost: string; vmid: number; nic: number };
  /** Pods of the system namespaces scheduled on this node. */
  pods: TopologyPod[];
}

export interface ArpAnswerer {
  mac: string;
  /** Replies and gratuitous announcements seen, summed over every capture. */
  count: number;
  /** `w1 (ens18)` for a MAC of the lab's own machines. */
  owner?: string;
  /** The machine (TopologyMachine.id) the MAC belongs to, when known. */
  machine?: string;
}

export interface TopologyLoadBalancerIp {
  ip: string;
  /** Whether any ARP capture in the bundle asked for or announced this IP. */
  seen: boolean;
  answeredBy: ArpAnswerer[];
}

export interface TopologyLoadBalancer {
  namespace: string;
  name: string;
  pending: boolean;
  ips: TopologyLoadBalancerIp[];
}

export interface Topology {
  pveHosts: TopologyPveHost[];
  machines: TopologyMachine[];
  /** System pods with no node (Pending, unscheduled). */
  unscheduledPods: TopologyPod[];
  loadBalancers: TopologyLoadBalancer[];
  /** Whether the bundle holds any ARP capture at all (else "no answer" means "not captured"). */
  arpCaptured: boolean;
}

/** Namespaces of the components a kubeadm + Calico + MetalLB + ingress-nginx lab runs on every node. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set([
  'kube-system',
  'calico-system',
  'calico-apiserver',
  'tigera-operator',
  'kube-flannel',
  'metallb-system',
  'ingress-nginx',
  'local-path-storage',
]);

/** kubectl's STATUS column, from the first waiting or failed init container, then containers, then phase. */
export function podStatus(pod: Pod): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  for (const s of pod.status?.initContainerStatuses ?? []) {
    const reason = s.state?.waiting?.reason ?? (s.state?.terminated && s.state.terminated.exitCode !== 0 ? s.state.terminated.reason ?? 'Error' : undefined);
    if (reason && reason !== 'PodInitializing') return `Init:${reason}`;
  }
  for (const s of pod.status?.containerStatuses ?? []) {
    const reason = s.state?.waiting?.reason ?? s.state?.terminated?.reason;
    if (reason) return reason;
  }
  return pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
}

function nodeRoles(labels: Record<string, string> | undefined): string[] {
  return Object.keys(labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter((r) => r !== '')
    .sort(compareText);
}

function bridgesOf(model: Model, pveHost: string, used: Set<string>): TopologyBridge[] {
  const files = networkConfig(model, pveHost);
  const names = new Set<string>(used);
  for (const f of files) for (const s of f.facts.stanzas) if (s.bridgePorts !== undefined) names.add(s.name);
  return [...names].sort(compareText).map((name) => {
    const stanza = findStanza(files, name)?.stanza;
    const vlanAware = stanza?.bridgePorts !== undefined ? stanza.bridgeVlanAware === true : undefined;
    return {
      name,
      ...(vlanAware !== undefined ? { vlanAware } : {}),
      // ifupdown2 on Proxmox gives a VLAN-aware bridge 2-4094 when `bridge-vids` is not written.
      ...(vlanAware ? { vids: stanza?.bridgeVids ? rangesText(stanza.bridgeVids) : '2-4094' } : {}),
      ports: (stanza?.bridgePorts ?? []).filter((p) => p !== 'none'),
    };
  });
}

export function buildTopology(model: Model): Topology {
  const joins = vmJoins(model);
  const machineIdOfHost = new Map<string, string>();
  for (const h of model.hosts) machineIdOfHost.set(h.name, h.node?.name ?? h.name);

  const pveHosts: TopologyPveHost[] = proxmoxHosts(model).map((pve) => {
    const live = liveBridgeVlans(model, pve.name)?.facts.ports ?? [];
    const guests = guestsOf(model, pve.name).filter((g) => !g.template);
    const vms: TopologyVm[] = guests.map((g) => {
      const join = joins.find((j) => j.guest.pveHost === g.pveHost && j.guest.vmid === g.vmid);
      return {
        vmid: g.vmid,
        ...(g.name !== undefined ? { name: g.name } : {}),
        ...(g.status !== undefined ? { status: g.status } : {}),
        nics: g.config.nics.map((nic) => {
          const port = guestBridgePort(g, nic);
          const vlans = live.find((p) => p.ifname === port)?.vlans;
          return {
            index: nic.index,
            ...(nic.bridge !== undefined ? { bridge: nic.bridge } : {}),
            ...(nic.tag !== undefined ? { tag: nic.tag } : {}),
            ...(nic.trunks !== undefined ? { trunks: rangesText(nic.trunks) } : {}),
            firewall: nic.firewall,
            linkDown: nic.linkDown,
            ...(nic.mac !== undefined ? { mac: nic.mac } : {}),
            port,
            ...(vlans ? { liveVlans: rangesText(vlans) } : {}),
          };
        }),
        ...(join ? { host: join.host.name } : {}),
      };
    });
    const used = new Set(vms.flatMap((v) => v.nics.flatMap((n) => (n.bridge !== undefined ? [n.bridge] : []))));
    return { name: pve.name, address: pve.address, reached: pve.reached, bridges: bridgesOf(model, pve.name, used), vms };
  });

  const podsByNode = new Map<string, TopologyPod[]>();
  const unscheduledPods: TopologyPod[] = [];
  for (const item of model.pods()) {
    const namespace = item.namespace ?? '';
    if (!SYSTEM_NAMESPACES.has(namespace)) continue;
    const pod: TopologyPod = {
      namespace,
      name: item.name,
      status: podStatus(item.obj),
      ready: podReady(item.obj),
      done: item.obj.status?.phase === 'Succeeded',
      restarts: (item.obj.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0),
    };
    const node = item.obj.spec?.nodeName;
    if (node === undefined || node === '') unscheduledPods.push(pod);
    else podsByNode.set(node, [...(podsByNode.get(node) ?? []), pod]);
  }
  const byPod = (a: TopologyPod, b: TopologyPod) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name);

  const machines = new Map<string, TopologyMachine>();
  for (const n of model.nodes) {
    const labels = n.item.obj.metadata?.labels;
    machines.set(n.name, {
      id: n.name,
      node: {
        name: n.name,
        ...(n.ready !== undefined ? { ready: n.ready } : {}),
        roles: nodeRoles(labels),
        internalIPs: [...n.internalIPs],
        ...((n.item.obj.status as { nodeInfo?: { kubeletVersion?: string } } | undefined)?.nodeInfo?.kubeletVersion
          ? { kubeletVersion: (n.item.obj.status as { nodeInfo: { kubeletVersion: string } }).nodeInfo.kubeletVersion }
          : {}),
      },
      pods: [],
    });
  }
  for (const h of model.hosts) {
    if (h.roles.includes('proxmox')) continue;
    const id = machineIdOfHost.get(h.name)!;
    const m = machines.get(id) ?? { id, pods: [] };
    m.host = { name: h.name, address: h.address, reached: h.reached };
    machines.set(id, m);
  }
  for (const j of joins) {
    const m = machines.get(machineIdOfHost.get(j.host.name)!);
    if (m) m.vm = { pveHost: j.guest.pveHost, vmid: j.guest.vmid, nic: j.nic.index };
  }
  for (const [node, pods] of podsByNode) {
    const m = machines.get(node) ?? { id: node, pods: [] };
    m.pods = pods.sort(byPod);
    machines.set(node, m);
  }

  const sources = arpSources(model);
  const owners = macOwners(model);
  const seen = nodeMacsSeen(model, sources);
  const loadBalancers: TopologyLoadBalancer[] = loadBalancerServices(model)
    .filter((lb) => !lb.otherClass)
    .map((lb) => ({
      namespace: lb.namespace,
      name: lb.name,
      pending: lb.pending,
      ips: [...new Set([...lb.assigned, ...lb.requested])].sort(compareText).map((ip) => {
        const counts = new Map<string, number>();
        let asked = false;
        for (const s of sources) {
          const t = s.summary.find((x) => x.ip === ip);
          if (!t) continue;
          asked = true;
          for (const a of [...t.answeredBy, ...t.announcedBy]) counts.set(a.mac, (counts.get(a.mac) ?? 0) + a.count);
        }
        const answeredBy: ArpAnswerer[] = [...counts.entries()]
          .sort(([a], [b]) => compareText(a, b))
          .map(([mac, count]) => {
            const owner = owners.get(mac);
            const machine = owner ? machineIdOfHost.get(owner.host) : seen.get(mac);
            return {
              mac,
              count,
              ...(owner ? { owner: `${owner.node ?? owner.host} (${owner.iface})` } : {}),
              ...(machine !== undefined && machines.has(machine) ? { machine } : {}),
            };
          });
        return { ip, seen: asked, answeredBy };
      }),
    }))
    .sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name));

  return {
    pveHosts,
    machines: [...machines.values()].sort((a, b) => compareText(a.id, b.id)),
    unscheduledPods: unscheduledPods.sort(byPod),
    loadBalancers,
    arpCaptured: sources.length > 0,
  };
}
