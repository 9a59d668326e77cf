// SSH transport: one ssh2 connection per host (through jump hosts when asked), host keys verified against
// known_hosts like `ssh` does, and commands multiplexed as channels on that one connection, a bounded
// number at a time, each with its own timeout and output cap.
import { promises as fs } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
// ssh2 is CommonJS: Node's own ESM loader (the built CLI) does not expose `utils` as a named export.
import ssh2, { Client, type AnyAuthMethod, type ClientChannel, type ConnectConfig } from 'ssh2';
import {
  HostUnreachableError,
  type CollectionWay,
  type ConnectSsh,
  type ExecOptions,
  type ExecOutcome,
  type HostConnection,
  type SshConnectOptions,
  type SshHostSpec,
} from '../transport.js';
import {
  appendKnownHost,
  checkHostKey,
  fingerprintSha256,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  readKnownHosts,
} from './known-hosts.js';
import { STDERR_LIMIT } from '../../bundle/manifest.js';
import { shq } from '../shell.js';
import { BatchSession, type BatchStreams } from './batch.js';
import { HeadBuffer, TailBuffer } from './local.js';
import { resolveSshSettings, type ResolvedSshSettings } from './ssh-settings.js';

/** Jump chains longer than this are almost certainly a ProxyJump that matches its own jump host. */
const MAX_JUMP_DEPTH = 4;
/** After a timeout, how long to wait for the server to confirm the channel is gone before moving on. */
const KILL_GRACE_MS = 2000;
const KEEPALIVE_MS = 10_000;

/** ssh2's host key algorithms, in its default order of preference. */
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
] as const;
type HostKeyAlgorithm = (typeof HOST_KEY_ALGORITHMS)[number];

function algorithmsForKeyType(keyType: string): HostKeyAlgorithm[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return HOST_KEY_ALGORITHMS.filter((a) => a === keyType);
}

/**
 * Ask first for key types already on record, as `ssh` does; otherwise a host known by its RSA key would
 * present its ed25519 key and look unknown.
 */
function hostKeyPreference(known: string[]): HostKeyAlgorithm[] {
  const preferred = known.flatMap(algorithmsForKeyType);
  return [...new Set([...preferred, ...HOST_KEY_ALGORITHMS])];
}

// Runs the command (passed as $0) under `timeout` when the host has it. The channel signal alone is not
// enough: OpenSSH refuses signals in root sessions (no privilege separation after a root login), and
// without a pty a command outlives its closed channel. GNU and busybox `timeout` kill the command's whole
// process group.
const GUARD = 'command -v timeout >/dev/null 2>&1 && exec timeout -s KILL "$1" sh -c "$0"; exec sh -c "$0"';

/** The host-side limit of a command: a little longer than ours, so the local timeout reports first. */
export function remoteLimitSeconds(timeoutMs: number): number {
  return Math.ceil(timeoutMs / 1000) + 1;
}

/**
 * The exact line sent to the server: the user's login shell runs it, so it must be neutral to that shell.
 * stdin comes from /dev/null so a command that reads it ends at once; sending EOF on the channel instead
 * would make ssh2 drop the signal request for a timed-out command. The remote limit is a little longer
 * than ours, so the local timeout reports first and the remote one only cleans up.
 */
export function remoteCommandLine(command: string, sudo: boolean, timeoutMs: number): string {
  const remoteLimit = remoteLimitSeconds(timeoutMs);
  // `exec` spares the login shell's fork: a command costs the host as few processes as possible.
  return `exec ${sudo ? 'sudo -n ' : ''}sh -c ${shq(GUARD)} ${shq(command)} ${remoteLimit} </dev/null`;
}

function describe(s: ResolvedSshSettings): string {
  return `${s.name} (${s.user}@${s.host}:${s.port})`;
}

