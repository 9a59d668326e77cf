// A homelab made of network namespaces on this machine, for end-to-end tests and the scale benchmark.
//
//   root namespace (the admin's workstation, .100) ── veth ──┐
//   <id>-gw   bridge lan0 = the home router / default gateway .1 ── veth enp3s0 ──┐
//   <id>-pve  bridge vmbr0 (.2), ports enp3s0 and tap<vmid>i0 ── veth ens18 ── <id>-cp1 (.11), -w1, -w2 ...
//
// Every host namespace runs its own OpenSSH sshd (key auth only, host keys in a known_hosts file written
// here) in a private mount and UTS namespace: its own hostname, /etc and /var overlays holding the host's
// files from fixtures/hosts/<scenario>/_files/<host>/, and a passwd whose root logs in with the lab's own
// login shell (it logs each start, sleeps as long as hosts/<host>/login-shell.delay says, then is /bin/sh)
// and an empty home, so no ~/.bashrc of this machine runs. Commands that need a real
// cluster or Proxmox answer from fixtures/hosts/<scenario>/<host>/ through the PATH shim of the sshd
// harness; everything else (ip, bridge, ss, sysctl, ping, tcpdump, arping) runs for real in the namespace.
//
//   npx tsx test/lab/setup.ts     starts the lab of the tests and prints how to reach it (run as root);
//                                 npx tsx test/lab/teardown.ts removes it. Options at the end of this file.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import type { HostRole } from '../../bundle/manifest.js';
import { DISPATCHER, FIXTURE_HOSTS_DIR, fakeHostSshdConfig, generateKey, loginShellScript } from '../helpers/sshd.js';
import { labDir, processAlive, readState, teardownLab, type LabState } from './teardown.js';

const run = promisify(execFile);

export const LAB_SCENARIO = 'netns-lab';
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SSHD_CANDIDATES = ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/sbin/sshd'];
/** sshd refuses to start without its privilege separation directory; distributions create it at boot. */
const PRIVSEP_DIR = '/run/sshd';
const GATEWAY_MAC = 'e4:8d:8c:1a:22:90';
const PVE_MAC = 'a8:a1:59:3c:7e:21';
export const GATEWAY_OCTET = 1;
export const PVE_OCTET = 2;
export const ADMIN_OCTET = 100;
export const API_SERVER_PORT = 6443;

export interface LabHostSpec {
  name: string;
  roles: HostRole[];
  /** Last octet of the host's address in the lab subnet. */
  octet: number;
  /** Proxmox VM id of a guest: its NIC is tap<vmid>i0 on vmbr0. Omitted for the Proxmox host. */
  vmid?: number;
  mac?: string;
  /** Folder under fixtures/hosts/<scenario>/ with this host's recorded answers; default: its name. */
  fixtureHost?: string;
}

export interface LabOptions {
  /** First three octets of the lab's /24, e.g. "198.18.0". */
  subnet: string;
  hosts: LabHostSpec[];
  scenario?: string;
  /** Host whose namespace gets a TCP listener on the API server port (the control plane). */
  apiServerOn?: string;
}

/** The lab the fixtures describe (fixtures/hosts/netns-lab: the healthy reference lab, moved here). */
export const TEST_LAB: LabOptions = {
  subnet: '198.18.0',
  hosts: [
    { name: 'pve', roles: ['proxmox'], octet: PVE_OCTET },
    { name: 'cp1', roles: ['control-plane'], octet: 11, vmid: 101, mac: 'bc:24:11:4d:9e:a1' },
    { name: 'w1', roles: ['worker'], octet: 12, vmid: 102, mac: 'bc:24:11:c2:57:3b' },
    { name: 'w2', roles: ['worker'], octet: 13, vmid: 103, mac: 'bc:24:11:e8:06:f4' },
  ],
  apiServerOn: 'cp1',
};

export interface LabHost {
  name: string;
  roles: HostRole[];
  address: string;
  namespace: string;
  /** Interface on the lab bridge: ens18 in a guest, vmbr0 on the Proxmox host. */
  lanInterface: string;
  /** This run's copy of the host's recorded answers; tests may change it. */
  fixtureDir: string;
  shimDir: string;
  logPath: string;
  hostKeyLines: string[];
}

