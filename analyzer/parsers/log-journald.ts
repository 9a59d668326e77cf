// journalctl text output: `short` (`Nov 27 10:00:00 host unit[pid]: msg`, with the month in the node's
// locale, e.g. `11月 27 10:00:00`), `short-precise`, `short-iso` and `short-iso-precise`. The line function is
// the hot path of the analyzer's log scan: it walks the line by index, with no regular expressions.
import { ParseError, splitLines, type ParseContext } from './common.js';
import { isoOrNull, monthIndex, parseClock, parseIsoPrefix, yearlessToEpoch } from './log-time.js';

export interface JournalEntry {
  kind: 'entry';
  /** ISO UTC; null when the timestamp could not be read. Yearless dates take the year from the collection. */
  time: string | null;
  host: string;
  /** Syslog identifier (`kubelet`, `systemd`, `kernel`); null when the line carries none. */
  unit: string | null;
  pid: number | null;
  message: string;
}

export type JournalMarkerKind = 'boot' | 'reboot' | 'no-entries' | 'logs-begin';

export interface JournalMarker {
  kind: 'marker';
  marker: JournalMarkerKind;
  bootId?: string;
  text: string;
}

export type JournalLine = JournalEntry | JournalMarker;

export interface JournalOptions {
  /** Zone offset of the node for dates printed without one (`short`); UTC when unknown. */
  utcOffsetMinutes?: number;
}

function parseMarker(line: string): JournalMarker | null {
  if (!line.endsWith(' --') || line.length < 6) return null;
  const text = line.slice(3, -3).trim();
  if (text.startsWith('Boot ')) return { kind: 'marker', marker: 'boot', bootId: text.slice(5).trim(), text };
  if (text === 'Reboot') return { kind: 'marker', marker: 'reboot', text };
  if (text === 'No entries') return { kind: 'marker', marker: 'no-entries', text };
  // systemd < 246 prints "Logs begin at", later versions "Journal begins at".
  if (text.startsWith('Logs begin at') || text.startsWith('Journal begins at')) return { kind: 'marker', marker: 'logs-begin', text };
  return null;
}

/** Parses one journalctl line; null for continuation lines and lines of no journald shape. */
export function parseJournalLine(line: string, ctx: ParseContext, options: JournalOptions = {}): JournalLine | null {
  const first = line.charCodeAt(0);
  if (first === 45 /* - */ && line.startsWith('-- ')) return parseMarker(line);
  if (Number.isNaN(first) || first === 32 || first === 9) return null;
  let ms: number;
  let i: number;
  if (first >= 48 && first <= 57 && line.charCodeAt(4) === 45) {
    const iso = parseIsoPrefix(line, 0);
    if (!iso) return null;
    ms = iso.ms;
    i = iso.end;
  } else {
    const monthEnd = line.indexOf(' ');
    if (monthEnd <= 0 || monthEnd > 12) return null;
    const month = monthIndex(line.slice(0, monthEnd));
    if (month < 0) return null;
    i = monthEnd;
    while (line.charCodeAt(i) === 32) i++;
    let day = 0;
    const dayStart = i;
    while (i < line.length && i - dayStart < 2) {
      const c = line.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      day = day * 10 + c;
      i++;
    }
    if (i === dayStart || day < 1 || day > 31 || line.charCodeAt(i) !== 32) return null;
    while (line.charCodeAt(i) === 32) i++;
    const clock = parseClock(line, i);
    if (!clock) return null;
    ms = yearlessToEpoch(month, day, clock.ms, ctx.collectedAt, options.utcOffsetMinutes);
    i = clock.end;
  }
  if (line.charCodeAt(i) !== 32) return null;
  i++;
  const hostEnd = line.indexOf(' ', i);
  const host = hostEnd < 0 ? line.slice(i) : line.slice(i, hostEnd);
  if (host.length === 0) return null;
  const rest = hostEnd < 0 ? '' : line.slice(hostEnd + 1);
  let unit: string | null = null;
  let pid: number | null = null;
  let message = rest;
  const space = rest.indexOf(' ');
  const tagEnd = space < 0 ? rest.length : space;
  if (tagEnd > 1 && rest.charCodeAt(tagEnd - 1) === 58 /* : */) {
    const tag = rest.slice(0, tagEnd - 1);
    message = space < 0 ? '' : rest.slice(space + 1);
    const bracket = tag.indexOf('[');
    if (bracket > 0 && tag.endsWith(']')) {
      unit = tag.slice(0, bracket);
      const n = Number(tag.slice(bracket + 1, -1));
      pid = Number.isInteger(n) ? n : null;
    } else unit = tag;
  }
  return { kind: 'entry', time: isoOrNull(ms), host, unit, pid, message };
}

export interface JournalText {
  /** Entries with their 1-based line; multi-line messages keep their continuation lines, joined by `\n`. */
  entries: (JournalEntry & { line: number })[];
  markers: (JournalMarker & { line: number })[];
  /** Lines that were neither entries, markers nor continuations (e.g. a stray header of an attachment). */
  unrecognizedLines: number[];
}

