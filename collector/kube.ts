// The cluster part of the plan: kubectl on the `kube.via` host (or this machine). It runs in phases
// because later items depend on earlier answers: namespaces and nodes first, then per-namespace objects
// and custom resources whose CRDs exist, then the logs of the pods that need them.
import { isIPv4 } from 'node:net';
import { CLUSTER_SCOPED_KINDS, CUSTOM_RESOURCES, LayoutError, NAMESPACED_KINDS, bundlePath, segment, type NamespacedKind } from '../bundle/layout.js';
import type { PlannedCommand } from './plan.js';
import { shPath } from './plan.js';
import type { CollectProgress } from './progress.js';
import type { HostRunner, ItemResult } from './run.js';
import { shJoin } from './shell.js';

/** Namespaces of the lab's platform components: every container's logs are collected there. */
export const SYSTEM_NAMESPACES = ['kube-system', 'calico-system', 'tigera-operator', 'metallb-system', 'ingress-nginx', 'local-path-storage'] as const;
/**
 * ConfigMaps are collected only in these namespaces: they hold kubeadm-config, kubelet-config,
 * kube-proxy, Calico, MetalLB, ingress-nginx and local-path settings. Application namespaces are left
 * out because their ConfigMaps are where people put credentials that should have been Secrets.
 */
export const CONFIGMAP_NAMESPACES: readonly string[] = SYSTEM_NAMESPACES;
export const POD_LOG_MAX_LINES = 20_000;
/** Keeps a dead API server from costing the full per-command timeout on every kubectl call. */
export const KUBECTL_REQUEST_TIMEOUT_S = 20;
/** Bounds the ARP probe list when a lab has an unusual number of LoadBalancer addresses. */
export const MAX_ARP_TARGETS = 64;

const PER_NAMESPACE_KINDS = NAMESPACED_KINDS.filter((k) => k !== 'configmaps');

export class Kubectl {
  constructor(
    readonly kubeconfig: string,
    /** kubectl needs root on a node where the kubeconfig is root-only (admin.conf). */
    readonly privileged: boolean,
  ) {}
  line(args: readonly string[]): string {
    return `kubectl --kubeconfig=${shPath(this.kubeconfig)} --request-timeout=${KUBECTL_REQUEST_TIMEOUT_S}s ${shJoin(args)}`;
  }
  item(path: string, args: readonly string[]): PlannedCommand {
    return { type: 'command', kind: 'kube', path, command: this.line(args), privileged: this.privileged };
  }
}

export function planClusterBasics(k: Kubectl): PlannedCommand[] {
  return CLUSTER_SCOPED_KINDS.map((kind) => k.item(bundlePath.clusterList(kind), ['get', kind, '-o', 'json']));
}

export function planVersion(k: Kubectl): PlannedCommand {
  return k.item(bundlePath.clusterVersion(), ['version', '-o', 'json']);
}

export function planNamespace(k: Kubectl, ns: string): PlannedCommand[] {
  const kinds: NamespacedKind[] = [...PER_NAMESPACE_KINDS];
  if (CONFIGMAP_NAMESPACES.includes(ns)) kinds.push('configmaps');
  return kinds.map((kind) => k.item(bundlePath.namespacedList(ns, kind), ['get', kind, '-n', ns, '-o', 'json']));
}

export function planCustom(k: Kubectl, resource: string): PlannedCommand {
  return k.item(bundlePath.customResources(resource), ['get', resource, '-A', '-o', 'json']);
}

export function planDescribeNode(k: Kubectl, node: string): PlannedCommand {
  return k.item(bundlePath.describeNode(node), ['describe', 'node', node]);
}

export function planLog(k: Kubectl, ns: string, pod: string, container: string, previous: boolean, sinceSeconds: number): PlannedCommand {
  const args = ['logs', '-n', ns, pod, '-c', container, '--timestamps', `--since=${sinceSeconds}s`, `--tail=${POD_LOG_MAX_LINES}`];
  if (previous) args.push('--previous');
  return k.item(bundlePath.podLog(ns, pod, container, previous), args);
}

interface ContainerStatus {
  name?: string;
  restartCount?: number;
  state?: { running?: unknown; terminated?: unknown; waiting?: unknown };
  lastState?: { terminated?: unknown };
}
interface PodJson {
  metadata?: { name?: string };
  spec?: { containers?: Array<{ name?: string }>; initContainers?: Array<{ name?: string }> };
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string }>;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

function itemsOf(json: unknown): unknown[] {
  const items = (json as { items?: unknown } | null)?.items;
  return Array.isArray(items) ? items : [];
}

function names(json: unknown): string[] {
  return itemsOf(json)
    .map((i) => (i as { metadata?: { name?: unknown } }).metadata?.name)
    .filter((n): n is string => typeof n === 'string');
}

function restarted(s: ContainerStatus): boolean {
  return (s.restartCount ?? 0) > 0 || s.lastState?.terminated !== undefined;
}

