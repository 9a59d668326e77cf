// Streams a synthetic but realistic bundle straight into a .tar.gz: manifest.json first, then every entry
// sorted by path, as the collector writes it. Deterministic: the same seed and sizes give the same bytes.
// Memory stays flat whatever the size: small artifacts are built one at a time (twice: once for the
// manifest's byte counts and hashes, once when written), logs are produced chunk by chunk to a planned
// size and never exist whole, so their sha256 is null in the manifest.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGzip } from 'node:zlib';
import { bundlePath, bundleRootName, HOST_CMD, HOST_FILE, MANIFEST_PATH, NAMESPACED_KINDS, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION } from '../bundle/layout.js';
import type { HostRecord, ItemKind, ItemRecord, Manifest } from '../bundle/manifest.js';
import * as hostText from './hosts.js';
import * as kube from './kube.js';
import { containerdJournal, containerLog, crashedRunLog, kernelJournal, kubeletJournal, pveFirewallJournal } from './logs.js';
import { Rng } from './prng.js';
import { tarStream, type TarEntry } from './tar-stream.js';
import { buildWorld, LOGGED_NAMESPACES, type HostSpec, type PodSpec, type Sizes, type World } from './world.js';

const MiB = 1024 * 1024;

export const SIZE_PRESETS: Record<'small' | 'full', Sizes> = {
  full: { workers: 50, controlPlanes: 3, proxmoxHosts: 2, pods: 5000, namespaces: 40, events: 100_000, logBytes: 1024 * MiB },
  small: { workers: 50, controlPlanes: 3, proxmoxHosts: 2, pods: 5000, namespaces: 40, events: 100_000, logBytes: 50 * MiB },
};

/** Bumped whenever generated content changes, so cached bundles of an older generator are not reused. */
export const GENERATOR_REVISION = 2;

export const DEFAULT_COLLECTED_AT = new Date('2024-09-14T10:00:00Z');

export interface GenerateOptions {
  seed: string;
  sizes: Sizes;
  /** The .tar.gz to write; replaced if it exists. */
  out: string;
  collectedAt?: Date;
  /** zlib level; the collector writes with zlib's default. */
  gzipLevel?: number;
}

export interface GeneratedBundle {
  path: string;
  rootName: string;
  /** Size of the .tar.gz file. */
  bytes: number;
  /** Size of the tar stream inside it. */
  tarBytes: number;
  entries: number;
  logBytes: number;
  world: { hosts: number; pods: number; namespaces: number; events: number };
}

interface Planned {
  path: string;
  host: string | null;
  kind: ItemKind;
  source: string;
  /** Small artifacts: built whole, hashed. */
  text?: () => string;
  /** Logs: streamed to exactly this many bytes. */
  log?: { size: number; body: () => Iterable<Buffer> };
}

interface FailedItem {
  path: string;
  host: string | null;
  kind: ItemKind;
  source: string;
  status: ItemRecord['status'];
  stderr: string;
}

function journalCommand(unitArgs: string): string {
  return `journalctl ${unitArgs} --since=-86400s -n 200000 --no-pager -o short-iso-precise`;
}

/** Log weights relative to each other; the log budget is shared out by them. */
const JOURNAL_SHARE = { kubelet: 0.55, containerd: 0.15, kernel: 0.02, pveFirewall: 0.005 };
const POD_LOG_SHARE = 0.275;
const HEAVY_CONTAINERS: Record<string, number> = { controller: 6, 'kube-apiserver': 5, etcd: 3, coredns: 2, 'calico-node': 1.5 };

