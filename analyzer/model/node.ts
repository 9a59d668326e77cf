// Node and runtime facts per host, read back from the parsers by path: the kernel settings kubeadm
// checks, the state of kubelet and containerd, their configurations, and kubeadm preflight lines from
// attachments. Every accessor returns the bundle path with the facts, so rules can point at evidence,
// and undefined when the artifact is not usable, so rules can say why they could not judge.
import { attachmentHost } from './attachments.js';
import { bundlePath, HOST_CMD, HOST_FILE } from '../../bundle/layout.js';
import type { ItemRecord } from '../../bundle/manifest.js';
import type { AttachmentFacts } from '../facts/routes.js';
import type { ContainerdConfig } from '../parsers/config-containerd.js';
import type { KubeletConfig } from '../parsers/config-kubelet.js';
import type { LsmodFacts } from '../parsers/host-lsmod.js';
import type { SsFacts } from '../parsers/host-ss.js';
import type { SysctlFacts } from '../parsers/host-sysctl.js';
import { parseCrictl, type CrictlFailure, type CrictlOutput } from '../parsers/kube-crictl.js';
import type { SystemctlStatusText, SystemctlUnitStatus } from '../parsers/kube-systemctl.js';
import type { PreflightFinding } from '../parsers/log-kubeadm.js';
import type { FindingDraft, Localized } from '../engine/types.js';
import type { Evidence, ObjectRef } from '../report/types.js';
import type { NodeCondition } from './kube-types.js';
import type { HostView, Model, NodeView } from './model.js';
import { parseQuantity, podRequests } from './workloads.js';

export interface Located<T> {
  path: string;
  facts: T;
}

function located<T>(model: Model, path: string): Located<T> | undefined {
  if (!model.artifacts.usable(path)) return undefined;
  const facts = model.parsed<T>(path);
  return facts === undefined ? undefined : { path, facts };
}

/** Hosts that are Kubernetes nodes by inventory role: the only hosts kubeadm's requirements apply to. */
export function nodeHosts(model: Model): HostView[] {
  return model.hosts.filter((h) => h.isNode);
}

/** The subject and object a finding about a node host names: the Kubernetes node when joined. */
export function nodeSubject(model: Model, host: HostView): { subject: { level: 'node'; name: string }; objects: ObjectRef[] } {
  const name = model.displayName(host);
  return { subject: { level: 'node', name }, objects: [{ kind: 'Node', name }] };
}

export function sysctlOf(model: Model, host: string): Located<SysctlFacts> | undefined {
  return located(model, bundlePath.hostCmd(host, HOST_CMD.sysctl));
}

export function lsmodOf(model: Model, host: string): Located<LsmodFacts> | undefined {
  return located(model, bundlePath.hostCmd(host, HOST_CMD.lsmod));
}

export function ssOf(model: Model, host: string): Located<SsFacts> | undefined {
  return located(model, bundlePath.hostCmd(host, HOST_CMD.ssListen));
}

export interface UnitState {
  path: string;
  /** undefined when systemd answered that the unit does not exist. */
  unit?: SystemctlUnitStatus;
  notFoundLine?: number;
}

export function unitStatus(model: Model, host: string, unit: 'kubelet' | 'containerd'): UnitState | undefined {
  const path = bundlePath.hostCmd(host, unit === 'kubelet' ? HOST_CMD.systemctlKubelet : HOST_CMD.systemctlContainerd);
  const text = located<SystemctlStatusText>(model, path);
  if (!text) return undefined;
  const found = text.facts.units.find((u) => u.unit === `${unit}.service`) ?? text.facts.units[0];
  if (found) return { path, unit: found };
  const missing = text.facts.notFound[0];
  return missing ? { path, notFoundLine: missing.line } : undefined;
}

/** A unit that is not up: inactive, failed, or restarting in a loop (activating with auto-restart). */
export function unitDown(state: UnitState): boolean {
  if (!state.unit) return true;
  const s = state.unit.activeState;
  return s !== null && s !== 'active' && s !== 'reloading';
}

/**
 * The effective containerd configuration: the `config dump` (defaults merged in) when it was taken,
 * else the config file. Both come from the same file on disk.
 */