export interface Lab {
  id: string;
  dir: string;
  subnet: string;
  gateway: string;
  admin: string;
  hosts: Map<string, LabHost>;
  host(name: string): LabHost;
  /** Namespace name of a host, or of "gw" / "pve". */
  ns(name: string): string;
  clientKeyPath: string;
  /** known_hosts with every host's keys. */
  knownHostsPath: string;
  /** HOME for the client side: an empty ~/.ssh, so nothing of this machine's ssh setup is used. */
  home: string;
  /** Runs a command inside a lab namespace (not through SSH). */
  exec(name: string, argv: string[]): Promise<string>;
  writeKnownHosts(file: string, names: string[]): Promise<void>;
  /** Makes `cmd` "not found" on a host, through its PATH shim; `restore` undoes it. */
  hideCommand(host: string, cmd: string): Promise<void>;
  restoreCommand(host: string, cmd: string): Promise<void>;
  /** SSH logins sshd accepted so far on a host: the number of SSH connections. */
  acceptedLogins(host: string): Promise<number>;
  /** Starts of root's login shell so far on a host, from the shell's own log. */
  shellStarts(host: string): Promise<number>;
  /** Makes every later start of the host's login shell take this long, like a slow ~/.bashrc (0: none). */
  setLoginShellDelay(host: string, seconds: number): Promise<void>;
  /**
   * The host's state as its own processes see it (sshd's network, mount and UTS namespaces): kernel
   * settings, modules, links, addresses, routes, bridge VLANs, nftables, and path, mode, size, mtime and
   * hash of everything under /etc and the kubelet and containerd state folders. One entry per line.
   */
  snapshot(host: string): Promise<HostSnapshot>;
  teardown(): Promise<void>;
}

/** `section: key` → value. */
export type HostSnapshot = Map<string, string>;

/** Folders whose every file the read-only proof hashes: what the collector reads, and all of /etc. */
export const SNAPSHOT_DIRS = ['/etc', '/var/lib/kubelet', '/var/lib/containerd'];

const SNAPSHOT_SCRIPT = `
section() { printf '\\n@@ %s\\n' "$1"; }
section sysctl; sysctl -a 2>/dev/null | sort
section lsmod; lsmod 2>/dev/null | tail -n +2 | awk '{print $1, $2}' | sort
# A bridge's timers tick by themselves; everything else of a link is configuration.
section link; ip -d -o link show | sed -E 's/ [a-z_]+_timer +[0-9.]+//g; s/ *$//'
section addr; ip -d -o addr show | sed 's/ *$//'
section route; ip -d route show table all
section bridge-vlan; bridge -d vlan show 2>&1
section nft; nft list ruleset 2>&1
for d in "$@"; do
  [ -d "$d" ] || { section "files $d"; echo "(absent)"; continue; }
  section "files $d"
  find "$d" -xdev -printf '%p %y %m %s %T@\\n' | sort
  section "hash $d"
  find "$d" -xdev -type f -print0 | sort -z | xargs -0 -r sha256sum
done
`;

/** Lines of a snapshot script's output as `section: line` keys (a line's own text is its key). */
function parseSnapshot(text: string): HostSnapshot {
  const out: HostSnapshot = new Map();
  let section = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('@@ ')) {
      section = line.slice(3);
      continue;
    }
    if (line.trim() === '') continue;
    // sysctl: key = value; files: path first; hashes: path last; everything else: the whole line.
    if (section === 'sysctl') {
      const eq = line.indexOf(' = ');
      out.set(`sysctl: ${eq < 0 ? line : line.slice(0, eq)}`, eq < 0 ? '' : line.slice(eq + 3));
    } else if (section.startsWith('files ')) {
      const sp = line.indexOf(' ');
      out.set(`${section}: ${line.slice(0, sp)}`, line.slice(sp + 1));
    } else if (section.startsWith('hash ')) {
      out.set(`${section}: ${line.slice(66)}`, line.slice(0, 64));
    } else {
      out.set(`${section}: ${line}`, '');
    }
  }
  return out;
}

