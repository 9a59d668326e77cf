// `crictl ps -a` and `crictl pods` tables, and crictl's failure when it cannot talk to the runtime
// (the usual first sign that containerd is down, its socket path is wrong, or its CRI plugin is disabled).
import { ParseError, splitLines, type ParseContext } from './common.js';
import { tableCells, tableColumns, type TableColumn } from './kube-table.js';

export interface CrictlContainer {
  id: string;
  image: string;
  /** As printed: `About a minute ago`, `3 hours ago`. */
  created: string;
  /** `created` in seconds before collection (approximate, as crictl rounds); null when unreadable. */
  ageSeconds: number | null;
  /** `Running`, `Exited`, `Created`, `Unknown`. */
  state: string;
  name: string;
  attempt: number | null;
  podId: string | null;
  podName: string | null;
  namespace: string | null;
  line: number;
}

export interface CrictlPod {
  id: string;
  created: string;
  ageSeconds: number | null;
  /** `Ready` or `NotReady`. */
  state: string;
  name: string;
  namespace: string;
  attempt: number | null;
  runtime: string | null;
  line: number;
}

export type CrictlFailureReason =
  | 'socket-missing'
  | 'connection-refused'
  | 'permission-denied'
  | 'cri-not-implemented'
  | 'timeout'
  | 'other';

export interface CrictlFailure {
  reason: CrictlFailureReason;
  /** The socket crictl tried, e.g. `unix:///run/containerd/containerd.sock`, when the message names it. */
  endpoint: string | null;
  message: string;
  line: number;
}

export interface CrictlOutput {
  kind: 'containers' | 'pods' | 'failure';
  containers: CrictlContainer[];
  pods: CrictlPod[];
  failure: CrictlFailure | null;
}

const UNIT_SECONDS: Record<string, number> = {
  second: 1, minute: 60, hour: 3600, day: 86400, week: 604800, month: 2592000, year: 31536000,
};

/** Seconds in docker/go-units' HumanDuration (`About a minute ago`, `3 hours ago`, `Less than a second ago`). */
export function humanDurationSeconds(text: string): number | null {
  const words = text.toLowerCase().replace(/ ago$/, '').trim();
  if (words.startsWith('less than a second')) return 0;
  const match = /^(?:about )?(an?|\d+) (second|minute|hour|day|week|month|year)s?$/.exec(words);
  if (!match) return null;
  const count = match[1] === 'a' || match[1] === 'an' ? 1 : Number(match[1]);
  return count * UNIT_SECONDS[match[2]!]!;
}

function endpointOf(message: string): string | null {
  const named = /\b((?:unix|npipe):\/\/[^\s"\\]+)/.exec(message);
  if (named) return named[1]!.replace(/:$/, '');
  const dialed = /dial unix ([^\s"\\]+)/.exec(message);
  return dialed ? `unix://${dialed[1]!.replace(/:$/, '')}` : null;
}

function failureOf(message: string, line: number): CrictlFailure {
  const endpoint = endpointOf(message);
  let reason: CrictlFailureReason = 'other';
  if (/not implemented|unknown service runtime\.v1/i.test(message)) reason = 'cri-not-implemented';
  else if (/no such file or directory/.test(message)) reason = 'socket-missing';
  else if (/connection refused/.test(message)) reason = 'connection-refused';
  else if (/permission denied/.test(message)) reason = 'permission-denied';
  else if (/deadline exceeded|i\/o timeout|timed out/i.test(message)) reason = 'timeout';
  return { reason, endpoint, message, line };
}

function attemptOf(cell: string): number | null {
  return /^\d+$/.test(cell) ? Number(cell) : null;
}

/** Parses `crictl ps -a` or `crictl pods` output, or the error crictl printed instead. */
export function parseCrictl(text: string, ctx: ParseContext): CrictlOutput {
  const result: CrictlOutput = { kind: 'containers', containers: [], pods: [], failure: null };
  let columns: TableColumn[] | undefined;
  let names: string[] = [];
  let headerSeen = false;
  const lines = splitLines(text);
  lines.forEach((line, index) => {
    if (!columns) {
      if (/^(?:CONTAINER|POD ID)\s/.test(line)) {
        columns = tableColumns(line);
        names = columns.map((column) => column.name);
        result.kind = names[0] === 'POD ID' ? 'pods' : 'containers';
        headerSeen = true;
      } else if (!result.failure && /level=fatal|^FATA\[|^E\d{4} |rpc error|validate service connection/.test(line)) {
        result.failure = failureOf(line, index + 1);
      }
      return;
    }
    if (line.trim() === '') return;
    const cells = tableCells(line, columns);
    const cell = (...candidates: string[]): string => {
      for (const candidate of candidates) {
        const at = names.indexOf(candidate);
        if (at >= 0) return cells[at] ?? '';
      }
      return '';
    };
    const created = cell('CREATED');
    const ageSeconds = humanDurationSeconds(created);
    if (result.kind === 'pods') {
      result.pods.push({
        id: cell('POD ID'), created, ageSeconds, state: cell('STATE'), name: cell('NAME'), namespace: cell('NAMESPACE'),
        attempt: attemptOf(cell('ATTEMPT')), runtime: cell('RUNTIME') || null, line: index + 1,
      });
    } else {
      result.containers.push({
        id: cell('CONTAINER', 'CONTAINER ID'), image: cell('IMAGE'), created, ageSeconds, state: cell('STATE'),
        name: cell('NAME'), attempt: attemptOf(cell('ATTEMPT')), podId: cell('POD ID') || null, podName: cell('POD') || null,
        namespace: cell('NAMESPACE') || null, line: index + 1,
      });
    }
  });
  if (!headerSeen) {
    if (result.failure) result.kind = 'failure';
    else if (text.trim().length > 0) throw new ParseError(`${ctx.path}: not crictl ps/pods output`);
  }
  return result;
}
