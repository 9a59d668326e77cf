// Server-side printing: what `kubectl get` shows as columns. kubectl asks for a meta.k8s.io Table and
// prints its cells as they come, so the columns of each kind live here, modelled on what a real API
// server prints (priority 1 = only with `-o wide`). Ages are measured from the bundle's collection time,
// so the listing shows the cluster as it was then.

type Obj = Record<string, any>;

export interface Column {
  name: string;
  type: 'string' | 'integer' | 'date' | 'number' | 'boolean';
  format: string;
  description: string;
  priority: number;
}

interface Printer {
  columns: [name: string, type: Column['type'], priority?: number, format?: string][];
  cells(o: Obj, now: Date): unknown[];
}

/** Kubernetes' HumanDuration: 45s, 3m12s, 47m, 5h3m, 23h, 3d4h, 120d, 2y10d. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(ts: unknown, now: Date): string {
  if (typeof ts !== 'string' || ts === '') return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now.getTime() - t);
}

const none = (s: string | undefined | null): string => (s === undefined || s === null || s === '' ? '<none>' : s);

function selectorText(sel: Record<string, string> | undefined): string {
  if (!sel || Object.keys(sel).length === 0) return '<none>';
  return Object.entries(sel)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function labelSelectorText(sel: Obj | undefined): string {
  if (!sel) return '<none>';
  const parts: string[] = [];
  for (const [k, v] of Object.entries((sel.matchLabels ?? {}) as Record<string, string>)) parts.push(`${k}=${v}`);
  for (const e of (sel.matchExpressions ?? []) as Obj[]) {
    const op = String(e.operator ?? '').toLowerCase();
    if (op === 'exists') parts.push(String(e.key));
    else if (op === 'doesnotexist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${op} (${((e.values ?? []) as string[]).join(',')})`);
  }
  return parts.length ? parts.sort().join(',') : '<none>';
}

function containersAndImages(spec: Obj | undefined): [string, string] {
  const cs = ((spec?.template?.spec?.containers ?? []) as Obj[]);
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}

function podStatus(pod: Obj): { ready: string; status: string } {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  const total = (spec.containers ?? []).length;
  let reason: string = st.reason || st.phase || '';
  let readyCount = 0;
  let initializing = false;
  const inits = (st.initContainerStatuses ?? []) as Obj[];
  inits.forEach((cs, i) => {
    const term = cs.state?.terminated;
    if (term && term.exitCode === 0) return;
    if (initializing) return;
    if (term) reason = term.reason ? `Init:${term.reason}` : term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
    else if (cs.state?.waiting?.reason && cs.state.waiting.reason !== 'PodInitializing') reason = `Init:${cs.state.waiting.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
  });
  if (!initializing) {
    let hasRunning = false;
    const statuses = [...((st.containerStatuses ?? []) as Obj[])].reverse();
    for (const cs of statuses) {
      const s = cs.state ?? {};
      if (s.waiting?.reason) reason = s.waiting.reason;
      else if (s.terminated?.reason) reason = s.terminated.reason;
      else if (s.terminated) reason = s.terminated.signal ? `Signal:${s.terminated.signal}` : `ExitCode:${s.terminated.exitCode}`;
      else if (s.running && cs.ready) {
        hasRunning = true;
        readyCount++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const readyCond = ((st.conditions ?? []) as Obj[]).find((c) => c.type === 'Ready');
      reason = readyCond?.status === 'True' ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp) reason = st.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return { ready: `${readyCount}/${total}`, status: reason };
}

function podRestarts(pod: Obj, now: Date): string {
  let restarts = 0;
  let last: number | undefined;
  for (const cs of [...((pod.status?.initContainerStatuses ?? []) as Obj[]), ...((pod.status?.containerStatuses ?? []) as Obj[])]) {
    restarts += cs.restartCount ?? 0;
    const t = Date.parse(cs.lastState?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t) && (last === undefined || t > last)) last = t;
  }
  return restarts > 0 && last !== undefined ? `${restarts} (${humanDuration(now.getTime() - last)} ago)` : String(restarts);
}

function nodeStatus(node: Obj): string {
  const ready = ((node.status?.conditions ?? []) as Obj[]).find((c) => c.type === 'Ready');
  let s = ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown';
  if (node.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function nodeRoles(node: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries((node.metadata?.labels ?? {}) as Record<string, string>)) {
    if (k.startsWith('node-role.kubernetes.io/')) roles.add(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function address(node: Obj, type: string): string {
  return ((node.status?.addresses ?? []) as Obj[]).find((a) => a.type === type)?.address ?? '<none>';
}

function servicePorts(svc: Obj): string {
  const ports = (svc.spec?.ports ?? []) as Obj[];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function externalIP(svc: Obj): string {
  const type = svc.spec?.type ?? 'ClusterIP';
  const ext = (svc.spec?.externalIPs ?? []) as string[];
  const lb = ((svc.status?.loadBalancer?.ingress ?? []) as Obj[]).map((i) => i.ip ?? i.hostname).filter(Boolean) as string[];
  if (type === 'LoadBalancer') return [...lb, ...ext].join(',') || '<pending>';
  if (type === 'ExternalName') return svc.spec?.externalName ?? '<none>';
  return ext.length ? ext.join(',') : '<none>';
}

function endpointsText(ep: Obj): string {
  const list: string[] = [];
  for (const s of (ep.subsets ?? []) as Obj[]) {
    const ports = (s.ports ?? []) as Obj[];
    for (const a of (s.addresses ?? []) as Obj[]) {
      if (ports.length === 0) list.push(a.ip);
      else for (const p of ports) list.push(`${a.ip}:${p.port}`);
    }
  }
  if (list.length === 0) return '<none>';
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
}

function sliceEndpoints(es: Obj): string {
  const list: string[] = [];
  for (const e of (es.endpoints ?? []) as Obj[]) list.push(...((e.addresses ?? []) as string[]));
  if (list.length === 0) return '<unset>';
  return list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
}

function slicePorts(es: Obj): string {
  const ports = (es.ports ?? []) as Obj[];
  if (ports.length === 0) return '<unset>';
  return ports.map((p) => String(p.port ?? '')).join(',');
}

function ingressHosts(ing: Obj): string {
  const hosts = ((ing.spec?.rules ?? []) as Obj[]).map((r) => r.host).filter(Boolean) as string[];
  if (hosts.length === 0) return '*';
  return hosts.length > 4 ? `${hosts.slice(0, 4).join(',')} + ${hosts.length - 4} more...` : hosts.join(',');
}

function lbAddresses(st: Obj | undefined): string {
  const list = ((st?.loadBalancer?.ingress ?? []) as Obj[]).map((i) => i.ip ?? i.hostname).filter(Boolean);
  return list.join(',');
}

function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  return (modes ?? []).map((m) => short[m] ?? m).join(',');
}

function eventObject(e: Obj): string {
  const o = e.involvedObject ?? e.regarding ?? {};
  return `${String(o.kind ?? '').toLowerCase()}/${o.name ?? ''}`;
}

function eventLastSeen(e: Obj, now: Date): string {
  const last = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return age(last, now);
}

function storageClassName(sc: Obj): string {
  const a = (sc.metadata?.annotations ?? {}) as Record<string, string>;
  const isDefault = a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
  return `${sc.metadata?.name ?? ''}${isDefault ? ' (default)' : ''}`;
}

const NAME: Printer['columns'][number] = ['Name', 'string', 0, 'name'];
const AGE: Printer['columns'][number] = ['Age', 'string'];

const PRINTERS: Record<string, Printer> = {
  pods: {
    columns: [NAME, ['Ready', 'string'], ['Status', 'string'], ['Restarts', 'string'], AGE, ['IP', 'string', 1], ['Node', 'string', 1], ['Nominated Node', 'string', 1], ['Readiness Gates', 'string', 1]],
    cells: (o, now) => {
      const s = podStatus(o);
      const gates = (o.spec?.readinessGates ?? []) as Obj[];
      const conds = (o.status?.conditions ?? []) as Obj[];
      const gatesText = gates.length ? `${gates.filter((g) => conds.some((c) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}` : '<none>';
      return [o.metadata?.name, s.ready, s.status, podRestarts(o, now), age(o.metadata?.creationTimestamp, now), none(o.status?.podIP), none(o.spec?.nodeName), none(o.status?.nominatedNodeName), gatesText];
    },
  },
  nodes: {
    columns: [NAME, ['Status', 'string'], ['Roles', 'string'], AGE, ['Version', 'string'], ['Internal-IP', 'string', 1], ['External-IP', 'string', 1], ['OS-Image', 'string', 1], ['Kernel-Version', 'string', 1], ['Container-Runtime', 'string', 1]],
    cells: (o, now) => {
      const info = (o.status?.nodeInfo ?? {}) as Record<string, string>;
      return [o.metadata?.name, nodeStatus(o), nodeRoles(o), age(o.metadata?.creationTimestamp, now), info.kubeletVersion ?? '', address(o, 'InternalIP'), address(o, 'ExternalIP'), none(info.osImage), none(info.kernelVersion), none(info.containerRuntimeVersion)];
    },
  },
  namespaces: {
    columns: [NAME, ['Status', 'string'], AGE],
    cells: (o, now) => [o.metadata?.name, o.status?.phase ?? '', age(o.metadata?.creationTimestamp, now)],
  },
  services: {
    columns: [NAME, ['Type', 'string'], ['Cluster-IP', 'string'], ['External-IP', 'string'], ['Port(s)', 'string'], AGE, ['Selector', 'string', 1]],
    cells: (o, now) => [o.metadata?.name, o.spec?.type ?? 'ClusterIP', none(o.spec?.clusterIP), externalIP(o), servicePorts(o), age(o.metadata?.creationTimestamp, now), selectorText(o.spec?.selector)],
  },
  endpoints: {
    columns: [NAME, ['Endpoints', 'string'], AGE],
    cells: (o, now) => [o.metadata?.name, endpointsText(o), age(o.metadata?.creationTimestamp, now)],
  },
  endpointslices: {
    columns: [NAME, ['AddressType', 'string'], ['Ports', 'string'], ['Endpoints', 'string'], AGE],
    cells: (o, now) => [o.metadata?.name, o.addressType ?? '', slicePorts(o), sliceEndpoints(o), age(o.metadata?.creationTimestamp, now)],
  },
  ingresses: {
    columns: [NAME, ['Class', 'string'], ['Hosts', 'string'], ['Address', 'string'], ['Ports', 'string'], AGE],
    cells: (o, now) => [o.metadata?.name, none(o.spec?.ingressClassName), ingressHosts(o), lbAddresses(o.status), (o.spec?.tls ?? []).length ? '80, 443' : '80', age(o.metadata?.creationTimestamp, now)],
  },
  ingressclasses: {
    columns: [NAME, ['Controller', 'string'], ['Parameters', 'string'], AGE],
    cells: (o, now) => {
      const p = o.spec?.parameters;
      return [o.metadata?.name, o.spec?.controller ?? '', p ? `${p.kind}/${p.name}` : '<none>', age(o.metadata?.creationTimestamp, now)];
    },
  },
  storageclasses: {
    columns: [NAME, ['Provisioner', 'string'], ['ReclaimPolicy', 'string'], ['VolumeBindingMode', 'string'], ['AllowVolumeExpansion', 'string'], AGE],
    cells: (o, now) => [storageClassName(o), o.provisioner ?? '', o.reclaimPolicy ?? 'Delete', o.volumeBindingMode ?? 'Immediate', String(o.allowVolumeExpansion ?? false), age(o.metadata?.creationTimestamp, now)],
  },
  persistentvolumes: {
    columns: [NAME, ['Capacity', 'string'], ['Access Modes', 'string'], ['Reclaim Policy', 'string'], ['Status', 'string'], ['Claim', 'string'], ['StorageClass', 'string'], ['VolumeAttributesClass', 'string'], ['Reason', 'string'], AGE, ['VolumeMode', 'string', 1]],
    cells: (o, now) => {
      const ref = o.spec?.claimRef;
      return [o.metadata?.name, o.spec?.capacity?.storage ?? '', accessModes(o.spec?.accessModes), o.spec?.persistentVolumeReclaimPolicy ?? '', o.status?.phase ?? '', ref ? `${ref.namespace}/${ref.name}` : '', o.spec?.storageClassName ?? '', none(o.spec?.volumeAttributesClassName), o.status?.reason ?? '', age(o.metadata?.creationTimestamp, now), o.spec?.volumeMode ?? 'Filesystem'];
    },
  },
  persistentvolumeclaims: {
    columns: [NAME, ['Status', 'string'], ['Volume', 'string'], ['Capacity', 'string'], ['Access Modes', 'string'], ['StorageClass', 'string'], ['VolumeAttributesClass', 'string'], AGE, ['VolumeMode', 'string', 1]],
    cells: (o, now) => [o.metadata?.name, o.status?.phase ?? '', o.spec?.volumeName ?? '', o.status?.capacity?.storage ?? '', accessModes(o.status?.accessModes), o.spec?.storageClassName ?? '', none(o.spec?.volumeAttributesClassName), age(o.metadata?.creationTimestamp, now), o.spec?.volumeMode ?? 'Filesystem'],
  },
  deployments: {
    columns: [NAME, ['Ready', 'string'], ['Up-to-date', 'integer'], ['Available', 'integer'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersAndImages(o.spec);
      return [o.metadata?.name, `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`, o.status?.updatedReplicas ?? 0, o.status?.availableReplicas ?? 0, age(o.metadata?.creationTimestamp, now), c, i, labelSelectorText(o.spec?.selector)];
    },
  },
  replicasets: {
    columns: [NAME, ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersAndImages(o.spec);
      return [o.metadata?.name, o.spec?.replicas ?? 1, o.status?.replicas ?? 0, o.status?.readyReplicas ?? 0, age(o.metadata?.creationTimestamp, now), c, i, labelSelectorText(o.spec?.selector)];
    },
  },
  daemonsets: {
    columns: [NAME, ['Desired', 'integer'], ['Current', 'integer'], ['Ready', 'integer'], ['Up-to-date', 'integer'], ['Available', 'integer'], ['Node Selector', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersAndImages(o.spec);
      const s = o.status ?? {};
      return [o.metadata?.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0, selectorText(o.spec?.template?.spec?.nodeSelector), age(o.metadata?.creationTimestamp, now), c, i, labelSelectorText(o.spec?.selector)];
    },
  },
  statefulsets: {
    columns: [NAME, ['Ready', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersAndImages(o.spec);
      return [o.metadata?.name, `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`, age(o.metadata?.creationTimestamp, now), c, i];
    },
  },
  jobs: {
    columns: [NAME, ['Status', 'string'], ['Completions', 'string'], ['Duration', 'string'], AGE, ['Containers', 'string', 1], ['Images', 'string', 1]],
    cells: (o, now) => {
      const [c, i] = containersAndImages(o.spec);
      const s = o.status ?? {};
      const conds: Obj[] = s.conditions ?? [];
      const is = (type: string) => conds.some((x) => x.type === type && x.status === 'True');
      const status = is('Failed') ? 'Failed' : is('Complete') ? 'Complete' : is('Suspended') ? 'Suspended' : 'Running';
      const end = typeof s.completionTime === 'string' ? new Date(s.completionTime) : now;
      return [o.metadata?.name, status, `${s.succeeded ?? 0}/${o.spec?.completions ?? 1}`, s.startTime ? age(s.startTime, end) : '', age(o.metadata?.creationTimestamp, now), c, i];
    },
  },
  configmaps: {
    columns: [NAME, ['Data', 'integer'], AGE],
    cells: (o, now) => [o.metadata?.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o.metadata?.creationTimestamp, now)],
  },
  events: {
    columns: [['Last Seen', 'string'], ['Type', 'string'], ['Reason', 'string'], ['Object', 'string'], ['Message', 'string'], ['Subobject', 'string', 1], ['Source', 'string', 1], ['First Seen', 'string', 1], ['Count', 'string', 1], ['Name', 'string', 1]],
    cells: (o, now) => {
      const src = o.source?.component ? `${o.source.component}${o.source.host ? `, ${o.source.host}` : ''}` : o.reportingComponent ?? '';
      const count = o.series?.count ?? o.count ?? 1;
      return [eventLastSeen(o, now), o.type ?? '', o.reason ?? '', eventObject(o), String(o.message ?? '').trim(), o.involvedObject?.fieldPath ?? '', src, age(o.firstTimestamp ?? o.eventTime ?? o.metadata?.creationTimestamp, now), String(count), o.metadata?.name ?? ''];
    },
  },
};

const DEFAULT_PRINTER: Printer = { columns: [NAME, AGE], cells: (o, now) => [o.metadata?.name, age(o.metadata?.creationTimestamp, now)] };

export function printerFor(plural: string): { columns: Column[]; cells(o: Obj, now: Date): unknown[] } {
  const p = PRINTERS[plural] ?? DEFAULT_PRINTER;
  return {
    columns: p.columns.map(([name, type, priority, format]) => ({ name, type, format: format ?? '', description: name === 'Name' ? 'Name must be unique within a namespace.' : name, priority: priority ?? 0 })),
    cells: p.cells,
  };
}
