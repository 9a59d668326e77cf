// `labsnap inspect`: what a bundle holds and what it is missing, from its manifest and one pass over its
// entries (through the bundle reader, so a hostile bundle is handled the same way as in `analyze`).
import type { ItemRecord, ItemStatus, Manifest } from '../bundle/manifest.js';
import { openBundle } from '../bundle/reader.js';

const STATUSES: readonly ItemStatus[] = ['ok', 'failed', 'timeout', 'not-found', 'permission-denied', 'skipped'];

export type StatusCounts = Record<ItemStatus, number>;

export interface InspectHost {
  name: string;
  address: string;
  roles: string[];
  reached: boolean;
  error: string | null;
  hostKeyFingerprint: string | null;
  clockOffsetMs: number | null;
  /** How commands reached the host (batch shell, a channel per item, this machine); null when unknown. */
  collection: 'batch' | 'per-item' | 'local' | null;
  collectionNote: string | null;
  items: StatusCounts;
  bytes: number;
}

export interface InspectProblem {
  path: string;
  host: string | null;
  status: ItemStatus;
  exitCode: number | null;
  /** First line of stderr or the reason the item was skipped. */
  error: string;
}

export interface InspectReport {
  bundle: string;
  rootName: string;
  sha256: string | null;
  cluster: string;
  tool: Manifest['tool'];
  mode: Manifest['mode'] | null;
  collectedAt: string;
  finishedAt: string;
  note: string | null;
  interrupted: boolean;
  hosts: InspectHost[];
  items: StatusCounts;
  truncated: number;
  /** Bytes of stored item output, by the manifest. */
  itemBytes: number;
  entries: number;
  /** Entries the reader refused, and manifest items whose output is missing from the bundle. */
  problems: Array<{ path: string; problem: string }>;
  notOk: InspectProblem[];
  arpProbes: NonNullable<Manifest['arpProbes']>;
}

function zero(): StatusCounts {
  return { ok: 0, failed: 0, timeout: 0, 'not-found': 0, 'permission-denied': 0, skipped: 0 };
}

function firstLine(text: string | null | undefined): string {
  return (text ?? '').split('\n').find((l) => l.trim().length > 0)?.trim() ?? '';
}

/** Everything but the entry walk, so it can be computed from a manifest alone. */
export function summarizeManifest(manifest: Manifest, bundle: string): InspectReport {
  const items = zero();
  const perHost = new Map<string, { counts: StatusCounts; bytes: number }>();
  let truncated = 0;
  let itemBytes = 0;
  const notOk: InspectProblem[] = [];
  const tally = (it: ItemRecord) => {
    items[it.status]++;
    if (it.truncated) truncated++;
    itemBytes += it.bytes ?? 0;
    if (it.host) {
      const h = perHost.get(it.host) ?? { counts: zero(), bytes: 0 };
      h.counts[it.status]++;
      h.bytes += it.bytes ?? 0;
      perHost.set(it.host, h);
    }
    if (it.status !== 'ok') {
      notOk.push({ path: it.path, host: it.host ?? null, status: it.status, exitCode: it.exitCode ?? null, error: firstLine(it.stderr) || `exit code ${it.exitCode ?? 'none'}` });
    }
  };
  manifest.items.forEach(tally);
  return {
    bundle,
    rootName: '',
    sha256: null,
    cluster: manifest.cluster,
    tool: manifest.tool,
    mode: manifest.mode ?? null,
    collectedAt: manifest.collectedAt,
    finishedAt: manifest.finishedAt,
    note: manifest.note ?? null,
    interrupted: manifest.interrupted,
    hosts: manifest.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      roles: h.roles,
      reached: h.reached,
      error: h.error ?? null,
      hostKeyFingerprint: h.hostKeyFingerprint ?? null,
      clockOffsetMs: h.clockOffsetMs ?? null,
      collection: h.collection ?? null,
      collectionNote: h.collectionNote ?? null,
      items: perHost.get(h.name)?.counts ?? zero(),
      bytes: perHost.get(h.name)?.bytes ?? 0,
    })),
    items,
    truncated,
    itemBytes,
    entries: 0,
    problems: [],
    notOk,
    arpProbes: manifest.arpProbes ?? [],
  };
}

