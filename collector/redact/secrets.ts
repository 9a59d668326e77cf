// The default redactors and the line-wise state machine that applies them. Text is handled as latin1
// strings (one char per byte), so any byte sequence round-trips unchanged and only matched secrets change.
//
// Most lines hold no secret: a cheap trigger regex finds the few lines that might, and only those run the
// full rule set. Multi-line secrets (PEM blocks, a pod spec's env `name:` line followed by its `value:`
// line, a TOML `[...auth]` section) are handled with a little state carried from line to line, so the
// redactor works on a stream of any length with memory bounded by one line.
import { PLACEHOLDER_PREFIX, type RedactionKey } from './placeholder.js';
import type { UserRules } from './user-rules.js';

/** Every default redactor, as named in the manifest's per-item `redactions` counts and in placeholders. */
export const REDACTORS = [
  'private-key',
  'kubeconfig-key',
  'bootstrap-token',
  'certificate-key',
  'jwt',
  'bearer',
  'basic-auth',
  'url-credentials',
  'registry-auth',
  'cipassword',
  'wireguard-key',
  'aws-access-key-id',
  'aws-secret-key',
  'secret-value',
] as const;
export type RedactorName = (typeof REDACTORS)[number];

export type Counts = Map<string, number>;

export function addCounts(into: Counts, from: ReadonlyMap<string, number>): void {
  for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

export function countsRecord(counts: ReadonlyMap<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...counts.keys()].sort()) if (counts.get(k)! > 0) out[k] = counts.get(k)!;
  return out;
}

// Names of keys, env vars and flags whose values are secrets. `pass` alone only as a whole word part
// (DB_PASS) so that passthrough/bypass/compass stay.
const SECRET_TERM = String.raw`(?:pass(?:word|wd|phrase)|(?<![a-z])pass(?![a-z])|pwd|secret|token|api[_.-]?key|access[_.-]?key|credential|private[_.-]?key|auth[_.-]?key|certificate[_.-]?key)`;
const NAME = String.raw`[A-Za-z0-9_.-]*?${SECRET_TERM}[A-Za-z0-9_.-]*`;
const SECRET_NAME = new RegExp(SECRET_TERM, 'i');

// A name that mentions a secret but holds something else: where the secret lives, what it is called, how
// long it lasts. `discovery-token-ca-cert-hash` is the classic: a CA hash the join rules need.
const NOT_A_SECRET_NAME =
  /(name|names|ref|refs|file|files|path|paths|dir|ttl|type|types|length|len|expiry|expiration|seconds|expires|usage|usages|group|groups|mode|format|policy|enabled|enable|count|size|url|uri|endpoint|issuer|audience|audiences|source|volume|volumes|mount|hash|id|ids|duration|period|timeout|limit|max|min|header|field|keyref|selector|template|algorithm|request|requests|review|reviewer|rotation|strategy|provider|env|store|resource|resources|webhook|cacheable|required)$/;

