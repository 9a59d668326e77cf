// Parsing of the collect flags that are not plain numbers, with messages that say what was expected.
import type { HostRole } from '../bundle/manifest.js';
import { UsageError } from '../common/errors.js';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** `30s`, `10m`, `24h`, `2d`, `1h30m`, or bare seconds; returns seconds. */
export function parseDuration(value: string, flag: string): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (text.length === 0 || matched !== text.length || total <= 0) {
    throw new UsageError(`${flag}: ${JSON.stringify(value)} is not a duration; write e.g. 30s, 10m, 24h or 1h30m`);
  }
  return total;
}

export const ROLES: readonly HostRole[] = ['control-plane', 'worker', 'proxmox'];

export function parseRoles(value: string): HostRole[] {
  const roles = value
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (bad.length > 0 || roles.length === 0) {
    throw new UsageError(`--roles: ${bad.length > 0 ? `unknown role ${bad.map((b) => JSON.stringify(b)).join(', ')}` : 'no role given'}; use a comma-separated list of ${ROLES.join(', ')}`);
  }
  return [...new Set(roles)] as HostRole[];
}

const SECRET_ASSIGNMENT = /^(--?[^=]*(?:password|passwd|token|secret|credential)[^=]*=|[^=]*(?:password|passwd|token|secret|credential)[^=]*=)/i;

/**
 * The command line as stored in the manifest: the note is stored on its own, anything shaped like
 * `password=...` loses its value, and the home folder becomes `~` so the bundle does not carry the
 * local user name.
 */
export function sanitizeCommandLine(args: readonly string[], home: string | undefined): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    let a = args[i]!;
    if (a === '--note') {
      out.push(a);
      if (i + 1 < args.length) out.push('<see note>');
      i++;
      continue;
    }
    if (a.startsWith('--note=')) {
      out.push('--note=<see note>');
      continue;
    }
    const m = SECRET_ASSIGNMENT.exec(a);
    if (m) a = `${m[1]}<not recorded>`;
    if (home && home.length > 1) a = a.split(home).join('~');
    out.push(a);
  }
  return out;
}
