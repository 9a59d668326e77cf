// What `labsnap serve` tells kubectl about each kind it can serve: group, version, Kind, scope, short
// names. Built-in kinds are the ones bundle/layout.ts collects; custom resources come from the bundle
// itself (apiVersion and kind of their items), with this table as the fallback for an empty List.
import { CLUSTER_SCOPED_KINDS, NAMESPACED_KINDS } from '../bundle/layout.js';

export interface ResourceInfo {
  /** Plural resource name, as in URLs (`pods`, `ipaddresspools`). */
  plural: string;
  singular: string;
  group: string;
  version: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
}

type Builtin = Omit<ResourceInfo, 'plural' | 'singular' | 'namespaced'>;

const ALL = ['all'];

const BUILTIN: Record<(typeof CLUSTER_SCOPED_KINDS)[number] | (typeof NAMESPACED_KINDS)[number], Builtin> = {
  nodes: { group: '', version: 'v1', kind: 'Node', shortNames: ['no'], categories: [] },
  namespaces: { group: '', version: 'v1', kind: 'Namespace', shortNames: ['ns'], categories: [] },
  persistentvolumes: { group: '', version: 'v1', kind: 'PersistentVolume', shortNames: ['pv'], categories: [] },
  storageclasses: { group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', shortNames: ['sc'], categories: [] },
  ingressclasses: { group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', shortNames: [], categories: [] },
  pods: { group: '', version: 'v1', kind: 'Pod', shortNames: ['po'], categories: ALL },
  events: { group: '', version: 'v1', kind: 'Event', shortNames: ['ev'], categories: [] },
  services: { group: '', version: 'v1', kind: 'Service', shortNames: ['svc'], categories: ALL },
  endpoints: { group: '', version: 'v1', kind: 'Endpoints', shortNames: ['ep'], categories: [] },
  configmaps: { group: '', version: 'v1', kind: 'ConfigMap', shortNames: ['cm'], categories: [] },
  persistentvolumeclaims: { group: '', version: 'v1', kind: 'PersistentVolumeClaim', shortNames: ['pvc'], categories: [] },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', shortNames: [], categories: [] },
  ingresses: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', shortNames: ['ing'], categories: [] },
  deployments: { group: 'apps', version: 'v1', kind: 'Deployment', shortNames: ['deploy'], categories: ALL },
  replicasets: { group: 'apps', version: 'v1', kind: 'ReplicaSet', shortNames: ['rs'], categories: ALL },
  daemonsets: { group: 'apps', version: 'v1', kind: 'DaemonSet', shortNames: ['ds'], categories: ALL },
  statefulsets: { group: 'apps', version: 'v1', kind: 'StatefulSet', shortNames: ['sts'], categories: ALL },
  jobs: { group: 'batch', version: 'v1', kind: 'Job', shortNames: [], categories: ALL },
};

/** Custom resources labsnap collects, for when their List is empty and says nothing about itself. */
const KNOWN_CUSTOM: Record<string, { version: string; kind: string; namespaced: boolean }> = {
  'ipaddresspools.metallb.io': { version: 'v1beta1', kind: 'IPAddressPool', namespaced: true },
  'l2advertisements.metallb.io': { version: 'v1beta1', kind: 'L2Advertisement', namespaced: true },
  'bgpadvertisements.metallb.io': { version: 'v1beta1', kind: 'BGPAdvertisement', namespaced: true },
  'servicel2statuses.metallb.io': { version: 'v1beta1', kind: 'ServiceL2Status', namespaced: true },
  'ippools.crd.projectcalico.org': { version: 'v1', kind: 'IPPool', namespaced: false },
  'ippools.projectcalico.org': { version: 'v3', kind: 'IPPool', namespaced: false },
  'installations.operator.tigera.io': { version: 'v1', kind: 'Installation', namespaced: false },
  'felixconfigurations.crd.projectcalico.org': { version: 'v1', kind: 'FelixConfiguration', namespaced: false },
};

export function builtinResource(plural: string): ResourceInfo | undefined {
  const b = (BUILTIN as Record<string, Builtin>)[plural];
  if (!b) return undefined;
  return { ...b, plural, singular: b.kind.toLowerCase(), namespaced: (NAMESPACED_KINDS as readonly string[]).includes(plural) };
}

export function builtinPlurals(): string[] {
  return [...CLUSTER_SCOPED_KINDS, ...NAMESPACED_KINDS];
}

/**
 * A custom resource's description from its `<plural>.<group>` file name and its items. Returns
 * undefined when neither the items nor the known table say what it is (it is then not served, and
 * the caller says so).
 */
export function customResource(pluralDotGroup: string, items: { apiVersion?: unknown; kind?: unknown; namespaced: boolean }[]): ResourceInfo | undefined {
  const dot = pluralDotGroup.indexOf('.');
  if (dot <= 0) return undefined;
  const plural = pluralDotGroup.slice(0, dot);
  const group = pluralDotGroup.slice(dot + 1);
  const first = items.find((i) => typeof i.apiVersion === 'string' && typeof i.kind === 'string');
  const known = KNOWN_CUSTOM[pluralDotGroup];
  let version: string | undefined;
  let kind: string | undefined;
  if (first) {
    const [g, v] = String(first.apiVersion).includes('/') ? String(first.apiVersion).split('/', 2) : ['', String(first.apiVersion)];
    if (g === group) {
      version = v;
      kind = String(first.kind);
    }
  }
  version ??= known?.version;
  kind ??= known?.kind;
  if (!version || !kind) return undefined;
  const namespaced = items.length > 0 ? items.some((i) => i.namespaced) : known?.namespaced ?? true;
  return { plural, singular: kind.toLowerCase(), group, version, kind, namespaced, shortNames: [], categories: [] };
}

export function groupVersion(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}
