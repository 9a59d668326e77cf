// The one place where bundle paths are spelled. Collector, analyzer, redactor and tests build and read
// paths only through this module, so a layout change is one edit here plus a formatVersion bump.
// Paths are relative to the bundle's root folder (`labsnap-<cluster>-<timestamp>/`), always with `/`.

export const BUNDLE_FORMAT = 'labsnap-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const MANIFEST_PATH = 'manifest.json';

/** Fixed file names under `hosts/<host>/cmd/`, one per collected command. */
export const HOST_CMD = {
  hostname: 'hostname.txt',
  osRelease: 'os-release.txt',
  kernel: 'uname.txt',
  uptime: 'uptime.txt',
  clock: 'clock.txt',
  timezone: 'timezone.txt',
  ipLink: 'ip-link.json',
  ipAddr: 'ip-addr.json',
  ipRoute: 'ip-route.json',
  ipNeigh: 'ip-neigh.json',
  bridgeLink: 'bridge-link.json',
  bridgeVlan: 'bridge-vlan.json',
  ssListen: 'ss-listen.txt',
  sysctl: 'sysctl.txt',
  lsmod: 'lsmod.txt',
  swapon: 'swapon.txt',
  journalKernel: 'journal-kernel.log',
  pingGateway: 'ping-gateway.txt',
  journalKubelet: 'journal-kubelet.log',
  journalContainerd: 'journal-containerd.log',
  systemctlKubelet: 'systemctl-kubelet.txt',
  systemctlContainerd: 'systemctl-containerd.txt',
  containerdConfigDump: 'containerd-config-dump.toml',
  crictlPs: 'crictl-ps.txt',
  crictlPods: 'crictl-pods.txt',
  tcpApiserver: 'tcp-apiserver.txt',
  kubeadmTokenList: 'kubeadm-token-list.txt',
  kubeadmCertsCheckExpiration: 'kubeadm-certs-check-expiration.txt',
  /** Only the CERTIFICATE blocks of kubelet's client certificate file (it holds the key too). */
  kubeletClientCert: 'kubelet-client-cert.pem',
  /** Only the CERTIFICATE blocks of kubelet's serving certificate. */
  kubeletServingCert: 'kubelet-serving-cert.pem',
  pveversion: 'pveversion.txt',
  qmList: 'qm-list.txt',
  pveFirewallStatus: 'pve-firewall-status.txt',
  journalPveFirewall: 'journal-pve-firewall.log',
} as const;
export type HostCmdKey = keyof typeof HOST_CMD;
export type HostCmdName = (typeof HOST_CMD)[HostCmdKey];

/** Files copied from hosts, by their absolute path on the host. */
export const HOST_FILE = {
  machineId: '/etc/machine-id',
  productUuid: '/sys/class/dmi/id/product_uuid',
  procSwaps: '/proc/swaps',
  aptHistory: '/var/log/apt/history.log',
  containerdConfig: '/etc/containerd/config.toml',
  kubeletConfig: '/var/lib/kubelet/config.yaml',
  cniDir: '/etc/cni/net.d',
  manifestsDir: '/etc/kubernetes/manifests',
  pkiDir: '/etc/kubernetes/pki',
  networkInterfaces: '/etc/network/interfaces',
  networkInterfacesNew: '/etc/network/interfaces.new',
  networkInterfacesD: '/etc/network/interfaces.d',
  qemuServerDir: '/etc/pve/qemu-server',
  pveFirewallDir: '/etc/pve/firewall',
  pveNodesDir: '/etc/pve/nodes',
  pveFirewallLog: '/var/log/pve-firewall.log',
} as const;

/** Kubernetes kinds stored as one List per file. Names are the plural resource names kubectl uses. */
export const CLUSTER_SCOPED_KINDS = ['nodes', 'namespaces', 'storageclasses', 'ingressclasses', 'persistentvolumes'] as const;
export const NAMESPACED_KINDS = [
  'pods',
  'events',
  'services',
  'endpoints',
  'endpointslices',
  'ingresses',
  'persistentvolumeclaims',
  'deployments',
  'replicasets',
  'daemonsets',
  'statefulsets',
  'configmaps',
  'jobs',
] as const;
export type ClusterScopedKind = (typeof CLUSTER_SCOPED_KINDS)[number];
export type NamespacedKind = (typeof NAMESPACED_KINDS)[number];

/** Custom resources collected when their CRD exists, as `<plural>.<group>`. */
export const CUSTOM_RESOURCES = [
  'ipaddresspools.metallb.io',
  'l2advertisements.metallb.io',
  'bgpadvertisements.metallb.io',
  'servicel2statuses.metallb.io',
  'ippools.crd.projectcalico.org',
  'ippools.projectcalico.org',
  'installations.operator.tigera.io',
  'felixconfigurations.crd.projectcalico.org',
] as const;

export class LayoutError extends Error {
  override name = 'LayoutError';
}

const SEGMENT_FORBIDDEN = /[\/\\\x00-\x1f\x7f]/;

/**
 * A name that becomes one path segment (host, namespace, pod, container, interface, attachment).
 * Names come from inventories and clusters we do not control, so anything that could climb out of
 * its folder or hide in a terminal is refused rather than silently rewritten.
 */
