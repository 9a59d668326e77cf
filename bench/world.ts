// The synthetic lab every generated file describes: hosts, namespaces, workloads, pods and services, drawn
// once from the seed so that nodes.json, pods.json, events, journals and pod logs agree with each other.
import type { HostRole } from '../bundle/manifest.js';
import { Rng } from './prng.js';

export interface Sizes {
  workers: number;
  controlPlanes: number;
  proxmoxHosts: number;
  pods: number;
  namespaces: number;
  events: number;
  /** Bytes of journals and pod logs together. */
  logBytes: number;
}

export interface HostSpec {
  name: string;
  address: string;
  roles: HostRole[];
  /** Kubernetes node whose CNI never came up (planted fault). */
  cniBroken: boolean;
  /** Worker with an active swap file (planted fault). */
  swap: boolean;
  machineId: string;
  bootId: string;
  podCidr: string;
}

export interface ContainerSpec {
  name: string;
  image: string;
  port?: number;
  args?: string[];
  /** What the container's log looks like. */
  style: 'klog' | 'logfmt' | 'nginx' | 'json' | 'coredns';
}

export interface PodSpec {
  namespace: string;
  name: string;
  uid: string;
  node: string;
  ip: string;
  labels: Record<string, string>;
  owner: { kind: string; name: string; uid: string };
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  hostNetwork: boolean;
  ready: boolean;
  phase: 'Running' | 'Pending';
  restarts: number;
  startedAt: string;
  /**
   * Planted crash loops: the app exits on an error, kubelet kills it for a failing liveness probe, or
   * calico-node's install-cni init container fails, so the node never gets a CNI config.
   */
  crash?: 'app-error' | 'liveness' | 'install-cni';
}

export interface WorkloadSpec {
  namespace: string;
  kind: 'Deployment' | 'DaemonSet' | 'StaticPod';
  name: string;
  uid: string;
  replicaSet?: { name: string; uid: string; hash: string };
  labels: Record<string, string>;
  containers: ContainerSpec[];
  initContainers?: ContainerSpec[];
  replicas: number;
}

export interface ServiceSpec {
  namespace: string;
  name: string;
  uid: string;
  selector: Record<string, string>;
  port: number;
  targetPort: number;
  type: 'ClusterIP' | 'LoadBalancer';
  clusterIP: string;
  loadBalancerIP?: string;
  ingress?: { name: string; uid: string; host: string };
}

export interface World {
  seed: string;
  cluster: string;
  collectedAt: Date;
  sizes: Sizes;
  hosts: HostSpec[];
  namespaces: string[];
  workloads: WorkloadSpec[];
  pods: PodSpec[];
  services: ServiceSpec[];
  /** The Service that an Ingress routes to but whose selector matches no pod (planted fault). */
  brokenService: { namespace: string; name: string };
}

/** The container a crash-looping pod restarts: install-cni is an init container. */
export function crashingContainer(pod: PodSpec): string {
  return pod.crash === 'install-cni' ? 'install-cni' : pod.containers[0]!.name;
}

export const SYSTEM_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'calico-system',
  'calico-apiserver',
  'tigera-operator',
  'metallb-system',
  'ingress-nginx',
  'local-path-storage',
] as const;

/** Namespaces whose every container log the collector keeps (issue 2). */
export const LOGGED_NAMESPACES = new Set(['kube-system', 'calico-system', 'tigera-operator', 'metallb-system', 'ingress-nginx', 'local-path-storage']);

const APP_NAMESPACES = [
  'shop', 'blog', 'monitoring', 'gitea', 'nextcloud', 'home-assistant', 'media', 'vaultwarden', 'paperless', 'immich',
  'grafana', 'loki', 'minio', 'postgres', 'redis', 'keycloak', 'argocd', 'harbor', 'jellyfin', 'pihole',
  'uptime-kuma', 'wiki', 'mealie', 'photoprism', 'syncthing', 'n8n', 'mosquitto', 'zigbee2mqtt', 'frigate', 'homepage',
];

const APP_COMPONENTS = ['web', 'api', 'worker', 'frontend', 'backend', 'cache', 'db', 'scheduler', 'exporter', 'proxy', 'sidecar-sync', 'search'];
const APP_STYLES: ContainerSpec['style'][] = ['json', 'logfmt', 'klog', 'json', 'nginx'];

export const KUBE_VERSION = 'v1.30.4';

