// `labsnap collect`: flags → CollectOptions, progress on stderr, summary and exit code.
import type { Argv } from 'yargs';
import { UsageError } from '../../common/errors.js';
import {
  DEFAULT_ARP_SECONDS,
  DEFAULT_CONCURRENCY,
  collect,
  type CollectResult,
} from '../../collector/collect.js';
import { formatBytes } from '../../collector/inspect.js';
import { parseDuration, parseRoles, sanitizeCommandLine } from '../../collector/options.js';
import { PlainProgress, TtyProgress } from '../../collector/progress.js';
import { parsePseudonymKinds } from '../../collector/redact/pseudonymize.js';
import { UserRules } from '../../collector/redact/user-rules.js';
import { DEFAULT_MAX_ITEM_BYTES } from '../../collector/run.js';
import { resolve } from 'node:path';
import { exists } from '../../bundle/writer.js';
import type { CliContext } from '../context.js';

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

export function parseSize(value: string, flag: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) throw new UsageError(`${flag}: ${JSON.stringify(value)} is not a size; write e.g. 20MiB or 512KiB`);
  return Number(m[1]) * unit;
}

const RECORDED_FLAGS = ['inventory', 'local', 'roles', 'cluster', 'out', 'since', 'concurrency', 'timeout', 'arp-seconds', 'max-item-size', 'attach', 'note', 'dry-run', 'strict', 'accept-new-host-keys', 'redact-rules', 'pseudonymize'] as const;

/** The effective options as one command line (defaults included), which reproduces the collection. */
function canonicalCommandLine(a: Record<string, unknown>): string[] {
  const out = ['labsnap', 'collect'];
  for (const flag of RECORDED_FLAGS) {
    const v = a[flag];
    if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue;
    if (v === true) out.push(`--${flag}`);
    else if (Array.isArray(v)) out.push(`--${flag}`, ...v.map(String));
    else out.push(`--${flag}`, String(v));
  }
  if (a.redact === false) out.push('--no-redact');
  return out;
}

