// Kubernetes Lists as `kubectl get -o json` prints them (4-space indent, List wrapper), built from the world.
import type { NamespacedKind } from '../bundle/layout.js';
import { Rng } from './prng.js';
import { KUBE_VERSION, selectedPods, type ContainerSpec, type HostSpec, type PodSpec, type World } from './world.js';

type Obj = Record<string, unknown>;

export function kubeList(items: Obj[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4)}\n`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function versionJson(): string {
  const info = (v: string) => ({ major: '1', minor: '30', gitVersion: v, gitCommit: 'a51b3b711150f57ffc1f526a640ec058514ed596', gitTreeState: 'clean', buildDate: '2024-08-14T19:04:48Z', goVersion: 'go1.22.5', compiler: 'gc', platform: 'linux/amd64' });
  return `${JSON.stringify({ clientVersion: info(KUBE_VERSION), kustomizeVersion: 'v5.0.4-0.20230601165947-6ce0bf390ce3', serverVersion: info(KUBE_VERSION) }, null, 4)}\n`;
}

function condition(type: string, status: string, reason: string, message: string, heartbeat: string, transition: string): Obj {
  return { lastHeartbeatTime: heartbeat, lastTransitionTime: transition, message, reason, status, type };
}

const CNI_MESSAGE =
  'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';

export function nodesJson(world: World): string {
  const rng = new Rng(`${world.seed}/nodes`);
  const now = world.collectedAt.getTime();
  const items = world.hosts
    .filter((h) => !h.roles.includes('proxmox'))
    .map((h) => {
      const created = iso(now - 30 * 86400_000 - rng.int(86400_000));
      const beat = iso(now - rng.int(40_000));
      const cp = h.roles.includes('control-plane');
      const taints: Obj[] = cp ? [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }] : [];
      if (h.cniBroken) taints.push({ effect: 'NoSchedule', key: 'node.kubernetes.io/not-ready', timeAdded: iso(now - 3 * 3600_000) });
      return {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          annotations: {
            'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/containerd/containerd.sock',
            'node.alpha.kubernetes.io/ttl': '0',
            'projectcalico.org/IPv4Address': `${h.address}/24`,
            'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
          },
          creationTimestamp: created,
          labels: {
            'beta.kubernetes.io/arch': 'amd64',
            'beta.kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'kubernetes.io/hostname': h.name,
            'kubernetes.io/os': 'linux',
            ...(cp ? { 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}),
          },
          name: h.name,
          resourceVersion: String(100000 + rng.int(900000)),
          uid: rng.uuid(),
        },
        spec: { podCIDR: h.podCidr, podCIDRs: [h.podCidr], ...(taints.length > 0 ? { taints } : {}) },
        status: {
          addresses: [
            { address: h.address, type: 'InternalIP' },
            { address: h.name, type: 'Hostname' },
          ],
          allocatable: { cpu: '4', 'ephemeral-storage': '29046325013', 'hugepages-2Mi': '0', memory: '7924244Ki', pods: '110' },
          capacity: { cpu: '4', 'ephemeral-storage': '31517944Ki', 'hugepages-2Mi': '0', memory: '8026644Ki', pods: '110' },
          conditions: [
            condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', beat, created),
            condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', beat, created),
            condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', beat, created),
            h.cniBroken
              ? condition('Ready', 'False', 'KubeletNotReady', CNI_MESSAGE, beat, iso(now - 3 * 3600_000))
              : condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', beat, created),
          ],
          daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
          nodeInfo: {
            architecture: 'amd64',
            bootID: h.bootId,
            containerRuntimeVersion: 'containerd://1.7.20',
            kernelVersion: '6.1.0-25-amd64',
            kubeProxyVersion: KUBE_VERSION,
            kubeletVersion: KUBE_VERSION,
            machineID: h.machineId,
            operatingSystem: 'linux',
            osImage: 'Debian GNU/Linux 12 (bookworm)',
            systemUUID: rng.uuid().toUpperCase(),
          },
        },
      };
    });
  return kubeList(items);
}

export function namespacesJson(world: World): string {
  const rng = new Rng(`${world.seed}/namespaces`);
  return kubeList(
    world.namespaces.map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { creationTimestamp: iso(world.collectedAt.getTime() - 30 * 86400_000), labels: { 'kubernetes.io/metadata.name': name }, name, resourceVersion: String(rng.range(100, 90000)), uid: rng.uuid() },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    })),
  );
}

export function storageClassesJson(): string {
  return kubeList([
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' }, name: 'local-path' },
      provisioner: 'rancher.io/local-path',
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'WaitForFirstConsumer',
    },
  ]);
}

export function ingressClassesJson(): string {
  return kubeList([
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' }, labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, name: 'nginx' },
      spec: { controller: 'k8s.io/ingress-nginx' },
    },
  ]);
}

function podObject(pod: PodSpec, rng: Rng): Obj {
  const started = pod.startedAt;
  const creating = pod.phase === 'Pending' && pod.crash === undefined;
  const initializing = pod.crash === 'install-cni';
  const containerSpec = (c: ContainerSpec) => ({
    ...(c.args ? { args: c.args } : {}),
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    ...(pod.crash === 'liveness' && c === pod.containers[0] ? { livenessProbe: LIVENESS_PROBE } : {}),
    name: c.name,
    ...(c.port ? { ports: [{ containerPort: c.port, name: 'http', protocol: 'TCP' }] } : {}),
    resources: { limits: { memory: '256Mi' }, requests: { cpu: '50m', memory: '64Mi' } },
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    volumeMounts: [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: `kube-api-access-${rng.kubeSuffix(5)}`, readOnly: true }],
  });
  const terminated = (exitCode: number) => ({ terminated: { containerID: `containerd://${rng.hex(64)}`, exitCode, finishedAt: started, reason: 'Error', startedAt: started } });
  const crashLoopBackOff = (name: string) => ({ waiting: { message: `back-off 5m0s restarting failed container=${name} pod=${pod.name}_${pod.namespace}(${pod.uid})`, reason: 'CrashLoopBackOff' } });
  const status = (c: ContainerSpec) => {
    const crashing = pod.crash !== undefined && pod.crash !== 'install-cni';
    return {
      containerID: creating || initializing ? undefined : `containerd://${rng.hex(64)}`,
      image: c.image,
      imageID: `${c.image.split(':')[0]}@sha256:${rng.hex(64)}`,
      // A liveness kill ends in SIGKILL once the grace period is over.
      lastState: pod.restarts > 0 && !initializing ? terminated(pod.crash === 'liveness' ? 137 : 1) : {},
      name: c.name,
      ready: pod.ready,
      restartCount: initializing ? 0 : pod.restarts,
      started: !(creating || initializing) && !crashing,
      state: creating ? { waiting: { reason: 'ContainerCreating' } } : initializing ? { waiting: { reason: 'PodInitializing' } } : crashing ? crashLoopBackOff(c.name) : { running: { startedAt: started } },
    };
  };
  const initStatus = (c: ContainerSpec) => ({
    containerID: creating ? undefined : `containerd://${rng.hex(64)}`,
    image: c.image,
    imageID: `${c.image.split(':')[0]}@sha256:${rng.hex(64)}`,
    lastState: initializing ? terminated(1) : {},
    name: c.name,
    ready: !initializing && !creating,
    restartCount: initializing ? pod.restarts : 0,
    started: false,
    state: creating
      ? { waiting: { reason: 'PodInitializing' } }
      : initializing
        ? crashLoopBackOff(c.name)
        : { terminated: { containerID: `containerd://${rng.hex(64)}`, exitCode: 0, finishedAt: started, reason: 'Completed', startedAt: started } },
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      creationTimestamp: started,
      ...(pod.owner.kind === 'ReplicaSet' ? { generateName: `${pod.owner.name}-` } : {}),
      labels: pod.labels,
      name: pod.name,
      namespace: pod.namespace,
      ownerReferences: [{ apiVersion: pod.owner.kind === 'Node' ? 'v1' : 'apps/v1', blockOwnerDeletion: true, controller: true, kind: pod.owner.kind, name: pod.owner.name, uid: pod.owner.uid }],
      resourceVersion: String(rng.range(1000, 999999)),
      uid: pod.uid,
    },
    spec: {
      containers: pod.containers.map(containerSpec),
      dnsPolicy: pod.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
      enableServiceLinks: true,
      ...(pod.hostNetwork ? { hostNetwork: true } : {}),
      ...(pod.initContainers ? { initContainers: pod.initContainers.map(containerSpec) } : {}),
      nodeName: pod.node,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      securityContext: {},
      serviceAccount: 'default',
      serviceAccountName: 'default',
      terminationGracePeriodSeconds: 30,
      tolerations: [
        { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
        { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
      ],
    },
    status: {
      conditions: [
        { lastProbeTime: null, lastTransitionTime: started, status: creating ? 'False' : 'True', type: 'PodReadyToStartContainers' },
        { lastProbeTime: null, lastTransitionTime: started, status: initializing ? 'False' : 'True', type: 'Initialized', ...(initializing ? { reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${pod.initContainers!.map((c) => c.name).join(' ')}]` } : {}) },
        { lastProbeTime: null, lastTransitionTime: started, status: pod.ready ? 'True' : 'False', type: 'Ready', ...(pod.ready ? {} : { reason: 'ContainersNotReady', message: `containers with unready status: [${pod.containers.map((c) => c.name).join(' ')}]` }) },
        { lastProbeTime: null, lastTransitionTime: started, status: pod.ready ? 'True' : 'False', type: 'ContainersReady' },
        { lastProbeTime: null, lastTransitionTime: started, status: 'True', type: 'PodScheduled' },
      ],
      containerStatuses: pod.containers.map(status),
      hostIP: pod.hostNetwork ? pod.ip : undefined,
      ...(pod.initContainers ? { initContainerStatuses: pod.initContainers.map(initStatus) } : {}),
      phase: pod.phase,
      ...(creating ? {} : { podIP: pod.ip, podIPs: [{ ip: pod.ip }] }),
      qosClass: 'Burstable',
      startTime: started,
    },
  };
}

const LIVENESS_PROBE = { failureThreshold: 3, httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 };

interface EventTemplate {
  reason: string;
  type: string;
  component: string;
  /** About the pod as a whole, not one of its containers. */
  podLevel?: boolean;
  message: (pod: PodSpec, container: ContainerSpec, rng: Rng) => string;
}

const LIFECYCLE: EventTemplate[] = [
  { reason: 'Scheduled', type: 'Normal', component: 'default-scheduler', podLevel: true, message: (p) => `Successfully assigned ${p.namespace}/${p.name} to ${p.node}` },
  { reason: 'Pulling', type: 'Normal', component: 'kubelet', message: (_, c) => `Pulling image "${c.image}"` },
  { reason: 'Pulled', type: 'Normal', component: 'kubelet', message: (_, c, r) => `Successfully pulled image "${c.image}" in ${r.range(300, 9000)}ms (${r.range(300, 9000)}ms including waiting). Image size: ${r.range(5, 400) * 1048576} bytes.` },
  { reason: 'Created', type: 'Normal', component: 'kubelet', message: (_, c) => `Created container ${c.name}` },
  { reason: 'Started', type: 'Normal', component: 'kubelet', message: (_, c) => `Started container ${c.name}` },
  { reason: 'Killing', type: 'Normal', component: 'kubelet', message: (_, c) => `Stopping container ${c.name}` },
];
const BACK_OFF: EventTemplate = { reason: 'BackOff', type: 'Warning', component: 'kubelet', message: (p, c) => `Back-off restarting failed container ${c.name} in pod ${p.name}_${p.namespace}(${p.uid})` };
const LIVENESS: EventTemplate[] = [
  { reason: 'Unhealthy', type: 'Warning', component: 'kubelet', message: (p) => `Liveness probe failed: Get "http://${p.ip}:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` },
  { reason: 'Killing', type: 'Normal', component: 'kubelet', message: (_, c) => `Container ${c.name} failed liveness probe, will be restarted` },
];
// kubelet does not even create the sandbox while the node has no CNI; it says so on every pod there.
const NETWORK_NOT_READY: EventTemplate = { reason: 'NetworkNotReady', type: 'Warning', component: 'kubelet', podLevel: true, message: () => `network is not ready: ${CNI_MESSAGE}` };

/** The events a pod in this state gets: a healthy one only its lifecycle, a broken one what breaks it. */
function eventTemplates(pod: PodSpec): EventTemplate[] {
  if (pod.phase === 'Pending' && pod.crash === undefined) return [LIFECYCLE[0]!, NETWORK_NOT_READY];
  switch (pod.crash) {
    case undefined:
      return LIFECYCLE;
    case 'liveness':
      return [...LIFECYCLE.slice(0, 5), ...LIVENESS, BACK_OFF];
    default:
      return [...LIFECYCLE.slice(0, 5), BACK_OFF];
  }
}

/** How many of the run's events land in each namespace: uneven, as in a real cluster, but never a single giant file. */
export function eventCounts(world: World): Map<string, number> {
  const weights = world.namespaces.map((_, i) => 1 / Math.pow(i + 2, 0.6));
  const order = new Rng(`${world.seed}/event-spread`);
  for (let i = weights.length - 1; i > 0; i--) {
    const j = order.int(i + 1);
    [weights[i], weights[j]] = [weights[j]!, weights[i]!];
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = new Map<string, number>();
  let assigned = 0;
  world.namespaces.forEach((ns, i) => {
    const n = i === world.namespaces.length - 1 ? world.sizes.events - assigned : Math.floor((world.sizes.events * weights[i]!) / total);
    counts.set(ns, Math.max(0, n));
    assigned += n;
  });
  return counts;
}

function eventsJson(world: World, namespace: string, count: number, pods: PodSpec[], rng: Rng): string {
  const now = world.collectedAt.getTime();
  const brokenNode = world.hosts.find((h) => h.cniBroken);
  const items: Obj[] = [];
  for (let i = 0; i < count; i++) {
    const nodeEvent = namespace === 'default' && brokenNode !== undefined && (pods.length === 0 || i % 50 === 0);
    const last = now - rng.int(3600_000);
    const first = last - rng.int(86400_000);
    const eventCount = rng.chance(0.8) ? 1 : rng.range(2, 300);
    if (nodeEvent || pods.length === 0) {
      const node = brokenNode ?? world.hosts[0]!;
      items.push({
        apiVersion: 'v1',
        count: eventCount,
        eventTime: null,
        firstTimestamp: iso(first),
        involvedObject: { apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.name },
        kind: 'Event',
        lastTimestamp: iso(last),
        message: `Node ${node.name} status is now: NodeNotReady`,
        metadata: { creationTimestamp: iso(first), name: `${node.name}.${rng.hex(16)}`, namespace, resourceVersion: String(rng.range(1000, 999999)), uid: rng.uuid() },
        reason: 'NodeNotReady',
        reportingComponent: 'node-controller',
        reportingInstance: '',
        source: { component: 'node-controller' },
        type: 'Normal',
      });
      continue;
    }
    const pod = rng.pick(pods);
    const t = rng.pick(eventTemplates(pod));
    const init = pod.crash === 'install-cni';
    const container = init ? pod.initContainers![0]! : pod.containers[0]!;
    items.push({
      apiVersion: 'v1',
      count: eventCount,
      eventTime: null,
      firstTimestamp: iso(first),
      involvedObject: { apiVersion: 'v1', ...(t.podLevel ? {} : { fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${container.name}}` }), kind: 'Pod', name: pod.name, namespace, resourceVersion: String(rng.range(1000, 999999)), uid: pod.uid },
      kind: 'Event',
      lastTimestamp: iso(last),
      message: t.message(pod, container, rng),
      metadata: { creationTimestamp: iso(first), name: `${pod.name}.${rng.hex(16)}`, namespace, resourceVersion: String(rng.range(1000, 999999)), uid: rng.uuid() },
      reason: t.reason,
      reportingComponent: t.component,
      reportingInstance: t.component === 'kubelet' ? pod.node : '',
      source: t.component === 'kubelet' ? { component: 'kubelet', host: pod.node } : { component: t.component },
      type: t.type,
    });
  }
  return kubeList(items);
}

/** One namespaced List; kinds the synthetic lab does not model come out as empty Lists, as kubectl prints them. */
export function namespacedJson(world: World, namespace: string, kind: NamespacedKind, events: number): string {
  const rng = new Rng(`${world.seed}/ns/${namespace}/${kind}`);
  const pods = world.pods.filter((p) => p.namespace === namespace);
  const services = world.services.filter((s) => s.namespace === namespace);
  const workloads = world.workloads.filter((w) => w.namespace === namespace);
  const meta = (name: string, uid: string, extra: Obj = {}): Obj => ({ creationTimestamp: iso(world.collectedAt.getTime() - 7 * 86400_000), name, namespace, resourceVersion: String(rng.range(1000, 999999)), uid, ...extra });
  switch (kind) {
    case 'pods':
      return kubeList(pods.map((p) => podObject(p, rng)));
    case 'events':
      return eventsJson(world, namespace, events, pods, rng);
    case 'services':
      return kubeList(
        services.map((s) => ({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: meta(s.name, s.uid),
          spec: {
            clusterIP: s.clusterIP,
            clusterIPs: [s.clusterIP],
            internalTrafficPolicy: 'Cluster',
            ipFamilies: ['IPv4'],
            ipFamilyPolicy: 'SingleStack',
            ports: [{ name: 'http', port: s.port, protocol: 'TCP', targetPort: s.targetPort }],
            selector: s.selector,
            sessionAffinity: 'None',
            type: s.type,
          },
          status: { loadBalancer: s.loadBalancerIP ? { ingress: [{ ip: s.loadBalancerIP, ipMode: 'VIP' }] } : {} },
        })),
      );
    case 'endpoints':
      return kubeList(
        services.map((s) => {
          const selected = selectedPods(world, s);
          const address = (p: PodSpec) => ({ ip: p.ip, nodeName: p.node, targetRef: { kind: 'Pod', name: p.name, namespace, uid: p.uid } });
          const ready = selected.filter((p) => p.ready).map(address);
          const notReady = selected.filter((p) => !p.ready).map(address);
          const subsets = ready.length + notReady.length > 0 ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports: [{ name: 'http', port: s.targetPort, protocol: 'TCP' }] }] : undefined;
          return { apiVersion: 'v1', kind: 'Endpoints', metadata: meta(s.name, rng.uuid()), ...(subsets ? { subsets } : {}) };
        }),
      );
    case 'ingresses':
      return kubeList(
        services
          .filter((s) => s.ingress)
          .map((s) => ({
            apiVersion: 'networking.k8s.io/v1',
            kind: 'Ingress',
            metadata: meta(s.ingress!.name, s.ingress!.uid),
            spec: {
              ingressClassName: 'nginx',
              rules: [{ host: s.ingress!.host, http: { paths: [{ backend: { service: { name: s.name, port: { number: s.port } } }, path: '/', pathType: 'Prefix' }] } }],
            },
            status: { loadBalancer: { ingress: [{ ip: '192.168.10.240' }] } },
          })),
      );
    case 'deployments':
      return kubeList(
        workloads
          .filter((w) => w.kind === 'Deployment')
          .map((w) => {
            const ready = pods.filter((p) => p.owner.uid === w.replicaSet!.uid && p.ready).length;
            return {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: meta(w.name, w.uid, { annotations: { 'deployment.kubernetes.io/revision': '1' }, generation: 1, labels: w.labels }),
              spec: { replicas: w.replicas, selector: { matchLabels: w.labels }, strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' }, template: { metadata: { labels: w.labels }, spec: { containers: w.containers.map((c) => ({ image: c.image, name: c.name })) } } },
              status: { availableReplicas: ready, observedGeneration: 1, readyReplicas: ready, replicas: w.replicas, updatedReplicas: w.replicas },
            };
          }),
      );
    case 'replicasets':
      return kubeList(
        workloads
          .filter((w) => w.replicaSet)
          .map((w) => ({
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            metadata: meta(w.replicaSet!.name, w.replicaSet!.uid, { labels: { ...w.labels, 'pod-template-hash': w.replicaSet!.hash }, ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'Deployment', name: w.name, uid: w.uid }] }),
            spec: { replicas: w.replicas, selector: { matchLabels: { ...w.labels, 'pod-template-hash': w.replicaSet!.hash } } },
            status: { replicas: w.replicas, readyReplicas: pods.filter((p) => p.owner.uid === w.replicaSet!.uid && p.ready).length },
          })),
      );
    case 'daemonsets':
      return kubeList(
        workloads
          .filter((w) => w.kind === 'DaemonSet')
          .map((w) => ({
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            metadata: meta(w.name, w.uid, { labels: w.labels }),
            spec: { selector: { matchLabels: w.labels }, template: { metadata: { labels: w.labels }, spec: { containers: w.containers.map((c) => ({ image: c.image, name: c.name })) } } },
            status: { currentNumberScheduled: w.replicas, desiredNumberScheduled: w.replicas, numberReady: pods.filter((p) => p.owner.uid === w.uid && p.ready).length, updatedNumberScheduled: w.replicas },
          })),
      );
    default:
      return kubeList([]);
  }
}

export function describeNode(host: HostSpec, world: World): string {
  const pods = world.pods.filter((p) => p.node === host.name);
  const lines = [
    `Name:               ${host.name}`,
    `Roles:              ${host.roles.includes('control-plane') ? 'control-plane' : '<none>'}`,
    `Addresses:`,
    `  InternalIP:  ${host.address}`,
    `  Hostname:    ${host.name}`,
    `Conditions:`,
    `  Type             Status  Reason                       Message`,
    `  ----             ------  ------                       -------`,
    `  MemoryPressure   False   KubeletHasSufficientMemory   kubelet has sufficient memory available`,
    `  DiskPressure     False   KubeletHasNoDiskPressure     kubelet has no disk pressure`,
    `  PIDPressure      False   KubeletHasSufficientPID      kubelet has sufficient PID available`,
    host.cniBroken ? `  Ready            False   KubeletNotReady              ${CNI_MESSAGE}` : `  Ready            True    KubeletReady                 kubelet is posting ready status`,
    `Non-terminated Pods:          (${pods.length} in total)`,
    `  Namespace                   Name                                        CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age`,
    `  ---------                   ----                                        ------------  ----------  ---------------  -------------  ---`,
    ...pods.map((p) => `  ${p.namespace.padEnd(27)} ${p.name.padEnd(43)} 50m (1%)      0 (0%)      64Mi (0%)        256Mi (3%)     4d`),
    `Events:                       <none>`,
  ];
  return `${lines.join('\n')}\n`;
}
