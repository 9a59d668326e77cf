// Which parser reads which artifact. The one table that ties bundle paths (through classifyPath) to
// parsers; the model reads parser output back by path.
import { HOST_CMD, HOST_FILE, type ArtifactRef } from '../../bundle/layout.js';
import type { ParseContext } from '../parsers/common.js';
import { parseAptHistory } from '../parsers/host-apt-history.js';
import { parseClock, parseHostname, parseMachineId, parseOsRelease, parseProductUuid, parseTimezone, parseUname, parseUptime } from '../parsers/host-identity.js';
import { parseLsmod } from '../parsers/host-lsmod.js';
import { parseSs } from '../parsers/host-ss.js';
import { parseSwap } from '../parsers/host-swap.js';
import { parseSysctl } from '../parsers/host-sysctl.js';
import { parseBridgeLink, parseBridgeVlan } from '../parsers/net-bridge.js';
import { parseIpAddr, parseIpLink, parseIpNeigh, parseIpRoute } from '../parsers/net-ip.js';
import { parsePing } from '../parsers/net-ping.js';
import { parseTcpProbe } from '../parsers/net-tcp-probe.js';
import { parsePcap } from '../parsers/pcap.js';
import { parseFirewallConfig, parseFirewallStatus } from '../parsers/pve-firewall.js';
import { parseGuestConfig, parseQmList } from '../parsers/pve-guest.js';
import { parseInterfaces } from '../parsers/pve-interfaces.js';
import { parseJoinCommand, parsePemCertificates } from '../parsers/cert-pem.js';
import { parseContainerdConfig } from '../parsers/config-containerd.js';
import { parseKubeadmConfig } from '../parsers/config-kubeadm.js';
import { parseKubeletConfig } from '../parsers/config-kubelet.js';
import { parseCrictl } from '../parsers/kube-crictl.js';
import { parseDescribeNodes } from '../parsers/kube-describe-node.js';
import { parseKubeadmCertsCheck } from '../parsers/kube-kubeadm-certs.js';
import { parseKubeadmTokenList } from '../parsers/kube-kubeadm-tokens.js';
import { parseSystemctlStatus } from '../parsers/kube-systemctl.js';
import { parseKubeadmOutput } from '../parsers/log-kubeadm.js';
import { ParseError } from '../parsers/common.js';

export interface Route {
  /** A short name for messages and tests. */
  name: string;
  matches(ref: ArtifactRef): boolean;
  /** Binary artifacts (pcap) get bytes; everything else text. */
  binary?: boolean;
  parse(input: string | Uint8Array, ctx: ParseContext): unknown;
}

const hostCmd = (name: string) => (ref: ArtifactRef) => ref.area === 'host-cmd' && ref.name === name;
const hostFile = (file: string) => (ref: ArtifactRef) => ref.area === 'host-file' && ref.file === file;
const hostFileIn = (dir: string, suffix: RegExp) => (ref: ArtifactRef) =>
  ref.area === 'host-file' && ref.file.startsWith(`${dir}/`) && suffix.test(ref.file.slice(dir.length + 1));
/** What an attachment may hold: kubeadm output, join commands, certificates, kubeadm configuration. */
export interface AttachmentFacts {
  kubeadm: ReturnType<typeof parseKubeadmOutput>;
  joins: ReturnType<typeof parseJoinCommand>;
  certificates: ReturnType<typeof parsePemCertificates> | undefined;
  kubeadmConfig: ReturnType<typeof parseKubeadmConfig> | undefined;
}

function parseAttachment(input: string, ctx: ParseContext): AttachmentFacts {
  const optional = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      // An attachment is whatever the user attached; not being a certificate or a config is normal.
      if (err instanceof ParseError) return undefined;
      throw err;
    }
  };
  return {
    // A certificate or config attached alone has no kubeadm line; it is still a usable attachment.
    kubeadm: optional(() => parseKubeadmOutput(input, ctx)) ?? { kubernetesVersion: null, preflight: [], phaseErrors: [], discovery: [], dialFailures: [] },
    joins: parseJoinCommand(input),
    certificates: input.includes('-----BEGIN CERTIFICATE-----') ? optional(() => parsePemCertificates(input, ctx)) : undefined,
    kubeadmConfig: /^kind:\s*(ClusterConfiguration|InitConfiguration|JoinConfiguration)\b/m.test(input) ? optional(() => parseKubeadmConfig(input, ctx)) : undefined,
  };
}

const text = (fn: (text: string, ctx: ParseContext) => unknown) => (input: string | Uint8Array, ctx: ParseContext) => fn(input as string, ctx);

