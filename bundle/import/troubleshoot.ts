// troubleshoot.sh support bundles (`kubectl support-bundle`, sbctl, installers that embed troubleshoot):
// cluster-resources/<kind>.json and <kind>/<namespace>.json are the same kubectl Lists labsnap stores and pass
// through as streams; pod logs, cluster_version.json, custom resources (one file per namespace, JSON or
// YAML), the in-cluster sysctl collector and the host collectors (sysctl.json, kernel_modules.json,
// journald, run-host commands) are converted to labsnap's forms.
import { load as loadYaml } from 'js-yaml';
import { bundlePath, CUSTOM_RESOURCES, HOST_CMD, segment, type NamespacedKind } from '../layout.js';
import type { HostRecord } from '../manifest.js';
import { commandTarget } from './commands.js';
import { HeldContent, nodesOf, type Importer, type ImportOutput, type NodeInfo } from './output.js';
import type { RawEntry } from './raw.js';

/** cluster-resources/<folder>/<namespace>.json → the labsnap kind it holds (the benchmark writes the inverse). */
export const TROUBLESHOOT_NAMESPACED: Record<string, NamespacedKind> = {
  pods: 'pods',
  events: 'events',
  services: 'services',
  endpoints: 'endpoints',
  endpointslices: 'endpointslices',
  ingress: 'ingresses',
  pvcs: 'persistentvolumeclaims',
  deployments: 'deployments',
  replicasets: 'replicasets',
  daemonsets: 'daemonsets',
  statefulsets: 'statefulsets',
  configmaps: 'configmaps',
  jobs: 'jobs',
};

/** cluster-resources/<file> → the cluster-scoped labsnap kind it holds. */
export const TROUBLESHOOT_CLUSTER: Record<string, 'nodes' | 'namespaces' | 'storageclasses' | 'persistentvolumes' | 'ingressclasses'> = {
  'nodes.json': 'nodes',
  'namespaces.json': 'namespaces',
  'storage-classes.json': 'storageclasses',
  'pvs.json': 'persistentvolumes',
  'ingress-classes.json': 'ingressclasses',
};

const CUSTOM = new Set<string>(CUSTOM_RESOURCES);

/** `/proc/sys/net/ipv4/ip_forward = 1` (the in-cluster sysctl collector) → `net.ipv4.ip_forward = 1`. */
export function procSysToSysctl(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^\/proc\/sys\/(\S+)\s*=\s?(.*)$/.exec(line);
      return m ? `${m[1]!.replace(/\//g, '.')} = ${m[2]}` : null;
    })
    .filter((l): l is string => l !== null)
    .join('\n');
}

/** host-collectors/system/sysctl.json: `{"net.ipv4.ip_forward": "1", ...}`. */
function sysctlJsonToText(text: string): string {
  const map = JSON.parse(text) as Record<string, unknown>;
  return Object.entries(map)
    .map(([k, v]) => `${k} = ${String(v)}`)
    .join('\n');
}

/** host-collectors/system/kernel_modules.json: `{"br_netfilter": {"size": 1, "instances": 0, "status": "loaded"}}` → lsmod. */
function kernelModulesToLsmod(text: string): string {
  const map = JSON.parse(text) as Record<string, { size?: number; instances?: number; status?: string }>;
  const lines = ['Module                  Size  Used by'];
  for (const [name, m] of Object.entries(map)) {
    // Only loaded modules are what lsmod shows; "loadable" ones are merely installed.
    if (m?.status !== 'loaded' && m?.status !== 'loading') continue;
    lines.push(`${name.padEnd(24)}${String(m.size ?? 0).padStart(6)}  ${m.instances ?? 0}`);
  }
  return lines.join('\n');
}

/** cluster-info/cluster_version.json (`{"info": {...}, "string": "v1.31.4"}`) → labsnap's `kubectl version -o json`. */
function clusterVersion(text: string): string {
  const v = JSON.parse(text) as { info?: unknown };
  return `${JSON.stringify({ serverVersion: v.info ?? null }, null, 2)}\n`;
}

