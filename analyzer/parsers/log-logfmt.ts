// key=value pairs as Go loggers print them: klog's structured form (`"msg" key="value" err="..."`) and
// logrus (`time="..." level=error msg="..."`). Values are bare words, Go-quoted strings (strconv.Quote escapes),
// or bracketed Go/JSON literals (`containerID={"Type":"containerd","ID":"..."}`). Every scan is a single
// forward pass so a hostile line cannot make it backtrack.

export interface QuotedString {
  value: string;
  /** Index just after the closing quote, or the line's length when the quote is never closed. */
  end: number;
  closed: boolean;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v' };

/** Reads a Go double-quoted string starting at `start` (which must be the opening quote). */
export function readGoQuoted(s: string, start: number): QuotedString {
  let out = '';
  let i = start + 1;
  let runStart = i;
  while (i < s.length) {
    const ch = s[i];
    if (ch === '"') return { value: out + s.slice(runStart, i), end: i + 1, closed: true };
    if (ch !== '\\') {
      i++;
      continue;
    }
    out += s.slice(runStart, i);
    const kind = s[i + 1];
    if (kind === undefined) {
      i++;
      runStart = i;
      break;
    }
    const simple = SIMPLE_ESCAPES[kind];
    let width = 2;
    if (simple !== undefined) out += simple;
    else if (kind === 'u' || kind === 'x' || kind === 'U') {
      const hexLength = kind === 'x' ? 2 : kind === 'u' ? 4 : 8;
      const hex = s.slice(i + 2, i + 2 + hexLength);
      const code = /^[0-9a-fA-F]+$/.test(hex) && hex.length === hexLength ? parseInt(hex, 16) : NaN;
      if (Number.isFinite(code) && code <= 0x10ffff) {
        out += String.fromCodePoint(code);
        width = 2 + hexLength;
      } else out += `\\${kind}`;
    } else out += `\\${kind}`;
    i += width;
    runStart = i;
  }
  return { value: out + s.slice(runStart, Math.min(i, s.length)), end: s.length, closed: false };
}

/** End index of a bracketed literal starting at `start`, honouring nested brackets and quoted strings. */
function bracketedEnd(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const ch = s[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return s.length;
}

export interface KeyValueScan {
  fields: Record<string, string>;
  /** False when the text after the pairs is not key=value (then `fields` holds what came before it). */
  complete: boolean;
}

function isKeyChar(code: number): boolean {
  // Letters, digits and the punctuation keys use in practice (`pod.name`, `node-name`, `key_1`, `v`).
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 || code === 46 || code === 45 || code === 47
  );
}

/** Scans `key=value` pairs from `start` to the end of `s`. */
export function scanKeyValues(s: string, start = 0): KeyValueScan {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = start;
  const n = s.length;
  for (;;) {
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= n) return { fields, complete: true };
    const keyStart = i;
    while (i < n && isKeyChar(s.charCodeAt(i))) i++;
    if (i === keyStart || s[i] !== '=') return { fields, complete: false };
    const key = s.slice(keyStart, i);
    i++;
    const first = s[i];
    if (first === '"') {
      const quoted = readGoQuoted(s, i);
      fields[key] = quoted.value;
      i = quoted.end;
    } else if (first === '{' || first === '[') {
      const end = bracketedEnd(s, i);
      fields[key] = s.slice(i, end);
      i = end;
    } else {
      const valueStart = i;
      while (i < n && s[i] !== ' ' && s[i] !== '\t') i++;
      fields[key] = s.slice(valueStart, i);
    }
  }
}