export function segment(name: string, what = 'name'): string {
  if (name.length === 0 || name === '.' || name === '..' || SEGMENT_FORBIDDEN.test(name) || name.length > 253) {
    throw new LayoutError(`invalid ${what} for a bundle path: ${JSON.stringify(name)}`);
  }
  return name;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYYMMDDTHHMMSSZ` in UTC, as used in bundle and file names. */
export function compactTimestamp(at: Date): string {
  return (
    `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}` +
    `T${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}Z`
  );
}

export function bundleRootName(cluster: string, collectedAt: Date): string {
  return `labsnap-${segment(cluster, 'cluster name')}-${compactTimestamp(collectedAt)}`;
}

export function defaultBundleFileName(cluster: string, collectedAt: Date): string {
  return `${bundleRootName(cluster, collectedAt)}.tar.gz`;
}

export const bundlePath = {
  manifest: (): string => MANIFEST_PATH,
  hostJson: (host: string): string => `hosts/${segment(host, 'host name')}/host.json`,
  hostCmd: (host: string, name: HostCmdName): string => `hosts/${segment(host, 'host name')}/cmd/${name}`,
  /** A file copied from a host: `hosts/<host>/files/<absolute path without the leading />`. */
  hostFile: (host: string, absolutePath: string): string => {
    if (!absolutePath.startsWith('/')) throw new LayoutError(`host file path must be absolute: ${absolutePath}`);
    const parts = absolutePath.slice(1).split('/').filter((p) => p.length > 0);
    return `hosts/${segment(host, 'host name')}/files/${parts.map((p) => segment(p, 'file path segment')).join('/')}`;
  },
  hostCapture: (host: string, iface: string): string =>
    `hosts/${segment(host, 'host name')}/capture/arp-${segment(iface, 'interface name')}.pcap`,
  clusterVersion: (): string => 'cluster/version.json',
  clusterList: (kind: ClusterScopedKind): string => `cluster/${kind}.json`,
  namespacedList: (namespace: string, kind: NamespacedKind): string =>
    `cluster/namespaces/${segment(namespace, 'namespace')}/${kind}.json`,
  customResources: (pluralDotGroup: string): string => `cluster/custom/${segment(pluralDotGroup, 'resource name')}.json`,
  describeNode: (node: string): string => `cluster/describe/nodes/${segment(node, 'node name')}.txt`,
  podLog: (namespace: string, pod: string, container: string, previous: boolean): string =>
    `cluster/logs/${segment(namespace, 'namespace')}/${segment(pod, 'pod name')}/${segment(container, 'container name')}${previous ? '.previous' : ''}.log`,
  attachment: (name: string): string => `attachments/${segment(name, 'attachment name')}`,
};

/** What a bundle path holds, so readers can route an entry to its parser without spelling paths. */
export type ArtifactRef =
  | { area: 'manifest' }
  | { area: 'host-json'; host: string }
  | { area: 'host-cmd'; host: string; name: string }
  | { area: 'host-file'; host: string; file: string }
  | { area: 'host-capture'; host: string; iface: string }
  | { area: 'cluster-version' }
  | { area: 'cluster-list'; kind: string }
  | { area: 'namespaced-list'; namespace: string; kind: string }
  | { area: 'custom'; resource: string }
  | { area: 'describe-node'; node: string }
  | { area: 'pod-log'; namespace: string; pod: string; container: string; previous: boolean }
  | { area: 'attachment'; name: string }
  | { area: 'unknown' };

export function classifyPath(path: string): ArtifactRef {
  if (path === MANIFEST_PATH) return { area: 'manifest' };
  const p = path.split('/');
  if (p[0] === 'hosts' && p.length >= 3) {
    const host = p[1]!;
    if (p.length === 3 && p[2] === 'host.json') return { area: 'host-json', host };
    if (p[2] === 'cmd' && p.length === 4) return { area: 'host-cmd', host, name: p[3]! };
    if (p[2] === 'files' && p.length >= 4) return { area: 'host-file', host, file: '/' + p.slice(3).join('/') };
    if (p[2] === 'capture' && p.length === 4) {
      const m = /^arp-(.+)\.pcap$/.exec(p[3]!);
      if (m) return { area: 'host-capture', host, iface: m[1]! };
    }
    return { area: 'unknown' };
  }
  if (p[0] === 'cluster') {
    if (p.length === 2 && p[1] === 'version.json') return { area: 'cluster-version' };
    if (p.length === 2 && p[1]!.endsWith('.json')) return { area: 'cluster-list', kind: p[1]!.slice(0, -5) };
    if (p[1] === 'namespaces' && p.length === 4 && p[3]!.endsWith('.json'))
      return { area: 'namespaced-list', namespace: p[2]!, kind: p[3]!.slice(0, -5) };
    if (p[1] === 'custom' && p.length === 3 && p[2]!.endsWith('.json')) return { area: 'custom', resource: p[2]!.slice(0, -5) };
    if (p[1] === 'describe' && p[2] === 'nodes' && p.length === 4 && p[3]!.endsWith('.txt'))
      return { area: 'describe-node', node: p[3]!.slice(0, -4) };
    if (p[1] === 'logs' && p.length === 5 && p[4]!.endsWith('.log')) {
      const file = p[4]!.slice(0, -4);
      const previous = file.endsWith('.previous');
      return {
        area: 'pod-log',
        namespace: p[2]!,
        pod: p[3]!,
        container: previous ? file.slice(0, -'.previous'.length) : file,
        previous,
      };
    }
    return { area: 'unknown' };
  }
  if (p[0] === 'attachments' && p.length === 2) return { area: 'attachment', name: p[1]! };
  return { area: 'unknown' };
}
