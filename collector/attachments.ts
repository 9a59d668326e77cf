// Attachments that belong to a host: `--attach cp1:kubeadm-init.log` (or `labsnap attach BUNDLE cp1:FILE`)
// says so; without a host, an attachment whose content names exactly one inventory host (a shell prompt
// `root@cp1:~#`, its node name, its address) is attributed to that host, and the manifest says it was
// inferred and from what.
import { isIP } from 'node:net';
import { open } from 'node:fs/promises';
import { TailBuffer } from './transports/local.js';

/** The manifest fields that say which host an attachment belongs to, and how that was decided. */
export function attributeAttachment(given: string | null, data: Buffer, hosts: readonly HostRef[]): { host?: string; hostAttribution?: 'given' | 'inferred'; hostAttributionReason?: string } {
  if (given !== null) return { host: given, hostAttribution: 'given' };
  const inferred = inferHost(data, hosts);
  return inferred ? { host: inferred.host, hostAttribution: 'inferred', hostAttributionReason: `its content ${inferred.reason}` } : {};
}

export interface HostRef {
  name: string;
  address: string;
}

export interface AttachArg {
  /** The host named before the colon; null when none was. */
  host: string | null;
  /** The file part, as given. */
  file: string;
}

/**
 * `[HOST:]FILE`. The part before the first colon is a host only when it is one of `hosts`, so a file name
 * with a colon in it still works; a name that looks like a host but is not one is reported by the caller.
 */
export function parseAttachArg(given: string, hosts: readonly string[]): AttachArg {
  const colon = given.indexOf(':');
  if (colon > 0) {
    const head = given.slice(0, colon);
    if (hosts.includes(head)) return { host: head, file: given.slice(colon + 1) };
  }
  return { host: null, file: given };
}

/** The part before a colon that looks like a host name but is not an inventory host, for a clear error. */
export function unknownHostPrefix(given: string, hosts: readonly string[]): string | null {
  const m = /^([A-Za-z0-9][A-Za-z0-9.-]{0,62}):(?!\/)/.exec(given);
  if (!m || hosts.includes(m[1]!)) return null;
  return m[1]!;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** How much of an attachment is read to find host names: plenty for a terminal log, bounded for a huge file. */
const SCAN_BYTES = 4 * 1024 * 1024;

/**
 * The one inventory host the content names, with what named it; null when it names none or several.
 * A name counts only as a whole word (`pve` in `pve-firewall` does not), an address only as a whole address.
 */
export function inferHost(data: Buffer, hosts: readonly HostRef[]): { host: string; reason: string } | null {
  const text = data.subarray(0, SCAN_BYTES).toString('utf8');
  const named = new Map<string, string>();
  for (const h of hosts) {
    const byName = new RegExp(`(?<![A-Za-z0-9_.-])${escape(h.name)}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])`, 'i').exec(text);
    // Where, not what: the line itself may hold a secret the manifest must not repeat.
    if (byName) {
      named.set(h.name, `names ${h.name} (first on line ${lineAt(text, byName.index)})`);
      continue;
    }
    if (isIP(h.address) !== 0) {
      const byAddress = new RegExp(`(?<![0-9A-Fa-f.:])${escape(h.address)}(?![0-9A-Fa-f]|\\.[0-9])`).exec(text);
      if (byAddress) named.set(h.name, `names ${h.name}'s address ${h.address} (first on line ${lineAt(text, byAddress.index)})`);
    }
  }
  if (named.size !== 1) return null;
  const [host, reason] = [...named][0]!;
  return { host, reason };
}

/** An attachment's content, or its last maxBytes when it is larger (the end of a log is what explains it). */
export async function readAttachmentTail(file: string, maxBytes: number): Promise<{ data: Buffer; truncated: boolean }> {
  const tail = new TailBuffer(maxBytes);
  const fh = await open(file, 'r');
  try {
    for await (const chunk of fh.createReadStream()) tail.push(chunk as Buffer);
  } finally {
    await fh.close().catch(() => undefined);
  }
  return { data: tail.result(), truncated: tail.truncated };
}