function mapConnectError(s: ResolvedSshSettings, err: Error & { level?: string; code?: string }, timeoutMs: number): HostUnreachableError {
  const who = describe(s);
  const code = err.code ?? '';
  if (err.level === 'client-authentication') {
    const keys = s.identityFiles.map((f) => f.path).join(', ');
    return new HostUnreachableError(
      s.name,
      'auth-failed',
      `${who}: login refused (${err.message}). Offered: ssh-agent if SSH_AUTH_SOCK is set, and keys ${keys}. ` +
        `Check the user, and that the public key is in ~${s.user}/.ssh/authorized_keys on the host (ssh-copy-id -p ${s.port} ${s.user}@${s.host}).`,
    );
  }
  if (err.level === 'client-timeout' || code === 'ETIMEDOUT') {
    return new HostUnreachableError(
      s.name,
      'timeout',
      `${who}: no SSH handshake within ${Math.round(timeoutMs / 1000)}s. Check that the host is up and reachable, or raise --timeout.`,
    );
  }
  if (err.level === 'client-dns' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new HostUnreachableError(
      s.name,
      'unreachable',
      `${who}: cannot resolve ${s.host} (${code || err.message}). Fix the address in the inventory or ~/.ssh/config, or use an IP.`,
    );
  }
  if (code === 'ECONNREFUSED') {
    return new HostUnreachableError(
      s.name,
      'unreachable',
      `${who}: connection refused. Is sshd running on port ${s.port}? Check the port in the inventory or ~/.ssh/config.`,
    );
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EHOSTDOWN') {
    return new HostUnreachableError(
      s.name,
      'unreachable',
      `${who}: no route to host (${code}). Check that the host is powered on and that this machine can reach its network.`,
    );
  }
  return new HostUnreachableError(s.name, 'unreachable', `${who}: SSH connection failed: ${err.message}`);
}

async function loadAuth(s: ResolvedSshSettings, env: NodeJS.ProcessEnv): Promise<AnyAuthMethod[]> {
  const methods: AnyAuthMethod[] = [];
  const agent = env.SSH_AUTH_SOCK && env.SSH_AUTH_SOCK !== '' ? env.SSH_AUTH_SOCK : null;
  if (agent) methods.push({ type: 'agent', username: s.user, agent });
  for (const id of s.identityFiles) {
    let data: Buffer;
    try {
      data = await fs.readFile(id.path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && (!id.required || agent)) continue;
      throw new HostUnreachableError(
        s.name,
        'config',
        `${describe(s)}: cannot read identity file ${id.path} (${code ?? (err as Error).message}). ` +
          `Fix identityFile in the inventory or IdentityFile in ~/.ssh/config.`,
      );
    }
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      if (/encrypted|passphrase/i.test(parsed.message)) {
        // The agent may well hold this key already; only without one is there nothing to try.
        if (agent) continue;
        throw new HostUnreachableError(
          s.name,
          'config',
          `${describe(s)}: identity file ${id.path} is protected by a passphrase and labsnap never prompts. ` +
            `Load it into ssh-agent (eval "$(ssh-agent)"; ssh-add ${id.path}) and run labsnap with SSH_AUTH_SOCK set.`,
        );
      }
      throw new HostUnreachableError(s.name, 'config', `${describe(s)}: identity file ${id.path} is not a usable private key: ${parsed.message}`);
    }
    methods.push({ type: 'publickey', username: s.user, key: data });
  }
  if (methods.length === 0) {
    throw new HostUnreachableError(
      s.name,
      'config',
      `${describe(s)}: no key to log in with: none of ${s.identityFiles.map((f) => f.path).join(', ')} exists and SSH_AUTH_SOCK is not set. ` +
        `Set identityFile in the inventory, or start ssh-agent and add a key.`,
    );
  }
  return methods;
}

/** An established connection and the jump connections it rides on (outermost last). */
interface Link {
  client: Client;
  fingerprint: string;
  settings: ResolvedSshSettings;
  via: Link | null;
}

function endLink(link: Link): void {
  link.client.end();
  if (link.via) endLink(link.via);
}

function forwardThrough(via: Link, s: ResolvedSshSettings): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.client.forwardOut('127.0.0.1', 0, s.host, s.port, (err, stream) => {
      if (err) {
        reject(
          new HostUnreachableError(
            s.name,
            'unreachable',
            `${describe(s)}: jump host ${via.settings.name} could not open a connection to ${s.host}:${s.port} (${err.message}). ` +
              `Check that the jump host can reach it and allows TCP forwarding (AllowTcpForwarding).`,
          ),
        );
      } else resolve(stream);
    });
  });
}

async function openLink(spec: SshHostSpec, options: SshConnectOptions, depth: number): Promise<Link> {
  const s = await resolveSshSettings(spec, options);
  let via: Link | null = null;
  if (s.jump) {
    if (depth >= MAX_JUMP_DEPTH) {
      throw new HostUnreachableError(
        spec.name,
        'config',
        `${describe(s)}: more than ${MAX_JUMP_DEPTH} jump hosts in a row; a ProxyJump in ~/.ssh/config probably matches its own jump host (use "Host * !bastion").`,
      );
    }
    try {
      via = await openLink(s.jump, options, depth + 1);
    } catch (err) {
      if (err instanceof HostUnreachableError) {
        throw new HostUnreachableError(spec.name, err.reason, `${spec.name}: via jump host ${err.message}`, err.hostKeyFingerprint);
      }
      throw err;
    }
  }
  try {
    const sock = via ? await forwardThrough(via, s) : undefined;
    const auth = await loadAuth(s, options.env);
    const knownEntries = await readKnownHosts(s.knownHostsFiles);
    const name = knownHostsName(s.host, s.port);
    return await handshake(s, options, auth, knownEntries, name, sock, via);
  } catch (err) {
    if (via) endLink(via);
    throw err;
  }
}