function plan(world: World): { files: Planned[]; failed: FailedItem[] } {
  const files: Planned[] = [];
  const failed: FailedItem[] = [];
  const rng = new Rng(`${world.seed}/plan`);
  const seedOf = (path: string) => `${world.seed}/${path}`;
  const small = (path: string, host: string | null, kind: ItemKind, source: string, text: (rng: Rng) => string): void => {
    files.push({ path, host, kind, source, text: () => text(new Rng(seedOf(path))) });
  };
  const jitter = (): number => 0.7 + rng.next() * 0.6;
  const total = world.sizes.logBytes;
  const nodes = world.hosts.filter((h) => !h.roles.includes('proxmox'));
  const pves = world.hosts.filter((h) => h.roles.includes('proxmox'));

  type LogMaker = (world: World, host: HostSpec, size: number, seedPath: string) => Iterable<Buffer>;
  const journal = (h: HostSpec, name: (typeof HOST_CMD)[keyof typeof HOST_CMD], source: string, share: number, make: LogMaker): void => {
    const path = bundlePath.hostCmd(h.name, name);
    const size = Math.floor(total * share * jitter());
    files.push({ path, host: h.name, kind: 'command', source, log: { size, body: () => make(world, h, size, seedOf(path)) } });
  };

  for (const h of world.hosts) {
    const isNode = !h.roles.includes('proxmox');
    const cmd = (key: keyof typeof HOST_CMD, source: string, text: (rng: Rng) => string) => small(bundlePath.hostCmd(h.name, HOST_CMD[key]), h.name, 'command', source, text);
    const file = (abs: string, text: (rng: Rng) => string) => small(bundlePath.hostFile(h.name, abs), h.name, 'file', abs, text);
    files.push({ path: bundlePath.hostJson(h.name), host: h.name, kind: 'command', source: 'labsnap host record', text: () => `${JSON.stringify(hostRecord(h, world), null, 2)}\n` });
    cmd('hostname', 'uname -n', () => `${h.name}\n`);
    cmd('osRelease', 'cat /etc/os-release', () => 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n');
    cmd('kernel', 'uname -a', () => `Linux ${h.name} 6.1.0-25-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.106-3 (2024-08-26) x86_64 GNU/Linux\n`);
    cmd('uptime', 'cat /proc/uptime', (r) => `${r.range(90000, 400000)}.${r.range(10, 99)} ${r.range(100000, 900000)}.${r.range(10, 99)}\n`);
    cmd('clock', 'date +%s.%N', (r) => `${Math.floor(world.collectedAt.getTime() / 1000)}.${String(r.int(1e9)).padStart(9, '0')}\n`);
    cmd('timezone', 'timedatectl show', () => 'Timezone=Etc/UTC\nLocalRTC=no\nCanNTP=yes\nNTP=yes\nNTPSynchronized=yes\n');
    cmd('ipLink', 'ip -j -d link show', (r) => hostText.ipLink(h, r));
    cmd('ipAddr', 'ip -j -d addr show', (r) => hostText.ipAddr(h, r));
    cmd('ipRoute', 'ip -j -d route show', () => hostText.ipRoute(h));
    cmd('ipNeigh', 'ip -j -d neigh show', (r) => hostText.ipNeigh(h, world, r));
    cmd('ssListen', 'ss -ltnp', (r) => hostText.ssListen(h, world, r));
    cmd('sysctl', 'sysctl -e net vm', () => hostText.sysctl(h));
    cmd('lsmod', 'lsmod', () => hostText.lsmod(h));
    cmd('swapon', 'swapon --show --bytes', () => hostText.swapon(h));
    cmd('pingGateway', 'ping -c 3 -W 2 <default gateway>', () => `gateway ${h.address.replace(/\.\d+$/, '.1')}\n3 packets transmitted, 3 received, 0% packet loss, time 2003ms\n`);
    file(HOST_FILE.machineId, () => `${h.machineId}\n`);
    file(HOST_FILE.procSwaps, () => hostText.procSwaps(h));
    journal(h, HOST_CMD.journalKernel, journalCommand('-k'), JOURNAL_SHARE.kernel / world.hosts.length, kernelJournal);
    if (isNode) {
      journal(h, HOST_CMD.journalKubelet, journalCommand('-u kubelet'), JOURNAL_SHARE.kubelet / nodes.length, kubeletJournal);
      journal(h, HOST_CMD.journalContainerd, journalCommand('-u containerd'), JOURNAL_SHARE.containerd / nodes.length, containerdJournal);
      cmd('systemctlKubelet', 'systemctl status kubelet --no-pager -l', () => hostText.systemctl(h, 'kubelet', world));
      cmd('systemctlContainerd', 'systemctl status containerd --no-pager -l', () => hostText.systemctl(h, 'containerd', world));
      cmd('crictlPods', 'crictl pods', (r) => hostText.crictlPods(h, world, r));
      cmd('crictlPs', 'crictl ps -a', (r) => hostText.crictlPs(h, world, r));
      cmd('tcpApiserver', 'nc -vz <control plane> 6443', () => hostText.tcpApiserver(world));
      file(HOST_FILE.kubeletConfig, () => hostText.kubeletConfig());
      const cniDir = bundlePath.hostFile(h.name, HOST_FILE.cniDir);
      // The directory listing is an item of its own; its files follow as entries.
      if (h.cniBroken) failed.push({ path: cniDir, host: h.name, kind: 'file', source: `${HOST_FILE.cniDir}/`, status: 'not-found', stderr: `ls: cannot access '${HOST_FILE.cniDir}': No such file or directory` });
      else file(`${HOST_FILE.cniDir}/10-calico.conflist`, () => hostText.cniConflist());
    } else {
      cmd('pveversion', 'pveversion -v', () => hostText.pveversion());
      cmd('qmList', 'qm list', () => hostText.qmList(h, world));
      file(HOST_FILE.networkInterfaces, () => hostText.networkInterfaces(h));
      journal(h, HOST_CMD.journalPveFirewall, journalCommand('-u pve-firewall'), JOURNAL_SHARE.pveFirewall / Math.max(1, pves.length), pveFirewallJournal);
    }
  }

  const kubeItem = (path: string, source: string, text: () => string) => files.push({ path, host: null, kind: 'kube', source, text });
  kubeItem(bundlePath.clusterVersion(), 'kubectl version -o json', () => kube.versionJson());
  kubeItem(bundlePath.clusterList('nodes'), 'kubectl get nodes -o json', () => kube.nodesJson(world));
  kubeItem(bundlePath.clusterList('namespaces'), 'kubectl get namespaces -o json', () => kube.namespacesJson(world));
  kubeItem(bundlePath.clusterList('storageclasses'), 'kubectl get storageclasses -o json', () => kube.storageClassesJson());
  kubeItem(bundlePath.clusterList('ingressclasses'), 'kubectl get ingressclasses -o json', () => kube.ingressClassesJson());
  kubeItem(bundlePath.clusterList('persistentvolumes'), 'kubectl get persistentvolumes -o json', () => kube.kubeList([]));
  for (const h of nodes) kubeItem(bundlePath.describeNode(h.name), `kubectl describe node ${h.name}`, () => kube.describeNode(h, world));
  const events = kube.eventCounts(world);
  for (const ns of world.namespaces) {
    for (const kind of NAMESPACED_KINDS) {
      kubeItem(bundlePath.namespacedList(ns, kind), `kubectl -n ${ns} get ${kind} -o json`, () => kube.namespacedJson(world, ns, kind, events.get(ns) ?? 0));
    }
  }

  const logged = world.pods.filter((p) => LOGGED_NAMESPACES.has(p.namespace) || !p.ready || p.restarts > 0);
  const podLogs: { pod: PodSpec; previous: boolean; weight: number }[] = [];
  for (const pod of logged) {
    const c = pod.containers[0]!;
    const source = (previous: boolean) => `kubectl -n ${pod.namespace} logs ${pod.name} -c ${c.name} --timestamps=false${previous ? ' --previous' : ''}`;
    if (pod.phase === 'Pending') {
      const waiting = pod.crash === 'install-cni' ? 'PodInitializing' : 'ContainerCreating';
      failed.push({ path: bundlePath.podLog(pod.namespace, pod.name, c.name, false), host: null, kind: 'kube', source: source(false), status: 'failed', stderr: `Error from server (BadRequest): container "${c.name}" in pod "${pod.name}" is waiting to start: ${waiting}\n` });
      continue;
    }
    // Each run of the app-error crash loop logs a few lines and exits: both logs are one short run.
    if (pod.crash === 'app-error') {
      for (const previous of [false, true]) small(bundlePath.podLog(pod.namespace, pod.name, c.name, previous), null, 'kube', source(previous), (r) => crashedRunLog(world, pod, c, previous, r));
      continue;
    }
    const weight = HEAVY_CONTAINERS[c.name] ?? 1;
    podLogs.push({ pod, previous: false, weight });
    if (pod.restarts > 0) podLogs.push({ pod, previous: true, weight: weight * 0.2 });
  }
  const weightSum = podLogs.reduce((s, l) => s + l.weight, 0);
  for (const { pod, previous, weight } of podLogs) {
    const c = pod.containers[0]!;
    const path = bundlePath.podLog(pod.namespace, pod.name, c.name, previous);
    const size = Math.floor(((total * POD_LOG_SHARE * weight) / weightSum) * jitter());
    files.push({
      path,
      host: null,
      kind: 'kube',
      source: `kubectl -n ${pod.namespace} logs ${pod.name} -c ${c.name}${previous ? ' --previous' : ''}`,
      log: { size, body: () => containerLog(world, pod, c, previous, size, seedOf(path)) },
    });
  }
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files, failed };
}

