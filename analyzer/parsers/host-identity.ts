// Small identity artifacts of a host: os-release, uname, hostname, machine-id, DMI product_uuid, the clock
// line the collector records (`date +%s.%N`), timezone and uptime. Each is tolerant of the variants
// different distributions and tools print; each returns undefined fields rather than guessing.

import { splitLines, type ParseContext } from './common.js';

export interface OsReleaseFacts {
  id?: string;
  versionId?: string;
  prettyName?: string;
  versionCodename?: string;
  /** Every KEY=value pair, unquoted, with its line. */
  fields: Record<string, { value: string; line: number }>;
}

export function parseOsRelease(text: string): OsReleaseFacts {
  const fields: OsReleaseFacts['fields'] = Object.create(null) as OsReleaseFacts['fields'];
  splitLines(text).forEach((raw, index) => {
    const m = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(raw);
    if (!m) return;
    fields[m[1]!] = { value: unquoteShell(m[2]!.trim()), line: index + 1 };
  });
  return {
    ...optional('id', fields['ID']?.value),
    ...optional('versionId', fields['VERSION_ID']?.value),
    ...optional('prettyName', fields['PRETTY_NAME']?.value),
    ...optional('versionCodename', fields['VERSION_CODENAME']?.value),
    fields,
  };
}

