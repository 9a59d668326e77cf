// Small per-host artifacts with the shapes the real tools print: iproute2 JSON, swapon, sysctl, systemctl,
// crictl tables, copied config files.
import { Rng } from './prng.js';
import type { HostSpec, World } from './world.js';

function json(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

function mac(rng: Rng): string {
  return `bc:24:11:${rng.hex(2)}:${rng.hex(2)}:${rng.hex(2)}`;
}

export function ipLink(host: HostSpec, rng: Rng): string {
  const pve = host.roles.includes('proxmox');
  const links: Record<string, unknown>[] = [
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, qdisc: 'noqueue', operstate: 'UNKNOWN', linkmode: 'DEFAULT', group: 'default', txqlen: 1000, link_type: 'loopback', address: '00:00:00:00:00:00', broadcast: '00:00:00:00:00:00' },
    { ifindex: 2, ifname: pve ? 'enp1s0' : 'ens18', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, qdisc: 'fq_codel', ...(pve ? { master: 'vmbr0' } : {}), operstate: 'UP', linkmode: 'DEFAULT', group: 'default', txqlen: 1000, link_type: 'ether', address: mac(rng), broadcast: 'ff:ff:ff:ff:ff:ff' },
  ];
  if (pve) links.push({ ifindex: 3, ifname: 'vmbr0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, qdisc: 'noqueue', operstate: 'UP', linkmode: 'DEFAULT', group: 'default', txqlen: 1000, link_type: 'ether', address: mac(rng), broadcast: 'ff:ff:ff:ff:ff:ff', linkinfo: { info_kind: 'bridge', info_data: { forward_delay: 0, hello_time: 200, max_age: 2000, stp_state: 0, vlan_filtering: 1, vlan_protocol: '802.1Q' } } });
  else links.push({ ifindex: 3, ifname: 'vxlan.calico', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1450, qdisc: 'noqueue', operstate: 'UNKNOWN', linkmode: 'DEFAULT', group: 'default', txqlen: 1000, link_type: 'ether', address: mac(rng), broadcast: 'ff:ff:ff:ff:ff:ff', linkinfo: { info_kind: 'vxlan', info_data: { id: 4096, local: host.address, dev: 'ens18', port: 4789 } } });
  return json(links);
}

export function ipAddr(host: HostSpec, rng: Rng): string {
  const nic = host.roles.includes('proxmox') ? 'vmbr0' : 'ens18';
  return json([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], mtu: 65536, operstate: 'UNKNOWN', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8, scope: 'host', label: 'lo', valid_life_time: 4294967295, preferred_life_time: 4294967295 }] },
    { ifindex: 2, ifname: nic, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UP', address: mac(rng), addr_info: [{ family: 'inet', local: host.address, prefixlen: 24, broadcast: host.address.replace(/\.\d+$/, '.255'), scope: 'global', label: nic, valid_life_time: 4294967295, preferred_life_time: 4294967295 }] },
  ]);
}

export function ipRoute(host: HostSpec): string {
  const nic = host.roles.includes('proxmox') ? 'vmbr0' : 'ens18';
  const net = host.address.replace(/\.\d+$/, '.0');
  return json([
    { type: 'unicast', dst: 'default', gateway: host.address.replace(/\.\d+$/, '.1'), dev: nic, protocol: 'static', scope: 'global', flags: [] },
    { type: 'unicast', dst: `${net}/24`, dev: nic, protocol: 'kernel', scope: 'link', prefsrc: host.address, flags: [] },
  ]);
}

export function ipNeigh(host: HostSpec, world: World, rng: Rng): string {
  const nic = host.roles.includes('proxmox') ? 'vmbr0' : 'ens18';
  return json(world.hosts.filter((h) => h !== host).slice(0, 12).map((h) => ({ dst: h.address, dev: nic, lladdr: mac(rng), state: [rng.pick(['REACHABLE', 'STALE', 'DELAY'])] })));
}

export function swapon(host: HostSpec): string {
  return host.swap ? 'NAME      TYPE       SIZE USED PRIO\n/swap.img file 4294967296    0   -2\n' : '';
}

export function procSwaps(host: HostSpec): string {
  const header = 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n';
  return host.swap ? `${header}/swap.img                               file\t\t4194300\t\t0\t\t-2\n` : header;
}

