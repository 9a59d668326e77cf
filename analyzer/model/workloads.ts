// Joins the pods/images/ingress/service/storage rules share: events per object, container statuses,
// the meaning of an image-pull error, PVC consumers, ingress classes and the controllers that serve them.
import { itemEvidence, jsonExcerpt } from '../engine/evidence.js';
import type { CheckContext, CheckResult } from '../engine/types.js';
import type { Evidence } from '../report/types.js';
import type { ContainerSpec, ContainerStatus, Ingress, KubeEvent, KubeItem, KubeObject, Pod, Toleration } from './kube-types.js';
import type { Model } from './model.js';

export interface PersistentVolumeClaim extends KubeObject {
  spec?: { storageClassName?: string | null; volumeName?: string; accessModes?: string[] };
  status?: { phase?: string };
}

export interface StorageClass extends KubeObject {
  provisioner?: string;
  volumeBindingMode?: string;
}

export interface IngressClass extends KubeObject {
  spec?: { controller?: string };
}

/** Event time: the newest of the fields the various event API versions fill. */
export function eventTime(e: KubeEvent): number {
  const t = e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.firstTimestamp;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

const eventIndex = new WeakMap<Model, Map<string, KubeItem<KubeEvent>[]>>();

/** Events about one object (kind/namespace/name), oldest first. */
export function eventsFor(model: Model, kind: string, namespace: string | undefined, name: string): KubeItem<KubeEvent>[] {
  let index = eventIndex.get(model);
  if (!index) {
    index = new Map();
    for (const item of model.events()) {
      const o = item.obj.involvedObject;
      if (!o?.kind || !o.name) continue;
      const key = `${o.kind}/${o.namespace ?? item.namespace ?? ''}/${o.name}`;
      const list = index.get(key);
      if (list) list.push(item);
      else index.set(key, [item]);
    }
    const times = new Map<KubeItem<KubeEvent>, number>();
    for (const list of index.values()) {
      if (list.length < 2) continue;
      for (const e of list) times.set(e, eventTime(e.obj));
      list.sort((a, b) => times.get(a)! - times.get(b)!);
    }
    eventIndex.set(model, index);
  }
  return index.get(`${kind}/${namespace ?? ''}/${name}`) ?? [];
}

export function eventEvidence(e: KubeItem<KubeEvent>): Evidence {
  const ev = e.obj;
  const when = ev.lastTimestamp ?? ev.eventTime ?? ev.firstTimestamp ?? '';
  const count = ev.count ?? ev.series?.count;
  return { path: e.path, pointer: `/items/${e.index}`, excerpt: [`${when} ${ev.type ?? ''} ${ev.reason ?? ''}${count && count > 1 ? ` (x${count})` : ''}: ${ev.message ?? ''}`.trim()] };
}

export interface StatusRef {
  status: ContainerStatus;
  init: boolean;
  /** JSON pointer of the status inside the pod. */
  pointer: string;
}

export function statusesOf(pod: Pod): StatusRef[] {
  return [
    ...(pod.status?.initContainerStatuses ?? []).map((status, i) => ({ status, init: true, pointer: `/status/initContainerStatuses/${i}` })),
    ...(pod.status?.containerStatuses ?? []).map((status, i) => ({ status, init: false, pointer: `/status/containerStatuses/${i}` })),
  ];
}

/** Whether an event says a probe failed or killed the container: the other crash-loop rule's ground. */
export function isProbeFailure(e: KubeEvent): boolean {
  const m = e.message ?? '';
  return (e.reason === 'Unhealthy' && /probe failed|probe errored/i.test(m)) || /failed (liveness|startup|readiness) probe/i.test(m);
}

// ---- image pulls ----

export type PullErrorClass = 'not-found' | 'unauthorized' | 'unreachable' | 'rate-limited';

// Order matters: Docker Hub's rate limit says "toomanyrequests" next to words the others look for, and
// "pull access denied … does not exist" is an authorization answer before it is a not-found one.
const PULL_CLASSES: [PullErrorClass, RegExp][] = [
  ['rate-limited', /toomanyrequests|429 Too Many Requests|pull rate limit/i],
  [
    'unauthorized',
    /pull access denied|\b401 Unauthorized|unauthorized: (?:authentication required|incorrect username or password)|insufficient_scope|no basic auth credentials|authorization failed|403 Forbidden|denied: requested access to the resource is denied|unexpected status(?: code)?[^:]*: 40[13]\b/i,
  ],
  ['not-found', /code = NotFound|manifest unknown|\bname unknown\b|(?:^|[\s:"])not found(?:$|[\s:"])|manifest for \S+ not found|repository \S+ not found/i],
  [
    'unreachable',
    /no such host|i\/o timeout|connection refused|no route to host|network is unreachable|TLS handshake timeout|Client\.Timeout exceeded|server misbehaving|connection reset by peer|dial tcp[^:]*: (?:lookup|connect)|context deadline exceeded/i,
  ],
];

/** What an image-pull error means, by its wording in any kubelet/containerd/docker version; undefined when none applies. */
export function classifyPullError(text: string): PullErrorClass | undefined {
  return PULL_CLASSES.find(([, re]) => re.test(text))?.[0];
}

/** The image a pull error names: `Failed to pull image "x"`, `sandbox image "x"`, `PullImage "x"`, `image="x"`. */
export function imageOfPullMessage(text: string): string | undefined {
  const m =
    /sandbox image \\*"([^"\\]+)/.exec(text) ??
    /(?:Failed to pull image|Back-off pulling image|PullImage|pulling image) \\*"([^"\\]+)/i.exec(text) ??
    /\bimage=\\*"([^"\\]+)/.exec(text) ??
    /failed to pull and unpack image \\*"([^"\\]+)/.exec(text);
  return m?.[1];
}

