// Batched remote execution: one POSIX `sh -s` per host, started once over one channel, runs every command
// sent to it. The login shell of the account (with whatever ~/.bashrc it sources) starts once per host
// instead of once per item. The script is streamed: each item is one line of shell that starts a
// background worker, so items planned from earlier answers (files of a listing, cluster calls) join the
// same shell. Workers write their output to a private temporary folder on the host; a single emitter
// process sends each finished item back as a header line with byte counts followed by exactly that many
// bytes, so no output, whatever bytes it holds, can be mistaken for another item's or for a header.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { STDERR_LIMIT } from '../../bundle/manifest.js';
import { shq } from '../shell.js';
import type { ExecOptions, ExecOutcome } from '../transport.js';

/** Bumped when the wire format below changes; the ready line carries it. */
export const BATCH_PROTOCOL = 1;

// Runs the command ($0) under `timeout` when the host has it, killing its whole process group at the
// limit ($1); the same guard as a per-item channel uses.
const GUARD = 'command -v timeout >/dev/null 2>&1 && exec timeout -s KILL "$1" sh -c "$0"; exec sh -c "$0"';

/**
 * The script's fixed part. Everything the host writes to the channel after the ready line comes from the
 * emitter (fd 4); the shell's own stdout goes to /dev/null so no stray output can enter the stream.
 * Per item the folder holds: .o (the tail of stdout, at most the cap), .d (dd's count of stdout's total
 * size), .e (stderr), .c (exit code). The folder is 0700 and removed when the shell ends for any reason.
 * Every process counts on a busy host: an item costs its command, `timeout`, `dd`, `tail` and one `cat`.
 */
export function batchPreamble(nonce: string): string {
  return `fail() { printf 'labsnap-batch-fail ${nonce} %s\\n' "$1"; exit 97; }
umask 077
d=$(mktemp -d "\${TMPDIR:-/tmp}/labsnap-batch.XXXXXXXX" 2>/dev/null) && [ -d "$d" ] || fail "cannot create a temporary folder under \${TMPDIR:-/tmp} (mktemp -d)"
e=
trap '[ -z "$e" ] || kill "$e" 2>/dev/null; rm -rf "$d"' EXIT
trap 'exit 1' HUP INT TERM PIPE
mkfifo "$d/q" 2>/dev/null || fail "cannot create a FIFO in $d (mkfifo)"
exec 3<>"$d/q"
for t in cat wc tail dd; do command -v "$t" >/dev/null 2>&1 || fail "$t is not installed"; done
G=${shq(GUARD)}
emit() {
  while IFS=' ' read -r id k; do
    f="$d/$id"
    c=-; [ -s "$f.c" ] && read -r c <"$f.c"
    n=-
    if [ -s "$f.d" ]; then while read -r l; do case $l in *" bytes"*) n=\${l%% bytes*};; esac; done <"$f.d"; fi
    case $n in ''|*[!0-9]*) n=-; o=$(wc -c <"$f.o" 2>/dev/null); o=$((o + 0));; *) o=$n; [ "$o" -gt "$k" ] && o=$k;; esac
    r=0; if [ -s "$f.e" ]; then r=$(wc -c <"$f.e"); r=$((r + 0)); [ "$r" -gt ${STDERR_LIMIT} ] && r=${STDERR_LIMIT}; fi
    printf 'labsnap-item %s %s %s %s %s\\n' "$id" "$c" "$n" "$o" "$r"
    [ "$o" -gt 0 ] && cat "$f.o"
    [ "$r" -gt 0 ] && dd if="$f.e" bs="$r" count=1 2>/dev/null
    : >"$f.o"
  done
}
emit <&3 >&1 2>/dev/null &
e=$!
exec 4>&1 >/dev/null
r() {
  (
    f="$d/$1"
    { if [ "$2" = 1 ]; then sudo -n sh -c "$G" "$5" "$3"; else sh -c "$G" "$5" "$3"; fi; echo $? >"$f.c"; } </dev/null 2>"$f.e" | dd bs=65536 2>"$f.d" | tail -c "$4" >"$f.o"
    printf '%s %s\\n' "$1" "$4" >&3
  ) </dev/null >/dev/null 2>&1 4>&- &
}
printf 'labsnap-batch-ready ${nonce} ${BATCH_PROTOCOL}\\n' >&4
`;
}

/** The line that runs one item: id, sudo, the host-side limit in seconds, the stdout cap, the command. */
export function itemLine(id: number, command: string, sudo: boolean, remoteLimitS: number, maxBytes: number): string {
  return `r ${id} ${sudo ? 1 : 0} ${remoteLimitS} ${Math.max(0, Math.floor(maxBytes))} ${shq(command)}\n`;
}

