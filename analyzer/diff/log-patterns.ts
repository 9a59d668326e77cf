// Warnings and errors in logs, counted by pattern: the same message with other numbers, ids, addresses
// or times is the same pattern, so "appeared since the old bundle" means a new kind of message, not a
// new timestamp. Runs inside the normal single pass over a bundle (buildFacts), as a LogScanner that
// wants every log, and holds one sample line per pattern, never a log.
import type { ArtifactRef } from '../../bundle/layout.js';
import { compareText } from '../../common/compare.js';
import { LogScanner, logSourceOf } from '../facts/log-scan.js';
import type { KubeEvent, KubeItem } from '../model/kube-types.js';

export interface LogPattern {
  /** journal-kubelet, journal-containerd, journal-kernel, journal-pve-firewall, pod-logs, attachments, events. */
  source: string;
  /** Which program or container wrote it: `kubelet`, `demo/api` (namespace/container), an event reason. */
  origin: string;
  level: 'error' | 'warning';
  pattern: string;
  count: number;
  /** Hosts or pods it was seen on. */
  where: string[];
  /** One line as written, with where it is. */
  sample: { path: string; line: number; text: string };
}

/** Distinct patterns kept per bundle; past this, lines are counted under "(other patterns)". */
const MAX_PATTERNS = 20_000;
const MAX_SAMPLE = 400;