/** Registry host of an image reference, docker.io when the reference names none. */
export function registryOf(image: string): string {
  const first = image.split('/')[0]!;
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

export function isSandboxImage(image: string | undefined, text: string): boolean {
  return /sandbox image/i.test(text) || (image !== undefined && /(^|\/)pause:/.test(image));
}

const WAITING_PULL = /^(ErrImagePull|ImagePullBackOff|ErrImageNeverPull)$/;

export interface PullFailure {
  namespace: string;
  pod: string;
  podItem?: KubeItem<Pod>;
  container: string;
  image: string;
  cls: PullErrorClass;
  message: string;
  evidence: Evidence[];
  /** imagePullSecrets the pod names; undefined when the pod is not in the bundle. */
  pullSecrets?: string[];
  /** Events saying a named pull secret could not be read. */
  secretProblems: Evidence[];
}

interface Candidate {
  text: string;
  time: number;
  evidence: Evidence;
}

function newestClassified(cands: Candidate[]): { cls: PullErrorClass; cand: Candidate } | undefined {
  const sorted = [...cands].sort((a, b) => b.time - a.time);
  for (const cand of sorted) {
    const cls = classifyPullError(cand.text);
    if (cls) return { cls, cand };
  }
  return undefined;
}

const PULL_EVENT = /Failed to pull image|failed to pull and unpack image|Error response from daemon|failed to resolve reference|failed to get sandbox image/i;

/**
 * Containers that cannot start because an image cannot be pulled, with what the newest classified
 * error says. A pod known to the bundle counts only while its container still waits on the pull (or its
 * sandbox is not created yet): an old failure that was retried successfully is history, not a fault.
 * When pods were not collected, the events alone are the evidence.
 */
export function pullFailures(model: Model): PullFailure[] {
  const out: PullFailure[] = [];
  const podsKnown = model.hasKube('pods');
  const secretProblemsOf = (ns: string, pod: string) =>
    eventsFor(model, 'Pod', ns, pod)
      .filter((e) => e.obj.reason === 'FailedToRetrieveImagePullSecret' || /Unable to retrieve some image pull secrets/i.test(e.obj.message ?? ''))
      .slice(-1)
      .map(eventEvidence);
  if (podsKnown) {
    for (const pod of model.pods()) {
      const ns = pod.namespace ?? '';
      const events = eventsFor(model, 'Pod', ns, pod.name);
      const secrets = (pod.obj.spec?.imagePullSecrets ?? []).map((s) => s.name ?? '').filter(Boolean);
      const waitingPulls = statusesOf(pod.obj).filter((s) => WAITING_PULL.test(s.status.state?.waiting?.reason ?? ''));
      for (const s of waitingPulls) {
        const name = s.status.name ?? '';
        const waiting = s.status.state!.waiting!;
        const cands: Candidate[] = [];
        if (waiting.message) cands.push({ text: waiting.message, time: Number.MAX_SAFE_INTEGER, evidence: itemEvidence(pod, `${s.pointer}/state/waiting`, waiting) });
        for (const e of events) {
          const fp = e.obj.involvedObject?.fieldPath ?? '';
          if (fp && !fp.endsWith(`{${name}}`)) continue;
          if (PULL_EVENT.test(e.obj.message ?? '')) cands.push({ text: e.obj.message ?? '', time: eventTime(e.obj), evidence: eventEvidence(e) });
        }
        const best = newestClassified(cands);
        if (!best) continue;
        const specImage = [...(pod.obj.spec?.initContainers ?? []), ...(pod.obj.spec?.containers ?? [])].find((c) => c.name === name)?.image;
        const image = specImage ?? s.status.image ?? imageOfPullMessage(best.cand.text) ?? '?';
        const evidence = [itemEvidence(pod, `${s.pointer}/state/waiting`, { name, image, reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) })];
        if (best.cand.time !== Number.MAX_SAFE_INTEGER) evidence.push(best.cand.evidence);
        out.push({ namespace: ns, pod: pod.name, podItem: pod, container: name, image, cls: best.cls, message: best.cand.text, evidence, pullSecrets: secrets, secretProblems: secretProblemsOf(ns, pod.name) });
      }
      // No container status yet: the pod sandbox itself (the pause image) could not be pulled.
      const stuck = pod.obj.status?.phase === 'Pending' && statusesOf(pod.obj).every((s) => s.status.state?.running === undefined);
      if (stuck && waitingPulls.length === 0) {
        const cands = events
          .filter((e) => e.obj.reason === 'FailedCreatePodSandBox' || /failed to get sandbox image/i.test(e.obj.message ?? ''))
          .map((e) => ({ text: e.obj.message ?? '', time: eventTime(e.obj), evidence: eventEvidence(e) }));
        const best = newestClassified(cands);
        if (best && /sandbox image|pull/i.test(best.cand.text)) {
          const image = imageOfPullMessage(best.cand.text) ?? 'pause';
          out.push({ namespace: ns, pod: pod.name, podItem: pod, container: '(sandbox)', image, cls: best.cls, message: best.cand.text, evidence: [itemEvidence(pod, '/status/phase', pod.obj.status?.phase), best.cand.evidence], pullSecrets: secrets, secretProblems: [] });
        }
      }
    }
    return out;
  }
  const byPod = new Map<string, KubeItem<KubeEvent>[]>();
  for (const e of model.events()) {
    const o = e.obj.involvedObject;
    if (o?.kind !== 'Pod' || !o.name || !PULL_EVENT.test(e.obj.message ?? '')) continue;
    const key = `${o.namespace ?? e.namespace ?? ''}\u0000${o.name}\u0000${/\{([^}]+)\}/.exec(o.fieldPath ?? '')?.[1] ?? '(sandbox)'}`;
    byPod.set(key, [...(byPod.get(key) ?? []), e]);
  }
  for (const [key, events] of byPod) {
    const [ns, pod, container] = key.split('\u0000') as [string, string, string];
    const best = newestClassified(events.map((e) => ({ text: e.obj.message ?? '', time: eventTime(e.obj), evidence: eventEvidence(e) })));
    if (!best) continue;
    out.push({ namespace: ns, pod, container, image: imageOfPullMessage(best.cand.text) ?? '?', cls: best.cls, message: best.cand.text, evidence: [best.cand.evidence], secretProblems: secretProblemsOf(ns, pod) });
  }
  return out;
}