export function containerdConfigOf(model: Model, host: string): Located<ContainerdConfig> | undefined {
  return located<ContainerdConfig>(model, bundlePath.hostCmd(host, HOST_CMD.containerdConfigDump)) ?? located<ContainerdConfig>(model, bundlePath.hostFile(host, HOST_FILE.containerdConfig));
}

export function kubeletConfigOf(model: Model, host: string): Located<KubeletConfig> | undefined {
  return located(model, bundlePath.hostFile(host, HOST_FILE.kubeletConfig));
}

export interface CrictlState {
  path: string;
  output?: CrictlOutput;
  /** crictl's own error, from its output or, when it exited non-zero, from the manifest's stderr. */
  failure?: CrictlFailure;
  evidence?: Evidence;
}

/**
 * What `crictl ps -a` said. When the runtime is down crictl exits 1 and its complaint lands in the
 * manifest's stderr, not in the file, so the stderr is read with the same parser.
 */
export function crictlOf(model: Model, host: string): CrictlState | undefined {
  const path = bundlePath.hostCmd(host, HOST_CMD.crictlPs);
  const parsed = located<CrictlOutput>(model, path);
  if (parsed?.facts.failure) {
    const f = parsed.facts.failure;
    return { path, output: parsed.facts, failure: f, evidence: { path, line: f.line, excerpt: [f.message] } };
  }
  if (parsed) return { path, output: parsed.facts };
  const item = model.artifacts.item(path);
  if (!item?.stderr || item.status === 'ok') return undefined;
  const fromStderr = parseStderr(item, model.collectedAt);
  if (!fromStderr) return undefined;
  const index = model.manifest.items.indexOf(item);
  return { path, failure: fromStderr, evidence: { path: bundlePath.manifest(), pointer: `/items/${index}/stderr`, excerpt: [fromStderr.message] } };
}

function parseStderr(item: ItemRecord, collectedAt: Date): CrictlFailure | undefined {
  try {
    return parseCrictl(item.stderr ?? '', { collectedAt, path: item.path }).failure ?? undefined;
  } catch {
    // stderr that is not crictl's complaint (sudo, a missing binary) says nothing about the runtime.
    return undefined;
  }
}

export interface PreflightHit {
  path: string;
  finding: PreflightFinding;
  /** The host the attachment is about, when its file name names one (`kubeadm-join-w2.txt`). */
  host?: HostView;
}

/** kubeadm preflight lines (errors, and warnings of checks a user chose to ignore) in attachments. */
export function preflightHits(model: Model, check: RegExp): PreflightHit[] {
  const hits: PreflightHit[] = [];
  for (const path of model.artifacts.matchUsable('attachments/*')) {
    const facts = model.parsed<AttachmentFacts>(path);
    if (!facts) continue;
    const host = attachmentHostOf(model, path);
    for (const finding of facts.kubeadm.preflight) {
      if (check.test(finding.check)) hits.push({ path, finding, ...(host ? { host } : {}) });
    }
  }
  return hits;
}

function attachmentHostOf(model: Model, path: string): HostView | undefined {
  const recorded = attachmentHost(model, path);
  if (recorded) return model.host(recorded.host);
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  return model.hosts.find((h) => new RegExp(`(?:^|[^a-z0-9])${h.name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:[^a-z0-9]|$)`).test(name));
}

/** The subject of a preflight hit: its host's node, or the attachment itself when no host is named. */
export function preflightSubject(model: Model, hit: PreflightHit): { subject: { level: 'node' | 'cluster'; name: string }; objects: ObjectRef[] } {
  if (hit.host) return nodeSubject(model, hit.host);
  return { subject: { level: 'cluster', name: hit.path }, objects: [] };
}

export function preflightEvidence(hit: PreflightHit): Evidence {
  const severity = hit.finding.severity === 'error' ? 'ERROR' : 'WARNING';
  return { path: hit.path, line: hit.finding.line, excerpt: [`[${severity} ${hit.finding.check}]: ${hit.finding.message}`.split('\n')[0]!] };
}