export function isSecretName(name: string): boolean {
  if (!SECRET_NAME.test(name)) return false;
  return !NOT_A_SECRET_NAME.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

const NOT_A_SECRET_VALUE = /^(?:true|false|yes|no|on|off|null|nil|none|~|\*+|x+|-+|\d+(?:\.\d+)?[smhd]?)$/i;

/** Values that are not secrets even under a secret-looking name: references, paths, flags, placeholders. */
function isSecretValue(value: string): boolean {
  if (value.length === 0 || value.includes(PLACEHOLDER_PREFIX)) return false;
  if (NOT_A_SECRET_VALUE.test(value)) return false;
  return !/^(?:\/|~\/|\.\.?\/|\$\{|\$\(|\{\{|file:|<none>|<unset>)/.test(value);
}

function unquote(raw: string): { open: string; inner: string; close: string } {
  const q = raw[0];
  if ((q === '"' || q === "'") && raw.length >= 2 && raw.endsWith(q)) return { open: q, inner: raw.slice(1, -1), close: q };
  return { open: '', inner: raw, close: '' };
}

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----/;
const PEM_END = /-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
const ONLY_PLACEHOLDER = /^\s*(?:\\n)?\s*(<redacted:[a-z0-9-]+:[0-9a-f]{8}>)\s*(?:\\n)?\s*$/;
const PEM_BEGIN_ALL = new RegExp(PEM_BEGIN.source, 'g');
const PEM_INLINE = /(-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----)([\s\S]*?)(-----END \2PRIVATE KEY\3-----)/g;

// Lines worth a closer look: every rule below needs one of these in the line it matches. Two short
// literal alternations scan at several hundred MB/s; one long one with anchors and mixed case did not.
// A URL is only a suspect when a user part follows its scheme (`://…@`): plain URLs fill many log lines.
// Likewise a bare `key` is not (controllers log `key="ns/name"` on every sync); only the key names the
// rules below redact are.
const TRIGGER = /pass|pwd|secret|token|(?:api|access|private|auth|certificate|client|preshared)[_.\s-]?key|bearer|auth|credential|:\/\/[^\s/@]*@/gi;
const TRIGGER_CASED = /eyJ|AKIA|ASIA|LS0tLS1CRUdJTi/g;

type Replace = (kind: string, secret: string) => string;

interface LineRule {
  name: RedactorName;
  re: RegExp;
  /** A literal (lower case) the line must contain for the rule to be tried at all; a cheap pre-check. */
  needs?: string;
  /** Receives the match; returns the replacement text. */
  fn: (m: RegExpExecArray | string[], replace: Replace) => string;
}

function lastMatch(re: RegExp, text: string): RegExpExecArray | null {
  re.lastIndex = 0;
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) last = m;
  return last;
}

function rule(name: RedactorName, re: RegExp, fn: LineRule['fn'], needs?: string): LineRule {
  return { name, re, fn, ...(needs ? { needs } : {}) };
}

// Order matters: specific redactors first, so a JWT bearer token is counted once, as a JWT, and the
// generic secret-value rule only sees what nobody else claimed (placeholders are never re-redacted).
const LINE_RULES: LineRule[] = [
  rule('kubeconfig-key', /(client-key-data["']?\s*:\s*["']?)([A-Za-z0-9+/=]{16,})/g, (m, r) => `${m[1]}${r('kubeconfig-key', m[2]!)}`, 'client-key-data'),
  rule('private-key', /LS0tLS1CRUdJTi[A-Za-z0-9+/]{20,}={0,2}/g, (m, r) => {
    const head = Buffer.from(m[0]!.slice(0, 64), 'base64').toString('latin1');
    return /PRIVATE KEY/.test(head) ? r('private-key', m[0]!) : m[0]!;
  }, 'ls0tls1crudjti'),
  rule('jwt', /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, (m, r) => r('jwt', m[0]!), 'eyj'),
  rule('bearer', /\b(Bearer\s+)([A-Za-z0-9._~+/-]{8,}=*)/gi, (m, r) => `${m[1]}${r('bearer', m[2]!)}`, 'bearer'),
  rule('basic-auth', /(Authorization["']?\s*[:=]\s*["']?Basic\s+)([A-Za-z0-9+/]{6,}=*)/gi, (m, r) => `${m[1]}${r('basic-auth', m[2]!)}`, 'basic'),
  rule('bootstrap-token', /(^|[^A-Za-z0-9._-])([a-z0-9]{6})\.([a-z0-9]{16})(?![A-Za-z0-9_-])/g, (m, r) => `${m[1]}${m[2]}.${r('bootstrap-token', `${m[2]}.${m[3]}`)}`, 'token'),
  rule('certificate-key', /((?:--certificate-key|certificateKey|certificate-key|certificate_key)["']?(?:\s*[=:]\s*|\s+)["']?)([0-9a-fA-F]{64})(?![0-9a-fA-F])/g, (m, r) => `${m[1]}${r('certificate-key', m[2]!)}`, 'certificate'),
  rule('aws-access-key-id', /\b((?:AKIA|ASIA)[A-Z0-9]{16})\b/g, (m, r) => r('aws-access-key-id', m[1]!)),
  rule('aws-secret-key', /((?:aws_secret_access_key|secret_access_key|SecretAccessKey|AWS_SECRET_ACCESS_KEY)["']?\s*[=:]\s*["']?)([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/g, (m, r) => `${m[1]}${r('aws-secret-key', m[2]!)}`, 'secret'),
  rule('wireguard-key', /^(\s*(?:PrivateKey|PresharedKey)\s*=\s*)([A-Za-z0-9+/]{42,43}=)/g, (m, r) => `${m[1]}${r('wireguard-key', m[2]!)}`, 'key'),
  rule('cipassword', /^(\s*cipassword\s*:\s*)(\S(?:.*\S)?)/g, (m, r) => (m[2]!.includes(PLACEHOLDER_PREFIX) ? m[0]! : `${m[1]}${r('cipassword', m[2]!)}`), 'cipassword'),
  rule('url-credentials', /(\b[A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/:@<>"']+)(?::([^\s/@<>"']+))?@/g, (m, r) => {
    if (m[3] !== undefined) return m[3].startsWith(PLACEHOLDER_PREFIX) ? m[0]! : `${m[1]}${m[2]}:${r('url-credentials', m[3])}@`;
    // A lone user part is a token when it is long (https://<token>@github.com); a short one is a user name.
    return m[2]!.length >= 20 && !m[2]!.startsWith(PLACEHOLDER_PREFIX) ? `${m[1]}${r('url-credentials', m[2]!)}@` : m[0]!;
  }, '://'),
  rule('registry-auth', /("auth"\s*:\s*")([A-Za-z0-9+/]{8,}=*)(")/g, (m, r) => `${m[1]}${r('registry-auth', m[2]!)}${m[3]}`, '"auth"'),
  // YAML `password: two words` takes the rest of the line; quoted values are left to the next rule.
  rule('secret-value', new RegExp(String.raw`^(\s*(?:-\s+)?)(${NAME})(\s*:[ \t]+)(?!["'|>&*!{\[])(\S(?:.*?\S)?)(\s+#.*)?$`, 'gi'), (m, r) =>
    isSecretName(m[2]!) && isSecretValue(m[4]!) ? `${m[1]}${m[2]}${m[3]}${r('secret-value', m[4]!)}${m[5] ?? ''}` : m[0]!,
  ),
  // key=value, key: value, "key": "value", key = "value" (env, flags, logfmt, JSON, TOML, INI).
  rule('secret-value', new RegExp(String.raw`(^|[^A-Za-z0-9_.:-])(["']?)(${NAME})\2(\s*[:=]\s*)(?!\$[{(])("(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;{}\[\]&"'<>\\]+)`, 'gi'), (m, r) => {
    const v = unquote(m[5]!);
    return isSecretName(m[3]!) && isSecretValue(v.inner) ? `${m[1]}${m[2]}${m[3]}${m[2]}${m[4]}${v.open}${r('secret-value', v.inner)}${v.close}` : m[0]!;
  }),
  // --password VALUE (flags with the value as the next word).
  rule('secret-value', new RegExp(String.raw`(^|\s)(--?${NAME})(\s+)(?![-<])("(?:[^"\\]|\\.)*"|[^\s"']+)`, 'gi'), (m, r) => {
    const v = unquote(m[4]!);
    return isSecretName(m[2]!) && isSecretValue(v.inner) ? `${m[1]}${m[2]}${m[3]}${v.open}${r('secret-value', v.inner)}${v.close}` : m[0]!;
  }),
  // An env entry on one line, also inside kubectl's last-applied-configuration (escaped JSON).
  rule('secret-value', /(\\?"name\\?"\s*:\s*\\?")([^"\\]*)(\\?"\s*,\s*\\?"value\\?"\s*:\s*\\?")((?:[^"\\]|\\[^"])*)(\\?")/g, (m, r) =>
    isSecretName(m[2]!) && isSecretValue(m[4]!) ? `${m[1]}${m[2]}${m[3]}${r('secret-value', m[4]!)}${m[5]}` : m[0]!,
  ),
];

const ENV_NAME_LINE = /^\s*(?:-\s+)?"?name"?\s*:\s*"?([^"]*?)"?\s*,?\s*$/;
const ENV_VALUE_LINE = /^(\s*(?:-\s+)?"?value"?\s*:\s*)("(?:[^"\\]|\\.)*"|'[^']*'|\S(?:.*\S)?)(\s*,?\s*)$/;
const TOML_HEADER = /^\s*\[\[?([^\]]*)\]\]?\s*(?:#.*)?$/;
const TOML_AUTH_VALUE = /^(\s*["']?(?:auth|password|identitytoken|identity_token)["']?\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')/;

interface OpenPem {
  indent: string;
  body: string[];
  bytes: number;
}

/** Cap on a PEM body held while waiting for its END line; real keys are a few KiB. */
const PEM_BODY_LIMIT = 64 * 1024;

export class TextRedactor {
  readonly counts: Counts = new Map();
  private pem: OpenPem | null = null;
  /** Lines left in which a `value:` belongs to the secret-looking env `name:` seen before it. */
  private pendingEnvValue = 0;
  private inAuthSection = false;
  private readonly replace: Replace;
  private readonly user: UserRules | null;

  constructor(key: RedactionKey, user: UserRules | null) {
    this.user = user;
    this.replace = (kind, secret) => {
      this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
      return key.placeholder(kind, secret);
    };
  }

  /** Redacts complete lines (the last one may lack its newline only at the end of the stream). */
  block(text: string): string {
    const out: string[] = [];
    let pos = 0;
    let nextA = -2;
    let nextB = -2;
    const next = (re: RegExp, known: number): number => {
      if (known === -1 || known >= pos) return known;
      re.lastIndex = pos;
      return re.exec(text)?.index ?? -1;
    };
    while (pos < text.length) {
      if (this.pem === null && this.pendingEnvValue === 0 && !this.inAuthSection) {
        nextA = next(TRIGGER, nextA);
        nextB = next(TRIGGER_CASED, nextB);
        const hit = nextA === -1 ? nextB : nextB === -1 ? nextA : Math.min(nextA, nextB);
        if (hit === -1) {
          out.push(text.slice(pos));
          break;
        }
        const lineStart = hit === 0 ? 0 : text.lastIndexOf('\n', hit - 1) + 1;
        const from = Math.max(lineStart, pos);
        if (from > pos) out.push(text.slice(pos, from));
        pos = from;
      }
      const nl = text.indexOf('\n', pos);
      const end = nl === -1 ? text.length : nl;
      const done = this.line(text.slice(pos, end));
      if (done !== null) {
        out.push(done);
        if (nl !== -1) out.push('\n');
      }
      pos = end + 1;
    }
    const joined = out.length === 1 && out[0]!.length === text.length ? text : out.join('');
    return this.user ? this.user.apply(joined, this.replace) : joined;
  }

  /** What is still held at the end of the stream: an unterminated PEM block becomes its placeholder. */
  end(): string {
    if (this.pem === null) return '';
    const pem = this.pem;
    this.pem = null;
    return `${pem.indent}${this.pemBody(pem.body.join('\n'))}\n`;
  }

  /** A body that is already a placeholder (a bundle redacted before) stays as it is, uncounted. */
  private pemBody(body: string): string {
    const done = ONLY_PLACEHOLDER.exec(body);
    return done ? done[1]! : this.replace('private-key', body);
  }

  /** The redacted line, or null when the line is swallowed (inside a PEM body). */
  private line(line: string): string | null {
    if (this.pem !== null) return this.pemLine(line);
    if (this.pendingEnvValue > 0) {
      this.pendingEnvValue--;
      const v = ENV_VALUE_LINE.exec(line);
      if (v) {
        this.pendingEnvValue = 0;
        const q = unquote(v[2]!);
        if (isSecretValue(q.inner)) return `${v[1]}${q.open}${this.replace('secret-value', q.inner)}${q.close}${v[3]}`;
        return line;
      }
      if (/^\s*[}\]]/.test(line)) this.pendingEnvValue = 0;
    }
    const header = TOML_HEADER.exec(line);
    if (header) this.inAuthSection = /\.auth$/.test(header[1]!.trim());
    let out = line;
    if (PEM_BEGIN.test(out)) {
      out = out.replace(PEM_INLINE, (_all, begin: string, _kind, _block, body: string, end: string) => `${begin}${this.pemBody(body)}${end}`);
      const open = lastMatch(PEM_BEGIN_ALL, out);
      if (open && !PEM_END.test(out.slice(open.index))) {
        // A block that continues on the next lines: keep what precedes the body, hold the body.
        const cut = open.index + open[0].length;
        this.pem = { indent: /^\s*/.exec(out)![0], body: [out.slice(cut)], bytes: out.length - cut };
        return this.rules(out.slice(0, cut));
      }
    }
    if (this.inAuthSection) {
      const a = TOML_AUTH_VALUE.exec(out);
      if (a) {
        const q = unquote(a[2]!);
        if (isSecretValue(q.inner)) out = `${a[1]}${q.open}${this.replace('registry-auth', q.inner)}${q.close}${out.slice(a[0].length)}`;
      }
    }
    out = this.rules(out);
    const name = ENV_NAME_LINE.exec(out);
    if (name && isSecretName(name[1]!)) this.pendingEnvValue = 2;
    return out;
  }

  private rules(line: string): string {
    let out = line;
    const lower = line.toLowerCase();
    for (const r of LINE_RULES) {
      if (r.needs !== undefined && !lower.includes(r.needs)) continue;
      r.re.lastIndex = 0;
      if (!r.re.test(out)) continue;
      r.re.lastIndex = 0;
      out = out.replace(r.re, (...args: unknown[]) => r.fn(args.slice(0, -2) as string[], this.replace));
    }
    return out;
  }

  private pemLine(line: string): string | null {
    const pem = this.pem!;
    const end = PEM_END.exec(line);
    if (end === null) {
      if (pem.bytes < PEM_BODY_LIMIT) {
        pem.body.push(line);
        pem.bytes += line.length + 1;
      }
      return null;
    }
    pem.body.push(line.slice(0, end.index));
    this.pem = null;
    // The body lines were swallowed; the placeholder takes their place, on its own line, then END.
    return `${pem.indent}${this.pemBody(pem.body.join('\n'))}\n${pem.indent}${line.slice(end.index)}`;
  }
}