// ---- storage ----

export const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export function isDefaultClass(sc: StorageClass): boolean {
  return DEFAULT_CLASS_ANNOTATIONS.some((a) => sc.metadata?.annotations?.[a] === 'true');
}

export function pendingClaims(model: Model): KubeItem<PersistentVolumeClaim>[] {
  return model.kube<PersistentVolumeClaim>('persistentvolumeclaims').filter((c) => c.obj.status?.phase === 'Pending');
}

/** Pods of the claim's namespace that mount it. */
export function consumersOf(model: Model, claim: KubeItem<PersistentVolumeClaim>): KubeItem<Pod>[] {
  return model.pods().filter((p) => {
    if (p.namespace !== claim.namespace) return false;
    const volumes = (p.obj.spec as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } | undefined)?.volumes ?? [];
    return volumes.some((v) => v.persistentVolumeClaim?.claimName === claim.name);
  });
}

export function claimEvidence(claim: KubeItem<PersistentVolumeClaim>): Evidence {
  return itemEvidence(claim, '', {
    name: claim.name,
    storageClassName: claim.obj.spec?.storageClassName ?? null,
    phase: claim.obj.status?.phase,
    ...(claim.obj.metadata?.annotations?.['volume.kubernetes.io/selected-node'] ? { selectedNode: claim.obj.metadata.annotations['volume.kubernetes.io/selected-node'] } : {}),
  });
}