/** `path: reason` for each input that is not usable, for a skip. */
export function missingInputs(model: Model, paths: string[]): string[] {
  return paths.flatMap((p) => (p.includes('*') ? model.artifacts.explainMissing(p).map((m) => `${m.path}: ${m.reason}`) : [`${p}: ${model.artifacts.whyMissing(p) ?? 'present'}`]));
}

/** What a node's collected kernel state says about one setting; undefined when it was not collected. */
export type KernelSettingState = { ok: true } | { ok: false; reason: string; evidence: Evidence[] } | undefined;

/**
 * The shape of every "a kernel setting a node needs is off" rule (br_netfilter, ip_forward): one finding
 * per node whose current state is wrong, plus kubeadm preflight failures in attachments, except those
 * about a node whose current state is right again (fixed since the attempt).
 */
export function kernelSettingFindings(
  model: Model,
  ja: boolean,
  spec: { state: (host: string) => KernelSettingState; preflight: RegExp; skipReason: Localized; inputs: string[] },
): { findings: FindingDraft[]; skip?: { reason: string; missing: string[] } } {
  const findings = new Map<string, FindingDraft>();
  let judged = false;
  for (const host of nodeHosts(model)) {
    const state = spec.state(host.name);
    if (state === undefined) continue;
    judged = true;
    if (state.ok) continue;
    const { subject, objects } = nodeSubject(model, host);
    findings.set(subject.name, { subject, objects, evidence: state.evidence, values: { reason: state.reason } });
  }
  for (const hit of preflightHits(model, spec.preflight)) {
    judged = true;
    if (hit.host && spec.state(hit.host.name)?.ok) continue;
    const { subject, objects } = preflightSubject(model, hit);
    const existing = findings.get(subject.name);
    if (existing) {
      existing.evidence.push(preflightEvidence(hit));
      continue;
    }
    const reason = ja ? `kubeadm の preflight が ${hit.finding.check} で失敗` : `kubeadm preflight failed ${hit.finding.check}`;
    findings.set(subject.name, { subject, objects, evidence: [preflightEvidence(hit)], values: { reason } });
  }
  if (!judged) return { findings: [], skip: { reason: ja ? spec.skipReason.ja : spec.skipReason.en, missing: missingInputs(model, spec.inputs) } };
  return { findings: [...findings.values()] };
}

export interface NodeAllocation {
  node: NodeView;
  /** status.allocatable in units (cores, bytes, counts); undefined when the node reports none. */
  allocatable: Record<string, number>;
  /** Sum of the requests of the pods bound to the node that still hold them (not Succeeded/Failed). */
  requested: { cpu: number; memory: number };
  pods: number;
}

/** What each node offers the scheduler and what its pods already reserved, from node and pod objects. */
export function nodeAllocations(model: Model): NodeAllocation[] {
  const requested = new Map<string, { cpu: number; memory: number; pods: number }>();
  for (const p of model.pods()) {
    const n = p.obj.spec?.nodeName;
    const phase = p.obj.status?.phase;
    if (!n || phase === 'Succeeded' || phase === 'Failed') continue;
    const r = podRequests(p.obj);
    const acc = requested.get(n) ?? { cpu: 0, memory: 0, pods: 0 };
    requested.set(n, { cpu: acc.cpu + r.cpu, memory: acc.memory + r.memory, pods: acc.pods + 1 });
  }
  return model.nodes.map((node) => {
    const allocatable: Record<string, number> = {};
    for (const [k, v] of Object.entries(node.item.obj.status?.allocatable ?? {})) {
      const q = parseQuantity(v);
      if (q !== undefined) allocatable[k] = q;
    }
    const r = requested.get(node.name) ?? { cpu: 0, memory: 0, pods: 0 };
    return { node, allocatable, requested: { cpu: r.cpu, memory: r.memory }, pods: r.pods };
  });
}

/** A node condition that is True, with its index for an evidence pointer. */
export function nodeConditionTrue(node: NodeView, type: string): { condition: NodeCondition; index: number } | undefined {
  const index = node.conditions.findIndex((c) => c.type === type && c.status === 'True');
  return index < 0 ? undefined : { condition: node.conditions[index]!, index };
}