export async function inspectBundle(path: string): Promise<InspectReport> {
  const opened = await openBundle(path);
  const report = summarizeManifest(opened.manifest, path);
  const seen = new Set<string>();
  const summary = await opened.forEachEntry(async (entry) => {
    seen.add(entry.path);
  });
  report.rootName = opened.rootName;
  report.sha256 = summary.sha256;
  report.entries = summary.entries;
  report.problems = [...summary.problems];
  for (const it of opened.manifest.items) {
    if (it.bytes !== null && it.bytes !== undefined && !seen.has(it.path)) report.problems.push({ path: it.path, problem: 'listed in the manifest with output, but not in the bundle' });
  }
  return report;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function counts(c: StatusCounts): string {
  return STATUSES.filter((s) => c[s] > 0).map((s) => `${c[s]} ${s}`).join(', ') || 'no items';
}

export function renderInspect(r: InspectReport): string {
  const out: string[] = [];
  out.push(`Bundle ${r.bundle}${r.rootName ? ` (${r.rootName})` : ''}`);
  out.push(`  cluster ${r.cluster}, collected ${r.collectedAt} to ${r.finishedAt} by ${r.tool.name} ${r.tool.version}${r.mode ? ` (${r.mode})` : ''}`);
  if (r.interrupted) out.push('  INTERRUPTED: collection was stopped (Ctrl-C); items not reached are marked skipped');
  if (r.note) out.push(`  note: ${r.note}`);
  if (r.sha256) out.push(`  sha256 ${r.sha256}`);
  const reached = r.hosts.filter((h) => h.reached).length;
  out.push('', `Hosts: ${reached}/${r.hosts.length} reached`);
  for (const h of r.hosts) {
    const clock = h.clockOffsetMs !== null ? `, clock offset ${h.clockOffsetMs} ms` : '';
    out.push(`  ${h.reached ? 'ok ' : 'NOT'} ${h.name} (${h.address}; ${h.roles.join(', ') || 'no roles'}): ${counts(h.items)}, ${formatBytes(h.bytes)}${clock}`);
    if (!h.reached && h.error) out.push(`      ${h.error}`);
    // Only the unusual is worth a line: items that did not all run in the host's one batch shell.
    if (h.collectionNote) out.push(`      collected ${h.collection === 'per-item' ? 'one channel per item' : `in a batch shell`}: ${h.collectionNote}`);
  }
  out.push('', `Items: ${counts(r.items)}; ${r.truncated} truncated; ${formatBytes(r.itemBytes)} of output; ${r.entries} entries`);
  for (const p of r.arpProbes) {
    out.push(`ARP ${p.host}/${p.interface}: ${p.targets.length} target(s)${p.tool ? ` via ${p.tool}` : ''}${p.error ? `; ${p.error}` : ''}`);
  }
  if (r.notOk.length > 0) {
    out.push('', 'Not collected or failed:');
    for (const p of r.notOk) out.push(`  ${p.status.padEnd(17)} ${p.path}${p.exitCode !== null ? ` (exit ${p.exitCode})` : ''}: ${p.error}`);
  }
  if (r.problems.length > 0) {
    out.push('', 'Problems in the bundle:');
    for (const p of r.problems) out.push(`  ${p.path}: ${p.problem}`);
  }
  return `${out.join('\n')}\n`;
}

export interface RedactionReport {
  bundle: string;
  /** Whether the bundle was redacted (false: collected with --no-redact and never run through `labsnap redact`). */
  enabled: boolean;
  pseudonymized: string[];
  /** Values removed per redactor over the whole bundle. */
  totals: Record<string, number>;
  items: Array<{ path: string; redactions: Record<string, number> }>;
}

/** Per item and per redactor, what the manifest says was removed (never the values). */
export function redactionReport(manifest: Manifest, bundle: string): RedactionReport {
  const totals: Record<string, number> = {};
  const items: RedactionReport['items'] = [];
  for (const it of manifest.items) {
    const r = it.redactions ?? {};
    if (Object.keys(r).length === 0) continue;
    items.push({ path: it.path, redactions: r });
    for (const [k, v] of Object.entries(r)) totals[k] = (totals[k] ?? 0) + v;
  }
  const sorted = Object.fromEntries(Object.entries(totals).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { bundle, enabled: manifest.redaction?.enabled ?? false, pseudonymized: manifest.redaction?.pseudonymized ?? [], totals: sorted, items };
}

export function renderRedactions(r: RedactionReport): string {
  const out: string[] = [`Bundle ${r.bundle}`];
  out.push(r.enabled ? '  redaction: on' : '  redaction: OFF (collected with --no-redact; run `labsnap redact` before sending it)');
  out.push(`  pseudonymized: ${r.pseudonymized.length > 0 ? r.pseudonymized.join(', ') : 'no'}`);
  const total = Object.values(r.totals).reduce((a, b) => a + b, 0);
  out.push('', `Removed: ${total} value(s)${total > 0 ? ` (${Object.entries(r.totals).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`);
  const width = Math.max(0, ...r.items.map((i) => i.path.length));
  for (const it of r.items) out.push(`  ${it.path.padEnd(width)}  ${Object.entries(it.redactions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return `${out.join('\n')}\n`;
}
