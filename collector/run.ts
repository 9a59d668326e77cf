// Runs plan items on one host connection and records each in the manifest. Every item's bytes reach
// disk through ItemStore.put, the single choke point where the redaction stage sits: secrets are
// replaced on the way to the staging folder and never touch the disk.
import { createHash } from 'node:crypto';
import type { ItemKind, ItemRecord, ItemStatus } from '../bundle/manifest.js';
import { STDERR_LIMIT } from '../bundle/manifest.js';
import type { BundleStaging } from '../bundle/writer.js';
import { expandListing, fileCommand, listCommand, type HostPlanItem, type PlannedCommand, type PlannedDir, type PlannedFile } from './plan.js';
import type { CollectProgress } from './progress.js';
import type { ItemFilter } from './redact/session.js';
import type { ExecOutcome, HostConnection } from './transport.js';

export const DEFAULT_MAX_ITEM_BYTES = 20 * 1024 * 1024;
export const MAX_CHANNELS_PER_HOST = 8;

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}
  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Runs `fn` over `inputs` with at most `limit` at once; results keep the input order. */
export async function mapLimit<T, R>(inputs: readonly T[], limit: number, fn: (input: T) => Promise<R>): Promise<R[]> {
  const sem = new Semaphore(Math.max(1, limit));
  return Promise.all(inputs.map((x) => sem.use(() => fn(x))));
}

export interface StoredItem {
  bytes: number;
  sha256: string;
  /** Values the redaction stage removed, per redactor (absent without redaction). */
  redactions?: Record<string, number>;
}

export class ItemStore {
  readonly items: ItemRecord[] = [];
  constructor(
    private readonly staging: BundleStaging,
    /** The redaction stage; null only with an explicit --no-redact. */
    private readonly filter: ItemFilter | null = null,
  ) {}

  /** The one way item bytes enter the bundle; bytes and sha256 describe what was stored. */
  async put(path: string, data: Buffer): Promise<StoredItem> {
    if (this.filter === null) {
      await this.staging.put(path, data);
      return { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
    }
    const stage = this.filter.filter(path, data);
    const hash = createHash('sha256');
    let bytes = 0;
    await this.staging.putStream(
      path,
      (async function* () {
        for await (const chunk of stage.chunks) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      })(),
    );
    return { bytes, sha256: hash.digest('hex'), redactions: stage.counts() };
  }

  record(item: ItemRecord): void {
    this.items.push(item);
  }

  /** Records an item that was not collected, with the reason in place of stderr. */
  skip(host: string | null, path: string, kind: ItemKind, source: string, reason: string): ItemRecord {
    const record: ItemRecord = { path, host, kind, source, status: 'skipped', stderr: reason.slice(0, STDERR_LIMIT), truncated: false };
    this.items.push(record);
    return record;
  }

  /** Records every item of a plan as skipped, e.g. because its host could not be reached. */
  skipAll(host: string | null, items: readonly HostPlanItem[], reason: string): void {
    for (const item of items) {
      if (item.type === 'command') this.skip(host, item.path, item.kind, item.command, reason);
      else if (item.type === 'file') this.skip(host, item.path, 'file', item.file, reason);
      else this.skip(host, item.path, 'file', listCommand(item), reason);
    }
  }
}

const PERMISSION = /a password is required|a terminal is required|permission denied|operation not permitted|must be run as root|are you root|you must be root|not allowed to/i;
const MISSING = /no such file or directory|command not found|could not be found|: not found/i;

/** Maps what a command did to an item status; the exit code and stderr stay in the record regardless. */
export function classify(outcome: ExecOutcome, okExitCodes: readonly number[] = [0]): ItemStatus {
  if (outcome.timedOut) return 'timeout';
  if (outcome.exitCode === null) return 'failed';
  if (okExitCodes.includes(outcome.exitCode)) return 'ok';
  if (outcome.exitCode === 127) return 'not-found';
  if (outcome.exitCode === 126 || PERMISSION.test(outcome.stderr)) return 'permission-denied';
  if (MISSING.test(outcome.stderr)) return 'not-found';
  return 'failed';
}

export interface RunLimits {
  timeoutMs: number;
  maxBytes: number;
}

export interface ItemResult {
  record: ItemRecord;
  /** What the command printed (possibly its tail), for steps that plan from earlier output. */
  stdout: Buffer | null;
}

const INTERRUPTED = 'interrupted (Ctrl-C) before this item ran';

/** One host's (or the cluster's) channel to a connection, shared by every item run there. */
export class HostRunner {
  constructor(
    /** `host` in the manifest records: where the item was collected, null for this machine's kubectl. */
    private readonly recordHost: string | null,
    /** Progress line this runner reports to. */
    readonly progressKey: string,
    private readonly conn: HostConnection,
    private readonly channels: Semaphore,
    private readonly sudo: boolean,
    private readonly store: ItemStore,
    private readonly limits: RunLimits,
    private readonly signal: AbortSignal,
    private readonly progress: CollectProgress,
  ) {}

  async run(item: HostPlanItem): Promise<ItemResult[]> {
    if (item.type === 'dir') return this.runDir(item);
    return [item.type === 'file' ? await this.runFile(item) : await this.runCommand(item)];
  }

