// Joins facts across artifacts: node ↔ host, Service ↔ Endpoints ↔ Pods, Ingress ↔ Service, so rules
// can ask questions about one thing without knowing which files describe it.
import type { HostRecord, HostRole, Manifest } from '../../bundle/manifest.js';
import type { ArtifactIndex } from '../facts/artifacts.js';
import type { FactStore } from '../facts/store.js';
import {
  labelsMatch,
  type Endpoints,
  type Ingress,
  type KubeEvent,
  type KubeItem,
  type KubeObject,
  type Node,
  type NodeCondition,
  type Pod,
  type Service,
} from './kube-types.js';
import { compareText } from '../../common/compare.js';

export interface HostView {
  name: string;
  address: string;
  roles: HostRole[];
  reached: boolean;
  /** A Kubernetes node by role (control-plane or worker). */
  isNode: boolean;
  record: HostRecord;
  node?: NodeView;
}

export interface NodeView {
  name: string;
  item: KubeItem<Node>;
  /** Status of the Ready condition: True, False or Unknown; undefined when the node reports none. */
  ready: string | undefined;
  readyCondition?: NodeCondition;
  conditions: NodeCondition[];
  internalIPs: string[];
  host?: HostView;
}

export interface ServiceView {
  item: KubeItem<Service>;
  namespace: string;
  name: string;
  endpoints?: KubeItem<Endpoints>;
  readyAddresses: number;
  notReadyAddresses: number;
  selectedPods: KubeItem<Pod>[];
  ingresses: KubeItem<Ingress>[];
}

export class Model {
  readonly collectedAt: Date;
  readonly hosts: HostView[];
  readonly nodes: NodeView[];
  private servicesCache?: ServiceView[];

  constructor(
    readonly manifest: Manifest,
    readonly store: FactStore,
    readonly artifacts: ArtifactIndex,
  ) {
    this.collectedAt = new Date(manifest.collectedAt);
    this.hosts = manifest.hosts
      .map((record) => ({
        name: record.name,
        address: record.address,
        roles: record.roles,
        reached: record.reached,
        isNode: record.roles.includes('control-plane') || record.roles.includes('worker'),
        record,
      }))
      .sort((a, b) => compareText(a.name, b.name));
    this.nodes = store.kubeItems<Node>('nodes').map((item) => {
      const conditions = item.obj.status?.conditions ?? [];
      const readyCondition = conditions.find((c) => c.type === 'Ready');
      return {
        name: item.name,
        item,
        ready: readyCondition?.status,
        ...(readyCondition ? { readyCondition } : {}),
        conditions,
        internalIPs: (item.obj.status?.addresses ?? []).filter((a) => a.type === 'InternalIP' && a.address).map((a) => a.address!),
      };
    });
    for (const node of this.nodes) {
      const host =
        this.hosts.find((h) => h.name === node.name) ??
        this.hosts.find((h) => h.isNode && node.internalIPs.includes(h.address)) ??
        this.hosts.find((h) => h.isNode && shortName(node.name) === shortName(h.name));
      if (host && !host.node) {
        node.host = host;
        host.node = node;
      }
    }
  }

  host(name: string): HostView | undefined {
    return this.hosts.find((h) => h.name === name);
  }

  node(name: string): NodeView | undefined {
    return this.nodes.find((n) => n.name === name);
  }

  /** Kubernetes node name for a host when joined, else the host name: what a reader knows it by. */
  displayName(host: HostView): string {
    return host.node?.name ?? host.name;
  }

  kube<T extends KubeObject = KubeObject>(kind: string): KubeItem<T>[] {
    return this.store.kubeItems<T>(kind);
  }

  custom<T extends KubeObject = KubeObject>(resource: string): KubeItem<T>[] {
    return this.store.customItems<T>(resource);
  }

  /** Whether any List of this kind was collected (an empty List still counts). */
  hasKube(kind: string): boolean {
    return this.store.kube.has(kind);
  }

  parsed<T>(path: string): T | undefined {
    return this.store.parsed.get(path) as T | undefined;
  }

  pods(): KubeItem<Pod>[] {
    return this.kube<Pod>('pods');
  }

  events(): KubeItem<KubeEvent>[] {
    return this.kube<KubeEvent>('events');
  }

  services(): ServiceView[] {
    if (this.servicesCache) return this.servicesCache;
    const endpoints = new Map(this.kube<Endpoints>('endpoints').map((e) => [`${e.namespace}/${e.name}`, e]));
    const podsByNs = groupBy(this.pods(), (p) => p.namespace ?? '');
    const ingressesByNs = groupBy(this.kube<Ingress>('ingresses'), (i) => i.namespace ?? '');
    this.servicesCache = this.kube<Service>('services').map((item) => {
      const namespace = item.namespace ?? '';
      const ep = endpoints.get(`${namespace}/${item.name}`);
      const subsets = ep?.obj.subsets ?? [];
      const selector = item.obj.spec?.selector;
      return {
        item,
        namespace,
        name: item.name,
        ...(ep ? { endpoints: ep } : {}),
        readyAddresses: subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0),
        notReadyAddresses: subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0),
        selectedPods: (podsByNs.get(namespace) ?? []).filter((p) => labelsMatch(selector, p.obj.metadata?.labels)),
        ingresses: (ingressesByNs.get(namespace) ?? []).filter((ing) => ingressBackends(ing.obj).includes(item.name)),
      };
    });
    return this.servicesCache;
  }
}

export function ingressBackends(ing: Ingress): string[] {
  const names = new Set<string>();
  const add = (b: { service?: { name?: string }; serviceName?: string } | undefined) => {
    const n = b?.service?.name ?? b?.serviceName;
    if (n) names.add(n);
  };
  add(ing.spec?.defaultBackend);
  for (const rule of ing.spec?.rules ?? []) for (const p of rule.http?.paths ?? []) add(p.backend);
  return [...names].sort();
}

export function podReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function shortName(name: string): string {
  return name.split('.')[0]!.toLowerCase();
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
