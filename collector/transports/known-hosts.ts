// OpenSSH known_hosts files: reading (plain, hashed, [host]:port, wildcards, negation, @revoked,
// @cert-authority), checking a presented host key, and appending a key on first use.
// Other tools in this space switch host-key checking off; labsnap checks exactly as `ssh` would, so a
// bundle never contains data from a host the user did not mean to reach.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface KnownHostEntry {
  marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written: comma-separated patterns, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  key: Buffer;
  file: string;
  line: number;
}

export type HostKeyCheck =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  /** Keys are on record for this host but none is the presented one. */
  | { status: 'mismatch'; entries: KnownHostEntry[] }
  /** Nothing on record; `caOnly` when only @cert-authority lines match, which labsnap cannot use. */
  | { status: 'unknown'; caOnly: boolean };

/** `SHA256:<base64 without padding>`, the form `ssh-keygen -l` and `ssh` print. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name at the start of an SSH public key blob, e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len > keyBlob.length - 4) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** The name OpenSSH looks up and records: bare host on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    } else if (fields[0]?.startsWith('@')) {
      // An unknown marker: OpenSSH ignores such lines, and guessing would be worse.
      continue;
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) continue;
    const key = Buffer.from(keyBase64, 'base64');
    // A corrupt line must not match anything, and a blob that names another type than the line is corrupt.
    if (key.length === 0 || keyTypeOf(key) !== keyType) continue;
    entries.push({ marker, hosts, keyType, key, file, line: i + 1 });
  }
  return entries;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(field: string, name: string): boolean {
  const parts = field.split('|');
  // `|1|salt|hash` splits into ['', '1', salt, hash].
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const expected = Buffer.from(parts[3]!, 'base64');
  const actual = createHmac('sha1', salt).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Does the entry's host field cover `name` (as built by knownHostsName)? */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatches(field, name);
  let matched = false;
  for (const pattern of field.split(',')) {
    if (pattern === '') continue;
    const negated = pattern.startsWith('!');
    const re = globToRegExp(negated ? pattern.slice(1) : pattern);
    if (re.test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export function checkHostKey(entries: readonly KnownHostEntry[], name: string, keyBlob: Buffer): HostKeyCheck {
  const forHost = entries.filter((e) => hostFieldMatches(e.hosts, name));
  const revoked = forHost.find((e) => e.marker === 'revoked' && e.key.equals(keyBlob));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === null);
  const known = plain.find((e) => e.key.equals(keyBlob));
  if (known) return { status: 'known', entry: known };
  if (plain.length > 0) return { status: 'mismatch', entries: plain };
  return { status: 'unknown', caOnly: forHost.some((e) => e.marker === 'cert-authority') };
}

/** Key types on record for a host, so the handshake can ask for one of those first (as `ssh` does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = new Set<string>();
  for (const e of entries) if (e.marker === null && hostFieldMatches(e.hosts, name)) types.add(e.keyType);
  return [...types];
}

/** Reads every file that exists; a missing file is simply empty, as for `ssh`. */
export async function readKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    all.push(...parseKnownHosts(text, file));
  }
  return all;
}

/**
 * Records a host key (trust on first use). One write call per line, so hosts accepted in parallel do not
 * interleave; the file is created 0600 and its folder 0700, like `ssh` does.
 */
export async function appendKnownHost(file: string, name: string, keyBlob: Buffer): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const handle = await fs.open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) prefix = '\n';
      }
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const line = `${prefix}${name} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`;
  await fs.appendFile(file, line, { mode: 0o600 });
}