export function printSummary(result: CollectResult, ctx: CliContext, strict: boolean): void {
  const m = result.manifest!;
  const reached = m.hosts.filter((h) => h.reached);
  const count = (s: string) => m.items.filter((i) => i.status === s).length;
  const notOk = result.gaps;
  const lines: string[] = [''];
  if (m.interrupted) lines.push('Interrupted: the bundle holds what was collected before Ctrl-C.');
  lines.push(`Hosts reached: ${reached.length}/${m.hosts.length}`);
  for (const h of m.hosts.filter((x) => !x.reached)) lines.push(`  not reached: ${h.name} (${h.address}): ${h.error ?? 'unknown reason'}`);
  const truncated = m.items.filter((i) => i.truncated).length;
  lines.push(
    `Items: ${count('ok')} ok, ${notOk.length} not ok (${count('failed')} failed, ${count('timeout')} timeout, ${count('not-found')} not-found, ${count('permission-denied')} permission-denied, ${count('skipped')} skipped), ${truncated} truncated`,
  );
  const shown = notOk.slice(0, 25);
  for (const g of shown) {
    const why = (g.stderr ?? '').split('\n').find((l) => l.trim().length > 0)?.trim() ?? `exit ${g.exitCode ?? 'none'}`;
    lines.push(`  ${g.status}: ${g.path}: ${why}`);
  }
  if (notOk.length > shown.length) lines.push(`  … and ${notOk.length - shown.length} more (labsnap inspect shows them all)`);
  const removed = new Map<string, number>();
  for (const it of m.items) for (const [k, v] of Object.entries(it.redactions ?? {})) removed.set(k, (removed.get(k) ?? 0) + v);
  const total = [...removed.values()].reduce((x, y) => x + y, 0);
  if (m.redaction?.enabled) lines.push(`Redaction: ${total} value(s) removed${total > 0 ? ` (${[...removed].sort().map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}; labsnap inspect --redactions shows where`);
  else lines.push('Redaction: OFF (--no-redact); check the bundle before sending it anywhere');
  if (m.redaction?.pseudonymized?.length) lines.push(`Pseudonymized: ${m.redaction.pseudonymized.join(', ')}`);
  lines.push(`Bundle: ${result.bundle!.path} (${formatBytes(result.bundle!.bytes)})`);
  if (strict && (notOk.length > 0 || reached.length < m.hosts.length)) lines.push('--strict: the bundle has gaps, exit code 1');
  ctx.stderr.write(`${lines.join('\n')}\n`);
}

export function registerCollect(parser: Argv, ctx: CliContext): void {
  parser.command(
    'collect',
    'Collect a support bundle from every host of an inventory (or this machine with --local)',
    (y) =>
      y
        .option('inventory', { alias: 'i', type: 'string', describe: 'Inventory YAML (see docs/inventory.md)' })
        .option('local', { type: 'boolean', default: false, describe: 'Collect from this machine only, without SSH' })
        .option('roles', { type: 'string', describe: 'With --local: roles of this machine (control-plane,worker,proxmox); detected when omitted' })
        .option('cluster', { type: 'string', default: 'local', describe: 'With --local: cluster name used in the bundle name' })
        .option('out', { alias: 'o', type: 'string', describe: 'Bundle file (default labsnap-<cluster>-<YYYYMMDDTHHMMSSZ>.tar.gz)' })
        .option('since', { type: 'string', default: '24h', describe: 'How far back journals and pod logs go' })
        .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'Hosts collected at once' })
        .option('timeout', { type: 'string', default: '30s', describe: 'Per-command timeout' })
        .option('arp-seconds', { type: 'string', default: String(DEFAULT_ARP_SECONDS), describe: 'ARP capture duration' })
        .option('max-item-size', { type: 'string', default: `${DEFAULT_MAX_ITEM_BYTES / 1024 / 1024}MiB`, describe: 'Per-item size cap (the tail is kept)' })
        .option('attach', { type: 'array', string: true, default: [] as string[], describe: 'Files to add under attachments/; HOST:FILE says which host a file belongs to' })
        .option('note', { type: 'string', describe: 'Free text stored in the manifest' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'Print what would be run and read, per host; connect to nothing' })
        .option('strict', { type: 'boolean', default: false, describe: 'Exit 1 when any host or item is missing' })
        .option('accept-new-host-keys', { type: 'boolean', default: false, describe: 'Record unknown host keys in known_hosts (trust on first use)' })
        .option('redact', { type: 'boolean', default: true, describe: 'Redact secrets (on by default; --no-redact turns it off, with a warning)' })
        .option('redact-rules', { type: 'string', describe: 'Extra redaction rules, YAML (schemas/redact-rules.schema.json)' })
        .option('pseudonymize', { type: 'string', describe: 'Replace these consistently: ips,macs,hostnames (any of them)' })
        .option('map-out', { type: 'string', describe: 'With --pseudonymize: write the pseudonym → original map here (mode 0600; keep it, do not send it)' })
        .check((a) => {
          if (a.local && a.inventory !== undefined) throw new UsageError('--local and --inventory exclude each other');
          if (!a.local && a.inventory === undefined) throw new UsageError('collect needs --inventory FILE, or --local for this machine only');
          if (a.roles !== undefined && !a.local) throw new UsageError('--roles applies to --local only; the inventory gives each host its roles');
          if (!Number.isInteger(a.concurrency) || a.concurrency < 1) throw new UsageError('--concurrency must be a whole number of at least 1');
          if (a['map-out'] !== undefined && a.pseudonymize === undefined) throw new UsageError('--map-out needs --pseudonymize');
          if (a.redact === false && a['redact-rules'] !== undefined) throw new UsageError('--redact-rules and --no-redact exclude each other');
          return true;
        }),
    async (a) => {
      const pseudonymize = a.pseudonymize !== undefined ? parsePseudonymKinds(a.pseudonymize) : [];
      if (a['map-out'] !== undefined && (await exists(resolve(ctx.cwd, a['map-out'])))) throw new UsageError(`--map-out ${a['map-out']}: the file exists; choose another name`);
      const rules = a['redact-rules'] !== undefined ? await UserRules.load(resolve(ctx.cwd, a['redact-rules']), a['redact-rules']) : null;
      if (a.redact === false && !a['dry-run']) {
        ctx.stderr.write('labsnap: WARNING: --no-redact: secrets (keys, tokens, passwords) found on the hosts go into the bundle as they are. Run `labsnap redact` on it before it leaves this machine.\n');
      }
      const progress = ctx.stderr.isTTY && !a['dry-run'] ? new TtyProgress(ctx.stderr) : new PlainProgress(ctx.stderr);
      let result: CollectResult;
      try {
        result = await collect(
          {
            inventoryFile: a.inventory ?? null,
            local: a.local,
            roles: a.roles !== undefined ? parseRoles(a.roles) : null,
            localCluster: a.cluster,
            out: a.out ?? null,
            sinceSeconds: parseDuration(a.since, '--since'),
            concurrency: a.concurrency,
            timeoutMs: Math.round(parseDuration(a.timeout, '--timeout') * 1000),
            arpSeconds: parseDuration(a['arp-seconds'], '--arp-seconds'),
            maxItemBytes: parseSize(a['max-item-size'], '--max-item-size'),
            attach: a.attach.map(String),
            note: a.note ?? null,
            dryRun: a['dry-run'],
            acceptNewHostKeys: a['accept-new-host-keys'],
            commandLine: sanitizeCommandLine(canonicalCommandLine(a), ctx.env.HOME),
            cwd: ctx.cwd,
            env: ctx.env,
            redaction: { redact: a.redact, rules, pseudonymize, mapOut: a['map-out'] !== undefined ? resolve(ctx.cwd, a['map-out']) : null },
          },
          progress,
          ctx.signal,
        );
      } finally {
        progress.stop();
      }
      if (result.dryRun !== null) {
        ctx.stdout.write(result.dryRun);
        return;
      }
      printSummary(result, ctx, a.strict);
      const unreached = result.manifest!.hosts.some((h) => !h.reached);
      if (a.strict && (result.gaps.length > 0 || unreached)) ctx.exitCode = 1;
    },
  );
}
