// `systemctl status UNIT --no-pager`: a header block of `Key: value` lines aligned on the colon, a CGroup
// process tree, then (after a blank line) the unit's last journal lines in journalctl's `short` format.
import { ParseError, splitLines, type ParseContext } from './common.js';
import { parseJournalLine, type JournalEntry, type JournalOptions } from './log-journald.js';
import { isoOrNull, parseIsoPrefix, zoneOffsetMinutes } from './log-time.js';

export interface SystemctlProcess {
  pid: number;
  /** `ExecStart`, `ExecStartPre`, ... */
  kind: string;
  command: string;
  /** `code=exited, status=1/FAILURE` split up; undefined while the process still runs. */
  code?: string;
  status?: string;
  line: number;
}

export interface SystemctlUnitStatus {
  unit: string;
  description: string | null;
  line: number;
  /** `loaded`, `not-found`, `masked`, `bad-setting`, `error`. */
  loadState: string | null;
  unitFile: string | null;
  /** `enabled`, `disabled`, `static`, `masked`, `indirect`... */
  enablement: string | null;
  /** `active`, `inactive`, `failed`, `activating`, `deactivating`, `reloading`. */
  activeState: string | null;
  /** The parenthesised state after it: `running`, `dead`, `exited`, `auto-restart`, `start-pre`. */
  subState: string | null;
  /** `exit-code`, `signal`, `timeout`, `core-dump` from `(Result: ...)`. */
  result: string | null;
  /** ISO UTC of `since ...`; null when absent or in an unknown zone. */
  since: string | null;
  activeLine: number | null;
  mainPid: number | null;
  /** The process name while it runs, or undefined. */
  mainProcess?: string;
  mainExitCode?: string;
  mainExitStatus?: string;
  dropIns: string[];
  processes: SystemctlProcess[];
  /** systemd's "changed on disk. Run 'systemctl daemon-reload'" warning. */
  needsDaemonReload: boolean;
  journal: (JournalEntry & { line: number })[];
}

export interface SystemctlStatusText {
  units: SystemctlUnitStatus[];
  /** "Unit kubelet.service could not be found." */
  notFound: { unit: string; line: number }[];
}

// The first line: an optional state glyph (● ○ × ↻ * in non-UTF-8 terminals), the unit, and its description.
const HEADER = /^(?:[●○×↻✗*] )?([\w@:.\\-]+\.[a-z]+)(?: - (.*))?$/;
const FIELD = /^\s*([A-Z][A-Za-z -]*?): (.*)$/;
const NOT_FOUND = /^Unit (\S+) could not be found\.?$/;

function parseSince(text: string): string | null {
  // `Fri 2026-11-27 10:00:00 JST; 3s ago` — the weekday is localized, the rest is fixed.
  const match = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?: (\S+?))?(?:;|$)/.exec(text);
  if (!match) return null;
  const offset = zoneOffsetMinutes(match[3] ?? 'UTC');
  if (offset === undefined) return null;
  const parsed = parseIsoPrefix(`${match[1]}T${match[2]}Z`);
  return parsed ? isoOrNull(parsed.ms - offset * 60_000) : null;
}

function applyActive(unit: SystemctlUnitStatus, value: string, line: number): void {
  unit.activeLine = line;
  const match = /^(\S+)(?: \(([^)]*)\))?(?: \(Result: ([^)]*)\))?/.exec(value);
  if (!match) return;
  unit.activeState = match[1]!;
  const inner = match[2];
  // `failed (Result: exit-code)` puts the result in the first parentheses.
  if (inner?.startsWith('Result: ')) unit.result = inner.slice(8);
  else {
    unit.subState = inner ?? null;
    unit.result = match[3] ?? null;
  }
  const since = value.indexOf(' since ');
  if (since >= 0) unit.since = parseSince(value.slice(since + 7));
}

function applyLoaded(unit: SystemctlUnitStatus, value: string): void {
  const match = /^(\S+)(?: \(([^;)]*)(?:; ([^;)]*))?)?/.exec(value);
  if (!match) return;
  unit.loadState = match[1]!;
  unit.unitFile = match[2] ?? null;
  unit.enablement = match[3] ?? null;
}

function exitOf(text: string): { code?: string; status?: string } {
  const match = /code=(\w+), status=([^)]+)\)/.exec(text);
  return match ? { code: match[1]!, status: match[2]! } : {};
}

/** Parses `systemctl status` output for one or more units. */
export function parseSystemctlStatus(text: string, ctx: ParseContext, options: JournalOptions = {}): SystemctlStatusText {
  const result: SystemctlStatusText = { units: [], notFound: [] };
  let unit: SystemctlUnitStatus | undefined;
  let field = '';
  let inJournal = false;
  let dropInDirectory = '';
  splitLines(text).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trimEnd();
    const notFound = NOT_FOUND.exec(line);
    if (notFound) {
      result.notFound.push({ unit: notFound[1]!, line: lineNo });
      unit = undefined;
      return;
    }
    const header = line.startsWith(' ') ? null : HEADER.exec(line);
    if (header) {
      unit = {
        unit: header[1]!, description: header[2] ?? null, line: lineNo, loadState: null, unitFile: null, enablement: null,
        activeState: null, subState: null, result: null, since: null, activeLine: null, mainPid: null, dropIns: [],
        processes: [], needsDaemonReload: false, journal: [],
      };
      result.units.push(unit);
      inJournal = false;
      field = '';
      return;
    }
    if (!unit) return;
    if (line === '') {
      inJournal = true;
      return;
    }
    if (line.startsWith('Warning: ') && line.includes('daemon-reload')) {
      unit.needsDaemonReload = true;
      return;
    }
    if (inJournal) {
      const entry = parseJournalLine(line, ctx, options);
      if (entry?.kind === 'entry') unit.journal.push({ ...entry, line: lineNo });
      return;
    }
    const match = FIELD.exec(line);
    if (match) {
      field = match[1]!;
      const value = match[2]!.trim();
      if (field === 'Loaded') applyLoaded(unit, value);
      else if (field === 'Active') applyActive(unit, value, lineNo);
      else if (field === 'Drop-In') dropInDirectory = value;
      else if (field === 'Main PID') {
        const pid = /^(\d+)(?: \((.*)\))?/.exec(value);
        if (pid) {
          unit.mainPid = Number(pid[1]);
          const exit = exitOf(value);
          if (exit.code !== undefined) {
            unit.mainExitCode = exit.code;
            unit.mainExitStatus = exit.status;
          } else if (pid[2] !== undefined) unit.mainProcess = pid[2];
        }
      } else if (field === 'Process') {
        const process = /^(\d+) (\w+)=(.*?)(?: \(code=|$)/.exec(value);
        if (process) unit.processes.push({ pid: Number(process[1]), kind: process[2]!, command: process[3]!, ...exitOf(value), line: lineNo });
      }
      return;
    }
    if (field === 'Drop-In') {
      // Continuation lines list the drop-in files (`└─10-kubeadm.conf`, comma-separated when several)
      // of the directory named on the `Drop-In:` line, or name a further directory.
      const entry = line.trim().replace(/^[└├│─|`\- ]+/, '');
      if (entry.startsWith('/')) dropInDirectory = entry;
      else if (entry) for (const name of entry.split(', ')) unit.dropIns.push(`${dropInDirectory}/${name}`);
    }
  });
  if (result.units.length === 0 && result.notFound.length === 0 && text.trim().length > 0) {
    throw new ParseError(`${ctx.path}: not systemctl status output`);
  }
  return result;
}