/** Parses a whole journalctl text; ParseError when no line of it has journald's shape. */
export function parseJournal(text: string, ctx: ParseContext, options: JournalOptions = {}): JournalText {
  const result: JournalText = { entries: [], markers: [], unrecognizedLines: [] };
  const lines = splitLines(text);
  let previous: (JournalEntry & { line: number }) | undefined;
  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const parsed = parseJournalLine(raw, ctx, options);
    if (parsed?.kind === 'entry') {
      previous = { ...parsed, line: index + 1 };
      result.entries.push(previous);
    } else if (parsed?.kind === 'marker') {
      previous = undefined;
      result.markers.push({ ...parsed, line: index + 1 });
    } else if (previous && (raw.startsWith(' ') || raw.startsWith('\t'))) {
      previous.message += `\n${raw.trim()}`;
    } else if (raw.trim().length > 0) {
      previous = undefined;
      result.unrecognizedLines.push(index + 1);
    }
  }
  if (result.entries.length === 0 && result.markers.length === 0 && result.unrecognizedLines.length > 0) {
    throw new ParseError(`${ctx.path}: not journalctl output`, result.unrecognizedLines[0]);
  }
  return result;
}

export type LifecycleKind =
  | 'starting'
  | 'started'
  | 'stopping'
  | 'stopped'
  | 'start-failed'
  | 'main-exited'
  | 'failed'
  | 'restart-scheduled'
  | 'start-limit-hit'
  | 'deactivated';

export interface LifecycleEvent {
  kind: LifecycleKind;
  /** `kubelet.service`; null when systemd named the unit only by its description (systemd < 250). */
  unit: string | null;
  description: string | null;
  /** `exited`, `killed`, `dumped` of "Main process exited, code=...". */
  exitCode?: string;
  /** `1/FAILURE`, `9/KILL`, `255/EXCEPTION`. */
  status?: string;
  restartCounter?: number;
  /** `exit-code`, `signal`, `timeout`, `start-limit-hit` of "Failed with result '...'". */
  result?: string;
}

const UNIT_NAME = /^[\w@:.\\-]+\.(?:service|socket|timer|mount|target|scope|slice|path|swap|device|automount)$/;

function subjectOf(kind: LifecycleKind, subject: string): LifecycleEvent {
  const trimmed = subject.replace(/(?:\.\.\.|…|\.)$/, '');
  const dash = trimmed.indexOf(' - ');
  if (dash > 0 && UNIT_NAME.test(trimmed.slice(0, dash))) {
    return { kind, unit: trimmed.slice(0, dash), description: trimmed.slice(dash + 3) };
  }
  if (UNIT_NAME.test(trimmed)) return { kind, unit: trimmed, description: null };
  return { kind, unit: null, description: trimmed };
}

const SUBJECT_VERBS: readonly [string, LifecycleKind][] = [
  ['Failed to start ', 'start-failed'],
  ['Starting ', 'starting'],
  ['Started ', 'started'],
  ['Stopping ', 'stopping'],
  ['Stopped ', 'stopped'],
];

/** Classifies systemd's own messages about a unit's lifecycle (for the restart/failure timeline); null for
 * anything else, including lines not logged by systemd. Covers the wording of systemd 219 through 256. */
export function classifyLifecycle(entry: Pick<JournalEntry, 'unit' | 'message'>): LifecycleEvent | null {
  if (entry.unit !== 'systemd') return null;
  const message = entry.message;
  for (const [verb, kind] of SUBJECT_VERBS) {
    if (message.startsWith(verb)) return subjectOf(kind, message.slice(verb.length));
  }
  const oldFailed = /^Unit (\S+) entered failed state\.?$/.exec(message) ?? /^(\S+) failed\.$/.exec(message);
  if (oldFailed && UNIT_NAME.test(oldFailed[1]!)) return { kind: 'failed', unit: oldFailed[1]!, description: null };
  const colon = message.indexOf(': ');
  if (colon <= 0) return null;
  const unit = message.slice(0, colon);
  if (!UNIT_NAME.test(unit)) return null;
  const detail = message.slice(colon + 2);
  const exited = /^main process exited, code=(\w+), status=(\S+?)\.?$/i.exec(detail);
  if (exited) return { kind: 'main-exited', unit, description: null, exitCode: exited[1]!, status: exited[2]! };
  const failed = /^Failed with result '([^']+)'/.exec(detail);
  if (failed) return { kind: 'failed', unit, description: null, result: failed[1]! };
  const restart = /^Scheduled restart job, restart counter is at (\d+)/.exec(detail);
  if (restart) return { kind: 'restart-scheduled', unit, description: null, restartCounter: Number(restart[1]) };
  if (detail.startsWith('Service hold-off time over, scheduling restart') || detail.startsWith('Service RestartSec=')) {
    return { kind: 'restart-scheduled', unit, description: null };
  }
  if (detail.startsWith('Start request repeated too quickly')) return { kind: 'start-limit-hit', unit, description: null };
  if (detail.startsWith('Deactivated successfully')) return { kind: 'deactivated', unit, description: null };
  return null;
}