  runCommand(item: PlannedCommand): Promise<ItemResult> {
    return this.exec(item.path, item.kind, item.command, item.command, item.privileged, item.okExitCodes, item.timeoutMs);
  }

  runFile(item: PlannedFile): Promise<ItemResult> {
    return this.exec(item.path, 'file', item.file, fileCommand(item.file), item.privileged);
  }

  /** Runs a command whose output is not stored (cluster discovery); null when it could not run. */
  async probe(command: string, privileged: boolean): Promise<ExecOutcome | null> {
    if (this.signal.aborted) return null;
    return this.channels.use(() => this.conn.exec(command, { timeoutMs: this.limits.timeoutMs, maxBytes: this.limits.maxBytes, sudo: privileged && this.sudo }));
  }

  private async runDir(item: PlannedDir): Promise<ItemResult[]> {
    const command = listCommand(item);
    if (this.signal.aborted) return [{ record: this.skip(item.path, 'file', command, INTERRUPTED), stdout: null }];
    this.progress.itemStarted(this.progressKey, command);
    const outcome = await this.channels.use(() => this.conn.exec(command, { timeoutMs: this.limits.timeoutMs, maxBytes: this.limits.maxBytes, sudo: item.privileged && this.sudo }));
    const status = classify(outcome);
    // A listing that worked is not itself an entry; its files are. A listing that failed is recorded under
    // the folder's path so the gap is visible.
    if (status !== 'ok' || outcome.truncated) {
      const record = this.finish(item.path, 'file', command, status === 'ok' ? 'failed' : status, outcome, null, outcome.truncated ? 'the file list was longer than the size cap' : null);
      return [{ record, stdout: null }];
    }
    // The listing itself is recorded too (no file, 0 bytes): an empty /etc/cni/net.d is evidence, and
    // without a record it could not be told from a folder that was never looked at.
    this.finish(item.path, 'file', command, 'ok', outcome, null, null).bytes = 0;
    const { files, refused } = expandListing(item, this.recordHost ?? '', outcome.stdout);
    this.progress.addItems(this.progressKey, files.length + refused.length);
    const results = await Promise.all(files.map((f) => this.runFile(f)));
    for (const name of refused) {
      results.push({ record: this.skip(item.path, 'file', name, `not collected: the name ${JSON.stringify(name)} cannot be stored safely in a bundle`), stdout: null });
    }
    return results;
  }

  skip(path: string, kind: ItemKind, source: string, reason: string): ItemRecord {
    const record = this.store.skip(this.recordHost, path, kind, source, reason);
    this.progress.itemFinished(this.progressKey, 'skipped', 0);
    return record;
  }

  private async exec(
    path: string,
    kind: ItemKind,
    source: string,
    command: string,
    privileged: boolean,
    okExitCodes?: readonly number[],
    timeoutMs?: number,
  ): Promise<ItemResult> {
    if (this.signal.aborted) return { record: this.skip(path, kind, source, INTERRUPTED), stdout: null };
    const outcome = await this.channels.use(async () => {
      if (this.signal.aborted) return null;
      this.progress.itemStarted(this.progressKey, source);
      return this.conn.exec(command, { timeoutMs: timeoutMs ?? this.limits.timeoutMs, maxBytes: this.limits.maxBytes, sudo: privileged && this.sudo });
    });
    if (outcome === null) return { record: this.skip(path, kind, source, INTERRUPTED), stdout: null };
    let status = classify(outcome, okExitCodes);
    let note: string | null = null;
    if (this.signal.aborted && outcome.exitCode === null && !outcome.timedOut) {
      status = 'failed';
      note = 'interrupted (Ctrl-C) while running; output may be incomplete';
    }
    // Output is kept whatever the exit code: a failing command's stdout is often the diagnosis.
    const keep = outcome.stdout.length > 0 || status === 'ok';
    const stored = keep ? await this.store.put(path, outcome.stdout) : null;
    const record = this.finish(path, kind, source, status, outcome, stored, note);
    return { record, stdout: outcome.stdout };
  }

  private finish(
    path: string,
    kind: ItemKind,
    source: string,
    status: ItemStatus,
    outcome: ExecOutcome,
    stored: StoredItem | null,
    note: string | null,
  ): ItemRecord {
    const stderr = note !== null ? `${note}\n${outcome.stderr}` : outcome.stderr;
    const record: ItemRecord = {
      path,
      host: this.recordHost,
      kind,
      source,
      status,
      exitCode: outcome.exitCode,
      stderr: stderr.length > 0 ? stderr.slice(0, STDERR_LIMIT) : null,
      startedAt: outcome.startedAt.toISOString(),
      durationMs: outcome.durationMs,
      bytes: stored?.bytes ?? null,
      sha256: stored?.sha256 ?? null,
      truncated: outcome.truncated && stored !== null,
    };
    if (stored?.redactions && Object.keys(stored.redactions).length > 0) record.redactions = stored.redactions;
    this.store.record(record);
    this.progress.itemFinished(this.progressKey, status, stored?.bytes ?? 0);
    return record;
  }
}