export function classesEvidence(classes: KubeItem<StorageClass>[]): Evidence {
  return {
    path: 'cluster/storageclasses.json',
    pointer: '/items',
    excerpt: jsonExcerpt(classes.map((c) => ({ name: c.name, provisioner: c.obj.provisioner, default: isDefaultClass(c.obj) }))),
  };
}

// ---- ingress ----

export interface IngressController {
  pod: KubeItem<Pod>;
  /** spec.controller values of the IngressClasses it serves. */
  controllerClass: string;
  /** The legacy class name it answers to (annotation kubernetes.io/ingress.class). */
  ingressClass: string;
  watchWithoutClass: boolean;
  running: boolean;
}

function argValue(args: string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith(`${flag}=`)) return a.slice(flag.length + 1);
    if (a === flag) return args[i + 1];
  }
  return undefined;
}

/** ingress-nginx controller pods with the classes their flags make them serve (defaults as upstream). */
export function nginxControllers(model: Model): IngressController[] {
  const out: IngressController[] = [];
  for (const pod of model.pods()) {
    for (const c of (pod.obj.spec?.containers ?? []) as { args?: string[]; command?: string[] }[]) {
      const words = [...(c.command ?? []), ...(c.args ?? [])];
      if (!words.some((w) => /nginx-ingress-controller$/.test(w))) continue;
      const watch = argValue(words, '--watch-ingress-without-class');
      out.push({
        pod,
        controllerClass: argValue(words, '--controller-class') ?? 'k8s.io/ingress-nginx',
        ingressClass: argValue(words, '--ingress-class') ?? 'nginx',
        watchWithoutClass: watch === '' || watch === 'true' || (words.includes('--watch-ingress-without-class') && watch === undefined),
        running: pod.obj.status?.phase === 'Running',
      });
    }
  }
  return out;
}

export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** The class an Ingress asks for, and how it asks: by field, by the legacy annotation, or not at all. */
export function requestedClass(ing: Ingress): { name?: string; how: 'field' | 'annotation' | 'none' } {
  if (ing.spec?.ingressClassName) return { name: ing.spec.ingressClassName, how: 'field' };
  const ann = ing.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (ann) return { name: ann, how: 'annotation' };
  return { how: 'none' };
}

/** Whether a host matches an Ingress rule host, wildcards (`*.example`) covering one label. */
export function hostMatches(ruleHost: string, host: string): boolean {
  const h = host.toLowerCase().replace(/:\d+$/, '');
  const r = ruleHost.toLowerCase();
  if (r.startsWith('*.')) {
    const rest = h.slice(h.indexOf('.') + 1);
    return h.includes('.') && rest === r.slice(2);
  }
  return r === h;
}

// ---- the three image-pull rules share one check, each keeping its own class of error ----

