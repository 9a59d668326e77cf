// The default collection plan, as data: what each host role contributes, where each result lands in the
// bundle, and how it is run. Only read-only commands appear here; values from the inventory reach a
// command line only through shq() or after validation (collector/shell.ts).
import { HOST_CMD, HOST_FILE, LayoutError, bundlePath, segment } from '../bundle/layout.js';
import type { HostRole } from '../bundle/manifest.js';
import { shq } from './shell.js';

/** Journal and log caps by lines; `--since` caps them by time. */
export const JOURNAL_MAX_LINES = 50_000;
export const KERNEL_JOURNAL_MAX_LINES = 20_000;
export const API_SERVER_PORT = 6443;

export interface PlannedCommand {
  type: 'command';
  kind: 'command' | 'kube' | 'capture';
  /** Bundle path of the output. */
  path: string;
  command: string;
  /** Needs root on the host: run through `sudo -n` when the host is configured with sudo. */
  privileged: boolean;
  /** Exit codes that still mean "complete output" (e.g. 3 from `systemctl status` of a stopped unit). */
  okExitCodes?: readonly number[];
  /** Overrides the per-command timeout (captures run for a fixed time). */
  timeoutMs?: number;
}

export interface PlannedFile {
  type: 'file';
  path: string;
  /** Absolute path on the host. */
  file: string;
  privileged: boolean;
}

/** Files found on the host at run time; each becomes a PlannedFile. */
export interface PlannedDir {
  type: 'dir';
  /** Where a failed listing is recorded: the bundle folder the files would have gone to. */
  path: string;
  dir: string;
  /** find -name pattern. */
  name: string;
  minDepth: number;
  maxDepth: number;
  privileged: boolean;
}

export type HostPlanItem = PlannedCommand | PlannedFile | PlannedDir;

export interface HostPlanContext {
  sinceSeconds: number;
  /** Addresses of control-plane hosts from the inventory, probed on port 6443 from every node. */
  controlPlaneAddresses: string[];
}

/** `~/x` must expand on the host, which quoting alone would prevent. */
export function shPath(path: string): string {
  if (path === '~') return '"$HOME"';
  if (path.startsWith('~/')) return `"$HOME"/${shq(path.slice(2))}`;
  return shq(path);
}

/** Refused whatever the plan says: private keys never leave a host. */
function isPrivateKeyPath(path: string): boolean {
  return /\.key$/i.test(path) || /(^|\/)id_[a-z0-9]+$/i.test(path);
}

export function fileCommand(path: string): string {
  if (isPrivateKeyPath(path)) throw new LayoutError(`refusing to read a private key: ${path}`);
  return `cat -- ${shq(path)}`;
}

export function listCommand(item: PlannedDir): string {
  // -H follows a symlinked starting point (/etc/pve/qemu-server links into the node's folder) but no
  // link below it; -print0 keeps any file name intact.
  return `find -H ${shq(item.dir)} -mindepth ${item.minDepth} -maxdepth ${item.maxDepth} -type f -name ${shq(item.name)} -print0`;
}