function handshake(
  s: ResolvedSshSettings,
  options: SshConnectOptions,
  auth: AnyAuthMethod[],
  knownEntries: Awaited<ReturnType<typeof readKnownHosts>>,
  name: string,
  sock: Duplex | undefined,
  via: Link | null,
): Promise<Link> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let fingerprint: string | null = null;
    let refusal: HostUnreachableError | null = null;
    let settled = false;
    const fail = (err: HostUnreachableError): void => {
      if (settled) return;
      settled = true;
      client.end();
      reject(err);
    };
    const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
      const fp = fingerprintSha256(key);
      fingerprint = fp;
      const type = keyTypeOf(key);
      const writeTo = s.knownHostsFiles[0]!;
      const check = checkHostKey(knownEntries, name, key);
      switch (check.status) {
        case 'known':
          verify(true);
          return;
        case 'revoked':
          refusal = new HostUnreachableError(
            s.name,
            'host-key-mismatch',
            `${describe(s)}: the host presented ${type} key ${fp}, which ${check.entry.file}:${check.entry.line} marks as @revoked. ` +
              `Refusing to connect. Replace the host's key (ssh-keygen -A on the host) and record the new one.`,
            fp,
          );
          verify(false);
          return;
        case 'mismatch': {
          const where = check.entries.map((e) => `${e.file}:${e.line} (${e.keyType})`).join(', ');
          refusal = new HostUnreachableError(
            s.name,
            'host-key-mismatch',
            `${describe(s)}: HOST KEY MISMATCH. The host presented ${type} key ${fp}, but ${where} records a different key for ${name}. ` +
              `This is either a reinstalled host or someone intercepting the connection, so labsnap refuses it. ` +
              `If the host was reinstalled, check the new fingerprint on its console (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), ` +
              `remove the old entry (ssh-keygen -R '${name}' -f ${check.entries[0]!.file}) and run again with --accept-new-host-keys.`,
            fp,
          );
          verify(false);
          return;
        }
        case 'unknown':
          if (options.acceptNewHostKeys) {
            appendKnownHost(writeTo, name, key).then(
              () => verify(true),
              (err: Error) => {
                refusal = new HostUnreachableError(
                  s.name,
                  'config',
                  `${describe(s)}: cannot record host key ${fp} in ${writeTo}: ${err.message}. Fix the file's permissions or set knownHosts.`,
                  fp,
                );
                verify(false);
              },
            );
            return;
          }
          refusal = new HostUnreachableError(
            s.name,
            'unknown-host-key',
            `${describe(s)}: unknown host key: ${name} is not in ${s.knownHostsFiles.join(', ')}` +
              (check.caOnly ? ' (only a @cert-authority line matches; labsnap does not verify host certificates)' : '') +
              `. The host presented ${type} key ${fp}. Compare it with the key on the host's console ` +
              `(ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-|-sha2-.*$/g, '')}_key.pub), then either run again with ` +
              `--accept-new-host-keys, or record it yourself: ssh-keyscan -p ${s.port} ${s.host} >> ${writeTo}`,
            fp,
          );
          verify(false);
          return;
      }
    };
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      resolve({ client, fingerprint: fingerprint!, settings: s, via });
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      fail(refusal ?? mapConnectError(s, err, options.connectTimeoutMs));
    });
    client.on('close', () => {
      fail(refusal ?? new HostUnreachableError(s.name, 'unreachable', `${describe(s)}: the server closed the connection during login. Check sshd's log on the host.`));
    });
    const config: ConnectConfig = {
      host: s.host,
      port: s.port,
      username: s.user,
      readyTimeout: options.connectTimeoutMs,
      keepaliveInterval: KEEPALIVE_MS,
      keepaliveCountMax: 3,
      authHandler: auth,
      hostVerifier,
      algorithms: { serverHostKey: hostKeyPreference(knownKeyTypes(knownEntries, name)) },
    };
    if (sock) config.sock = sock;
    client.connect(config);
  });
}

function errorOutcome(startedAt: Date, message: string): ExecOutcome {
  return {
    exitCode: null,
    stdout: Buffer.alloc(0),
    stderr: message,
    truncated: false,
    timedOut: false,
    startedAt,
    durationMs: 0,
    totalBytes: 0,
  };
}

