// `labsnap collect`: reaches every host of the inventory (or this machine), runs the plan, and writes one
// bundle. A host or item that fails is recorded and the rest goes on; Ctrl-C writes what was collected.
import { constants as fsConstants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, LayoutError, bundlePath, bundleRootName, defaultBundleFileName, segment } from '../bundle/layout.js';
import type { ArpProbeRecord, HostRecord, HostRole, ItemRecord, Manifest } from '../bundle/manifest.js';
import { openBundle } from '../bundle/reader.js';
import { BundleStaging, exists, writeBundle, type WrittenBundle } from '../bundle/writer.js';
import { InternalError, UsageError, errorMessage } from '../common/errors.js';
import { packageInfo } from '../common/package-root.js';
import { captureItem, captureReadyCommand, probeCommand, runArp } from './arp.js';
import { attributeAttachment, parseAttachArg, readAttachmentTail, unknownHostPrefix } from './attachments.js';
import { DEFAULT_HOST_KUBECONFIG, loadInventory, type Inventory, type InventoryHost, type KubeAccess } from './inventory.js';
import { Kubectl, collectCluster, describeClusterPlan, planVersion } from './kube.js';
import { describeItem, planHost, type HostPlanItem } from './plan.js';
import type { CollectProgress } from './progress.js';
import { redactManifest, rewriteBundle } from './redact/bundle.js';
import type { ReverseMap } from './redact/pseudonymize.js';
import { DEFAULT_REDACTION, RedactionSession, type RedactionSettings } from './redact/session.js';
import { HostRunner, ItemStore, MAX_CHANNELS_PER_HOST, Semaphore, mapLimit, type ItemResult, type RunLimits } from './run.js';
import { connectLocal } from './transports/local.js';
import { HostUnreachableError, type ConnectSsh, type HostConnection } from './transport.js';

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_SINCE_SECONDS = 24 * 3600;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_ARP_SECONDS = 10;
export const CONNECT_TIMEOUT_MS = 15_000;
export const CLUSTER_PROGRESS_KEY = 'cluster';

export interface CollectOptions {
  /** Inventory file; null with `local`. */
  inventoryFile: string | null;
  /** Collect from this machine only, without SSH. */
  local: boolean;
  /** Roles of this machine with `local`; null detects them from the files kubeadm and Proxmox leave. */
  roles: HostRole[] | null;
  /** Cluster name with `local` (the inventory names it otherwise). */
  localCluster: string;
  out: string | null;
  sinceSeconds: number;
  concurrency: number;
  timeoutMs: number;
  arpSeconds: number;
  attach: string[];
  note: string | null;
  dryRun: boolean;
  acceptNewHostKeys: boolean;
  maxItemBytes: number;
  /** Already sanitized (see sanitizeCommandLine). */
  commandLine: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The SSH transport; loaded from collector/transports/ssh.js when not given. */
  connectSsh?: ConnectSsh;
  /** ssh client config to honour; undefined means ~/.ssh/config, null none. */
  sshConfigPath?: string | null;
  /** Clock for collectedAt (tests pin it). */
  now?: () => Date;
  /** Redaction and pseudonymization; redaction is on when not given. */
  redaction?: RedactionSettings;
}

export interface CollectResult {
  /** The plan as text, for --dry-run; nothing was connected to. */
  dryRun: string | null;
  bundle: WrittenBundle | null;
  manifest: Manifest | null;
  /** Items that are not ok (the bundle records why). */
  gaps: ItemRecord[];
  /** Problems that are not one item (names refused from the cluster). */
  warnings: string[];
  /** Pseudonym → original, with --pseudonymize (also written to --map-out). */
  reverseMap?: ReverseMap | null;
}

interface Target {
  host: InventoryHost;
  local: boolean;
}

interface Lab {
  cluster: string;
  mode: 'ssh' | 'local';
  targets: Target[];
  kube: KubeAccess | null;
  /** Why there is no cluster part, when there is none. */
  noKubeReason: string | null;
  arp: Inventory['arp'];
}