export function sysctl(host: HostSpec): string {
  const node = !host.roles.includes('proxmox');
  return [
    `net.bridge.bridge-nf-call-iptables = ${node ? 1 : 0}`,
    `net.bridge.bridge-nf-call-ip6tables = ${node ? 1 : 0}`,
    `net.ipv4.conf.all.rp_filter = ${node ? 0 : 2}`,
    'net.ipv4.conf.default.rp_filter = 2',
    `net.ipv4.ip_forward = 1`,
    'net.ipv4.tcp_keepalive_time = 7200',
    'net.ipv6.conf.all.disable_ipv6 = 0',
    'net.netfilter.nf_conntrack_max = 262144',
    `vm.swappiness = ${host.swap ? 60 : 0}`,
    'vm.overcommit_memory = 1',
    '',
  ].join('\n');
}

export function lsmod(host: HostSpec): string {
  const mods = host.roles.includes('proxmox') ? ['kvm_intel', 'kvm', 'vhost_net', 'tap', 'bridge', 'stp', 'llc'] : ['overlay', 'br_netfilter', 'bridge', 'stp', 'llc', 'vxlan', 'ip_tables', 'nf_conntrack', 'xt_conntrack'];
  return `Module                  Size  Used by\n${mods.map((m, i) => `${m.padEnd(24)}${String(16384 + i * 4096).padStart(6)}  ${i % 3}`).join('\n')}\n`;
}

// kubelet and containerd PIDs as `systemctl status` shows them.
const SYSTEMD_PID = { kubelet: 812, containerd: 655 };

/**
 * `ss -ltnp` as root: every listener with the process that holds it, its name cut to 15 characters as
 * the kernel's comm is (kube-controller-manager shows as kube-controller).
 */
export function ssListen(host: HostSpec, world: World, rng: Rng): string {
  const pid = new Map<string, number>([
    ['kubelet', SYSTEMD_PID.kubelet],
    ['containerd', SYSTEMD_PID.containerd],
  ]);
  const pidOf = (name: string): number => {
    if (!pid.has(name)) pid.set(name, rng.range(900, 4000));
    return pid.get(name)!;
  };
  const rows: [address: string, port: number, process: string][] = [];
  if (host.roles.includes('proxmox')) {
    rows.push(['127.0.0.1', 25, 'master'], ['127.0.0.1', 85, 'pvedaemon worke'], ['0.0.0.0', 111, 'rpcbind'], ['0.0.0.0', 22, 'sshd'], ['*', 8006, 'pveproxy worker'], ['*', 3128, 'spiceproxy work']);
  } else {
    const calicoUp = world.pods.some((p) => p.node === host.name && p.owner.name === 'calico-node' && p.phase === 'Running');
    rows.push(['127.0.0.1', 10248, 'kubelet'], ['127.0.0.1', 10249, 'kube-proxy'], ['127.0.0.1', rng.range(33000, 46000), 'containerd'], ['0.0.0.0', 22, 'sshd'], ['*', 10250, 'kubelet'], ['*', 10256, 'kube-proxy'], ['*', 7472, 'speaker'], ['*', 7946, 'speaker']);
    if (calicoUp) rows.push(['127.0.0.1', 9099, 'calico-node']);
    if (host.roles.includes('control-plane')) {
      rows.push(['127.0.0.1', 2379, 'etcd'], [host.address, 2379, 'etcd'], [host.address, 2380, 'etcd'], ['127.0.0.1', 2381, 'etcd'], ['127.0.0.1', 10257, 'kube-controller'], ['127.0.0.1', 10259, 'kube-scheduler'], ['*', 6443, 'kube-apiserver']);
    }
  }
  rows.push(['[::]', 22, 'sshd']);
  const fd = new Map<string, number>();
  const line = ([address, port, name]: (typeof rows)[number]): string => {
    fd.set(name, (fd.get(name) ?? 2) + 1);
    const local = `${address}:${port}`;
    const peer = address === '*' ? '*:*' : address.startsWith('[') ? '[::]:*' : '0.0.0.0:*';
    return `LISTEN 0      ${String(port === 22 ? 128 : 4096).padEnd(6)} ${local.padStart(20)} ${peer.padStart(14)}    users:(("${name}",pid=${pidOf(name)},fd=${fd.get(name)}))`;
  };
  return `State  Recv-Q Send-Q        Local Address:Port  Peer Address:PortProcess\n${rows.map(line).join('\n')}\n`;
}

export function systemctl(host: HostSpec, unit: 'kubelet' | 'containerd', world: World): string {
  const since = new Date(world.collectedAt.getTime() - 86400_000 - 60_000).toUTCString();
  return [
    `● ${unit}.service - ${unit === 'kubelet' ? 'kubelet: The Kubernetes Node Agent' : 'containerd container runtime'}`,
    `     Loaded: loaded (/lib/systemd/system/${unit}.service; enabled; preset: enabled)`,
    `     Active: active (running) since ${since}; 1 day ago`,
    `   Main PID: ${SYSTEMD_PID[unit]} (${unit})`,
    `      Tasks: 14 (limit: 9425)`,
    `     Memory: ${unit === 'kubelet' ? 61 : 48}.2M`,
    `        CPU: 1h 2min 11.310s`,
    '',
  ].join('\n');
}