const SUDO_PASSWORD = /a password is required|a terminal is required|no tty present|askpass/i;
const SUDO_MISSING = /sudo: (command )?not found|sudo: No such file/i;

/** Why a command's result needs a word from labsnap: sudo wanting a password, no sudo, a signal. */
function outcomeNote(host: string, user: string, sudo: boolean, exitCode: number | null, stderr: string): string | null {
  if (sudo && exitCode !== 0 && SUDO_PASSWORD.test(stderr)) {
    return `sudo on ${host} wants a password for ${user}; labsnap runs sudo -n and never types passwords. Allow these read-only commands without a password (NOPASSWD in sudoers) or connect as a user that does not need sudo.`;
  }
  if (sudo && exitCode === 127 && SUDO_MISSING.test(stderr)) return `sudo is not installed on ${host}; set sudo: false for this host or connect as root.`;
  return null;
}

function withNote(outcome: ExecOutcome, note: string | null): ExecOutcome {
  if (!note) return outcome;
  return { ...outcome, stderr: `labsnap: ${note}\n${outcome.stderr}`.slice(0, STDERR_LIMIT) };
}

/** How long the account's login shell may take to start the batch shell before items go one channel each. */
export const BATCH_START_TIMEOUT_MS = 60_000;

class SshHostConnection implements HostConnection {
  readonly hostKeyFingerprint: string;
  /** The batch shell; null before the first command and after it could not start. */
  private batch: BatchSession | null = null;
  private batchStart: Promise<BatchSession | null> | null = null;
  private way: CollectionWay;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Set once the connection is gone; every later exec fails fast with this reason. */
  private lost: string | null = null;
  /** Aborts for running execs, called when the connection dies under them. */
  private readonly running = new Set<(reason: string) => void>();
  private readonly closed: Promise<void>;

  constructor(
    private readonly link: Link,
    private readonly maxChannels: number,
    private readonly useBatch: boolean,
    private readonly batchStartTimeoutMs: number,
  ) {
    this.way = useBatch ? { mode: 'batch', note: null } : { mode: 'per-item', note: 'batch execution turned off' };
    this.hostKeyFingerprint = link.fingerprint;
    const s = link.settings;
    this.closed = new Promise((resolve) => link.client.once('close', () => resolve()));
    link.client.on('error', (err: Error) => this.markLost(`connection to ${describe(s)} failed: ${err.message}`));
    link.client.on('close', () => this.markLost(`connection to ${describe(s)} was closed`));
  }