function unquoteShell(value: string): string {
  const quoted = /^(["'])(.*)\1$/.exec(value);
  if (!quoted) return value;
  return quoted[1] === '"' ? quoted[2]!.replace(/\\(["\\$`])/g, '$1') : quoted[2]!;
}

export interface UnameFacts {
  kernelRelease?: string;
  nodename?: string;
  machine?: string;
  /** Proxmox VE kernels end in `-pve`. */
  proxmoxKernel: boolean;
  line?: number;
}

/** `uname -a` ("Linux pve1 6.8.12-4-pve #1 SMP ... x86_64 GNU/Linux") or `uname -r` ("6.8.12-4-pve"). */
export function parseUname(text: string): UnameFacts {
  const lines = splitLines(text);
  const index = lines.findIndex((l) => l.trim() !== '');
  if (index < 0) return { proxmoxKernel: false };
  const tokens = lines[index]!.trim().split(/\s+/);
  let kernelRelease: string | undefined;
  let nodename: string | undefined;
  let machine: string | undefined;
  if (tokens.length === 1) {
    kernelRelease = tokens[0];
  } else if (tokens[0] === 'Linux' && tokens.length >= 3) {
    nodename = tokens[1];
    kernelRelease = tokens[2];
    const last = tokens[tokens.length - 1];
    const candidate = last === 'GNU/Linux' ? tokens[tokens.length - 2] : last;
    if (candidate !== undefined && /^(x86_64|aarch64|arm64|armv\d+l?|i[3-6]86|riscv64|ppc64le|s390x)$/.test(candidate)) machine = candidate;
  }
  return {
    ...optional('kernelRelease', kernelRelease),
    ...optional('nodename', nodename),
    ...optional('machine', machine),
    proxmoxKernel: kernelRelease !== undefined && /-pve$/.test(kernelRelease),
    line: index + 1,
  };
}

export interface HostnameFacts {
  hostname?: string;
  /** The first label, which is what Kubernetes node names and Proxmox VM names are usually compared with. */
  shortName?: string;
  line?: number;
}

export function parseHostname(text: string): HostnameFacts {
  const first = firstValue(text);
  if (!first) return {};
  const hostname = first.value.split(/\s+/)[0]!;
  return { hostname, shortName: hostname.split('.')[0]!, line: first.line };
}

export interface MachineIdFacts {
  /** 32 lowercase hex digits; absent when the file is empty or "uninitialized" (a template not yet booted). */
  machineId?: string;
  /** The raw first line when it is present but not a valid id. */
  invalid?: string;
  line?: number;
}

export function parseMachineId(text: string): MachineIdFacts {
  const first = firstValue(text);
  if (!first || first.value === 'uninitialized') return {};
  const value = first.value.toLowerCase();
  return /^[0-9a-f]{32}$/.test(value) ? { machineId: value, line: first.line } : { invalid: first.value, line: first.line };
}

export interface ProductUuidFacts {
  uuid?: string;
  /**
   * Firmware placeholders that many machines share (all zeros, all F, the well-known
   * 03000200-0400-0500-0006-000700080009); equal placeholders do not prove a cloned VM.
   */
  placeholder: boolean;
  line?: number;
}

const PLACEHOLDER_UUIDS = new Set([
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '03000200-0400-0500-0006-000700080009',
]);

export function parseProductUuid(text: string): ProductUuidFacts {
  const first = firstValue(text);
  if (!first) return { placeholder: false };
  const uuid = first.value.toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(uuid)) return { placeholder: false };
  return { uuid, placeholder: PLACEHOLDER_UUIDS.has(uuid), line: first.line };
}

export interface ClockFacts {
  /** The host's clock as Unix epoch milliseconds (fraction beyond ms dropped). */
  epochMs?: number;
  iso?: string;
  /** Host clock minus collection time; positive when the host runs ahead. Needs a context. */
  offsetFromCollectionMs?: number;
  line?: number;
}

/** `date +%s.%N`; busybox date prints `%N` literally, which leaves whole seconds. */
export function parseClock(text: string, ctx?: ParseContext): ClockFacts {
  const first = firstValue(text);
  const m = first && /^(-?\d{1,12})(?:\.(\d+|N))?$/.exec(first.value);
  if (!first || !m) return {};
  const fraction = m[2] !== undefined && m[2] !== 'N' ? m[2] : '';
  const epochMs = Number(m[1]) * 1000 + Number(fraction.slice(0, 3).padEnd(3, '0'));
  const date = new Date(epochMs);
  if (Number.isNaN(date.getTime())) return { line: first.line };
  return {
    epochMs,
    iso: date.toISOString(),
    ...(ctx ? { offsetFromCollectionMs: epochMs - ctx.collectedAt.getTime() } : {}),
    line: first.line,
  };
}

export interface TimezoneFacts {
  timezone?: string;
  ntpEnabled?: boolean;
  ntpSynchronized?: boolean;
  localRtc?: boolean;
  line?: number;
}

/** `timedatectl show` (Key=value lines) or `/etc/timezone` (a single zone name). */
export function parseTimezone(text: string): TimezoneFacts {
  const lines = splitLines(text);
  const facts: TimezoneFacts = {};
  const yes = (v: string) => v === 'yes';
  lines.forEach((raw, index) => {
    const kv = /^\s*(\w+)=(.*)$/.exec(raw);
    if (!kv) return;
    const [, key, value] = kv as unknown as [string, string, string];
    if (key === 'Timezone') {
      facts.timezone = value.trim();
      facts.line = index + 1;
    } else if (key === 'NTP') facts.ntpEnabled = yes(value);
    else if (key === 'NTPSynchronized') facts.ntpSynchronized = yes(value);
    else if (key === 'LocalRTC') facts.localRtc = yes(value);
  });
  if (facts.timezone === undefined) {
    const first = firstValue(text);
    if (first && /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/.test(first.value)) {
      facts.timezone = first.value;
      facts.line = first.line;
    }
  }
  return facts;
}

export interface UptimeFacts {
  uptimeSeconds?: number;
  /** From `uptime -s` (host-local time, no zone) or, with a context, collection time minus uptime (UTC). */
  bootTime?: string;
  loadAverage?: [number, number, number];
  users?: number;
  line?: number;
}

/** `uptime`, `uptime -p`, `uptime -s` or `/proc/uptime`. */
export function parseUptime(text: string, ctx?: ParseContext): UptimeFacts {
  const first = firstValue(text);
  if (!first) return {};
  const v = first.value;
  const line = first.line;
  const withBoot = (uptimeSeconds: number): UptimeFacts =>
    ctx ? { uptimeSeconds, bootTime: new Date(ctx.collectedAt.getTime() - uptimeSeconds * 1000).toISOString() } : { uptimeSeconds };

  const proc = /^(\d+(?:\.\d+)?)\s+\d+(?:\.\d+)?$/.exec(v);
  if (proc) return { ...withBoot(Math.floor(Number(proc[1]))), line };
  const since = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(v);
  if (since) return { bootTime: `${since[1]}T${since[2]}`, line };
  if (/^up\s/.test(v)) {
    const seconds = sumDurations(v);
    return seconds !== undefined ? { ...withBoot(seconds), line } : { line };
  }
  const classic = /\bup\s+(.*?),\s+(\d+)\s+users?,\s+load averages?:\s*([\d.]+),?\s+([\d.]+),?\s+([\d.]+)/.exec(v) ??
    /\bup\s+(.*?),\s+()load averages?:\s*([\d.]+),?\s+([\d.]+),?\s+([\d.]+)/.exec(v);
  if (!classic) return { line };
  const seconds = classicUptimeSeconds(classic[1]!);
  return {
    ...(seconds !== undefined ? withBoot(seconds) : {}),
    loadAverage: [Number(classic[3]), Number(classic[4]), Number(classic[5])],
    ...(classic[2] !== '' ? { users: Number(classic[2]) } : {}),
    line,
  };
}

const UNIT_SECONDS: Record<string, number> = { year: 31_536_000, week: 604_800, day: 86_400, hour: 3_600, minute: 60, min: 60 };

function sumDurations(text: string): number | undefined {
  let total = 0;
  let found = false;
  for (const m of text.matchAll(/(\d+)\s+(year|week|day|hour|minute|min)s?\b/g)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
    found = true;
  }
  return found ? total : undefined;
}

// "12 days,  3:04", "3:04", "45 min", "1 day, 2 min": the classic form mixes unit words and h:mm.
function classicUptimeSeconds(text: string): number | undefined {
  const clock = /(\d+):(\d{2})\s*$/.exec(text);
  const words = sumDurations(text);
  if (!clock && words === undefined) return undefined;
  return (words ?? 0) + (clock ? Number(clock[1]) * 3600 + Number(clock[2]) * 60 : 0);
}

function firstValue(text: string): { value: string; line: number } | undefined {
  const lines = splitLines(text);
  const index = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  return index < 0 ? undefined : { value: lines[index]!.trim(), line: index + 1 };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