export const ROUTES: Route[] = [
  { name: 'hostname', matches: hostCmd(HOST_CMD.hostname), parse: text(parseHostname) },
  { name: 'os-release', matches: hostCmd(HOST_CMD.osRelease), parse: text(parseOsRelease) },
  { name: 'uname', matches: hostCmd(HOST_CMD.kernel), parse: text(parseUname) },
  { name: 'uptime', matches: hostCmd(HOST_CMD.uptime), parse: text(parseUptime) },
  { name: 'clock', matches: hostCmd(HOST_CMD.clock), parse: text(parseClock) },
  { name: 'timezone', matches: hostCmd(HOST_CMD.timezone), parse: text(parseTimezone) },
  { name: 'machine-id', matches: hostFile(HOST_FILE.machineId), parse: text(parseMachineId) },
  { name: 'product-uuid', matches: hostFile(HOST_FILE.productUuid), parse: text(parseProductUuid) },
  { name: 'sysctl', matches: hostCmd(HOST_CMD.sysctl), parse: text(parseSysctl) },
  { name: 'lsmod', matches: hostCmd(HOST_CMD.lsmod), parse: text(parseLsmod) },
  { name: 'swapon', matches: hostCmd(HOST_CMD.swapon), parse: text(parseSwap) },
  { name: 'proc-swaps', matches: hostFile(HOST_FILE.procSwaps), parse: text(parseSwap) },
  { name: 'ss-listen', matches: hostCmd(HOST_CMD.ssListen), parse: text(parseSs) },
  { name: 'apt-history', matches: hostFile(HOST_FILE.aptHistory), parse: text(parseAptHistory) },
  { name: 'ip-link', matches: hostCmd(HOST_CMD.ipLink), parse: text(parseIpLink) },
  { name: 'ip-addr', matches: hostCmd(HOST_CMD.ipAddr), parse: text(parseIpAddr) },
  { name: 'ip-route', matches: hostCmd(HOST_CMD.ipRoute), parse: text(parseIpRoute) },
  { name: 'ip-neigh', matches: hostCmd(HOST_CMD.ipNeigh), parse: text(parseIpNeigh) },
  { name: 'bridge-link', matches: hostCmd(HOST_CMD.bridgeLink), parse: text(parseBridgeLink) },
  { name: 'bridge-vlan', matches: hostCmd(HOST_CMD.bridgeVlan), parse: text(parseBridgeVlan) },
  { name: 'ping-gateway', matches: hostCmd(HOST_CMD.pingGateway), parse: text(parsePing) },
  { name: 'tcp-apiserver', matches: hostCmd(HOST_CMD.tcpApiserver), parse: text(parseTcpProbe) },
  { name: 'qm-list', matches: hostCmd(HOST_CMD.qmList), parse: text(parseQmList) },
  { name: 'pve-firewall-status', matches: hostCmd(HOST_CMD.pveFirewallStatus), parse: text(parseFirewallStatus) },
  { name: 'network-interfaces', matches: hostFile(HOST_FILE.networkInterfaces), parse: text(parseInterfaces) },
  { name: 'network-interfaces-new', matches: hostFile(HOST_FILE.networkInterfacesNew), parse: text(parseInterfaces) },
  { name: 'network-interfaces-d', matches: hostFileIn(HOST_FILE.networkInterfacesD, /^[^/]+$/), parse: text(parseInterfaces) },
  { name: 'pve-guest-config', matches: hostFileIn(HOST_FILE.qemuServerDir, /^\d+\.conf$/), parse: text(parseGuestConfig) },
  { name: 'pve-firewall-config', matches: hostFileIn(HOST_FILE.pveFirewallDir, /^[^/]+\.fw$/), parse: text(parseFirewallConfig) },
  { name: 'pve-host-firewall', matches: hostFileIn(HOST_FILE.pveNodesDir, /^[^/]+\/host\.fw$/), parse: text(parseFirewallConfig) },
  { name: 'systemctl-kubelet', matches: hostCmd(HOST_CMD.systemctlKubelet), parse: text(parseSystemctlStatus) },
  { name: 'systemctl-containerd', matches: hostCmd(HOST_CMD.systemctlContainerd), parse: text(parseSystemctlStatus) },
  { name: 'containerd-config', matches: hostFile(HOST_FILE.containerdConfig), parse: text(parseContainerdConfig) },
  { name: 'containerd-config-dump', matches: hostCmd(HOST_CMD.containerdConfigDump), parse: text(parseContainerdConfig) },
  { name: 'kubelet-config', matches: hostFile(HOST_FILE.kubeletConfig), parse: text(parseKubeletConfig) },
  { name: 'crictl-ps', matches: hostCmd(HOST_CMD.crictlPs), parse: text(parseCrictl) },
  { name: 'crictl-pods', matches: hostCmd(HOST_CMD.crictlPods), parse: text(parseCrictl) },
  { name: 'kubeadm-token-list', matches: hostCmd(HOST_CMD.kubeadmTokenList), parse: text(parseKubeadmTokenList) },
  { name: 'kubeadm-certs', matches: hostCmd(HOST_CMD.kubeadmCertsCheckExpiration), parse: text(parseKubeadmCertsCheck) },
  { name: 'pki-certificate', matches: hostFileIn(HOST_FILE.pkiDir, /\.crt$/), parse: text(parsePemCertificates) },
  { name: 'kubelet-client-cert', matches: hostCmd(HOST_CMD.kubeletClientCert), parse: text(parsePemCertificates) },
  { name: 'kubelet-serving-cert', matches: hostCmd(HOST_CMD.kubeletServingCert), parse: text(parsePemCertificates) },
  { name: 'describe-node', matches: (ref) => ref.area === 'describe-node', parse: text(parseDescribeNodes) },
  { name: 'attachment', matches: (ref) => ref.area === 'attachment' && !/\.(pcap|pcapng|gz|tgz|zip)$/i.test(ref.name), parse: text(parseAttachment) },
  { name: 'arp-capture', matches: (ref) => ref.area === 'host-capture', binary: true, parse: (input) => parsePcap(input as Uint8Array) },
  // A capture the user took by hand (`tcpdump -i vmbr0 -w arp.pcap arp`) and attached.
  { name: 'attachment-capture', matches: (ref) => ref.area === 'attachment' && /\.(pcap|pcapng)$/i.test(ref.name), binary: true, parse: (input) => parsePcap(input as Uint8Array) },
];

export function routeFor(ref: ArtifactRef): Route | undefined {
  return ROUTES.find((r) => r.matches(ref));
}