function hostRecord(h: HostSpec, world: World): HostRecord {
  const rng = new Rng(`${world.seed}/host-key/${h.name}`);
  return {
    name: h.name,
    address: h.address,
    roles: h.roles,
    reached: true,
    error: null,
    hostKeyFingerprint: `SHA256:${Buffer.from(rng.hex(32), 'hex').toString('base64').replace(/=+$/, '')}`,
    clockOffsetMs: rng.range(-40, 40),
  };
}

function buildManifest(world: World, files: Planned[], failed: FailedItem[]): { manifest: Manifest; logBytes: number } {
  const rng = new Rng(`${world.seed}/timing`);
  const start = world.collectedAt.getTime();
  let logBytes = 0;
  const items: ItemRecord[] = files.map((f) => {
    let bytes: number;
    let sha256: string | null;
    if (f.text) {
      const text = f.text();
      bytes = Buffer.byteLength(text);
      sha256 = createHash('sha256').update(text).digest('hex');
    } else {
      bytes = f.log!.size;
      sha256 = null;
    }
    // The short logs of a crashed run are built whole, but they are logs all the same.
    if (f.path.endsWith('.log')) logBytes += bytes;
    return { path: f.path, host: f.host, kind: f.kind, source: f.source, status: 'ok', exitCode: 0, stderr: null, startedAt: new Date(start + rng.int(60_000)).toISOString(), durationMs: rng.range(5, 4000), bytes, sha256, truncated: false };
  });
  for (const f of failed) {
    items.push({ path: f.path, host: f.host, kind: f.kind, source: f.source, status: f.status, exitCode: 1, stderr: f.stderr, startedAt: new Date(start + rng.int(60_000)).toISOString(), durationMs: rng.range(5, 400), bytes: 0, sha256: null, truncated: false });
  }
  items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    tool: { name: 'labsnap', version: '0.1.0' },
    cluster: world.cluster,
    collectedAt: world.collectedAt.toISOString(),
    finishedAt: new Date(start + 95_000).toISOString(),
    note: `synthetic bundle (labsnap bench generator r${GENERATOR_REVISION}, seed ${world.seed})`,
    commandLine: ['labsnap', 'collect', '--inventory', 'lab.yaml'],
    mode: 'synthetic',
    hosts: world.hosts.map((h) => hostRecord(h, world)),
    items,
    interrupted: false,
  };
  return { manifest, logBytes };
}