/**
 * Which containers' logs to fetch. In system namespaces: every container. Elsewhere: pods that are not
 * Ready (completed pods excepted) or have restarted. Previous logs only where a previous container
 * exists, so a healthy pod does not show up as a failed item.
 */
export function selectLogs(podsJson: unknown, system: boolean): Array<{ pod: string; container: string; previous: boolean }> {
  const out: Array<{ pod: string; container: string; previous: boolean }> = [];
  for (const raw of itemsOf(podsJson)) {
    const pod = raw as PodJson;
    const name = pod.metadata?.name;
    if (typeof name !== 'string') continue;
    const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const anyRestart = statuses.some(restarted);
    if (!system && pod.status?.phase === 'Succeeded') continue;
    if (!system && ready && !anyRestart) continue;
    const byName = new Map(statuses.map((s) => [s.name, s]));
    for (const c of pod.spec?.containers ?? []) {
      if (typeof c.name !== 'string') continue;
      out.push({ pod: name, container: c.name, previous: false });
      const s = byName.get(c.name);
      if (s && restarted(s)) out.push({ pod: name, container: c.name, previous: true });
    }
    // Init containers have logs only once they started; one that never ran would be a failed item.
    for (const c of pod.spec?.initContainers ?? []) {
      if (typeof c.name !== 'string') continue;
      const s = byName.get(c.name);
      if (!s || (s.state?.running === undefined && s.state?.terminated === undefined && !restarted(s))) continue;
      out.push({ pod: name, container: c.name, previous: false });
      if (restarted(s)) out.push({ pod: name, container: c.name, previous: true });
    }
  }
  return out;
}

/** LoadBalancer addresses to probe: assigned ones, requested ones, and single-address MetalLB pools. */
export function arpTargets(servicesLists: unknown[], poolsList: unknown): string[] {
  const found = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && isIPv4(v.trim())) found.add(v.trim());
  };
  for (const list of servicesLists) {
    for (const raw of itemsOf(list)) {
      const svc = raw as {
        metadata?: { annotations?: Record<string, string> };
        spec?: { type?: string; loadBalancerIP?: string };
        status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
      };
      if (svc.spec?.type !== 'LoadBalancer') continue;
      for (const ing of svc.status?.loadBalancer?.ingress ?? []) add(ing.ip);
      add(svc.spec.loadBalancerIP);
      for (const key of ['metallb.universe.tf/loadBalancerIPs', 'metallb.io/loadBalancerIPs']) {
        for (const ip of (svc.metadata?.annotations?.[key] ?? '').split(',')) add(ip);
      }
    }
  }
  for (const raw of itemsOf(poolsList)) {
    for (const range of (raw as { spec?: { addresses?: unknown[] } }).spec?.addresses ?? []) {
      if (typeof range !== 'string') continue;
      const single = /^([\d.]+)\/32$/.exec(range) ?? /^([\d.]+)-\1$/.exec(range);
      if (single) add(single[1]);
    }
  }
  return [...found].sort().slice(0, MAX_ARP_TARGETS);
}

function jsonOf(stdout: Buffer | null): unknown {
  if (stdout === null || stdout.length === 0) return null;
  try {
    return JSON.parse(stdout.toString('utf8'));
  } catch {
    return null;
  }
}

/** A complete listing's JSON; null when it failed or was cut to its tail. */
function parseJson(result: ItemResult): unknown {
  if (result.record.status !== 'ok' || result.record.truncated) return null;
  return jsonOf(result.stdout);
}

/** Keeps names that are safe bundle path segments; the others are reported, not collected. */
function safeNames(list: string[], what: string, warn: (m: string) => void): string[] {
  return list.filter((n) => {
    try {
      segment(n, what);
      return true;
    } catch (err) {
      if (!(err instanceof LayoutError)) throw err;
      warn(`cluster: ${err.message}; its objects are not collected`);
      return false;
    }
  });
}

export interface ClusterOutcome {
  apiReachable: boolean;
  arpTargets: string[];
}