/** Custom resources as a list of objects, from a troubleshoot JSON (List or array) or YAML (array) file. */
function customItems(text: string, yaml: boolean): unknown[] {
  const value = yaml ? loadYaml(text) : JSON.parse(text);
  if (Array.isArray(value)) return value;
  const items = (value as { items?: unknown })?.items;
  return Array.isArray(items) ? items : [];
}

type HostTarget = { kind: 'command'; path: (host: string) => string } | null;

function journaldTarget(name: string): HostTarget {
  const file = /kubelet/i.test(name) ? HOST_CMD.journalKubelet : /containerd/i.test(name) ? HOST_CMD.journalContainerd : /kernel|dmesg/i.test(name) ? HOST_CMD.journalKernel : null;
  return file ? { kind: 'command', path: (h) => bundlePath.hostCmd(h, file) } : null;
}

interface HeldHostFile {
  source: string;
  content: Buffer;
  /** Collector name for run-host outputs, decided when its -info.json is known. */
  runHost?: string;
  /** Set for per-node host collectors; otherwise the bundle's one host, named at the end. */
  host?: string;
  convert?: (text: string) => string;
  target?: HostTarget;
}

export class TroubleshootImporter implements Importer {
  #held: HeldContent | null = null;
  #hostFiles: HeldHostFile[] = [];
  #runHostCommands = new Map<string, string>();
  #hostName: string | undefined;
  #nodes: NodeInfo[] = [];
  #custom = new Map<string, Map<string, { items: unknown[]; json: boolean; source: string }>>();
  #sysctlNodes = new Set<string>();
  /** Hosts named by per-node host-collector folders. */
  #namedHosts = new Set<string>();
  #hosts: HostRecord[] = [];

  constructor(
    private readonly cap: number,
    /** Name for the host of host collectors when the bundle does not name it (`--host`). */
    private readonly defaultHost: string | undefined,
  ) {}

  async entry(rel: string[], raw: RawEntry, out: ImportOutput): Promise<void> {
    this.#held ??= new HeldContent(this.cap, out.problems);
    const source = rel.join('/');
    // Installers that embed troubleshoot keep a host-only bundle under host/.
    const p = rel[0] === 'host' && rel.length > 1 ? rel.slice(1) : rel;
    const [top, a, b, c, d] = p;
    if (top === 'cluster-info' && a === 'cluster_version.json' && p.length === 2) {
      await out.put(bundlePath.clusterVersion(), source, 'kube', null, clusterVersion(await raw.entry.text()));
      return;
    }
    if (top === 'cluster-resources' && a !== undefined) {
      if (p.length === 2 && TROUBLESHOOT_CLUSTER[a]) {
        if (a === 'nodes.json') {
          const text = await raw.entry.text();
          this.#nodes = nodesOf(text);
          await out.put(bundlePath.clusterList('nodes'), source, 'kube', null, text);
          return;
        }
        await out.pass(bundlePath.clusterList(TROUBLESHOOT_CLUSTER[a]!), source, 'kube', null, raw.entry);
        return;
      }
      if (p.length === 3 && TROUBLESHOOT_NAMESPACED[a] && b!.endsWith('.json')) {
        await out.pass(bundlePath.namespacedList(b!.slice(0, -5), TROUBLESHOOT_NAMESPACED[a]!), source, 'kube', null, raw.entry);
        return;
      }
      if (a === 'pods' && b === 'logs' && p.length === 6 && p[5]!.endsWith('.log')) {
        const file = p[5]!.slice(0, -4);
        const previous = file.endsWith('-previous');
        await out.pass(bundlePath.podLog(c!, d!, previous ? file.slice(0, -'-previous'.length) : file, previous), source, 'kube', null, raw.entry);
        return;
      }
      if (a === 'custom-resources' && b !== undefined) {
        await this.#customResource(p, raw, source);
        return;
      }
      return;
    }
    if (top === 'sysctl' && p.length === 2 && a !== undefined) {
      // The in-cluster sysctl collector: one file per node, named by the node.
      const host = segment(a, 'node name');
      this.#sysctlNodes.add(host);
      await out.put(bundlePath.hostCmd(host, HOST_CMD.sysctl), source, 'command', host, `${procSysToSysctl(await raw.entry.text())}\n`);
      return;
    }
    if (top === 'host-collectors' && a !== undefined) await this.#hostCollector(p, raw, source, out);
  }

