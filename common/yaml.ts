// YAML loading for files people write by hand (inventories, rules, cases, expectations), with a map from
// JSON pointer to source line so validation errors can say `lab.yaml:12: hosts/2/port`.
import { EVENT_ID, getScalarValue, load, parseEvents, YAMLException, type Event } from 'js-yaml';

export interface LocatedYaml {
  value: unknown;
  /** 1-based line of the key (or sequence item) at a JSON pointer, or of its nearest located ancestor. */
  lineOf(pointer: string): number | undefined;
}

export class YamlSyntaxError extends Error {
  override name = 'YamlSyntaxError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: invalid YAML: ${reason}`);
  }
}

function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function offsetToLine(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

type Frame = { kind: 'map'; pointer: string; expectKey: boolean; key: string } | { kind: 'seq'; pointer: string; index: number };

function startOf(ev: Event): number {
  if (ev.type === EVENT_ID.SCALAR) return ev.anchorStart >= 0 ? ev.anchorStart : ev.tagStart >= 0 ? ev.tagStart : ev.valueStart;
  if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) return ev.start;
  if (ev.type === EVENT_ID.ALIAS) return ev.anchorStart;
  return -1;
}

function pointerLines(text: string, events: Event[]): Map<string, number> {
  const starts = lineStarts(text);
  const lines = new Map<string, number>();
  const stack: Frame[] = [];
  const record = (pointer: string, offset: number) => {
    if (offset >= 0 && !lines.has(pointer)) lines.set(pointer, offsetToLine(starts, offset));
  };
  // Returns the pointer a node starting now will occupy, advancing the parent frame.
  const place = (ev: Event): string | undefined => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.kind === 'seq') {
      const pointer = `${top.pointer}/${top.index++}`;
      record(pointer, startOf(ev));
      return pointer;
    }
    if (top.expectKey) {
      top.expectKey = false;
      top.key = ev.type === EVENT_ID.SCALAR ? getScalarValue(text, ev) : '?';
      record(`${top.pointer}/${escapePointerToken(top.key)}`, startOf(ev));
      return undefined;
    }
    top.expectKey = true;
    return `${top.pointer}/${escapePointerToken(top.key)}`;
  };
  let documents = 0;
  for (const ev of events) {
    if (ev.type === EVENT_ID.DOCUMENT) {
      if (documents++ > 0) break; // only the first document is located
      continue;
    }
    if (ev.type === EVENT_ID.POP) {
      stack.pop();
      continue;
    }
    const pointer = place(ev);
    if (ev.type === EVENT_ID.MAPPING || ev.type === EVENT_ID.SEQUENCE) {
      const own = pointer ?? '?';
      record(own, ev.start);
      stack.push(ev.type === EVENT_ID.MAPPING ? { kind: 'map', pointer: own, expectKey: true, key: '' } : { kind: 'seq', pointer: own, index: 0 });
    }
  }
  return lines;
}

/** Parses one YAML document; syntax errors name the file and line. */
export function loadYamlLocated(text: string, file: string): LocatedYaml {
  let value: unknown;
  let events: Event[];
  try {
    value = load(text, { filename: file });
    events = parseEvents(text, { filename: file });
  } catch (err) {
    if (err instanceof YAMLException) {
      const mark = (err as YAMLException & { mark?: { line?: number } }).mark;
      const reason = (err as YAMLException & { reason?: string }).reason ?? err.message;
      throw new YamlSyntaxError(file, mark?.line !== undefined ? mark.line + 1 : undefined, reason);
    }
    throw err;
  }
  const lines = pointerLines(text, events);
  return {
    value,
    lineOf(pointer: string): number | undefined {
      let p = pointer;
      for (;;) {
        const line = lines.get(p);
        if (line !== undefined) return line;
        if (p === '') return undefined;
        p = p.slice(0, Math.max(0, p.lastIndexOf('/')));
      }
    },
  };
}