/** Turns a directory listing into file items; names that cannot be stored safely are reported back. */
export function expandListing(item: PlannedDir, host: string, listing: Buffer): { files: PlannedFile[]; refused: string[] } {
  const files: PlannedFile[] = [];
  const refused: string[] = [];
  const prefix = item.dir.endsWith('/') ? item.dir : `${item.dir}/`;
  for (const raw of listing.toString('utf8').split('\0')) {
    if (raw.length === 0) continue;
    const file = raw.replace(/\/{2,}/g, '/');
    if (!file.startsWith(prefix) || file.split('/').includes('..') || isPrivateKeyPath(file)) {
      refused.push(file);
      continue;
    }
    try {
      files.push({ type: 'file', path: bundlePath.hostFile(host, file), file, privileged: item.privileged });
    } catch (err) {
      if (!(err instanceof LayoutError)) throw err;
      refused.push(file);
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, refused };
}

function cmd(host: string, name: keyof typeof HOST_CMD, command: string, privileged = false, okExitCodes?: readonly number[]): PlannedCommand {
  return { type: 'command', kind: 'command', path: bundlePath.hostCmd(host, HOST_CMD[name]), command, privileged, ...(okExitCodes ? { okExitCodes } : {}) };
}

function file(host: string, path: string, privileged = false): PlannedFile {
  return { type: 'file', path: bundlePath.hostFile(host, path), file: path, privileged };
}

function dir(host: string, path: string, name: string, privileged: boolean, depth: { min: number; max: number } = { min: 1, max: 1 }): PlannedDir {
  return { type: 'dir', path: bundlePath.hostFile(host, path), dir: path, name, minDepth: depth.min, maxDepth: depth.max, privileged };
}

function journal(unitArgs: string, sinceSeconds: number, lines: number): string {
  return `journalctl ${unitArgs} --since=-${sinceSeconds}s -n ${lines} --no-pager -o short-iso-precise`;
}

// Reads the default gateway from the main table on the host itself, so nothing from outside is involved.
const PING_GATEWAY = [
  'set -- $(ip route show default 2>/dev/null)',
  'if [ "$1" != default ] || [ "$2" != via ]; then echo "no default gateway in the main routing table" >&2; exit 2; fi',
  'echo "gateway $3"',
  'ping -c 3 -W 2 "$3"',
].join('; ');

/** The seed's `nc -vz <CP_IP> 6443`: the endpoint kubelet uses (kubelet.conf) plus each control-plane host. */
export function tcpApiServerCommand(addresses: readonly string[]): string {
  const probe = [
    'probe() {',
    'if command -v nc >/dev/null 2>&1; then out=$(nc -vz -w 5 "$1" "$2" 2>&1); r=$?;',
    `elif command -v bash >/dev/null 2>&1; then out=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' probe "$1" "$2" 2>&1); r=$?;`,
    'else echo "neither nc nor bash is available for a TCP probe" >&2; exit 127; fi;',
    // printf, not echo: dash's echo turns backslashes in an address into escapes.
    'if [ "$r" -eq 0 ]; then printf \'tcp %s:%s open\\n\' "$1" "$2"; else printf \'tcp %s:%s failed (exit %s) %s\\n\' "$1" "$2" "$r" "$out"; rc=1; fi; }',
  ].join(' ');
  const lines = [
    'rc=0',
    probe,
    "server=$(sed -n 's|^[[:space:]]*server:[[:space:]]*https://\\([^/]*\\).*|\\1|p' /etc/kubernetes/kubelet.conf 2>/dev/null | head -n 1)",
    'if [ -n "$server" ]; then h=${server%:*}; p=${server##*:}; [ "$h" = "$server" ] && p=443; h=${h#[}; h=${h%]}; echo "kubelet.conf server $server"; probe "$h" "$p"; else echo "kubelet.conf server (none)"; fi',
    ...addresses.map((a) => `probe ${shq(a)} ${API_SERVER_PORT}`),
    'exit $rc',
  ];
  return lines.join('\n');
}

/** kubelet's rotating client certificate: a symlink to a file holding the certificate and its private key. */
export const KUBELET_CLIENT_CERT = '/var/lib/kubelet/pki/kubelet-client-current.pem';
/** kubelet's self-signed serving certificate (its key is kubelet.key, never read). */
export const KUBELET_SERVING_CERT = '/var/lib/kubelet/pki/kubelet.crt';

/**
 * Prints only the CERTIFICATE PEM blocks of a file, on the host, so no byte of a private key in the same
 * file leaves it. A block is printed only once its END line is seen and every line between is base64: a
 * cut-off certificate followed by a key prints nothing of either. Exit 3 when there is no certificate.
 */
export function certificateBlocksCommand(path: string): string {
  const program = [
    '{ sub(/\\r$/, "") }',
    '$0 == "-----BEGIN CERTIFICATE-----" { b = $0 "\\n"; inb = 1; next }',
    'inb && $0 == "-----END CERTIFICATE-----" { printf "%s%s\\n", b, $0; n++; inb = 0; b = ""; next }',
    'inb && /^[A-Za-z0-9+\\/=]*$/ { b = b $0 "\\n"; next }',
    '{ inb = 0; b = "" }',
    'END { if (n == 0) { print "no CERTIFICATE block in " FILENAME > "/dev/stderr"; exit 3 } }',
  ].join('\n');
  return `awk ${shq(program)} ${shq(path)}`;
}

// Bootstrap token secrets are credentials; only the public token id is kept, masked on the host.
const KUBEADM_TOKEN_LIST = [
  'out=$(kubeadm token list)',
  'rc=$?',
  `[ -z "$out" ] || printf '%s\\n' "$out" | sed -E 's/(^|[^a-z0-9])([a-z0-9]{6})\\.[a-z0-9]{16}([^a-z0-9]|$)/\\1\\2.<secret not collected>\\3/g'`,
  'exit $rc',
].join('; ');

export function planEveryHost(host: string, ctx: HostPlanContext): HostPlanItem[] {
  return [
    cmd(host, 'hostname', 'uname -n'),
    cmd(host, 'osRelease', 'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release'),
    cmd(host, 'kernel', 'uname -a'),
    cmd(host, 'uptime', 'cat /proc/uptime'),
    cmd(host, 'clock', 'date +%s.%N'),
    cmd(host, 'timezone', 'timedatectl show 2>/dev/null || { date +%Z; cat /etc/timezone 2>/dev/null; true; }'),
    cmd(host, 'ipLink', 'ip -j -d link show'),
    cmd(host, 'ipAddr', 'ip -j -d addr show'),
    cmd(host, 'ipRoute', 'ip -j -d route show'),
    cmd(host, 'ipNeigh', 'ip -j -d neigh show'),
    cmd(host, 'bridgeLink', 'bridge -j -d link show'),
    cmd(host, 'bridgeVlan', 'bridge -j -d vlan show'),
    cmd(host, 'ssListen', 'ss -ltnp', true),
    cmd(host, 'sysctl', 'sysctl -e net vm', true),
    cmd(host, 'lsmod', 'lsmod'),
    cmd(host, 'swapon', 'swapon --show --bytes'),
    cmd(host, 'journalKernel', journal('-k', ctx.sinceSeconds, KERNEL_JOURNAL_MAX_LINES), true),
    cmd(host, 'pingGateway', PING_GATEWAY),
    file(host, HOST_FILE.machineId),
    file(host, HOST_FILE.productUuid, true),
    file(host, HOST_FILE.procSwaps),
    file(host, HOST_FILE.aptHistory, true),
  ];
}

export function planKubernetesNode(host: string, ctx: HostPlanContext): HostPlanItem[] {
  return [
    cmd(host, 'journalKubelet', journal('-u kubelet', ctx.sinceSeconds, JOURNAL_MAX_LINES), true),
    cmd(host, 'journalContainerd', journal('-u containerd', ctx.sinceSeconds, JOURNAL_MAX_LINES), true),
    // 3 = unit not running: the status text is complete and is exactly what diagnosis needs.
    cmd(host, 'systemctlKubelet', 'systemctl status kubelet --no-pager -l', false, [0, 3]),
    cmd(host, 'systemctlContainerd', 'systemctl status containerd --no-pager -l', false, [0, 3]),
    file(host, HOST_FILE.containerdConfig, true),
    cmd(host, 'containerdConfigDump', 'containerd config dump', true),
    file(host, HOST_FILE.kubeletConfig, true),
    dir(host, HOST_FILE.cniDir, '*', true),
    cmd(host, 'crictlPs', 'crictl ps -a', true),
    cmd(host, 'crictlPods', 'crictl pods', true),
    cmd(host, 'tcpApiserver', tcpApiServerCommand(ctx.controlPlaneAddresses), true),
    cmd(host, 'kubeletClientCert', certificateBlocksCommand(KUBELET_CLIENT_CERT), true),
    cmd(host, 'kubeletServingCert', certificateBlocksCommand(KUBELET_SERVING_CERT), true),
  ];
}

export function planControlPlane(host: string): HostPlanItem[] {
  return [
    cmd(host, 'kubeadmTokenList', KUBEADM_TOKEN_LIST, true),
    cmd(host, 'kubeadmCertsCheckExpiration', 'kubeadm certs check-expiration', true),
    dir(host, HOST_FILE.manifestsDir, '*', true),
    dir(host, HOST_FILE.pkiDir, '*.crt', true, { min: 1, max: 3 }),
  ];
}

export function planProxmox(host: string, ctx: HostPlanContext): HostPlanItem[] {
  return [
    cmd(host, 'pveversion', 'pveversion -v'),
    cmd(host, 'qmList', 'qm list', true),
    dir(host, HOST_FILE.qemuServerDir, '*.conf', true),
    file(host, HOST_FILE.networkInterfaces),
    file(host, HOST_FILE.networkInterfacesNew),
    dir(host, HOST_FILE.networkInterfacesD, '*', false),
    cmd(host, 'pveFirewallStatus', 'pve-firewall status', true),
    dir(host, HOST_FILE.pveFirewallDir, '*.fw', true),
    // Every node's host.fw is visible from any node of a Proxmox cluster; the node name is in the path.
    dir(host, HOST_FILE.pveNodesDir, 'host.fw', true, { min: 2, max: 2 }),
    // pvefw-logger is its own unit: pve-firewall's journal has the service's life, pvefw-logger's the packets.
    cmd(host, 'journalPveFirewall', journal('-u pve-firewall -u pvefw-logger', ctx.sinceSeconds, JOURNAL_MAX_LINES), true),
    // pvefw-logger writes the per-packet DROP/REJECT lines here, not to the journal; --max-item-size keeps the tail.
    file(host, HOST_FILE.pveFirewallLog, true),
  ];
}

/** The host part of the plan for a host with these roles, without duplicates, in a stable order. */
export function planHost(host: string, roles: readonly HostRole[], ctx: HostPlanContext): HostPlanItem[] {
  segment(host, 'host name');
  const items = planEveryHost(host, ctx);
  if (roles.includes('control-plane') || roles.includes('worker')) items.push(...planKubernetesNode(host, ctx));
  if (roles.includes('control-plane')) items.push(...planControlPlane(host));
  if (roles.includes('proxmox')) items.push(...planProxmox(host, ctx));
  return items;
}

/** What a plan item will run on the host, for --dry-run and for the manifest's `source`. */
export function describeItem(item: HostPlanItem): string {
  if (item.type === 'command') return item.command;
  if (item.type === 'file') return item.file;
  return `${listCommand(item)}  (then each file listed)`;
}