export async function generateBundle(options: GenerateOptions): Promise<GeneratedBundle> {
  const world = buildWorld(options.seed, options.sizes, options.collectedAt ?? DEFAULT_COLLECTED_AT);
  const { files, failed } = plan(world);
  const { manifest, logBytes } = buildManifest(world, files, failed);
  const rootName = bundleRootName(world.cluster, world.collectedAt);
  const manifestText = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const sizes = new Map(manifest.items.map((item) => [item.path, item.bytes ?? 0]));
  const entries: TarEntry[] = [
    { name: `${rootName}/${MANIFEST_PATH}`, size: manifestText.length, body: () => [manifestText] },
    ...files.map((f) => ({
      name: `${rootName}/${f.path}`,
      size: sizes.get(f.path) ?? 0,
      body: f.text ? () => [Buffer.from(f.text!())] : f.log!.body,
    })),
  ];
  let tarBytes = 0;
  const counted = function* (): Generator<Buffer> {
    for (const chunk of tarStream(entries, world.collectedAt)) {
      tarBytes += chunk.length;
      yield chunk;
    }
  };
  const partial = `${options.out}.partial`;
  const gzip = createGzip({ level: options.gzipLevel ?? constants.Z_DEFAULT_COMPRESSION, chunkSize: 64 * 1024 });
  const out = createWriteStream(partial);
  try {
    await pipeline(Readable.from(counted()), gzip, out);
    await rename(partial, options.out);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return {
    path: options.out,
    rootName,
    bytes: out.bytesWritten,
    tarBytes,
    entries: entries.length,
    logBytes,
    world: { hosts: world.hosts.length, pods: world.pods.length, namespaces: world.namespaces.length, events: world.sizes.events },
  };
}
