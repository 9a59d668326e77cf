// "Recent changes" (the seed's 変更点): what happened in the hours before collection, merged from
// events, rollouts, package installs and service restarts, newest first.
import type { TimelineEntry } from '../report/types.js';
import type { LogHits } from '../engine/types.js';
import type { KubeEvent, KubeItem, KubeObject } from './kube-types.js';
import type { Model } from './model.js';
import { bundlePath, HOST_CMD, HOST_FILE } from '../../bundle/layout.js';
import type { AptHistoryFacts } from '../parsers/host-apt-history.js';
import type { TimezoneFacts } from '../parsers/host-identity.js';
import { compareText } from '../../common/compare.js';

export const TIMELINE_WINDOW_MS = 24 * 3600 * 1000;
/** Changes (packages, rollouts, restarts) are what the method asks for first; events fill in around them. */
const CHANGE_LIMIT = 40;
const EVENT_LIMIT = 30;

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
  return candidates.slice(0, EVENT_LIMIT).map(({ t, item }) => {
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

/** Offset of an IANA zone from UTC at an instant, in ms (Intl carries the tz database). */
function zoneOffsetMs(zone: string, at: number): number | undefined {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(at));
    const v = (t: string) => Number(parts.find((p) => p.type === t)?.value);
    return Date.UTC(v('year'), v('month') - 1, v('day'), v('hour'), v('minute'), v('second')) - Math.floor(at / 1000) * 1000;
  } catch {
    return undefined;
  }
}

/** apt's local `YYYY-MM-DDTHH:MM:SS` on a host in `zone` → UTC ms; UTC when the zone is unknown. */
function localToUtc(local: string, zone: string | undefined): number {
  const asUtc = Date.parse(`${local}Z`);
  if (Number.isNaN(asUtc) || !zone) return asUtc;
  const first = zoneOffsetMs(zone, asUtc);
  if (first === undefined) return asUtc;
  // A second pass settles instants near a DST change, where the offset at the guess differs.
  return asUtc - (zoneOffsetMs(zone, asUtc - first) ?? first);
}

function packages(model: Model): TimelineEntry[] {
  return model.hosts.flatMap((h) => {
    const path = bundlePath.hostFile(h.name, HOST_FILE.aptHistory);
    const history = model.parsed<AptHistoryFacts>(path);
    if (!history) return [];
    const zone = model.parsed<TimezoneFacts>(bundlePath.hostCmd(h.name, HOST_CMD.timezone))?.timezone;
    return history.entries.flatMap((e) => {
      const t = e.start ? localToUtc(e.start, zone) : NaN;
      if (Number.isNaN(t)) return [];
      const changed = (Object.entries(e.packages) as [string, { name: string; version?: string; fromVersion?: string; automatic: boolean }[]][])
        .filter(([, list]) => list.length > 0)
        .map(([action, list]) => {
          const requested = list.filter((p) => !p.automatic);
          const shown = (requested.length > 0 ? requested : list).slice(0, 6);
          const names = shown.map((p) => (p.fromVersion ? `${p.name} ${p.fromVersion} → ${p.version ?? '?'}` : `${p.name}${p.version ? ` ${p.version}` : ''}`));
          const more = list.length - shown.length;
          return `${action} ${names.join(', ')}${more > 0 ? ` (+${more})` : ''}`;
        });
      const what = changed.length > 0 ? changed.join('; ') : e.commandLine ?? 'apt transaction';
      return [{ at: new Date(t).toISOString(), kind: 'package' as const, host: h.name, text: `apt: ${what}${e.error ? ` (error: ${e.error})` : ''}`, path, line: e.line }];
    });
  });
}

export function buildTimeline(model: Model, restartHits: LogHits): TimelineEntry[] {
  const end = model.collectedAt.getTime();
  const start = end - TIMELINE_WINDOW_MS;
  const inWindow = (e: TimelineEntry) => {
    const t = Date.parse(e.at);
    return t >= start && t <= end + 60_000;
  };
  const newestFirst = (a: TimelineEntry, b: TimelineEntry) =>
    compareText(b.at, a.at) || compareText(a.kind, b.kind) || compareText(a.path, b.path) || (a.line ?? 0) - (b.line ?? 0) || compareText(a.text, b.text);
  const changes = [...packages(model), ...rollouts(model), ...restarts(restartHits)].filter(inWindow).sort(newestFirst).slice(0, CHANGE_LIMIT);
  return [...changes, ...events(model, start, end + 60_000)].sort(newestFirst);
}