  private markLost(reason: string): void {
    if (this.lost !== null) return;
    this.lost = reason;
    for (const abort of [...this.running]) abort(reason);
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async acquire(): Promise<void> {
    if (this.active < this.maxChannels || this.lost !== null) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }

  collectionWay(): CollectionWay {
    return { ...this.way };
  }

  /** Starts the batch shell once; null when it cannot start (then every item gets its own channel). */
  private startBatch(): Promise<BatchSession | null> {
    this.batchStart ??= (async () => {
      const s = this.link.settings;
      const streams = await new Promise<BatchStreams | string>((resolve) => {
        // The login shell runs this line once; from then on the script arrives on stdin.
        this.link.client.exec('exec sh -s', (e, ch) => {
          if (e) {
            resolve(`could not open a channel on ${describe(s)}: ${e.message}`);
            return;
          }
          resolve({
            write: (text) => void ch.write(text),
            end: () => void ch.end(),
            onData: (fn) => void ch.on('data', fn),
            onStderr: (fn) => void ch.stderr.on('data', fn),
            onClose: (fn) => void ch.on('close', fn),
            destroy: () => void ch.close(),
          });
        });
      });
      if (typeof streams === 'string') {
        this.way = { mode: 'per-item', note: `the batch shell could not start (${streams}); every item ran on its own channel` };
        return null;
      }
      const session = new BatchSession(streams, s.name, this.batchStartTimeoutMs);
      try {
        await session.start();
      } catch (err) {
        this.way = { mode: 'per-item', note: `${(err as Error).message}; every item ran on its own channel` };
        return null;
      }
      this.batch = session;
      return session;
    })();
    return this.batchStart;
  }

  async exec(command: string, options: ExecOptions): Promise<ExecOutcome> {
    await this.acquire();
    try {
      if (this.lost !== null) return errorOutcome(new Date(), `labsnap: ${this.lost}; command not run`);
      const session = this.useBatch ? await this.startBatch() : null;
      if (this.lost !== null) return errorOutcome(new Date(), `labsnap: ${this.lost}; command not run`);
      if (session !== null && session.state === 'ready') return await this.runBatched(session, command, options);
      if (session !== null && this.way.note === null) {
        this.way = { mode: 'batch', note: `${session.reason ?? 'the batch shell ended'}; items after the first ${session.itemsRun} ran on their own channels` };
      }
      let line: string;
      try {
        line = remoteCommandLine(command, options.sudo, options.timeoutMs);
      } catch (err) {
        return errorOutcome(new Date(), `labsnap: command not run on ${this.link.settings.name}: ${(err as Error).message}`);
      }
      return await this.run(line, options);
    } finally {
      this.release();
    }
  }

  private async runBatched(session: BatchSession, command: string, options: ExecOptions): Promise<ExecOutcome> {
    const s = this.link.settings;
    const { outcome, reason } = await session.run(command, options, remoteLimitSeconds(options.timeoutMs));
    if (outcome === null) {
      // A dying connection closes the channel a moment before it reports itself; its reason says more.
      for (let i = 0; i < 5 && this.lost === null; i++) await new Promise((r) => setTimeout(r, 20));
      const why = this.lost ?? reason ?? 'the batch shell ended';
      return errorOutcome(new Date(), `labsnap: ${why} while the command ran; its output may be incomplete`);
    }
    if (outcome.timedOut) return withNote(outcome, `timed out after ${options.timeoutMs} ms on ${s.name}; the command was killed`);
    return withNote(outcome, outcomeNote(s.name, s.user, options.sudo, outcome.exitCode, outcome.stderr));
  }

  private run(line: string, options: ExecOptions): Promise<ExecOutcome> {
    const s = this.link.settings;
    return new Promise((resolve) => {
      const startedAt = new Date();
      const t0 = performance.now();
      const out = new TailBuffer(options.maxBytes);
      const err = new HeadBuffer(STDERR_LIMIT);
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      let timedOut = false;
      let note: string | null = null;
      let channel: ClientChannel | null = null;
      let settled = false;
      let graceTimer: NodeJS.Timeout | undefined;

      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(graceTimer);
        this.running.delete(abort);
        let stderr = err.text();
        note ??= outcomeNote(s.name, s.user, options.sudo, exitCode, stderr);
        if (note === null && exitSignal && !timedOut) note = `killed by signal ${exitSignal}`;
        if (note) stderr = `labsnap: ${note}\n${stderr}`.slice(0, STDERR_LIMIT);
        resolve({
          exitCode: timedOut ? null : exitCode,
          stdout: out.result(),
          stderr,
          truncated: out.truncated,
          timedOut,
          startedAt,
          durationMs: Math.round(performance.now() - t0),
          totalBytes: out.total,
        });
      };

      const abort = (reason: string): void => {
        note = `${reason} while the command ran; its output may be incomplete`;
        exitCode = null;
        finish();
      };
      this.running.add(abort);

      const timer = setTimeout(() => {
        timedOut = true;
        note = `timed out after ${options.timeoutMs} ms on ${s.name}; the command was killed`;
        if (!channel) {
          finish();
          return;
        }
        // Without a pty, closing the channel alone leaves the remote process running until it writes;
        // sshd delivers the signal to the session's whole process group.
        channel.signal('KILL');
        channel.close();
        graceTimer = setTimeout(finish, KILL_GRACE_MS);
      }, options.timeoutMs);

      this.link.client.exec(line, (e, ch) => {
        if (e) {
          note = `could not open a channel on ${describe(s)}: ${e.message}`;
          finish();
          return;
        }
        if (settled) {
          ch.close();
          return;
        }
        channel = ch;
        ch.on('data', (d: Buffer) => out.push(d));
        ch.stderr.on('data', (d: Buffer) => err.push(d));
        ch.on('exit', (code: number | null, signal?: string) => {
          exitCode = typeof code === 'number' ? code : null;
          exitSignal = signal ?? null;
        });
        ch.on('close', finish);
      });
    });
  }

  async close(): Promise<void> {
    // EOF ends the batch shell, which removes its temporary folder on the host.
    this.batch?.close();
    this.markLost(`connection to ${describe(this.link.settings)} was closed by labsnap`);
    endLink(this.link);
    await this.closed;
  }
}

export const connectSsh: ConnectSsh = async (spec, options) => {
  const link = await openLink(spec, options, 0);
  return new SshHostConnection(link, Math.max(1, options.maxChannels), options.batch ?? true, options.batchStartTimeoutMs ?? BATCH_START_TIMEOUT_MS);
};