async function readable(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function localHostName(): string {
  const short = hostname().split('.')[0] ?? '';
  try {
    return segment(short, 'host name');
  } catch {
    return 'localhost';
  }
}

/** What this machine is, from files kubeadm and Proxmox always leave behind. */
export async function detectLocalRoles(): Promise<HostRole[]> {
  const roles: HostRole[] = [];
  if ((await exists('/etc/kubernetes/manifests/kube-apiserver.yaml'))) roles.push('control-plane');
  else if ((await exists('/var/lib/kubelet/config.yaml')) || (await exists('/etc/kubernetes/kubelet.conf'))) roles.push('worker');
  if ((await exists('/etc/pve')) || (await exists('/usr/bin/pveversion'))) roles.push('proxmox');
  return roles;
}

async function localKubeconfig(env: NodeJS.ProcessEnv): Promise<string | null> {
  const candidates = [
    ...(env.KUBECONFIG ?? '').split(':').filter((p) => p.length > 0),
    ...(env.HOME ? [`${env.HOME}/.kube/config`] : []),
    DEFAULT_HOST_KUBECONFIG,
  ];
  for (const c of candidates) if (await readable(c)) return c;
  return null;
}

async function resolveLab(opts: CollectOptions): Promise<Lab> {
  if (opts.local) {
    const name = localHostName();
    const roles = opts.roles ?? (await detectLocalRoles());
    const host: InventoryHost = {
      name,
      address: 'localhost',
      roles,
      sudo: false,
      ssh: { name, address: 'localhost', explicit: {}, defaults: {}, jump: null },
    };
    const kubeconfig = await localKubeconfig(opts.env);
    segment(opts.localCluster, 'cluster name');
    return {
      cluster: opts.localCluster,
      mode: 'local',
      targets: [{ host, local: true }],
      kube: kubeconfig ? { via: null, kubeconfig } : null,
      noKubeReason: kubeconfig ? null : 'not collected: no readable kubeconfig ($KUBECONFIG, ~/.kube/config or /etc/kubernetes/admin.conf)',
      arp: [],
    };
  }
  if (!opts.inventoryFile) throw new UsageError('collect needs --inventory FILE, or --local for this machine only');
  const inv = await loadInventory(resolve(opts.cwd, opts.inventoryFile), opts.inventoryFile);
  return {
    cluster: inv.cluster,
    mode: 'ssh',
    targets: inv.hosts.map((host) => ({ host, local: false })),
    kube: inv.kube,
    noKubeReason: inv.kube ? null : `not collected: ${opts.inventoryFile} has no kube section and no control-plane host`,
    arp: inv.arp,
  };
}

function planContext(lab: Lab, opts: CollectOptions) {
  return {
    sinceSeconds: Math.ceil(opts.sinceSeconds),
    controlPlaneAddresses: lab.mode === 'local' ? [] : lab.targets.filter((t) => t.host.roles.includes('control-plane')).map((t) => t.host.address),
  };
}

interface Attachment {
  file: string;
  name: string;
  given: string;
  /** The host given before the colon (`cp1:kubeadm-init.log`); null to infer one from the content. */
  host: string | null;
}

async function checkAttachments(opts: CollectOptions, hostNames: readonly string[]): Promise<Attachment[]> {
  const seen = new Map<string, string>();
  const out: Attachment[] = [];
  for (const given of opts.attach) {
    const arg = parseAttachArg(given, hostNames);
    const file = resolve(opts.cwd, arg.file);
    if (arg.host === null && !(await exists(file))) {
      const unknown = unknownHostPrefix(given, hostNames);
      if (unknown !== null) throw new UsageError(`--attach ${given}: ${unknown} is not a host of the inventory (hosts: ${hostNames.join(', ')}), and no file ${given} exists`);
    }
    let name: string;
    try {
      name = segment(basename(file), 'attachment name');
    } catch (err) {
      throw new UsageError(`--attach ${given}: ${errorMessage(err)}`);
    }
    const st = await stat(file).catch(() => null);
    if (!st || !st.isFile()) throw new UsageError(`--attach ${given}: not a readable file`);
    if (!(await readable(file))) throw new UsageError(`--attach ${given}: permission denied`);
    const other = seen.get(name);
    if (other !== undefined) throw new UsageError(`--attach ${given}: another attachment (${other}) is also named ${name}; rename one of them`);
    seen.set(name, given);
    out.push({ file, name, given, host: arg.host });
  }
  return out;
}

async function checkOutput(opts: CollectOptions, lab: Lab, collectedAt: Date): Promise<string> {
  const out = resolve(opts.cwd, opts.out ?? defaultBundleFileName(lab.cluster, collectedAt));
  if (await exists(out)) throw new UsageError(`--out ${out}: the file exists; labsnap does not overwrite bundles (choose another name or remove it)`);
  const dir = await stat(dirname(out)).catch(() => null);
  if (!dir || !dir.isDirectory()) throw new UsageError(`--out ${out}: folder ${dirname(out)} does not exist`);
  return out;
}

function sudoNote(item: HostPlanItem, sudo: boolean): string {
  return item.privileged && sudo ? '  (sudo -n)' : '';
}

function dryRunText(lab: Lab, opts: CollectOptions, attachments: Attachment[]): string {
  const ctx = planContext(lab, opts);
  const lines: string[] = [
    `labsnap collect --dry-run: cluster ${lab.cluster}, ${lab.targets.length} host(s), ${lab.mode === 'local' ? 'this machine (no SSH)' : 'over SSH'}.`,
    'Nothing is connected to and nothing is run. Each line: bundle path  <-  command or file on the host.',
  ];
  for (const t of lab.targets) {
    const h = t.host;
    const via = h.ssh.jump ? `, jump ${h.ssh.jump.name}` : '';
    lines.push('', `== host ${h.name} (${h.address}; roles ${h.roles.join(', ') || 'none'}${via}; sudo ${h.sudo ? 'yes' : 'no'}) ==`);
    for (const item of planHost(h.name, h.roles, ctx)) lines.push(`  ${item.path}  <-  ${describeItem(item)}${sudoNote(item, h.sudo)}`);
  }
  lines.push('');
  if (lab.kube) {
    const viaHost = lab.kube.via ? lab.targets.find((t) => t.host.name === lab.kube!.via)?.host : undefined;
    const k = new Kubectl(lab.kube.kubeconfig, viaHost !== undefined);
    lines.push(`== cluster (kubectl on ${lab.kube.via ?? 'this machine'}, kubeconfig ${lab.kube.kubeconfig}${viaHost?.sudo ? ', sudo -n' : ''}) ==`);
    for (const l of describeClusterPlan(k, ctx.sinceSeconds)) lines.push(`  ${l}`);
  } else {
    lines.push(`== cluster: ${lab.noKubeReason} ==`);
  }
  if (lab.arp.length > 0) {
    lines.push('', '== ARP ==');
    for (const a of lab.arp) {
      const c = captureItem(a.host, a.interface, opts.arpSeconds);
      lines.push(`  ${c.path}  <-  ${c.command}  (on ${a.host})`);
      const probes = probeCommand(a.interface, ['0.0.0.0']).split(`'0.0.0.0'`).join('<each LoadBalancer IP found>');
      lines.push(`  wait for the capture (not stored)  <-  ${captureReadyCommand()}`);
      lines.push(`  probes (not stored; listed in manifest.arpProbes)  <-  ${probes}`);
    }
  }
  if (attachments.length > 0) {
    lines.push('', '== attachments ==');
    for (const a of attachments) lines.push(`  ${bundlePath.attachment(a.name)}  <-  ${a.given}${a.host ? `  (host ${a.host})` : '  (host inferred from its content, if it names exactly one)'}`);
  }
  return `${lines.join('\n')}\n`;
}

async function loadSshTransport(): Promise<ConnectSsh> {
  // Loaded on first use so --local and --dry-run never need the SSH stack.
  const mod: { connectSsh?: ConnectSsh } = await import('./transports/ssh.js');
  if (typeof mod.connectSsh !== 'function') throw new InternalError('the SSH transport (collector/transports/ssh.js) does not export connectSsh');
  return mod.connectSsh;
}

export async function collect(opts: CollectOptions, progress: CollectProgress, signal: AbortSignal): Promise<CollectResult> {
  const lab = await resolveLab(opts);
  const attachments = await checkAttachments(opts, lab.targets.map((t) => t.host.name));
  if (opts.dryRun) return { dryRun: dryRunText(lab, opts, attachments), bundle: null, manifest: null, gaps: [], warnings: [] };

  const collectedAt = opts.now?.() ?? new Date();
  const outFile = await checkOutput(opts, lab, collectedAt);
  const staging = await BundleStaging.create(bundleRootName(lab.cluster, collectedAt));
  const settings = opts.redaction ?? DEFAULT_REDACTION;
  const session = new RedactionSession(settings);
  try {
    const store = new ItemStore(staging, settings.redact ? session : null);
    const warnings: string[] = [];
    const warnAndLog = keepingWarnings(progress, warnings);
    const limits: RunLimits = { timeoutMs: opts.timeoutMs, maxBytes: opts.maxItemBytes };
    const ctx = planContext(lab, opts);
    const records = new Map<string, HostRecord>();
    const connections = new Map<string, Promise<HostConnection>>();
    const channels = new Map<string, Semaphore>();
    const open: HostConnection[] = [];
    let connectSsh: ConnectSsh | undefined = opts.connectSsh;

    for (const t of lab.targets) {
      records.set(t.host.name, { name: t.host.name, address: t.host.address, roles: t.host.roles, reached: false, error: null, hostKeyFingerprint: null, clockOffsetMs: null });
      channels.set(t.host.name, new Semaphore(MAX_CHANNELS_PER_HOST));
    }

    const closeAll = () => {
      for (const c of open) void c.close().catch(() => undefined);
    };
    signal.addEventListener('abort', closeAll, { once: true });

    // One connection per host, shared by the host's own items, the cluster part and ARP.
    const connect = (t: Target): Promise<HostConnection> => {
      let p = connections.get(t.host.name);
      if (!p) {
        p = (async () => {
          if (signal.aborted) throw new HostUnreachableError(t.host.name, 'unreachable', 'not contacted: interrupted (Ctrl-C)');
          let conn: HostConnection;
          if (t.local) conn = connectLocal({ env: opts.env });
          else {
            connectSsh ??= await loadSshTransport();
            conn = await connectSsh(t.host.ssh, {
              acceptNewHostKeys: opts.acceptNewHostKeys,
              connectTimeoutMs: CONNECT_TIMEOUT_MS,
              env: opts.env,
              maxChannels: MAX_CHANNELS_PER_HOST,
              ...(opts.sshConfigPath !== undefined ? { sshConfigPath: opts.sshConfigPath } : {}),
            });
          }
          open.push(conn);
          if (signal.aborted) void conn.close().catch(() => undefined);
          const rec = records.get(t.host.name)!;
          rec.reached = true;
          rec.hostKeyFingerprint = conn.hostKeyFingerprint;
          return conn;
        })();
        p.catch((err: unknown) => {
          const rec = records.get(t.host.name)!;
          rec.error = errorMessage(err);
          if (err instanceof HostUnreachableError && err.hostKeyFingerprint) rec.hostKeyFingerprint = err.hostKeyFingerprint;
        });
        connections.set(t.host.name, p);
      }
      return p;
    };
    const runnerFor = (t: Target, conn: HostConnection, recordHost: string | null, key: string) =>
      new HostRunner(recordHost, key, conn, channels.get(t.host.name)!, t.host.sudo, store, limits, signal, warnAndLog);

    const runHost = async (t: Target): Promise<void> => {
      const h = t.host;
      const items = planHost(h.name, h.roles, ctx);
      progress.lineStarted(h.name, items.length);
      let conn: HostConnection;
      try {
        conn = await connect(t);
      } catch (err) {
        const reason = `host not reached: ${errorMessage(err)}`;
        store.skipAll(h.name, items, reason);
        progress.lineFinished(h.name, reason);
        progress.log(`${h.name}: ${reason}`);
        return;
      }
      const runner = runnerFor(t, conn, h.name, h.name);
      const results = (await Promise.all(items.map((i) => runner.run(i)))).flat();
      records.get(h.name)!.clockOffsetMs = clockOffset(results, bundlePath.hostCmd(h.name, 'clock.txt'));
      progress.lineFinished(h.name, '');
    };

    const runClusterPart = async (): Promise<string[]> => {
      if (!lab.kube) {
        store.skip(null, bundlePath.clusterVersion(), 'kube', 'kubectl version -o json', lab.noKubeReason ?? 'not collected');
        return [];
      }
      const viaTarget = lab.kube.via === null ? null : lab.targets.find((t) => t.host.name === lab.kube!.via)!;
      const target: Target = viaTarget ?? { host: { ...lab.targets[0]!.host, name: '(local kubectl)', sudo: false }, local: true };
      const k = new Kubectl(lab.kube.kubeconfig, viaTarget !== null);
      let conn: HostConnection;
      if (viaTarget) {
        try {
          conn = await connect(viaTarget);
        } catch (err) {
          const reason = `not collected: kube.via host ${viaTarget.host.name} not reached: ${errorMessage(err)}`;
          store.skipAll(viaTarget.host.name, [planVersion(k)], reason);
          progress.log(`cluster: ${reason}`);
          return [];
        }
      } else {
        conn = connectLocal({ env: opts.env });
        open.push(conn);
        channels.set(target.host.name, new Semaphore(MAX_CHANNELS_PER_HOST));
      }
      const runner = runnerFor(target, conn, viaTarget ? viaTarget.host.name : null, CLUSTER_PROGRESS_KEY);
      const outcome = await collectCluster(runner, k, ctx.sinceSeconds, warnAndLog);
      return outcome.arpTargets;
    };

    const hostsDone = mapLimit(lab.targets, opts.concurrency, runHost);
    const clusterAndArp = runClusterPart().then(async (targets) => {
      const probes: ArpProbeRecord[] = [];
      await Promise.all(
        lab.arp.map(async (a) => {
          const t = lab.targets.find((x) => x.host.name === a.host)!;
          const key = `${a.host} arp`;
          progress.lineStarted(key, 1);
          const capture = captureItem(a.host, a.interface, opts.arpSeconds);
          let conn: HostConnection;
          try {
            conn = await connect(t);
          } catch (err) {
            store.skipAll(a.host, [capture], `host not reached: ${errorMessage(err)}`);
            probes.push({ host: a.host, interface: a.interface, targets, tool: null, seconds: opts.arpSeconds, error: 'host not reached' });
            progress.lineFinished(key, 'host not reached');
            return;
          }
          probes.push(await runArp(runnerFor(t, conn, a.host, key), a.host, a.interface, opts.arpSeconds, targets));
          progress.lineFinished(key, '');
        }),
      );
      return probes;
    });
    const [, arpProbes] = await Promise.all([hostsDone, clusterAndArp]);

    for (const a of attachments) {
      const path = bundlePath.attachment(a.name);
      const startedAt = new Date();
      const { data, truncated } = await readAttachmentTail(a.file, opts.maxItemBytes);
      const attribution = attributeAttachment(a.host, data, lab.targets.map((t) => ({ name: t.host.name, address: t.host.address })));
      const stored = await store.put(path, data);
      store.record({ path, host: null, kind: 'attachment', source: a.given, status: 'ok', exitCode: null, stderr: null, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), bytes: stored.bytes, sha256: stored.sha256, truncated, ...(stored.redactions && Object.keys(stored.redactions).length > 0 ? { redactions: stored.redactions } : {}), ...attribution });
    }

    signal.removeEventListener('abort', closeAll);
    for (const [name, p] of connections) {
      const conn = await p.catch(() => null);
      const way = conn?.collectionWay?.();
      if (way) Object.assign(records.get(name)!, { collection: way.mode, collectionNote: way.note });
    }
    await Promise.all(open.map((c) => c.close().catch(() => undefined)));

    const hosts = lab.targets.map((t) => records.get(t.host.name)!);
    for (const h of hosts) await store.put(bundlePath.hostJson(h.name), Buffer.from(`${JSON.stringify(h, null, 2)}\n`));
    const items = [...store.items].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    let manifest: Manifest = {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      tool: { name: 'labsnap', version: packageInfo().version },
      cluster: lab.cluster,
      collectedAt: collectedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      note: opts.note,
      commandLine: opts.commandLine,
      mode: lab.mode,
      hosts,
      items,
      arpProbes: arpProbes.sort((a, b) => a.host.localeCompare(b.host) || a.interface.localeCompare(b.interface)),
      interrupted: signal.aborted,
      redaction: { enabled: settings.redact },
    };
    manifest = redactManifest(manifest, session);
    if (settings.pseudonymize.length > 0) {
      // The same pass as `labsnap redact`, over the staging folder: host names are only all known now
      // (nodes from the cluster), and the mapping must not depend on what was collected first.
      const root = join(staging.tempDir, staging.rootName);
      await writeFile(join(root, 'manifest.json'), `${JSON.stringify(manifest)}\n`, { mode: 0o600 });
      const pass = new RedactionSession({ ...settings, redact: false }, session.key);
      const rewritten = await rewriteBundle(await openBundle(root), pass, outFile);
      return { dryRun: null, bundle: rewritten.bundle, manifest: rewritten.manifest, gaps: rewritten.manifest.items.filter((i) => i.status !== 'ok'), warnings, reverseMap: rewritten.reverse };
    }
    const bundle = await writeBundle(staging, manifest, outFile, collectedAt);
    return { dryRun: null, bundle, manifest, gaps: items.filter((i) => i.status !== 'ok'), warnings };
  } catch (err) {
    if (err instanceof LayoutError) throw new InternalError(`bundle layout: ${err.message}`);
    throw err;
  } finally {
    await staging.remove();
  }
}

/** Progress that also keeps every log message, so the caller can repeat them in the summary. */
function keepingWarnings(progress: CollectProgress, warnings: string[]): CollectProgress {
  return {
    lineStarted: (k, n) => progress.lineStarted(k, n),
    addItems: (k, n) => progress.addItems(k, n),
    itemStarted: (k, l) => progress.itemStarted(k, l),
    itemFinished: (k, s, b) => progress.itemFinished(k, s, b),
    lineFinished: (k, s) => progress.lineFinished(k, s),
    log: (m) => {
      warnings.push(m);
      progress.log(m);
    },
    stop: () => progress.stop(),
  };
}

/** Host clock minus ours, from `date +%s.%N` taken halfway through the round trip. */
function clockOffset(results: ItemResult[], path: string): number | null {
  const r = results.find((x) => x.record.path === path);
  if (!r || r.record.status !== 'ok' || !r.stdout || !r.record.startedAt) return null;
  const hostSeconds = Number.parseFloat(r.stdout.toString('utf8').trim());
  if (!Number.isFinite(hostSeconds)) return null;
  const midpoint = Date.parse(r.record.startedAt) + (r.record.durationMs ?? 0) / 2;
  return Math.round(hostSeconds * 1000 - midpoint);
}