export async function collectCluster(
  runner: HostRunner,
  k: Kubectl,
  sinceSeconds: number,
  progress: CollectProgress,
): Promise<ClusterOutcome> {
  const key = runner.progressKey;
  const basics = planClusterBasics(k);
  progress.lineStarted(key, 1 + basics.length + CUSTOM_RESOURCES.length);
  const warn = (m: string) => progress.log(m);

  const [version] = await runner.run(planVersion(k));
  // kubectl exits 1 but still prints the client half of the JSON when the server does not answer.
  const serverVersion = (jsonOf(version!.stdout) as { serverVersion?: unknown } | null)?.serverVersion;
  if (serverVersion === undefined) {
    const why = (version!.record.stderr ?? '').split('\n').find((l) => l.trim().length > 0) ?? version!.record.status;
    const reason = `not collected: the API server did not answer kubectl version (${why})`;
    for (const item of basics) runner.skip(item.path, 'kube', item.command, reason);
    for (const r of CUSTOM_RESOURCES) runner.skip(bundlePath.customResources(r), 'kube', planCustom(k, r).command, reason);
    progress.lineFinished(key, 'API server unreachable');
    return { apiReachable: false, arpTargets: [] };
  }

  const crdProbe = runner.probe(k.line(['get', 'customresourcedefinitions', '-o', 'name']), k.privileged);
  const basicResults = await Promise.all(basics.map((i) => runner.run(i).then((r) => r[0]!)));
  const byPath = new Map(basicResults.map((r) => [r.record.path, r]));
  const namespaces = safeNames(names(parseJson(byPath.get(bundlePath.clusterList('namespaces'))!)), 'namespace', warn);
  const nodes = safeNames(names(parseJson(byPath.get(bundlePath.clusterList('nodes'))!)), 'node name', warn);

  const crds = await crdProbe;
  const crdNames = new Set(
    crds && crds.exitCode === 0 ? crds.stdout.toString('utf8').split('\n').map((l) => l.slice(l.indexOf('/') + 1).trim()) : [],
  );
  const customs: Array<Promise<ItemResult>> = [];
  for (const r of CUSTOM_RESOURCES) {
    const item = planCustom(k, r);
    if (crds === null || crds.exitCode !== 0) {
      runner.skip(item.path, 'kube', item.command, `not collected: listing CRDs failed (${(crds?.stderr ?? 'interrupted').trim()})`);
    } else if (!crdNames.has(r)) {
      runner.skip(item.path, 'kube', item.command, `not collected: CRD ${r} is not installed`);
    } else {
      customs.push(runner.run(item).then((x) => x[0]!));
    }
  }

  const perNamespace = namespaces.map((ns) => planNamespace(k, ns));
  const describes = nodes.map((n) => planDescribeNode(k, n));
  progress.addItems(key, perNamespace.reduce((n, l) => n + l.length, 0) + describes.length);
  const nsResults = await Promise.all(perNamespace.map((items) => Promise.all(items.map((i) => runner.run(i).then((r) => r[0]!)))));
  const customResults = await Promise.all(customs);
  await Promise.all(describes.map((i) => runner.run(i)));

  const logs: PlannedCommand[] = [];
  const services: unknown[] = [];
  namespaces.forEach((ns, idx) => {
    const results = nsResults[idx]!;
    const pods = results.find((r) => r.record.path === bundlePath.namespacedList(ns, 'pods'));
    const svc = results.find((r) => r.record.path === bundlePath.namespacedList(ns, 'services'));
    if (svc) services.push(parseJson(svc));
    const podsJson = pods ? parseJson(pods) : null;
    if (podsJson === null) return;
    const system = (SYSTEM_NAMESPACES as readonly string[]).includes(ns);
    for (const l of selectLogs(podsJson, system)) {
      try {
        logs.push(planLog(k, ns, l.pod, l.container, l.previous, sinceSeconds));
      } catch (err) {
        if (!(err instanceof LayoutError)) throw err;
        warn(`cluster: ${err.message}; its logs are not collected`);
      }
    }
  });
  progress.addItems(key, logs.length);
  await Promise.all(logs.map((i) => runner.run(i)));

  const pools = customResults.find((r) => r.record.path === bundlePath.customResources('ipaddresspools.metallb.io'));
  progress.lineFinished(key, '');
  return { apiReachable: true, arpTargets: arpTargets(services, pools ? parseJson(pools) : null) };
}

/** The cluster plan as --dry-run prints it: fixed commands, then the templates run per object found. */
export function describeClusterPlan(k: Kubectl, sinceSeconds: number): string[] {
  const lines = [planVersion(k), ...planClusterBasics(k)].map((i) => `${i.path}  <-  ${i.command}`);
  lines.push(`(discovery, not stored)  <-  ${k.line(['get', 'customresourcedefinitions', '-o', 'name'])}`);
  for (const r of CUSTOM_RESOURCES) lines.push(`${bundlePath.customResources(r)}  <-  ${planCustom(k, r).command}  (if the CRD exists)`);
  for (const i of planNamespace(k, 'NAMESPACE')) lines.push(`for each namespace: ${i.path}  <-  ${i.command}`);
  lines.push(`  (configmaps only in ${CONFIGMAP_NAMESPACES.join(', ')}; never Secrets)`);
  const d = planDescribeNode(k, 'NODE');
  lines.push(`for each node: ${d.path}  <-  ${d.command}`);
  for (const previous of [false, true]) {
    const l = planLog(k, 'NAMESPACE', 'POD', 'CONTAINER', previous, sinceSeconds);
    lines.push(`for each selected container: ${l.path}  <-  ${l.command}`);
  }
  lines.push(`  (every container in ${SYSTEM_NAMESPACES.join(', ')}; elsewhere pods not Ready or restarted; previous logs where a container restarted)`);
  return lines;
}