export interface BatchFrame {
  id: number;
  exitCode: number | null;
  /** stdout's size before the cap; null when the host's `dd` did not say. */
  totalBytes: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

const HEADER = /^labsnap-item (\d+) (-|\d+) (-|\d+) (\d+) (\d+)$/;
/** A header line is short; anything longer is not one. */
const MAX_HEADER = 512;

/**
 * Reads the host's side of the channel: junk a login shell printed before the ready line is skipped,
 * then frames are cut by their stated lengths. Throws on anything that is not a frame.
 */
export class FrameReader {
  private state: 'start' | 'header' | 'body' = 'start';
  private pending: Buffer = Buffer.alloc(0);
  private frame: { head: Omit<BatchFrame, 'stdout' | 'stderr'>; outLen: number; errLen: number; chunks: Buffer[]; have: number } | null = null;
  /** What the host printed before the ready line (login banners, ~/.bashrc output): kept for messages. */
  preamble = '';

  constructor(
    private readonly nonce: string,
    private readonly onReady: () => void,
    private readonly onFail: (reason: string) => void,
    private readonly onFrame: (frame: BatchFrame) => void,
  ) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (this.state === 'body') {
        const f = this.frame!;
        const want = f.outLen + f.errLen - f.have;
        if (this.pending.length === 0) return;
        const take = this.pending.subarray(0, Math.min(want, this.pending.length));
        f.chunks.push(take);
        f.have += take.length;
        this.pending = this.pending.subarray(take.length);
        if (f.have < f.outLen + f.errLen) return;
        this.finishFrame();
        continue;
      }
      const nl = this.pending.indexOf(0x0a);
      if (nl < 0) {
        if (this.state === 'header' && this.pending.length > MAX_HEADER) throw new Error('the batch shell sent a line that is not an item header');
        if (this.state === 'start' && this.pending.length > 64 * 1024) {
          this.preamble = (this.preamble + this.pending.toString('utf8')).slice(-2048);
          this.pending = Buffer.alloc(0);
        }
        return;
      }
      const line = this.pending.subarray(0, nl).toString('utf8');
      this.pending = this.pending.subarray(nl + 1);
      if (this.state === 'start') {
        if (line === `labsnap-batch-ready ${this.nonce} ${BATCH_PROTOCOL}`) {
          this.state = 'header';
          this.onReady();
        } else if (line.startsWith(`labsnap-batch-fail ${this.nonce} `)) {
          this.onFail(line.slice(`labsnap-batch-fail ${this.nonce} `.length));
          this.pending = Buffer.alloc(0);
          return;
        } else {
          this.preamble = `${this.preamble}${line}\n`.slice(-2048);
        }
        continue;
      }
      const m = HEADER.exec(line);
      if (!m) throw new Error(`the batch shell sent a line that is not an item header: ${JSON.stringify(line.slice(0, 80))}`);
      const outLen = Number(m[4]);
      const errLen = Number(m[5]);
      this.frame = {
        head: { id: Number(m[1]), exitCode: m[2] === '-' ? null : Number(m[2]), totalBytes: m[3] === '-' ? null : Number(m[3]) },
        outLen,
        errLen,
        chunks: [],
        have: 0,
      };
      this.state = 'body';
      if (outLen + errLen === 0) this.finishFrame();
    }
  }

  private finishFrame(): void {
    const f = this.frame!;
    const all = Buffer.concat(f.chunks, f.have);
    this.frame = null;
    this.state = 'header';
    this.onFrame({ ...f.head, stdout: all.subarray(0, f.outLen), stderr: all.subarray(f.outLen) });
  }
}

/** The two ends of a running `sh -s`: an SSH channel, or a local child process in tests. */
export interface BatchStreams {
  write(text: string): void;
  end(): void;
  onData(fn: (chunk: Buffer) => void): void;
  onStderr(fn: (chunk: Buffer) => void): void;
  onClose(fn: () => void): void;
  /** Tear the channel down now. */
  destroy(): void;
}

/** Time after the local timeout to wait for the host's own `timeout` to end the command and report. */
const REPORT_GRACE_MS = 5000;

interface Pending {
  options: ExecOptions;
  startedAt: Date;
  t0: number;
  timedOut: boolean;
  timer: NodeJS.Timeout;
  resolve: (frame: BatchFrame | null, reason: string | null) => void;
}

export type BatchState = 'starting' | 'ready' | 'failed' | 'ended';

/**
 * One batch shell. start() resolves once the shell is ready, or rejects with the reason it could not
 * start (then nothing ran there and the caller may run items another way).
 */
export class BatchSession {
  state: BatchState = 'starting';
  /** Why the session failed or ended, for the manifest and for items that were running. */
  reason: string | null = null;
  itemsRun = 0;
  private readonly nonce = randomBytes(9).toString('base64url');
  private readonly reader: FrameReader;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private readonly ready: Promise<void>;

