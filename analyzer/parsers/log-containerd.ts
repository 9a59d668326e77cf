// containerd's own log: logrus text (`time="2026-11-27T10:00:00.123456789Z" level=error msg="..." error="..."`)
// as it appears in `journalctl -u containerd` messages or a log file, and logrus JSON (`--log-format json`).
import { ParseError, splitLines, type ParseContext } from './common.js';
import { isoOrNull, parseIsoPrefix } from './log-time.js';
import { scanKeyValues } from './log-logfmt.js';

export type ContainerdLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'fatal' | 'panic';

export interface ContainerdLogLine {
  /** ISO UTC (nanoseconds truncated to ms); null when absent or unreadable. */
  time: string | null;
  level: ContainerdLevel | null;
  message: string;
  /** The `error` field, where present. */
  error: string | null;
  /** Every other key (`namespace`, `id`, `runtime`, `type`, `plugin`...). */
  fields: Record<string, string>;
}

const LEVELS: Record<string, ContainerdLevel> = {
  trace: 'trace', debug: 'debug', info: 'info', warn: 'warning', warning: 'warning', error: 'error',
  fatal: 'fatal', panic: 'panic',
};

function fromFields(fields: Record<string, string>): ContainerdLogLine | null {
  const message = fields['msg'];
  if (message === undefined || (fields['time'] === undefined && fields['level'] === undefined)) return null;
  const rest: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(fields)) {
    if (key !== 'time' && key !== 'level' && key !== 'msg' && key !== 'error') rest[key] = value;
  }
  const time = fields['time'] !== undefined ? parseIsoPrefix(fields['time']) : null;
  return {
    time: time ? isoOrNull(time.ms) : null,
    level: LEVELS[(fields['level'] ?? '').toLowerCase()] ?? null,
    message,
    error: fields['error'] ?? null,
    fields: rest,
  };
}

/** Parses one containerd log line; null when it is not logrus output. */
export function parseContainerdLogLine(line: string): ContainerdLogLine | null {
  if (line.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return null;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const fields: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [key, field] of Object.entries(value)) fields[key] = typeof field === 'string' ? field : JSON.stringify(field);
    return fromFields(fields);
  }
  if (!line.startsWith('time=') && !line.startsWith('level=')) return null;
  return fromFields(scanKeyValues(line).fields);
}

export interface ContainerdLogText {
  lines: (ContainerdLogLine & { line: number })[];
  unrecognizedLines: number[];
}

/** Parses a whole containerd log; ParseError when no line is logrus output. */
export function parseContainerdLog(text: string, ctx: ParseContext): ContainerdLogText {
  const result: ContainerdLogText = { lines: [], unrecognizedLines: [] };
  splitLines(text).forEach((raw, index) => {
    const parsed = parseContainerdLogLine(raw);
    if (parsed) result.lines.push({ ...parsed, line: index + 1 });
    else if (raw.trim().length > 0) result.unrecognizedLines.push(index + 1);
  });
  if (result.lines.length === 0 && result.unrecognizedLines.length > 0) {
    throw new ParseError(`${ctx.path}: no containerd log lines`, result.unrecognizedLines[0]);
  }
  return result;
}