  async #customResource(p: string[], raw: RawEntry, source: string): Promise<void> {
    const resource = p[2]!;
    let name: string;
    let ns: string;
    if (p.length === 3 && /\.(json|yaml)$/.test(resource)) {
      name = resource.replace(/\.(json|yaml)$/, '');
      ns = '';
    } else if (p.length === 4 && /\.(json|yaml)$/.test(p[3]!)) {
      name = resource;
      ns = p[3]!.replace(/\.(json|yaml)$/, '');
    } else return;
    if (!CUSTOM.has(name)) return;
    const json = source.endsWith('.json');
    const perNs = this.#custom.get(name) ?? new Map();
    this.#custom.set(name, perNs);
    // troubleshoot writes the same objects as JSON and YAML; JSON wins, whichever comes first.
    if (perNs.get(ns)?.json) return;
    const content = await this.#held!.take(raw, source);
    if (!content) return;
    perNs.set(ns, { items: customItems(content.toString('utf8'), !json), json, source });
  }

  async #hostCollector(p: string[], raw: RawEntry, source: string, out: ImportOutput): Promise<void> {
    // Host collectors run on every node (remote host collection) keep one folder per node.
    if (p.length === 4) return this.#nodeHostCollector(p, raw, source, out);
    const [, group, file] = p;
    if (p.length !== 3 || file === undefined) return;
    if (group === 'system' && file === 'hostos_info.json') {
      const info = JSON.parse(await raw.entry.text()) as { name?: unknown };
      if (typeof info.name === 'string' && info.name !== '') this.#hostName = segment(info.name, 'host name');
      return;
    }
    const hold = async (item: Omit<HeldHostFile, 'content' | 'source'>): Promise<void> => {
      const content = await this.#held!.take(raw, source);
      if (content) this.#hostFiles.push({ source, content, ...item });
    };
    if (group === 'system' && file === 'sysctl.json') return hold({ convert: sysctlJsonToText, target: { kind: 'command', path: (h) => bundlePath.hostCmd(h, HOST_CMD.sysctl) } });
    if (group === 'system' && file === 'kernel_modules.json') return hold({ convert: kernelModulesToLsmod, target: { kind: 'command', path: (h) => bundlePath.hostCmd(h, HOST_CMD.lsmod) } });
    if (group === 'journald' && file.endsWith('.txt') && !file.endsWith('-stderr.txt')) {
      const target = journaldTarget(file.slice(0, -4));
      if (target) return hold({ target });
      return;
    }
    if (group === 'run-host') {
      if (file.endsWith('-info.json')) {
        const info = JSON.parse(await raw.entry.text()) as { command?: unknown; args?: unknown };
        const args = Array.isArray(info.args) ? info.args.map(String) : [];
        if (typeof info.command === 'string') this.#runHostCommands.set(file.slice(0, -'-info.json'.length), [info.command, ...args].join(' '));
        return;
      }
      if (file.endsWith('.txt') && !file.endsWith('-stderr.txt')) return hold({ runHost: file.slice(0, -4) });
    }
  }

  /** `host-collectors/<group>/<node>/<file>`: the host is named by the path, so journals stream through. */
  async #nodeHostCollector(p: string[], raw: RawEntry, source: string, out: ImportOutput): Promise<void> {
    const [, group, nodeName, file] = p as [string, string, string, string];
    const host = segment(nodeName, 'node name');
    const hold = async (item: Omit<HeldHostFile, 'content' | 'source'>): Promise<void> => {
      const content = await this.#held!.take(raw, source);
      if (content) this.#hostFiles.push({ source, content, host, ...item });
    };
    if (group === 'journald' && file.endsWith('.txt') && !file.endsWith('-stderr.txt')) {
      const target = journaldTarget(file.slice(0, -4));
      if (!target) return;
      this.#namedHosts.add(host);
      await out.pass(target.path(host), source, 'command', host, raw.entry);
      return;
    }
    if (group === 'system' && file === 'sysctl.json') return hold({ convert: sysctlJsonToText, target: { kind: 'command', path: (h) => bundlePath.hostCmd(h, HOST_CMD.sysctl) } });
    if (group === 'system' && file === 'kernel_modules.json') return hold({ convert: kernelModulesToLsmod, target: { kind: 'command', path: (h) => bundlePath.hostCmd(h, HOST_CMD.lsmod) } });
    if (group === 'run-host') {
      if (file.endsWith('-info.json')) {
        const info = JSON.parse(await raw.entry.text()) as { command?: unknown; args?: unknown };
        const args = Array.isArray(info.args) ? info.args.map(String) : [];
        if (typeof info.command === 'string') this.#runHostCommands.set(`${host}/${file.slice(0, -'-info.json'.length)}`, [info.command, ...args].join(' '));
        return;
      }
      if (file.endsWith('.txt') && !file.endsWith('-stderr.txt')) return hold({ runHost: `${host}/${file.slice(0, -4)}` });
    }
  }

  async finish(out: ImportOutput): Promise<void> {
    for (const [name, perNs] of [...this.#custom].sort(([x], [y]) => (x < y ? -1 : 1))) {
      const parts = [...perNs.values()].sort((x, y) => (x.source < y.source ? -1 : 1));
      const list = { apiVersion: 'v1', kind: 'List', items: parts.flatMap((x) => x.items) };
      await out.put(bundlePath.customResources(name), parts.map((x) => x.source).join(', '), 'kube', null, `${JSON.stringify(list, null, 2)}\n`);
    }
    const host = this.#hostName ?? this.defaultHost ?? (this.#nodes.length === 1 ? this.#nodes[0]!.name : 'host');
    let hostUsed = false;
    for (const f of this.#hostFiles) {
      let target = f.target ?? null;
      if (f.runHost !== undefined) {
        const command = this.#runHostCommands.get(f.runHost) ?? f.runHost.replace(/^.*\//, '').replace(/[-_]/g, ' ');
        const t = commandTarget(command);
        target = t ? { kind: 'command', path: (h) => ('cmd' in t ? bundlePath.hostCmd(h, t.cmd) : bundlePath.hostFile(h, t.file)) } : null;
      }
      if (!target) continue;
      const text = f.content.toString('utf8');
      let content: string;
      try {
        content = f.convert ? `${f.convert(text)}\n` : text;
      } catch (err) {
        out.problems.push({ path: f.source, problem: `not in the form troubleshoot writes (${(err as Error).message}); ignored` });
        continue;
      }
      if (f.host !== undefined) this.#namedHosts.add(f.host);
      else hostUsed = true;
      await out.put(target.path(f.host ?? host), f.source, 'command', f.host ?? host, content);
    }
    const names = new Set<string>([...this.#sysctlNodes, ...this.#namedHosts]);
    if (hostUsed) names.add(host);
    this.#hosts = [...names].sort().map((name) => {
      const node = this.#nodes.find((n) => n.name === name);
      return {
        name,
        address: node?.address ?? '',
        // With a node list, a host that is not in it is no node (a hypervisor, a storage box); a host-only
        // bundle has no list, and troubleshoot's host specs are written for Kubernetes nodes.
        roles: node ? (node.controlPlane ? ['control-plane'] : ['worker']) : this.#nodes.length > 0 ? [] : ['worker'],
        reached: true,
      };
    });
  }

  hosts(): HostRecord[] {
    return this.#hosts;
  }
}