/** The part of a long pull error a reader needs: from its most telling step (the dial, the HTTP answer) on. */
const TAIL_STARTS = [/dial tcp|lookup \S+ on /, /unexpected status|pull access denied|no basic auth|insufficient_scope|401 Unauthorized/, /(?:Head|Get|Post) "https?:/, /manifest (?:for|unknown)/, /failed to resolve reference/];

export function pullErrorTail(text: string): string {
  const flat = text.replace(/\\"/g, '"');
  const at = TAIL_STARTS.map((re) => flat.search(re)).find((i) => i >= 0) ?? 0;
  const tail = flat.slice(at).replace(/"\s*image=.*$/, '');
  return tail.length > 200 ? `${tail.slice(0, 200)}…` : tail;
}

interface PullGroup {
  subject: { level: 'namespace' | 'node' | 'host' | 'cluster'; name: string };
  image: string;
  where: string[];
  objects: { kind: string; namespace?: string; name: string }[];
  evidence: Evidence[];
  message: string;
  noSecrets: boolean;
  secretProblem: boolean;
}

export interface PullCheckParts {
  cls: PullErrorClass;
  /** Hits of the rule's pull-log pattern (kubelet/containerd journals, attachments). */
  logHits: { path: string; line: number; text: string; host?: string }[];
  logsScanned: number;
  ja: boolean;
}

/** Findings of one image-pull rule: pods grouped per namespace and image, nodes whose sandbox image fails, attachments. */
export function pullGroups(model: Model, parts: PullCheckParts): PullGroup[] | undefined {
  const podsKnown = model.hasKube('pods');
  if (!podsKnown && !model.hasKube('events') && parts.logsScanned === 0) return undefined;
  const groups = new Map<string, PullGroup>();
  const group = (key: string, init: () => PullGroup) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = init()));
    return g;
  };
  for (const f of pullFailures(model).filter((x) => x.cls === parts.cls)) {
    const g = group(`ns\u0000${f.namespace}\u0000${f.image}`, () => ({
      subject: { level: 'namespace', name: f.namespace },
      image: f.image,
      where: [],
      objects: [],
      evidence: [],
      message: f.message,
      noSecrets: true,
      secretProblem: false,
    }));
    g.where.push(`${f.namespace}/${f.pod}`);
    g.objects.push({ kind: 'Pod', namespace: f.namespace, name: f.pod });
    if (g.evidence.length < 6) g.evidence.push(...f.evidence, ...f.secretProblems);
    if ((f.pullSecrets ?? []).length > 0) g.noSecrets = false;
    if (f.secretProblems.length > 0) g.secretProblem = true;
  }
  for (const hit of parts.logHits) {
    if (classifyPullError(hit.text) !== parts.cls) continue;
    const image = imageOfPullMessage(hit.text) ?? '?';
    if (hit.host === undefined) {
      const g = group(`att\u0000${hit.path}\u0000${image}`, () => ({ subject: { level: 'cluster', name: hit.path }, image, where: [hit.path], objects: [], evidence: [], message: hit.text, noSecrets: false, secretProblem: false }));
      if (g.evidence.length < 4) g.evidence.push({ path: hit.path, line: hit.line, excerpt: [hit.text] });
      continue;
    }
    const host = model.host(hit.host);
    const nodeName = host?.node?.name ?? hit.host;
    if (podsKnown) {
      // Pods name application images better than journals; a journal matters for the sandbox image,
      // and only while pods on that node are stuck without it.
      if (!isSandboxImage(image, hit.text)) continue;
      const stuck = model.pods().some((p) => p.obj.spec?.nodeName === nodeName && p.obj.status?.phase === 'Pending');
      if (!stuck) continue;
    }
    const g = group(`node\u0000${hit.host}\u0000${image}`, () => ({
      subject: host?.node ? { level: 'node', name: nodeName } : { level: 'host', name: hit.host! },
      image,
      where: [parts.ja ? `ノード ${nodeName}` : `node ${nodeName}`],
      objects: [{ kind: 'Node', name: nodeName }],
      evidence: [],
      message: hit.text,
      noSecrets: false,
      secretProblem: false,
    }));
    g.message = hit.text;
    g.evidence.push({ path: hit.path, line: hit.line, excerpt: [hit.text] });
    // The newest lines say the most; keep the last few.
    if (g.evidence.length > 3) g.evidence.shift();
  }
  return [...groups.values()];
}