export function crictlPods(host: HostSpec, world: World, rng: Rng): string {
  const pods = world.pods.filter((p) => p.node === host.name);
  const rows = pods.map((p) => `${rng.hex(13)}       4 days ago          ${(p.phase === 'Running' ? 'Ready' : 'NotReady').padEnd(19)} ${p.name.padEnd(19)} ${p.namespace.padEnd(19)} ${String(p.restarts).padEnd(19)} (default)`);
  return `POD ID              CREATED             STATE               NAME                NAMESPACE           ATTEMPT             RUNTIME\n${rows.join('\n')}\n`;
}

export function crictlPs(host: HostSpec, world: World, rng: Rng): string {
  const pods = world.pods.filter((p) => p.node === host.name && p.phase === 'Running');
  const rows = pods.map((p) => `${rng.hex(13)}       ${rng.hex(13)}       4 days ago          ${(p.ready ? 'Running' : 'Exited').padEnd(19)} ${p.containers[0]!.name.padEnd(19)} ${String(p.restarts).padEnd(19)} ${rng.hex(13)}       ${p.name}`);
  return `CONTAINER           IMAGE               CREATED             STATE               NAME                ATTEMPT             POD ID              POD\n${rows.join('\n')}\n`;
}

export function tcpApiserver(world: World): string {
  const cps = world.hosts.filter((h) => h.roles.includes('control-plane'));
  return `kubelet.conf server ${cps[0]?.address ?? '192.168.10.11'}:6443\n${[cps[0], ...cps].filter((h) => h).map((h) => `tcp ${h!.address}:6443 open`).join('\n')}\n`;
}

export function kubeletConfig(): string {
  return [
    'apiVersion: kubelet.config.k8s.io/v1beta1',
    'kind: KubeletConfiguration',
    'cgroupDriver: systemd',
    'clusterDNS:',
    '- 10.96.0.10',
    'clusterDomain: cluster.local',
    'containerRuntimeEndpoint: unix:///var/run/containerd/containerd.sock',
    'failSwapOn: false',
    'memorySwap:',
    '  swapBehavior: NoSwap',
    'rotateCertificates: true',
    'staticPodPath: /etc/kubernetes/manifests',
    '',
  ].join('\n');
}

export function cniConflist(): string {
  return `${JSON.stringify(
    {
      name: 'k8s-pod-network',
      cniVersion: '0.3.1',
      plugins: [
        { type: 'calico', datastore_type: 'kubernetes', mtu: 0, nodename_file_optional: false, log_level: 'Info', log_file_path: '/var/log/calico/cni/cni.log', ipam: { type: 'calico-ipam', assign_ipv4: 'true', assign_ipv6: 'false' }, container_settings: { allow_ip_forwarding: false }, policy: { type: 'k8s' }, kubernetes: { k8s_api_root: 'https://10.96.0.1:443', kubeconfig: '/etc/cni/net.d/calico-kubeconfig' } },
        { type: 'bandwidth', capabilities: { bandwidth: true } },
        { type: 'portmap', snat: true, capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

export function pveversion(): string {
  return ['proxmox-ve: 8.2.0 (running kernel: 6.8.12-1-pve)', 'pve-manager: 8.2.4 (running version: 8.2.4/faa83925c9641325)', 'proxmox-kernel-helper: 8.1.0', 'pve-firewall: 5.0.7', 'qemu-server: 8.2.4', ''].join('\n');
}

export function qmList(host: HostSpec, world: World): string {
  const pveHosts = world.hosts.filter((h) => h.roles.includes('proxmox'));
  const nodes = world.hosts.filter((h) => !h.roles.includes('proxmox')).filter((_, i) => pveHosts[i % pveHosts.length] === host);
  return `      VMID NAME                 STATUS     MEM(MB)    BOOTDISK(GB) PID\n${nodes.map((n, i) => `       ${101 + i} ${n.name.padEnd(20)} running    8192              32.00 ${2000 + i * 13}`).join('\n')}\n`;
}

export function networkInterfaces(host: HostSpec): string {
  return ['auto lo', 'iface lo inet loopback', '', 'iface enp1s0 inet manual', '', 'auto vmbr0', 'iface vmbr0 inet static', `\taddress ${host.address}/24`, `\tgateway ${host.address.replace(/\.\d+$/, '.1')}`, '\tbridge-ports enp1s0', '\tbridge-stp off', '\tbridge-fd 0', '\tbridge-vlan-aware yes', '\tbridge-vids 2-4094', ''].join('\n');
}
