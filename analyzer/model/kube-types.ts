// The parts of Kubernetes objects the analyzer reads. Objects come from kubectl JSON of any version, so
// every field is optional and rules must cope with its absence.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  ownerReferences?: { kind?: string; name?: string; controller?: boolean }[];
  deletionTimestamp?: string;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
  [key: string]: unknown;
}

/** A Kubernetes object and where it sits in the bundle, for evidence pointers. */
export interface KubeItem<T extends KubeObject = KubeObject> {
  obj: T;
  path: string;
  /** Index in the List's `items`: JSON pointer `/items/<index>`. */
  index: number;
  namespace: string | undefined;
  name: string;
}

export interface ContainerStatus {
  name?: string;
  ready?: boolean;
  restartCount?: number;
  image?: string;
  state?: { waiting?: { reason?: string; message?: string }; running?: { startedAt?: string }; terminated?: ContainerTerminated };
  lastState?: { terminated?: ContainerTerminated };
}

export interface ContainerTerminated {
  reason?: string;
  exitCode?: number;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** `resources` of a container: quantities as Kubernetes prints them (`100m`, `512Mi`, `1G`). */
export interface ResourceRequirements {
  limits?: Record<string, string | number>;
  requests?: Record<string, string | number>;
}

export interface EnvSource {
  name?: string;
  valueFrom?: { secretKeyRef?: { name?: string; key?: string; optional?: boolean }; configMapKeyRef?: { name?: string; key?: string; optional?: boolean } };
}

export interface PodVolume {
  name?: string;
  persistentVolumeClaim?: { claimName?: string };
  secret?: { secretName?: string; optional?: boolean };
  configMap?: { name?: string; optional?: boolean };
  hostPath?: { path?: string; type?: string };
  nfs?: { server?: string; path?: string };
  [source: string]: unknown;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export interface ContainerSpec {
  name?: string;
  image?: string;
  ports?: { containerPort?: number; name?: string; protocol?: string }[];
  livenessProbe?: unknown;
  readinessProbe?: unknown;
  startupProbe?: unknown;
  resources?: ResourceRequirements;
  env?: EnvSource[];
  envFrom?: { secretRef?: { name?: string; optional?: boolean }; configMapRef?: { name?: string; optional?: boolean } }[];
}

export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    containers?: ContainerSpec[];
    initContainers?: ContainerSpec[];
    imagePullSecrets?: { name?: string }[];
    hostNetwork?: boolean;
    nodeSelector?: Record<string, string>;
    affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: unknown[] } } };
    tolerations?: Toleration[];
    volumes?: PodVolume[];
    dnsPolicy?: string;
  };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    startTime?: string;
    podIP?: string;
    hostIP?: string;
    conditions?: { type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface NodeCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

export interface Node extends KubeObject {
  spec?: { podCIDR?: string; podCIDRs?: string[]; taints?: { key?: string; effect?: string; value?: string }[]; unschedulable?: boolean };
  status?: {
    conditions?: NodeCondition[];
    addresses?: { type?: string; address?: string }[];
    nodeInfo?: Record<string, string>;
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
  };
}

export interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
  protocol?: string;
  nodePort?: number;
}

export interface Service extends KubeObject {
  spec?: {
    type?: string;
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    loadBalancerIP?: string;
    externalName?: string;
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface Endpoints extends KubeObject {
  subsets?: {
    addresses?: { ip?: string; nodeName?: string; targetRef?: { kind?: string; name?: string; namespace?: string } }[];
    notReadyAddresses?: { ip?: string; nodeName?: string; targetRef?: { kind?: string; name?: string; namespace?: string } }[];
    ports?: { name?: string; port?: number; protocol?: string }[];
  }[];
}

export interface IngressBackend {
  service?: { name?: string; port?: { number?: number; name?: string } };
  serviceName?: string;
  servicePort?: number | string;
}

export interface Ingress extends KubeObject {
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    rules?: { host?: string; http?: { paths?: { path?: string; backend?: IngressBackend }[] } }[];
  };
}

export interface KubeEvent extends KubeObject {
  involvedObject?: { kind?: string; name?: string; namespace?: string; fieldPath?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  source?: { component?: string; host?: string };
  series?: { count?: number; lastObservedTime?: string };
}

export function objectName(o: KubeObject): string {
  return o.metadata?.name ?? '';
}

export function labelsMatch(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}
