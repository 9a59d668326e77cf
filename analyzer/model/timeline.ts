// "Recent changes" (the seed's 変更点): what happened in the hours before collection, merged from
// events, rollouts, package installs and service restarts, newest first.
import type { TimelineEntry } from '../report/types.js';
import type { LogHits } from '../engine/types.js';
import type { KubeEvent, KubeItem, KubeObject } from './kube-types.js';
import type { Model } from './model.js';
import { compareText } from '../../common/compare.js';

export const TIMELINE_WINDOW_MS = 24 * 3600 * 1000;
const TIMELINE_LIMIT = 60;

/** Lifecycle lines systemd writes for kubelet/containerd; scanned like any rule pattern. */
export const RESTART_PATTERN = {
  sources: ['journal-kubelet', 'journal-containerd'] as ('journal-kubelet' | 'journal-containerd')[],
  regex: '(?:Started|Stopped) (?:kubelet|containerd)|Scheduled restart job|Main process exited|Failed with result',
};

const ISO_PREFIX = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))\s/;

function isoOf(value: string | undefined): string | undefined {
  const t = msOf(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

function rollouts(model: Model): TimelineEntry[] {
  return model.kube<KubeObject>('replicasets').flatMap((rs: KubeItem<KubeObject>) => {
    const at = isoOf(rs.obj.metadata?.creationTimestamp);
    const owner = rs.obj.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment')?.name;
    if (!at || !owner) return [];
    const revision = rs.obj.metadata?.annotations?.['deployment.kubernetes.io/revision'];
    return [{ at, kind: 'rollout' as const, text: `Deployment ${rs.namespace}/${owner} rolled out ReplicaSet ${rs.name}${revision ? ` (revision ${revision})` : ''}`, path: rs.path }];
  });
}

function msOf(value: string | undefined): number {
  if (!value) return NaN;
  return Date.parse(value.endsWith('Z') ? value : value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/**
 * Events are many (100 000 in a busy week) and only the newest few make the timeline: their times are
 * parsed once, and entries are built only for those that can still make it.
 */
function events(model: Model, start: number, end: number): TimelineEntry[] {
  const candidates: { t: number; item: KubeItem<KubeEvent> }[] = [];
  for (const item of model.events()) {
    const e = item.obj;
    const t = msOf(e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp);
    if (t >= start && t <= end) candidates.push({ t, item });
  }
  candidates.sort((a, b) => b.t - a.t || compareText(a.item.path, b.item.path) || a.item.index - b.item.index);
  return candidates.slice(0, TIMELINE_LIMIT).map(({ t, item }) => {
    const e = item.obj;
    const obj = e.involvedObject;
    const count = e.count ?? e.series?.count;
    const text = `${e.type ?? 'Normal'} ${e.reason ?? ''} ${obj?.kind ?? ''} ${obj?.namespace ? `${obj.namespace}/` : ''}${obj?.name ?? ''}: ${e.message ?? ''}${count && count > 1 ? ` (×${count})` : ''}`;
    return { at: new Date(t).toISOString(), kind: 'event' as const, text: text.replace(/\s+/g, ' ').trim(), path: item.path };
  });
}

function restarts(hits: LogHits): TimelineEntry[] {
  return hits.hits.flatMap((h) => {
    const m = ISO_PREFIX.exec(h.text);
    const at = isoOf(m?.[1]);
    if (!at) return [];
    const message = h.text.slice(m![0].length).replace(/^\S+\s+/, '');
    return [{ at, kind: 'restart' as const, ...(h.host ? { host: h.host } : {}), text: message, path: h.path, line: h.line }];
  });
}

export function buildTimeline(model: Model, restartHits: LogHits, extra: TimelineEntry[] = []): TimelineEntry[] {
  const end = model.collectedAt.getTime();
  const start = end - TIMELINE_WINDOW_MS;
  const entries = [...events(model, start, end + 60_000), ...rollouts(model), ...restarts(restartHits), ...extra].filter((e) => {
    const t = Date.parse(e.at);
    return t >= start && t <= end + 60_000;
  });
  entries.sort((a, b) => compareText(b.at, a.at) || compareText(a.kind, b.kind) || compareText(a.path, b.path) || (a.line ?? 0) - (b.line ?? 0) || compareText(a.text, b.text));
  return entries.slice(0, TIMELINE_LIMIT);
}
