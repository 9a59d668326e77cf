// Runs commands on this machine with the same semantics as the SSH transport, so `--local` and the
// tests exercise the real collection pipeline.
import { spawn, type ChildProcess } from 'node:child_process';
import { STDERR_LIMIT } from '../../bundle/manifest.js';
import { shq } from '../shell.js';
import type { CollectionWay, ExecOptions, ExecOutcome, HostConnection } from '../transport.js';

/** Grace between SIGTERM and SIGKILL for a command that ran over its timeout. */
const KILL_GRACE_MS = 2000;

/** Keeps the last `limit` bytes of a stream without holding more than one chunk beyond it. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private held = 0;
  total = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.limit <= 0) return;
    this.chunks.push(chunk);
    this.held += chunk.length;
    while (this.chunks.length > 1 && this.held - this.chunks[0]!.length >= this.limit) {
      this.held -= this.chunks.shift()!.length;
    }
  }
  get truncated(): boolean {
    return this.total > this.limit;
  }
  result(): Buffer {
    const all = Buffer.concat(this.chunks, this.held);
    return all.length > this.limit ? all.subarray(all.length - this.limit) : all;
  }
}

/** Collects the head of stderr: the first lines say what went wrong. */
export class HeadBuffer {
  private chunks: Buffer[] = [];
  private held = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    if (this.held >= this.limit) return;
    const part = chunk.subarray(0, this.limit - this.held);
    this.chunks.push(part);
    this.held += part.length;
  }
  text(): string {
    return Buffer.concat(this.chunks, this.held).toString('utf8').slice(0, STDERR_LIMIT);
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // detached: true made the shell a process-group leader, so the negative pid reaches its children too.
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

export interface LocalConnectionOptions {
  env?: NodeJS.ProcessEnv;
}

class LocalConnection implements HostConnection {
  readonly hostKeyFingerprint = null;
  private readonly running = new Set<ChildProcess>();
  private closed = false;
  // Root needs no sudo, and a container or CI runner often has no sudo binary at all.
  private readonly isRoot = process.getuid?.() === 0;

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  collectionWay(): CollectionWay {
    return { mode: 'local', note: null };
  }

  exec(command: string, options: ExecOptions): Promise<ExecOutcome> {
    const startedAt = new Date();
    const t0 = performance.now();
    const line = options.sudo && !this.isRoot ? `sudo -n -- sh -c ${shq(command)}` : command;
    const stdout = new TailBuffer(options.maxBytes);
    const stderr = new HeadBuffer(STDERR_LIMIT);
    return new Promise<ExecOutcome>((resolve) => {
      if (this.closed) {
        resolve({ exitCode: null, stdout: Buffer.alloc(0), stderr: 'connection closed', truncated: false, timedOut: false, startedAt, durationMs: 0, totalBytes: 0 });
        return;
      }
      const child = spawn('sh', ['-c', line], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: this.env });
      this.running.add(child);
      let timedOut = false;
      let spawnError: string | null = null;
      let hardStop: NodeJS.Timeout | undefined;
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup(child, 'SIGTERM');
        hardStop = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS);
      }, options.timeoutMs);
      child.stdout!.on('data', (c: Buffer) => stdout.push(c));
      child.stderr!.on('data', (c: Buffer) => stderr.push(c));
      child.on('error', (err) => {
        spawnError = err.message;
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (hardStop) clearTimeout(hardStop);
        this.running.delete(child);
        const err = stderr.text();
        resolve({
          exitCode: timedOut ? null : code,
          stdout: stdout.result(),
          stderr: spawnError !== null ? `${spawnError}\n${err}`.slice(0, STDERR_LIMIT) : err,
          truncated: stdout.truncated,
          timedOut,
          startedAt,
          durationMs: Math.round(performance.now() - t0),
          totalBytes: stdout.total,
        });
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const child of this.running) {
      killGroup(child, 'SIGTERM');
      setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
    }
  }
}

export function connectLocal(options: LocalConnectionOptions = {}): HostConnection {
  return new LocalConnection(options.env ?? process.env);
}
