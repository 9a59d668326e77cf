// Kubernetes component logs: klog's text header (`E0416 22:26:30.150357    1234 kubelet.go:2373] msg`)
// followed by either a plain message (older components, or printf-style calls) or the structured form
// (`"msg" key="value" err="..."`), and the JSON format (`--logging-format=json`, also zap-style loggers
// such as etcd's). Pass a journald entry's message here to read kubelet lines out of the journal.
import { ParseError, splitLines, type ParseContext } from './common.js';
import { isoOrNull, parseClock, parseIsoPrefix, yearlessToEpoch } from './log-time.js';
import { readGoQuoted, scanKeyValues } from './log-logfmt.js';

export type KlogSeverity = 'info' | 'warning' | 'error' | 'fatal';

export interface KlogLine {
  format: 'klog' | 'json';
  severity: KlogSeverity;
  /** ISO UTC, or null; klog prints no year (taken from the collection) and no zone (UTC unless told). */
  time: string | null;
  threadId: number | null;
  /** `kubelet.go:2373`, or the JSON `caller`. */
  source: string | null;
  message: string;
  /** Structured key/value pairs; empty for plain messages. */
  fields: Record<string, string>;
  /** The `err` (or `error`) value, where the line carries one. */
  err: string | null;
}

export interface KlogOptions {
  /** Zone offset of the node's clock for klog headers, which carry none; UTC when unknown. */
  utcOffsetMinutes?: number;
}

const SEVERITY_LETTERS: Record<string, KlogSeverity> = { I: 'info', W: 'warning', E: 'error', F: 'fatal' };

const JSON_LEVELS: Record<string, KlogSeverity> = {
  debug: 'info', info: 'info', warn: 'warning', warning: 'warning', error: 'error', dpanic: 'error',
  panic: 'fatal', fatal: 'fatal',
};

function messageAndFields(text: string): { message: string; fields: Record<string, string> } {
  if (text.startsWith('"')) {
    const quoted = readGoQuoted(text, 0);
    if (quoted.closed && (quoted.end === text.length || text[quoted.end] === ' ')) {
      const scan = scanKeyValues(text, quoted.end);
      if (scan.complete) return { message: quoted.value, fields: scan.fields };
    }
  }
  return { message: text, fields: Object.create(null) as Record<string, string> };
}

function parseJsonLine(line: string): KlogLine | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const message = typeof record['msg'] === 'string' ? record['msg'] : typeof record['message'] === 'string' ? record['message'] : null;
  if (message === null) return null;
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, field] of Object.entries(record)) {
    if (key === 'msg' || key === 'message') continue;
    fields[key] = typeof field === 'string' ? field : JSON.stringify(field);
  }
  let ms = NaN;
  const ts = record['ts'] ?? record['time'] ?? record['timestamp'];
  // Kubernetes' JSON format writes epoch seconds as a float; zap configurations elsewhere write ms or RFC 3339.
  if (typeof ts === 'number') ms = ts > 1e11 ? ts : ts * 1000;
  else if (typeof ts === 'string') ms = parseIsoPrefix(ts)?.ms ?? NaN;
  const errValue = fields['err'] ?? fields['error'] ?? null;
  const level = typeof record['level'] === 'string' ? JSON_LEVELS[record['level'].toLowerCase()] : undefined;
  return {
    format: 'json',
    severity: level ?? (errValue !== null ? 'error' : 'info'),
    time: isoOrNull(ms),
    threadId: null,
    source: typeof record['caller'] === 'string' ? record['caller'] : null,
    message,
    fields,
    err: errValue,
  };
}

/** Parses one klog or JSON log line; null when it is neither (plain output, stack-trace lines). */
export function parseKlogLine(line: string, ctx: ParseContext, options: KlogOptions = {}): KlogLine | null {
  if (line.charCodeAt(0) === 123 /* { */) return parseJsonLine(line);
  const severity = SEVERITY_LETTERS[line[0] ?? ''];
  if (!severity || line.charCodeAt(5) !== 32) return null;
  const month = Number(line.slice(1, 3));
  const day = Number(line.slice(3, 5));
  if (!Number.isInteger(month) || !Number.isInteger(day) || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const clock = parseClock(line, 6);
  if (!clock) return null;
  let i = clock.end;
  while (line.charCodeAt(i) === 32) i++;
  const threadStart = i;
  while (i < line.length && line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57) i++;
  if (i === threadStart || line.charCodeAt(i) !== 32) return null;
  const threadId = Number(line.slice(threadStart, i));
  const close = line.indexOf(']', i);
  if (close < 0) return null;
  const source = line.slice(i + 1, close);
  const { message, fields } = messageAndFields(line.slice(close + 2));
  const ms = yearlessToEpoch(month - 1, day, clock.ms, ctx.collectedAt, options.utcOffsetMinutes);
  return {
    format: 'klog',
    severity,
    time: isoOrNull(ms),
    threadId,
    source,
    message,
    fields,
    err: fields['err'] ?? fields['error'] ?? null,
  };
}

export interface KlogText {
  /** Log lines with their 1-based line; indented continuation lines are appended to the message. */
  lines: (KlogLine & { line: number })[];
  unrecognizedLines: number[];
}

/** Parses a whole component log; ParseError when no line is klog or JSON-format. */
export function parseKlog(text: string, ctx: ParseContext, options: KlogOptions = {}): KlogText {
  const result: KlogText = { lines: [], unrecognizedLines: [] };
  let previous: (KlogLine & { line: number }) | undefined;
  splitLines(text).forEach((raw, index) => {
    const parsed = parseKlogLine(raw, ctx, options);
    if (parsed) {
      previous = { ...parsed, line: index + 1 };
      result.lines.push(previous);
    } else if (previous && (raw.startsWith(' ') || raw.startsWith('\t'))) {
      previous.message += `\n${raw.trim()}`;
    } else if (raw.trim().length > 0) {
      previous = undefined;
      result.unrecognizedLines.push(index + 1);
    }
  });
  if (result.lines.length === 0 && result.unrecognizedLines.length > 0) {
    throw new ParseError(`${ctx.path}: no klog or JSON log lines`, result.unrecognizedLines[0]);
  }
  return result;
}
