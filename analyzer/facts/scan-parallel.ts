// Scans large logs in a worker thread. The main thread already shares the CPU with zlib (inflating on
// libuv's pool); scanning is the other big cost of a pass, so on a machine with two or more cores the
// three overlap instead of taking turns. Text is decoded on the main thread (where the entry's line-length
// checks and problem reports live) and sent in batches; the main thread waits whenever the worker is more
// than a few MiB behind, so memory stays bounded. Results are merged in pass order, so the report is the
// same as with one thread.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ArtifactRef } from '../../bundle/layout.js';
import type { LogScanner, ScanState } from './log-scan.js';

export type ToWorker =
  | { type: 'begin'; path: string; ref: ArtifactRef; ordinal: number }
  | { type: 'text'; chunks: string[] }
  | { type: 'end' }
  | { type: 'finish' };

type FromWorker = { type: 'done'; chars: number } | { type: 'state'; state: ScanState } | { type: 'failed'; message: string };

/** Logs smaller than this are scanned in place: a message round trip costs more than the scan. */
export const PARALLEL_MIN_BYTES = 1024 * 1024;
const BATCH_CHARS = 256 * 1024;
const MAX_BEHIND_CHARS = 2 * 1024 * 1024;

export class ParallelScan {
  #worker: Worker | null = null;
  #behind = 0;
  #failure: Error | null = null;
  #wake: (() => void) | null = null;
  #state: ((state: ScanState) => void) | null = null;

  private constructor(
    private readonly scanner: LogScanner,
    private readonly script: URL,
  ) {}

  /**
   * A parallel scan feeding `scanner`, or null where it cannot help: one CPU, or running from the
   * TypeScript sources (tests), where there is no compiled worker script to start.
   */
  static create(scanner: LogScanner): ParallelScan | null {
    const script = new URL('./scan-worker.js', import.meta.url);
    if (availableParallelism() < 2 || !import.meta.url.endsWith('.js') || !existsSync(fileURLToPath(script))) return null;
    return new ParallelScan(scanner, script);
  }

  async scan(path: string, ref: ArtifactRef, blocks: AsyncIterable<string>): Promise<void> {
    const worker = this.#start();
    this.#post(worker, { type: 'begin', path, ref, ordinal: this.scanner.reserve() });
    let batch: string[] = [];
    let batchChars = 0;
    for await (const block of blocks) {
      batch.push(block);
      batchChars += block.length;
      if (batchChars < BATCH_CHARS) continue;
      await this.#send(worker, batch, batchChars);
      batch = [];
      batchChars = 0;
    }
    if (batch.length > 0) await this.#send(worker, batch, batchChars);
    this.#post(worker, { type: 'end' });
  }

  /** Waits for the worker to finish, merges its findings into the scanner and stops it. */
  async finish(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    const state = new Promise<ScanState>((resolve) => (this.#state = resolve));
    this.#post(worker, { type: 'finish' });
    const found = await Promise.race([state, this.#failed()]);
    this.close();
    this.scanner.absorb(found);
  }

  /** Stops the worker (also when the pass failed half-way). */
  close(): void {
    void this.#worker?.terminate();
    this.#worker = null;
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    // Its garbage is mostly large strings, which skip the young generation; a small one keeps RSS down.
    const worker = new Worker(this.script, { workerData: { specs: [...this.scanner.specs] }, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    // Never the reason the process stays alive: finish() or close() ends it, an error ends the analysis.
    worker.unref();
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'done') {
        this.#behind -= message.chars;
        this.#wakeUp();
      } else if (message.type === 'state') this.#state?.(message.state);
      else this.#fail(new Error(`log scan worker failed: ${message.message}`));
    });
    worker.on('error', (err) => this.#fail(err));
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#fail(new Error(`log scan worker exited early (code ${code})`));
    });
    this.#worker = worker;
    return worker;
  }

  async #send(worker: Worker, chunks: string[], chars: number): Promise<void> {
    this.#post(worker, { type: 'text', chunks });
    this.#behind += chars;
    while (this.#behind > MAX_BEHIND_CHARS) {
      if (this.#failure) throw this.#failure;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #post(worker: Worker, message: ToWorker): void {
    if (this.#failure) throw this.#failure;
    worker.postMessage(message);
  }

  #failed(): Promise<never> {
    return new Promise<never>((_resolve, reject) => {
      if (this.#failure) reject(this.#failure);
      else this.#onFailure = reject;
    });
  }

  #onFailure: ((err: Error) => void) | null = null;

  #fail(err: Error): void {
    this.#failure ??= err;
    this.#onFailure?.(this.#failure);
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