// As the ingress-nginx Helm chart starts the controller: it serves IngressClass nginx (k8s.io/ingress-nginx).
const NGINX_ARGS = [
  '/nginx-ingress-controller',
  '--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller',
  '--election-id=ingress-nginx-leader',
  '--controller-class=k8s.io/ingress-nginx',
  '--ingress-class=nginx',
  '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller',
  '--validating-webhook=:8443',
  '--validating-webhook-certificate=/usr/local/certificates/cert',
  '--validating-webhook-key=/usr/local/certificates/key',
];
export const CLUSTER_NAME = 'homelab';

function ipv4(base: string, n: number): string {
  return `${base}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

export function buildWorld(seed: string, sizes: Sizes, collectedAt: Date): World {
  const rng = new Rng(`${seed}/world`);
  const hosts: HostSpec[] = [];
  let hostIndex = 0;
  const host = (name: string, roles: HostRole[]): HostSpec => {
    hostIndex++;
    const spec: HostSpec = {
      name,
      address: `192.168.${10 + Math.floor(hostIndex / 200)}.${10 + (hostIndex % 200)}`,
      roles,
      cniBroken: false,
      swap: false,
      machineId: rng.hex(32),
      bootId: rng.uuid(),
      podCidr: `10.244.${hostIndex % 256}.0/24`,
    };
    hosts.push(spec);
    return spec;
  };
  for (let i = 1; i <= sizes.proxmoxHosts; i++) host(`pve${i}`, ['proxmox']);
  for (let i = 1; i <= sizes.controlPlanes; i++) host(`cp${i}`, ['control-plane']);
  const width = String(sizes.workers).length < 2 ? 2 : String(sizes.workers).length;
  const workers: HostSpec[] = [];
  for (let i = 1; i <= sizes.workers; i++) workers.push(host(`w${String(i).padStart(width, '0')}`, ['worker']));
  // Faults go on distinct workers in the middle of the list, so they are not the first thing a reader sees.
  if (workers.length > 0) workers[Math.floor(workers.length / 2)]!.cniBroken = true;
  if (workers.length > 1) workers[Math.floor(workers.length / 3)]!.swap = true;
  const kubeNodes = hosts.filter((h) => !h.roles.includes('proxmox'));
  const controlPlanes = hosts.filter((h) => h.roles.includes('control-plane'));

  const appCount = Math.max(1, sizes.namespaces - SYSTEM_NAMESPACES.length);
  const appNamespaces = Array.from({ length: appCount }, (_, i) =>
    i < APP_NAMESPACES.length ? APP_NAMESPACES[i]! : `${APP_NAMESPACES[i % APP_NAMESPACES.length]}-${Math.floor(i / APP_NAMESPACES.length) + 1}`,
  );
  const namespaces = [...SYSTEM_NAMESPACES, ...appNamespaces].sort();

  const workloads: WorkloadSpec[] = [];
  const pods: PodSpec[] = [];
  const services: ServiceSpec[] = [];
  let podIp = 0;
  let serviceIp = 10;
  const since = collectedAt.getTime() - 4 * 86400_000;
  const startedAt = (): string => new Date(since + rng.int(3 * 86400_000)).toISOString().replace(/\.\d+Z$/, 'Z');

  const addPod = (w: WorkloadSpec, node: HostSpec, name: string, hostNetwork: boolean): void => {
    const cniDown = node.cniBroken && !hostNetwork;
    // Healthy pods restart now and then (node reboots, an OOM long ago) and are back to Ready.
    const restarts = cniDown ? 0 : rng.chance(0.04) ? rng.range(1, 3) : 0;
    pods.push({
      namespace: w.namespace,
      name,
      uid: rng.uuid(),
      node: node.name,
      ip: hostNetwork ? node.address : ipv4('10.244', ++podIp),
      labels: { ...w.labels, ...(w.replicaSet ? { 'pod-template-hash': w.replicaSet.hash } : {}) },
      owner: w.replicaSet
        ? { kind: 'ReplicaSet', name: w.replicaSet.name, uid: w.replicaSet.uid }
        : w.kind === 'StaticPod'
          ? { kind: 'Node', name: node.name, uid: rng.uuid() }
          : { kind: 'DaemonSet', name: w.name, uid: w.uid },
      containers: w.containers,
      ...(w.initContainers ? { initContainers: w.initContainers } : {}),
      hostNetwork,
      ready: !cniDown,
      phase: cniDown ? 'Pending' : 'Running',
      restarts,
      startedAt: startedAt(),
    });
  };
  const crashLoop = (pod: PodSpec, crash: NonNullable<PodSpec['crash']>): void => {
    pod.crash = crash;
    pod.ready = false;
    pod.restarts = rng.range(12, 40);
    if (crash === 'install-cni') pod.phase = 'Pending';
  };
  const deployment = (namespace: string, name: string, labels: Record<string, string>, containers: ContainerSpec[], replicas: number): WorkloadSpec => {
    const hash = rng.kubeSuffix(10);
    const w: WorkloadSpec = { namespace, kind: 'Deployment', name, uid: rng.uuid(), replicaSet: { name: `${name}-${hash}`, uid: rng.uuid(), hash }, labels, containers, replicas };
    workloads.push(w);
    for (let i = 0; i < replicas; i++) addPod(w, workers.length > 0 ? rng.pick(workers) : rng.pick(kubeNodes), `${w.replicaSet!.name}-${rng.kubeSuffix(5)}`, false);
    return w;
  };
  const daemonSet = (namespace: string, name: string, containers: ContainerSpec[], hostNetwork: boolean, initContainers?: ContainerSpec[]): void => {
    const w: WorkloadSpec = { namespace, kind: 'DaemonSet', name, uid: rng.uuid(), labels: { 'k8s-app': name }, containers, ...(initContainers ? { initContainers } : {}), replicas: kubeNodes.length };
    workloads.push(w);
    for (const node of kubeNodes) addPod(w, node, `${name}-${rng.kubeSuffix(5)}`, hostNetwork);
  };
  const c = (name: string, image: string, style: ContainerSpec['style'], port?: number): ContainerSpec => ({ name, image, style, ...(port ? { port } : {}) });

  for (const cp of controlPlanes) {
    for (const [component, port] of [['etcd', 2379], ['kube-apiserver', 6443], ['kube-controller-manager', 10257], ['kube-scheduler', 10259]] as const) {
      const image = component === 'etcd' ? 'registry.k8s.io/etcd:3.5.12-0' : `registry.k8s.io/${component}:${KUBE_VERSION}`;
      const w: WorkloadSpec = { namespace: 'kube-system', kind: 'StaticPod', name: `${component}-${cp.name}`, uid: rng.uuid(), labels: { component, tier: 'control-plane' }, containers: [c(component, image, 'klog', port)], replicas: 1 };
      workloads.push(w);
      addPod(w, cp, w.name, true);
    }
  }
  deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, [c('coredns', 'registry.k8s.io/coredns/coredns:v1.11.1', 'coredns', 53)], 2);
  daemonSet('kube-system', 'kube-proxy', [c('kube-proxy', `registry.k8s.io/kube-proxy:${KUBE_VERSION}`, 'klog')], true);
  daemonSet('calico-system', 'calico-node', [c('calico-node', 'docker.io/calico/node:v3.28.1', 'logfmt')], true, [c('install-cni', 'docker.io/calico/cni:v3.28.1', 'logfmt')]);
  for (const pod of pods) if (pod.owner.name === 'calico-node' && hosts.find((h) => h.name === pod.node)?.cniBroken) crashLoop(pod, 'install-cni');
  deployment('calico-system', 'calico-typha', { 'k8s-app': 'calico-typha' }, [c('calico-typha', 'docker.io/calico/typha:v3.28.1', 'logfmt', 5473)], Math.min(3, kubeNodes.length));
  deployment('calico-system', 'calico-kube-controllers', { 'k8s-app': 'calico-kube-controllers' }, [c('calico-kube-controllers', 'docker.io/calico/kube-controllers:v3.28.1', 'logfmt')], 1);
  deployment('calico-apiserver', 'calico-apiserver', { apiserver: 'true' }, [c('calico-apiserver', 'docker.io/calico/apiserver:v3.28.1', 'klog', 5443)], 2);
  deployment('tigera-operator', 'tigera-operator', { name: 'tigera-operator' }, [c('tigera-operator', 'quay.io/tigera/operator:v1.34.3', 'json')], 1);
  deployment('metallb-system', 'controller', { app: 'metallb', component: 'controller' }, [c('controller', 'quay.io/metallb/controller:v0.14.8', 'json', 7472)], 1);
  daemonSet('metallb-system', 'speaker', [c('speaker', 'quay.io/metallb/speaker:v0.14.8', 'json')], true);
  const ingressController = deployment('ingress-nginx', 'ingress-nginx-controller', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, [{ ...c('controller', 'registry.k8s.io/ingress-nginx/controller:v1.11.2', 'nginx', 80), args: NGINX_ARGS }], 2);
  deployment('local-path-storage', 'local-path-provisioner', { app: 'local-path-provisioner' }, [c('local-path-provisioner', 'docker.io/rancher/local-path-provisioner:v0.0.28', 'klog')], 1);
  services.push({
    namespace: 'ingress-nginx',
    name: 'ingress-nginx-controller',
    uid: rng.uuid(),
    selector: ingressController.labels,
    port: 80,
    targetPort: 80,
    type: 'LoadBalancer',
    clusterIP: ipv4('10.96', serviceIp++),
    loadBalancerIP: '192.168.10.240',
  });

  // App pods fill up to the requested total, spread unevenly over the app namespaces.
  let remaining = Math.max(0, sizes.pods - pods.length);
  const brokenService = { namespace: appNamespaces[0]!, name: `${appNamespaces[0]}-frontend` };
  appNamespaces.forEach((namespace, nsIndex) => {
    let budget = nsIndex === appNamespaces.length - 1 ? remaining : Math.min(remaining, Math.round((remaining / (appNamespaces.length - nsIndex)) * (0.6 + rng.next() * 0.8)));
    remaining -= budget;
    let componentIndex = 0;
    const minComponents = nsIndex === 0 ? APP_COMPONENTS.indexOf('frontend') + 1 : 1;
    while (budget > 0 || componentIndex < minComponents) {
      const component = APP_COMPONENTS[componentIndex % APP_COMPONENTS.length]!;
      const name = componentIndex < APP_COMPONENTS.length ? component : `${component}-${Math.floor(componentIndex / APP_COMPONENTS.length)}`;
      const replicas = Math.max(0, Math.min(budget, rng.range(1, 6)));
      const labels = { app: name, 'app.kubernetes.io/part-of': namespace };
      const image = `ghcr.io/${namespace}/${component}:${rng.range(1, 4)}.${rng.range(0, 20)}.${rng.range(0, 9)}`;
      deployment(namespace, name, labels, [c(name, image, rng.pick(APP_STYLES), 8080)], replicas);
      budget -= replicas;
      // The planted fault: the Service selects app=<ns>-frontend, but the pods are labelled app=frontend.
      const broken = nsIndex === 0 && component === 'frontend' && componentIndex < APP_COMPONENTS.length;
      const exposed = broken || component === 'web' || component === 'frontend' || rng.chance(0.15);
      const service: ServiceSpec = {
        namespace,
        name: broken ? brokenService.name : name,
        uid: rng.uuid(),
        selector: broken ? { app: brokenService.name } : { app: name },
        port: 80,
        targetPort: 8080,
        type: 'ClusterIP',
        clusterIP: ipv4('10.96', serviceIp++),
        ...(exposed ? { ingress: { name: broken ? namespace : `${namespace}-${name}`, uid: rng.uuid(), host: `${name}.${namespace}.lab.example` } } : {}),
      };
      services.push(service);
      componentIndex++;
    }
  });
  // One crash loop of each kind, on replicas whose siblings stay Ready so no Service loses its endpoints.
  const healthyNodes = new Set(kubeNodes.filter((h) => !h.cniBroken).map((h) => h.name));
  const spare = pods.filter((p) => appNamespaces.includes(p.namespace) && p.namespace !== brokenService.namespace && healthyNodes.has(p.node) && pods.some((q) => q !== p && q.owner.uid === p.owner.uid && q.ready));
  if (spare.length > 0) {
    const appError = rng.pick(spare);
    crashLoop(appError, 'app-error');
    const others = spare.filter((p) => p.namespace !== appError.namespace);
    if (others.length > 0) crashLoop(rng.pick(others), 'liveness');
  }
  return { seed, cluster: CLUSTER_NAME, collectedAt, sizes, hosts, namespaces, workloads, pods, services, brokenService };
}

/** Pods that a Service selects, by label equality as the endpoints controller does. */
export function selectedPods(world: World, service: ServiceSpec): PodSpec[] {
  return world.pods.filter((p) => p.namespace === service.namespace && Object.entries(service.selector).every(([k, v]) => p.labels[k] === v));
}