const KLOG = /^([EWF])\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ ([^\]]+)\] ?/;
const JOURNAL_PREFIX = /^\S+ (\S+) ([^\s:[]+)(?:\[\d+\])?: /;
const POD_PREFIX = /^\d{4}-\d\d-\d\dT\S+ /;

function levelOf(text: string): 'error' | 'warning' | undefined {
  const k = KLOG.exec(text);
  if (k) return k[1] === 'W' ? 'warning' : 'error';
  if (/^I\d{4} /.test(text)) return undefined;
  const json = /"(?:level|severity|lvl)"\s*:\s*"(\w+)"/i.exec(text);
  const logfmt = /\b(?:level|lvl|severity)=("?)(\w+)\1/i.exec(text);
  const word = (json?.[1] ?? logfmt?.[2])?.toLowerCase();
  if (word) {
    if (/^(warn|warning)$/.test(word)) return 'warning';
    if (/^(err|error|fatal|panic|crit|critical|alert|emerg)$/.test(word)) return 'error';
    return undefined;
  }
  if (/\[(warn|warning)\]|\bwarn(ing)?:/i.test(text)) return 'warning';
  if (/\[(error|err|fatal|crit)\]|\b(error|fatal|panic):/i.test(text)) return 'error';
  if (/\b(failed|failure|refused|timed out|timeout|unreachable|denied|cannot|can't|unable to|no route|not found|invalid|exceeded|expired|oom|killed)\b/i.test(text)) return 'warning';
  return undefined;
}

/** The message with what changes from one occurrence to the next replaced by placeholders. */
export function normalizeMessage(text: string): string {
  return text
    // Escaped whitespace inside quoted error strings (`\t`, `\n`) would glue numbers to letters.
    .replace(/\\[tnr]/g, ' ')
    .replace(/\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?/g, '<time>')
    .replace(/\b\d\d:\d\d:\d\d(?:\.\d+)?\b/g, '<time>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uid>')
    .replace(/\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/gi, '<mac>')
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?(?::\d+)?\b/g, '<ip>')
    .replace(/\bsha256:[0-9a-f]{12,}\b/gi, 'sha256:<hash>')
    .replace(/\b[0-9a-f]{12,}\b/gi, '<hex>')
    // Pod names of controllers: web-6d4cf56db6-9w4dn, speaker-4748d.
    .replace(/\b([a-z][a-z0-9-]*?)-(?:[a-z0-9]{8,10}-)?[bcdfghjklmnpqrstvwxz2456789]{5}(?![a-z0-9])/g, '$1-<pod>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/(?<![A-Za-z0-9])\d+(?:\.\d+)*/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_SAMPLE);
}

interface Bucket extends LogPattern {
  whereSet: Set<string>;
}

export class WarningPatterns extends LogScanner {
  private readonly buckets = new Map<string, Bucket>();
  private overflow = 0;

  constructor() {
    super(new Map());
  }

  override wants(ref: ArtifactRef): boolean {
    return logSourceOf(ref) !== undefined;
  }

  override async scan(path: string, ref: ArtifactRef, chunks: AsyncIterable<string>): Promise<void> {
    const source = logSourceOf(ref);
    if (source === undefined) return;
    let carry = '';
    let lineNo = 0;
    const take = (line: string) => {
      lineNo++;
      this.line(source, ref, path, lineNo, line.endsWith('\r') ? line.slice(0, -1) : line);
    };
    for await (const chunk of chunks) {
      const text = carry + chunk;
      const parts = text.split('\n');
      carry = parts.pop()!;
      for (const l of parts) take(l);
    }
    if (carry.length > 0) take(carry);
  }

  private line(source: string, ref: ArtifactRef, path: string, lineNo: number, raw: string): void {
    let text = raw;
    let origin: string;
    let where: string;
    if (ref.area === 'pod-log') {
      text = text.replace(POD_PREFIX, '');
      origin = `${ref.namespace}/${ref.container}`;
      where = `${ref.namespace}/${ref.pod}`;
    } else {
      const j = JOURNAL_PREFIX.exec(text);
      origin = j ? j[2]! : source;
      if (j) text = text.slice(j[0].length);
      where = ref.area === 'host-cmd' || ref.area === 'host-file' ? ref.host : ref.area === 'attachment' ? ref.name : path;
    }
    const level = levelOf(text);
    if (!level) return;
    const k = KLOG.exec(text);
    const message = k ? `${k[2]!.replace(/:\d+$/, '')}] ${text.slice(k[0].length)}` : text;
    this.add({ source, origin, level, pattern: normalizeMessage(message), where, sample: { path, line: lineNo, text: raw.slice(0, MAX_SAMPLE) } });
  }

  private add(p: { source: string; origin: string; level: 'error' | 'warning'; pattern: string; where: string; sample: LogPattern['sample'] }, occurrences = 1): void {
    let key = `${p.source}\u0000${p.origin}\u0000${p.pattern}`;
    if (!this.buckets.has(key) && this.buckets.size >= MAX_PATTERNS) {
      this.overflow++;
      key = `${p.source}\u0000${p.origin}\u0000(other patterns)`;
      if (!this.buckets.has(key)) this.buckets.set(key, { ...p, pattern: '(other patterns)', count: 0, where: [], whereSet: new Set() });
    }
    const b = this.buckets.get(key);
    if (b) {
      b.count += occurrences;
      b.whereSet.add(p.where);
      if (p.level === 'error') b.level = 'error';
      return;
    }
    this.buckets.set(key, { source: p.source, origin: p.origin, level: p.level, pattern: p.pattern, count: occurrences, where: [], whereSet: new Set([p.where]), sample: p.sample });
  }

  /** Warning events count as patterns too (source `events`, origin the reason). */
  addEvents(events: KubeItem<KubeEvent>[]): void {
    for (const item of events) {
      const e = item.obj;
      if (e.type !== 'Warning') continue;
      const ns = item.namespace ?? '';
      // A repeated event is one object with a count; it stands for that many occurrences.
      this.add({
        source: 'events',
        origin: e.reason ?? 'Warning',
        level: 'warning',
        pattern: normalizeMessage(`${e.involvedObject?.kind ?? ''}: ${e.message ?? ''}`),
        where: `${ns}/${e.involvedObject?.name ?? ''}`,
        sample: { path: item.path, line: 0, text: `${e.reason ?? ''}: ${e.message ?? ''}`.slice(0, MAX_SAMPLE) },
      }, Math.max(1, e.series?.count ?? e.count ?? 1));
    }
  }

  collected(): LogPattern[] {
    return [...this.buckets.values()]
      .map(({ whereSet, ...b }) => ({ ...b, where: [...whereSet].sort(compareText) }))
      .sort((a, b) => compareText(a.source, b.source) || compareText(a.origin, b.origin) || compareText(a.pattern, b.pattern));
  }
}

export function patternKey(p: Pick<LogPattern, 'source' | 'origin' | 'pattern'>): string {
  return `${p.source}\u0000${p.origin}\u0000${p.pattern}`;
}