export function pullLogsMissing(model: Model): string[] {
  return ['cluster/namespaces/*/pods.json', 'cluster/namespaces/*/events.json', 'hosts/*/cmd/journal-kubelet.log', 'hosts/*/cmd/journal-containerd.log'].flatMap((p) =>
    model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`),
  );
}

/**
 * The shape all three image-pull rules share: the pods, sandbox pulls and attachments whose newest pull
 * error is of one class, one finding per namespace and image (or node, or attachment); `extra` adds
 * the values a rule's summary needs beyond image, registry, where and error.
 */
export function pullFindings(
  model: Model,
  ctx: CheckContext,
  cls: Parameters<typeof pullGroups>[1]['cls'],
  extra: (g: NonNullable<ReturnType<typeof pullGroups>>[number]) => Record<string, string> = () => ({}),
): CheckResult {
  const logs = ctx.logHits('pullLogs');
  const groups = pullGroups(model, { cls, logHits: logs.hits, logsScanned: logs.scanned.length, ja: ctx.lang === 'ja' });
  if (!groups) return { findings: [], skip: { reason: ctx.lang === 'ja' ? 'Pod、イベント、kubelet / containerd のジャーナルのどれもバンドルにない' : 'no pods, events, kubelet or containerd journal in the bundle', missing: pullLogsMissing(model) } };
  return {
    findings: groups.map((g) => ({
      subject: g.subject,
      objects: g.objects,
      evidence: g.evidence,
      values: { image: g.image, registry: registryOf(g.image), where: g.where.join(', '), error: pullErrorTail(g.message), ...extra(g) },
    })),
  };
}

// ---- workload failures: quantities, ages, scheduling, kernel OOM lines ----

const BINARY_SUFFIX: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity (`100m`, `512Mi`, `1.5G`, `2e3`) as a number of units (cores, bytes); undefined when unreadable. */
export function parseQuantity(q: string | number | undefined): number | undefined {
  if (q === undefined) return undefined;
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)\s*$/.exec(q);
  if (!m) return undefined;
  const factor = BINARY_SUFFIX[m[2]!] ?? DECIMAL_SUFFIX[m[2]!];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** Bytes the way a reader compares them with a manifest: `512Mi`, `1.5Gi`. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['Ti', 2 ** 40], ['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(bytes / size >= 10 ? 0 : 1))}${unit}`;
  }
  return `${Math.round(bytes)}B`;
}

/** CPU cores as Kubernetes writes them: `250m`, `2`. */
export function formatCpu(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

/** A duration as "3d", "5h", "12m", "40s". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s >= 2 * 86400) return `${Math.floor(s / 86400)}d`;
  if (s >= 2 * 3600) return `${Math.floor(s / 3600)}h`;
  if (s >= 120) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}

export function timeOf(t: string | undefined): number | undefined {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

/** The spec of a container (init or not) by name. */
/**
 * A pod held in its init phase: not Initialized and neither Running nor Succeeded. Its failing init
 * containers are init-container-failing's finding; other rules leave them alone (one fault, one finding).
 */
export function heldInInit(pod: Pod): boolean {
  return podCondition(pod, 'Initialized')?.status !== 'True' && pod.status?.phase !== 'Running' && pod.status?.phase !== 'Succeeded';
}

export function containerSpecOf(pod: Pod, name: string | undefined): ContainerSpec | undefined {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name);
}

/**
 * What the scheduler reserves for a pod: the sum of its containers' requests, or the largest init
 * container's when that is bigger (init containers run one at a time, before the others).
 */
export function podRequests(pod: Pod): { cpu: number; memory: number } {
  const req = (c: ContainerSpec, r: 'cpu' | 'memory') => parseQuantity(c.resources?.requests?.[r] ?? c.resources?.limits?.[r]) ?? 0;
  const sum = (r: 'cpu' | 'memory') => (pod.spec?.containers ?? []).reduce((n, c) => n + req(c, r), 0);
  const init = (r: 'cpu' | 'memory') => Math.max(0, ...(pod.spec?.initContainers ?? []).map((c) => req(c, r)));
  return { cpu: Math.max(sum('cpu'), init('cpu')), memory: Math.max(sum('memory'), init('memory')) };
}