/** What differs between two snapshots, ignoring keys in `noise` (values that change on their own). */
export function snapshotChanges(before: HostSnapshot, after: HostSnapshot, noise: ReadonlySet<string> = new Set()): string[] {
  const changes: string[] = [];
  for (const [k, v] of before) {
    if (noise.has(k)) continue;
    if (!after.has(k)) changes.push(`gone: ${k}${v ? ` = ${v}` : ''}`);
    else if (after.get(k) !== v) changes.push(`changed: ${k}: ${v} -> ${after.get(k)}`);
  }
  for (const [k, v] of after) if (!noise.has(k) && !before.has(k)) changes.push(`new: ${k}${v ? ` = ${v}` : ''}`);
  return changes;
}

function findSshd(): string | null {
  return SSHD_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

function onPath(cmd: string): boolean {
  return SYSTEM_PATH.split(':').concat((process.env.PATH ?? '').split(':')).some((d) => d !== '' && existsSync(path.join(d, cmd)));
}

/** Why the lab cannot run here, or null when it can. Pair with `describe.skipIf` and print it. */
export function labSkipReason(): string | null {
  if (process.platform !== 'linux') return 'the netns lab needs Linux network namespaces';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the netns lab needs root (network namespaces, sshd)';
  if (!findSshd()) return 'OpenSSH sshd not found (apt-get install openssh-server)';
  const tools: Array<[string, string]> = [
    ['ip', 'iproute2'],
    ['bridge', 'iproute2'],
    ['ssh-keygen', 'openssh-client'],
    ['tcpdump', 'tcpdump'],
    ['arping', 'iputils-arping'],
    ['ping', 'iputils-ping'],
    ['unshare', 'util-linux'],
    ['mount', 'mount'],
  ];
  for (const [cmd, pkg] of tools) if (!onPath(cmd)) return `${cmd} not found (apt-get install ${pkg})`;
  if (!existsSync('/proc/self/ns/net')) return 'this kernel has no network namespaces';
  return null;
}

async function ip(args: string[]): Promise<void> {
  try {
    await run('ip', args);
  } catch (err) {
    throw new Error(`ip ${args.join(' ')}: ${((err as { stderr?: string }).stderr ?? String(err)).trim()}`);
  }
}

function waitForListen(address: string, port: number, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const sock = net.connect(port, address);
      sock.once('connect', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`${what} on ${address}:${port} did not start within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function shimTable(scenario: string): Promise<{ table: string; commands: string[] }> {
  const table = path.join(FIXTURE_HOSTS_DIR, scenario, 'commands.tsv');
  const text = await fs.readFile(table, 'utf8');
  const commands = new Set<string>();
  for (const line of text.split('\n')) if (line.trim() !== '' && !line.startsWith('#')) commands.add(line.split('\t')[0]!);
  return { table, commands: [...commands] };
}

// The API server's TCP endpoint: accepts and closes, which is all a connect probe needs. Named like the
// real one so `ss -ltnp` on the control plane reads as it would on a kubeadm node.
const API_SERVER_STANDIN = `process.title = 'kube-apiserver';
require('node:net').createServer((s) => s.destroy()).listen(${API_SERVER_PORT}, process.argv[1]);`;

// sshd's mount and UTS namespace: host files over /etc and /var, the host's name, then sshd itself.
const SSHD_LAUNCH = [
  'set -e',
  'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$2/etc/upper,workdir=$2/etc/work" /etc',
  'mount -t overlay overlay -o "lowerdir=/var,upperdir=$2/var/upper,workdir=$2/var/work" /var',
  'hostname "$1"',
  'exec "$3" -f "$4" -E "$5"',
].join('\n');

/** The lab that holds this subnet now, if any: two labs on one /24 would share the root namespace's route. */
async function subnetHolder(subnet: string): Promise<LabState | null> {
  for (const entry of await fs.readdir(path.dirname(labDir('lsl00000'))).catch(() => [] as string[])) {
    if (!entry.startsWith('labsnap-lab-')) continue;
    const state = await readState(entry.slice('labsnap-lab-'.length));
    if (state?.subnet === subnet) return state;
  }
  return null;
}

/** Another run's lab on the same subnet (a parallel `npm test`): wait for it to go, or remove it once its owner is gone. */
async function waitForSubnet(subnet: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const holder = await subnetHolder(subnet);
    if (!holder) return;
    if (holder.ownerPid === null || !processAlive(holder.ownerPid)) await teardownLab(holder.id);
    else if (Date.now() > deadline) {
      throw new Error(`lab ${holder.id} of process ${holder.ownerPid} still uses ${subnet}.0/24 after ${Math.round(waitMs / 1000)} s; remove it with: npx tsx test/lab/teardown.ts ${holder.id}`);
    } else await new Promise((r) => setTimeout(r, 1000));
  }
}

/** `waitMs`: how long to wait for another live lab on the same subnet to be removed. */
export async function setupLab(options: LabOptions = TEST_LAB, owner: number | null = process.pid, waitMs = 0): Promise<Lab> {
  const sshd = findSshd();
  if (!sshd) throw new Error(labSkipReason() ?? 'sshd not found');
  const scenario = options.scenario ?? LAB_SCENARIO;
  await waitForSubnet(options.subnet, waitMs);

  const id = `lsl${randomBytes(3).toString('hex').slice(0, 5)}`;
  const dir = labDir(id);
  await fs.mkdir(dir, { mode: 0o700 });
  const state: LabState = { id, ownerPid: owner, subnet: options.subnet, namespaces: [], rootLink: id, pidFiles: [], pids: [] };
  const saveState = () => fs.writeFile(path.join(dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  await saveState();
  const ns = (name: string) => `${id}-${name}`;
  const addr = (octet: number) => `${options.subnet}.${octet}`;

  try {
    const addNs = async (name: string) => {
      state.namespaces.push(ns(name));
      await saveState();
      await ip(['netns', 'add', ns(name)]);
      await ip(['-n', ns(name), 'link', 'set', 'lo', 'up']);
      // No IPv6 duplicate address detection on the lab's links: a link-local address leaving "tentative"
      // a second after the link came up would show as a change in the read-only proof's snapshots.
      // Interfaces created in the namespace later copy `default`. A kernel without IPv6 has nothing to settle.
      await run('ip', ['netns', 'exec', ns(name), 'sysctl', '-q', '-w', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']).catch(() => undefined);
    };
    // The home router: a bridge with the gateway address, joined by the admin's link and Proxmox's NIC.
    await addNs('gw');
    await ip(['-n', ns('gw'), 'link', 'add', 'lan0', 'address', GATEWAY_MAC, 'type', 'bridge']);
    await ip(['-n', ns('gw'), 'addr', 'add', `${addr(GATEWAY_OCTET)}/24`, 'dev', 'lan0']);
    await ip(['-n', ns('gw'), 'link', 'set', 'lan0', 'up']);
    await ip(['link', 'add', id, 'type', 'veth', 'peer', 'name', 'admin', 'netns', ns('gw')]);
    await ip(['-n', ns('gw'), 'link', 'set', 'admin', 'master', 'lan0', 'up']);
    await ip(['addr', 'add', `${addr(ADMIN_OCTET)}/24`, 'dev', id]);
    await ip(['link', 'set', id, 'up']);

    await addNs('pve');
    await ip(['-n', ns('pve'), 'link', 'add', 'vmbr0', 'address', PVE_MAC, 'type', 'bridge', 'stp_state', '0', 'forward_delay', '0']);
    await ip(['link', 'add', 'enp3s0', 'netns', ns('pve'), 'address', PVE_MAC, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', ns('gw')]);
    await ip(['-n', ns('gw'), 'link', 'set', 'uplink', 'master', 'lan0', 'up']);
    await ip(['-n', ns('pve'), 'link', 'set', 'enp3s0', 'master', 'vmbr0', 'up']);
    await ip(['-n', ns('pve'), 'addr', 'add', `${addr(PVE_OCTET)}/24`, 'dev', 'vmbr0']);
    await ip(['-n', ns('pve'), 'link', 'set', 'vmbr0', 'up']);
    await ip(['-n', ns('pve'), 'route', 'add', 'default', 'via', addr(GATEWAY_OCTET)]);

    const hosts = new Map<string, LabHost>();
    for (const spec of options.hosts) {
      const isPve = spec.vmid === undefined;
      if (isPve && spec.octet !== PVE_OCTET) throw new Error(`lab host ${spec.name}: a host without vmid is the Proxmox host (.${PVE_OCTET})`);
      if (!isPve) {
        await addNs(spec.name);
        const tap = `tap${spec.vmid}i0`;
        await ip(['link', 'add', tap, 'netns', ns('pve'), 'type', 'veth', 'peer', 'name', 'ens18', 'netns', ns(spec.name), ...(spec.mac ? ['address', spec.mac] : [])]);
        await ip(['-n', ns('pve'), 'link', 'set', tap, 'master', 'vmbr0', 'up']);
        await ip(['-n', ns(spec.name), 'addr', 'add', `${addr(spec.octet)}/24`, 'dev', 'ens18']);
        await ip(['-n', ns(spec.name), 'link', 'set', 'ens18', 'up']);
        await ip(['-n', ns(spec.name), 'route', 'add', 'default', 'via', addr(GATEWAY_OCTET)]);
        // kubeadm's preflight requires it on every node; a fresh namespace starts with 0.
        await run('ip', ['netns', 'exec', ns(spec.name), 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
      }
      hosts.set(spec.name, {
        name: spec.name,
        roles: spec.roles,
        address: addr(spec.octet),
        namespace: ns(isPve ? 'pve' : spec.name),
        lanInterface: isPve ? 'vmbr0' : 'ens18',
        fixtureDir: path.join(dir, 'hosts', spec.name, 'fixtures'),
        shimDir: path.join(dir, 'hosts', spec.name, 'bin'),
        logPath: path.join(dir, 'hosts', spec.name, 'sshd.log'),
        hostKeyLines: [],
      });
    }

    const home = path.join(dir, 'client-home');
    await fs.mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
    const clientKeyPath = path.join(dir, 'client_ed25519');
    const authorizedKeys = path.join(dir, 'authorized_keys');
    await fs.writeFile(authorizedKeys, `${await generateKey(clientKeyPath, 'ed25519', `labsnap-lab-${id}`)}\n`, { mode: 0o600 });
    const { table, commands } = await shimTable(scenario);
    const passwd = await fs.readFile('/etc/passwd', 'utf8');
    if (!existsSync(PRIVSEP_DIR)) await fs.mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });

    for (const spec of options.hosts) {
      const h = hosts.get(spec.name)!;
      const hostDir = path.join(dir, 'hosts', spec.name);
      const source = path.join(FIXTURE_HOSTS_DIR, scenario, spec.fixtureHost ?? spec.name);
      if (existsSync(source)) await fs.cp(source, h.fixtureDir, { recursive: true });
      else await fs.mkdir(h.fixtureDir, { recursive: true });
      await fs.mkdir(h.shimDir, { recursive: true });
      await fs.writeFile(path.join(h.shimDir, 'labsnap-fixture-shim'), DISPATCHER, { mode: 0o755 });
      for (const cmd of commands) await fs.symlink('labsnap-fixture-shim', path.join(h.shimDir, cmd));

      const overlay = path.join(hostDir, 'overlay');
      const files = path.join(FIXTURE_HOSTS_DIR, scenario, '_files', spec.fixtureHost ?? spec.name);
      for (const top of ['etc', 'var']) {
        await fs.mkdir(path.join(overlay, top, 'work'), { recursive: true });
        const upper = path.join(overlay, top, 'upper');
        if (existsSync(path.join(files, top))) await fs.cp(path.join(files, top), upper, { recursive: true });
        else await fs.mkdir(upper, { recursive: true });
      }
      const rootHome = path.join(hostDir, 'root-home');
      await fs.mkdir(rootHome, { mode: 0o700 });
      const loginShell = path.join(hostDir, 'login-shell');
      await fs.writeFile(loginShell, loginShellScript(hostDir), { mode: 0o755 });
      await fs.writeFile(
        path.join(overlay, 'etc', 'upper', 'passwd'),
        passwd.replace(/^root:([^:]*):0:0:([^:]*):[^:]*:[^\n]*$/m, `root:$1:0:0:$2:${rootHome}:${loginShell}`),
        { mode: 0o644 },
      );

      const keyFiles = [path.join(hostDir, 'ssh_host_ed25519_key'), path.join(hostDir, 'ssh_host_ecdsa_key')];
      const pubs = [await generateKey(keyFiles[0]!, 'ed25519', spec.name), await generateKey(keyFiles[1]!, 'ecdsa', spec.name)];
      h.hostKeyLines = pubs.map((p) => `${h.address} ${p.split(/\s+/).slice(0, 2).join(' ')}`);
      const pidFile = path.join(hostDir, 'sshd.pid');
      state.pidFiles.push(pidFile);
      await saveState();
      const config = path.join(hostDir, 'sshd_config');
      await fs.writeFile(
        config,
        fakeHostSshdConfig({
          listen: `${h.address}:22`,
          hostKeyFiles: keyFiles,
          pidFile,
          authorizedKeys,
          path: `${h.shimDir}:${SYSTEM_PATH}`,
          host: spec.name,
          fixtureDir: h.fixtureDir,
          commonDir: path.join(hostDir, 'common'),
          shimTable: table,
        }),
      );
      // Without -D sshd daemonizes once it listens; its pid file is how teardown finds it.
      await run('ip', ['netns', 'exec', h.namespace, 'unshare', '--mount', '--uts', '--propagation', 'private', 'sh', '-c', SSHD_LAUNCH, 'sh', spec.name, overlay, sshd, config, h.logPath]).catch(
        async (err: { stderr?: string }) => {
          const log = await fs.readFile(h.logPath, 'utf8').catch(() => '');
          throw new Error(`sshd of ${spec.name} did not start: ${(err.stderr ?? '').trim()}\n${log}`);
        },
      );
      await waitForListen(h.address, 22, `sshd of ${spec.name}`);
    }

    if (options.apiServerOn) {
      const cp = hosts.get(options.apiServerOn)!;
      const child = spawn('ip', ['netns', 'exec', cp.namespace, process.execPath, '-e', API_SERVER_STANDIN, cp.address], { detached: true, stdio: 'ignore' });
      child.unref();
      if (child.pid !== undefined) state.pids.push(child.pid);
      await saveState();
      await waitForListen(cp.address, API_SERVER_PORT, 'API server stand-in');
    }

    const knownHostsPath = path.join(dir, 'known_hosts');
    const lab: Lab = {
      id,
      dir,
      subnet: options.subnet,
      gateway: addr(GATEWAY_OCTET),
      admin: addr(ADMIN_OCTET),
      hosts,
      host(name) {
        const h = hosts.get(name);
        if (!h) throw new Error(`lab ${id}: no host ${name}`);
        return h;
      },
      ns,
      clientKeyPath,
      knownHostsPath,
      home,
      async exec(name, argv) {
        const target = hosts.get(name)?.namespace ?? ns(name);
        try {
          return (await run('ip', ['netns', 'exec', target, ...argv])).stdout;
        } catch (err) {
          throw new Error(`${argv.join(' ')} in ${target}: ${((err as { stderr?: string }).stderr ?? String(err)).trim()}`);
        }
      },
      async writeKnownHosts(file, names) {
        await fs.writeFile(file, names.flatMap((n) => lab.host(n).hostKeyLines).map((l) => `${l}\n`).join(''), { mode: 0o600 });
      },
      async hideCommand(host, cmd) {
        await fs.symlink('labsnap-fixture-shim', path.join(lab.host(host).shimDir, cmd));
      },
      async restoreCommand(host, cmd) {
        await fs.rm(path.join(lab.host(host).shimDir, cmd), { force: true });
      },
      async acceptedLogins(host) {
        const log = await fs.readFile(lab.host(host).logPath, 'utf8').catch(() => '');
        return log.split('\n').filter((l) => /Accepted publickey for /.test(l)).length;
      },
      async shellStarts(host) {
        const log = await fs.readFile(path.join(dir, 'hosts', lab.host(host).name, 'login-shell.log'), 'utf8').catch(() => '');
        return log.split('\n').filter((l) => l.startsWith('start ')).length;
      },
      async setLoginShellDelay(host, seconds) {
        const file = path.join(dir, 'hosts', lab.host(host).name, 'login-shell.delay');
        if (seconds > 0) await fs.writeFile(file, `${seconds}\n`);
        else await fs.rm(file, { force: true });
      },
      async snapshot(host) {
        // sshd's namespaces are the host's: its /etc and /var overlays, its network, its hostname.
        const pid = (await fs.readFile(path.join(dir, 'hosts', host, 'sshd.pid'), 'utf8')).trim();
        const { stdout } = await run('nsenter', ['-t', pid, '-m', '-n', '-u', 'sh', '-c', SNAPSHOT_SCRIPT, 'snapshot', ...SNAPSHOT_DIRS], { maxBuffer: 256 * 1024 * 1024 });
        return parseSnapshot(stdout);
      },
      teardown: () => teardownLab(id),
    };
    await lab.writeKnownHosts(knownHostsPath, [...hosts.keys()]);
    return lab;
  } catch (err) {
    await teardownLab(id);
    throw err;
  }
}

/** A lab of `workers` identical worker hosts (recorded answers of w1), for the scale benchmark. */
export function workersLab(workers: number, subnet: string): LabOptions {
  if (!Number.isInteger(workers) || workers < 1 || workers > 99) throw new Error(`workers must be 1..99, got ${workers}`);
  const hosts: LabHostSpec[] = [];
  for (let i = 1; i <= workers; i++) hosts.push({ name: `h${String(i).padStart(2, '0')}`, roles: ['worker'], octet: 100 + i, vmid: 200 + i, fixtureHost: 'w1' });
  return { subnet, hosts };
}

// Command line: `--workers N --subnet A.B.C` for a scale lab instead of the tests' lab, `--owner PID` to
// tie it to a process (a sweep leaves it alone while that process lives), `--json` for a machine reader.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { workers: { type: 'string' }, subnet: { type: 'string', default: '198.18.1' }, owner: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const skip = labSkipReason();
  if (skip) {
    console.error(`cannot start the lab: ${skip}`);
    process.exit(1);
  }
  const options = values.workers ? workersLab(Number(values.workers), values.subnet) : TEST_LAB;
  const lab = await setupLab(options, values.owner ? Number(values.owner) : null);
  if (values.json) {
    const hosts = [...lab.hosts.values()].map((h) => ({
      name: h.name,
      address: h.address,
      roles: h.roles,
      logPath: h.logPath,
      shellLog: path.join(lab.dir, 'hosts', h.name, 'login-shell.log'),
      shellDelayFile: path.join(lab.dir, 'hosts', h.name, 'login-shell.delay'),
    }));
    console.log(JSON.stringify({ id: lab.id, dir: lab.dir, clientKeyPath: lab.clientKeyPath, knownHostsPath: lab.knownHostsPath, home: lab.home, hosts }));
  } else {
    console.log(`lab ${lab.id} is up in ${lab.dir}`);
    for (const h of lab.hosts.values()) console.log(`  ${h.name.padEnd(4)} ${h.address.padEnd(12)} ip netns exec ${h.namespace} ...`);
    const first = [...lab.hosts.values()].find((h) => h.roles.includes('control-plane')) ?? [...lab.hosts.values()][0]!;
    console.log(`ssh -i ${lab.clientKeyPath} -o UserKnownHostsFile=${lab.knownHostsPath} root@${first.address}`);
    console.log(`remove it with: npx tsx test/lab/teardown.ts ${lab.id}`);
  }
}