  constructor(
    private readonly streams: BatchStreams,
    /** Host name, for messages. */
    private readonly host: string,
    startTimeoutMs: number,
  ) {
    let readyResolve!: () => void;
    let readyReject!: (err: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    this.ready.catch(() => undefined);
    const startTimer = setTimeout(() => {
      if (this.state !== 'starting') return;
      this.fail(`the batch shell on ${host} did not start within ${Math.round(startTimeoutMs / 1000)} s`);
      streams.destroy();
    }, startTimeoutMs);
    this.reader = new FrameReader(
      this.nonce,
      () => {
        clearTimeout(startTimer);
        this.state = 'ready';
        readyResolve();
      },
      (why) => {
        clearTimeout(startTimer);
        this.fail(`the batch shell on ${host} could not start: ${why}`);
        streams.end();
      },
      (frame) => this.deliver(frame),
    );
    this.fail = (reason: string) => {
      if (this.state === 'failed' || this.state === 'ended') return;
      const wasStarting = this.state === 'starting';
      this.state = wasStarting ? 'failed' : 'ended';
      this.reason = reason;
      clearTimeout(startTimer);
      if (wasStarting) readyReject(new Error(reason));
      for (const [id, p] of [...this.pending]) {
        this.pending.delete(id);
        clearTimeout(p.timer);
        p.resolve(null, reason);
      }
    };
    streams.onData((chunk) => {
      try {
        this.reader.push(chunk);
      } catch (err) {
        this.fail(`${(err as Error).message} (on ${host})`);
        streams.destroy();
      }
    });
    streams.onStderr((chunk) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-1024);
    });
    streams.onClose(() => {
      const said = [this.reader.preamble, this.stderrTail].map((s) => s.trim()).filter((s) => s !== '').join(' / ');
      this.fail(`the batch shell on ${host} ended${this.state === 'starting' ? ' before it was ready' : ''}${said ? `: ${said.slice(-300)}` : ''}`);
    });
    streams.write(batchPreamble(this.nonce));
  }

  /** Marks the session failed or ended and fails what was running; replaced in the constructor. */
  fail: (reason: string) => void;

  start(): Promise<void> {
    return this.ready;
  }

  /** Runs one command in the batch; resolves with what the host reported, never rejects. */
  run(command: string, options: ExecOptions, remoteLimitS: number): Promise<{ outcome: ExecOutcome | null; reason: string | null }> {
    const startedAt = new Date();
    const t0 = performance.now();
    if (this.state !== 'ready') return Promise.resolve({ outcome: null, reason: this.reason ?? 'the batch shell is not running' });
    const id = this.nextId++;
    let line: string;
    try {
      line = itemLine(id, command, options.sudo, remoteLimitS, options.maxBytes);
    } catch (err) {
      return Promise.resolve({ outcome: null, reason: `command not run on ${this.host}: ${(err as Error).message}` });
    }
    this.itemsRun++;
    return new Promise((resolve) => {
      const p: Pending = {
        options,
        startedAt,
        t0,
        timedOut: false,
        timer: setTimeout(() => {
          // The host's `timeout` ends the command a little after ours; its report (with the output so far)
          // is still awaited, then given up on.
          p.timedOut = true;
          const wait = Math.max(0, remoteLimitS * 1000 - options.timeoutMs) + REPORT_GRACE_MS;
          p.timer = setTimeout(() => {
            this.pending.delete(id);
            p.resolve(null, null);
          }, wait);
        }, options.timeoutMs),
        resolve: (frame, reason) => {
          const durationMs = Math.round(performance.now() - t0);
          if (frame === null && reason !== null && !p.timedOut) {
            resolve({ outcome: null, reason });
            return;
          }
          const stdout = frame?.stdout ?? Buffer.alloc(0);
          const counted = frame?.totalBytes ?? null;
          // Without dd's count, a full cap is the only sign that output was cut.
          const truncated = counted !== null ? counted > options.maxBytes : options.maxBytes > 0 && stdout.length >= options.maxBytes;
          resolve({
            outcome: {
              exitCode: p.timedOut ? null : (frame?.exitCode ?? null),
              stdout,
              stderr: (frame?.stderr ?? Buffer.alloc(0)).toString('utf8').slice(0, STDERR_LIMIT),
              truncated,
              timedOut: p.timedOut,
              startedAt,
              durationMs,
              totalBytes: counted ?? stdout.length,
            },
            reason: frame === null ? reason : null,
          });
        },
      };
      this.pending.set(id, p);
      this.streams.write(line);
    });
  }

  private deliver(frame: BatchFrame): void {
    const p = this.pending.get(frame.id);
    if (!p) return;
    this.pending.delete(frame.id);
    clearTimeout(p.timer);
    p.resolve(frame, null);
  }

  /** Ends the shell: it removes its temporary folder on the way out. */
  close(): void {
    if (this.state === 'ready' || this.state === 'starting') this.streams.end();
  }
}