export function podCondition(pod: Pod, type: string): { type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string } | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** The owner a reader would fix: the Deployment behind a ReplicaSet is named by the ReplicaSet's name. */
export function ownerOf(pod: Pod): { kind: string; name: string } | undefined {
  const o = pod.metadata?.ownerReferences?.find((r) => r.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (!o?.kind || !o.name) return undefined;
  if (o.kind === 'ReplicaSet' && /-[a-z0-9]{6,10}$/.test(o.name)) return { kind: 'Deployment', name: o.name.replace(/-[a-z0-9]{6,10}$/, '') };
  return { kind: o.kind, name: o.name };
}

/** Whether a toleration list lets a pod onto a node with this taint (the scheduler's matching rules). */
export function tolerates(tolerations: Toleration[] | undefined, taint: { key?: string; value?: string; effect?: string }): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** One clause of a scheduler message: `2 Insufficient memory`, `1 node(s) had untolerated taint {…}`. */
export interface SchedulingReason {
  nodes: number;
  text: string;
  kind: 'cpu' | 'memory' | 'resource' | 'taint' | 'affinity' | 'volume' | 'unschedulable' | 'ports' | 'other';
}

/**
 * A FailedScheduling message (`0/3 nodes are available: 1 node(s) had untolerated taint
 * {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: …`) cut into its clauses;
 * a message in another shape (`pod has unbound immediate PersistentVolumeClaims`) is one clause.
 */
export function parseSchedulingMessage(message: string): { available?: number; total?: number; reasons: SchedulingReason[] } {
  const head = message.split(/\.\s+preemption:/)[0]!;
  const m = /^(\d+)\/(\d+) nodes are available:\s*(.*)$/s.exec(head.trim());
  const body = m ? m[3]! : head.trim();
  const parts = m ? body.replace(/\.$/, '').split(/,\s+(?=\d+\s)/) : [body];
  const reasons = parts.map((p) => {
    const n = /^(\d+)\s+(.*)$/s.exec(p.trim());
    const text = (n ? n[2]! : p).trim();
    const kind: SchedulingReason['kind'] = /Insufficient cpu/i.test(text)
      ? 'cpu'
      : /Insufficient memory/i.test(text)
        ? 'memory'
        : /Insufficient /i.test(text)
          ? 'resource'
          : /taint/i.test(text)
            ? 'taint'
            : /affinity|selector/i.test(text)
              ? 'affinity'
              : /PersistentVolumeClaim|volume node affinity|VolumeBinding|binding volumes/i.test(text)
                ? 'volume'
                : /unschedulable/i.test(text)
                  ? 'unschedulable'
                  : /free ports/i.test(text)
                    ? 'ports'
                    : 'other';
    return { nodes: n ? Number(n[1]) : 0, text, kind };
  });
  return { ...(m ? { available: Number(m[1]), total: Number(m[2]) } : {}), reasons };
}

/** A kernel OOM-killer line: which cgroup asked, which process died, and the pod it belonged to. */
export interface KernelOom {
  /** CONSTRAINT_MEMCG: a cgroup (container or pod) limit; CONSTRAINT_NONE: the whole node ran out. */
  constraint?: string;
  /** Pod UID from a kubepods cgroup path, with dashes. */
  podUid?: string;
  task?: string;
  pid?: string;
  /** `Memory cgroup out of memory` (a limit) vs `Out of memory` (the node). */
  scope: 'limit' | 'node' | 'unknown';
}

export function parseKernelOom(text: string): KernelOom | undefined {
  const constraint = /\boom-kill:constraint=(\w+)/.exec(text)?.[1];
  const killed = /(Memory cgroup out of memory|Out of memory): Killed process (\d+) \(([^)]*)\)/.exec(text);
  if (!constraint && !killed) return undefined;
  const uid = /pod([0-9a-f]{8}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{4}[-_][0-9a-f]{12})/.exec(text)?.[1]?.replace(/_/g, '-');
  const task = /[,\s]task=([^,\s]+)/.exec(text)?.[1] ?? killed?.[3];
  const pid = /[,\s]pid=(\d+)/.exec(text)?.[1] ?? killed?.[2];
  const scope = constraint === 'CONSTRAINT_MEMCG' || killed?.[1] === 'Memory cgroup out of memory' ? 'limit' : constraint === 'CONSTRAINT_NONE' || killed?.[1] === 'Out of memory' ? 'node' : 'unknown';
  return { ...(constraint ? { constraint } : {}), ...(uid ? { podUid: uid } : {}), ...(task ? { task } : {}), ...(pid ? { pid } : {}), scope };
}

/** The time at the start of a journal line (`2026-11-27T09:55:10.123456+00:00 host …`), in ms. */
export function journalLineTime(text: string): number | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d))/.exec(text);
  return m ? timeOf(m[1]!.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')) : undefined;
}
