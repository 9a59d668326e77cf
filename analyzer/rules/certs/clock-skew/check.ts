// Fires per host whose clock disagrees with the others by more than 30 s at collection (the collector's
// measured offset in the manifest, else the host's `date +%s.%N` against the time the command ran), and
// per host whose logs show what skew breaks: x509 "current time … is before …" (a certificate not yet
// valid because this clock is behind), "certificate is not yet valid", etcd's clock-drift warnings.
import { bundlePath, HOST_CMD } from '../../../../bundle/layout.js';
import { jsonExcerpt } from '../../../engine/evidence.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { HostView, Model } from '../../../model/model.js';
import type { ClockFacts, TimezoneFacts } from '../../../parsers/host-identity.js';
import type { Evidence } from '../../../report/types.js';

const MAX_SPREAD_MS = 30_000;

interface Offset {
  host: HostView;
  ms: number;
  evidence: Evidence;
}

function offsets(model: Model): Offset[] {
  return model.hosts.flatMap((host): Offset[] => {
    if (!host.reached) return [];
    if (typeof host.record.clockOffsetMs === 'number') {
      const i = model.manifest.hosts.indexOf(host.record);
      return [{ host, ms: host.record.clockOffsetMs, evidence: { path: bundlePath.manifest(), pointer: `/hosts/${i}/clockOffsetMs`, excerpt: jsonExcerpt({ name: host.name, clockOffsetMs: host.record.clockOffsetMs }) } }];
    }
    const path = bundlePath.hostCmd(host.name, HOST_CMD.clock);
    const clock = model.artifacts.usable(path) ? model.parsed<ClockFacts>(path) : undefined;
    if (clock?.epochMs === undefined) return [];
    const ranAt = Date.parse(model.artifacts.item(path)?.startedAt ?? model.manifest.collectedAt);
    return [{ host, ms: clock.epochMs - ranAt, evidence: { path, line: clock.line ?? 1, excerpt: [`${clock.iso} (${clock.epochMs / 1000})`] } }];
  });
}

function seconds(ms: number): string {
  const s = Math.abs(ms) / 1000;
  const text = s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 120 ? `${Math.round(s / 60)} min` : `${s.toFixed(1)} s`;
  return text;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const all = offsets(model);
  const logs = ctx.logHits('notYetValid');
  if (all.length === 0 && logs.scanned.length === 0) {
    const missing = [...model.artifacts.explainMissing(`hosts/*/cmd/${HOST_CMD.clock}`), ...model.artifacts.explainMissing('hosts/*/cmd/journal-kubelet.log')].map((m) => `${m.path}: ${m.reason}`);
    return { findings: [], skip: { reason: ja ? 'マニフェストに時刻のずれの記録がなく、時刻の読み取り結果も kubelet のジャーナルもバンドルにない' : 'no clock offsets in the manifest, no clock readings and no kubelet journal in the bundle', missing } };
  }
  const byHost = new Map<string, FindingDraft>();
  const draft = (host: string): FindingDraft => {
    let d = byHost.get(host);
    if (!d) {
      d = { subject: { level: 'host', name: host }, objects: [], evidence: [], values: { what: '' } };
      byHost.set(host, d);
    }
    return d;
  };
  const ms = all.map((o) => o.ms);
  if (all.length >= 2 && Math.max(...ms) - Math.min(...ms) > MAX_SPREAD_MS) {
    const mid = median(ms);
    for (const o of all.filter((x) => Math.abs(x.ms - mid) > MAX_SPREAD_MS / 2)) {
      const d = draft(o.host.name);
      const ahead = o.ms > mid;
      d.evidence.push(o.evidence, ...all.filter((x) => x !== o).slice(0, 2).map((x) => x.evidence));
      if (o.host.node) d.objects!.push({ kind: 'Node', name: o.host.node.name });
      const tzPath = bundlePath.hostCmd(o.host.name, HOST_CMD.timezone);
      const tz = model.parsed<TimezoneFacts>(tzPath);
      const unsynced = tz?.ntpSynchronized === false;
      if (unsynced) d.evidence.push({ path: tzPath, line: 1, excerpt: ctx.excerpt(tzPath, 1, 0, 8).filter((l) => /^NTP/.test(l)) });
      d.values!.clock = ahead ? 'ahead' : 'behind';
      d.values!.what = ja
        ? `時計が他のホストより ${seconds(o.ms - mid)} ${ahead ? '進んでいる' : '遅れている'}${unsynced ? '（NTP 未同期）' : ''}`
        : `clock is ${seconds(o.ms - mid)} ${ahead ? 'ahead of' : 'behind'} the other hosts${unsynced ? ' (NTP not synchronized)' : ''}`;
    }
  }
  for (const h of logs.hits) {
    const host = h.host ?? h.groups?.host;
    const name = host ?? h.path;
    const d = byHost.get(name) ?? draft(name);
    if (!host) d.subject = { level: 'cluster', name };
    d.severity = 'critical';
    if (d.evidence.length < 6) d.evidence.push(h.pointer !== undefined ? { path: h.path, pointer: h.pointer, excerpt: [h.text] } : { path: h.path, line: h.line, excerpt: [h.text] });
    const x509 = ja ? '証明書がまだ有効期間前と判定されている（x509 not yet valid）' : 'certificates are rejected as not yet valid (x509)';
    const current = d.values!.what as string;
    if (!current.includes(x509)) d.values!.what = current ? `${current}${ja ? "。" : "; "}${x509}` : x509;
  }
  return { findings: [...byHost.values()] };
}
