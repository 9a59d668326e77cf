// What the collector needs from a way of reaching a host. The local transport runs commands on this
// machine; the SSH transport keeps one connection per host and runs several channels on it.

export interface ExecOptions {
  /** Kill the command (and report status `timeout`) after this long. */
  timeoutMs: number;
  /** Keep at most this many bytes of stdout: the tail, since the newest log lines matter most. */
  maxBytes: number;
  /** Run through `sudo -n` (never prompts; a password prompt becomes an error). */
  sudo: boolean;
}

export interface ExecOutcome {
  /** null when the command was killed (timeout) or the channel died. */
  exitCode: number | null;
  stdout: Buffer;
  /** First 4 KiB of stderr, decoded as UTF-8. */
  stderr: string;
  /** stdout was longer than maxBytes and only its tail is kept. */
  truncated: boolean;
  timedOut: boolean;
  startedAt: Date;
  durationMs: number;
  /** Bytes of stdout the command produced in total (before truncation). */
  totalBytes: number;
}

/** How commands reached a host, for the manifest's host record. */
export interface CollectionWay {
  /** batch: one `sh -s` on one channel ran every item; per-item: a channel (and login shell) per item; local: this machine. */
  mode: 'batch' | 'per-item' | 'local';
  /** Why the batch could not be used or ended early; null when nothing unusual happened. */
  note: string | null;
}

export interface HostConnection {
  /** Runs one shell command line (POSIX sh) on the host. Never throws for a failing command. */
  exec(command: string, options: ExecOptions): Promise<ExecOutcome>;
  /** SHA256 fingerprint of the verified host key, as `SHA256:base64`; null for the local transport. */
  readonly hostKeyFingerprint: string | null;
  /** How the commands run so far reached the host (absent: not known). */
  collectionWay?(): CollectionWay;
  close(): Promise<void>;
}

/** Why a host could not be reached, in words a user can act on. */
export class HostUnreachableError extends Error {
  override name = 'HostUnreachableError';
  constructor(
    readonly host: string,
    readonly reason: 'unreachable' | 'auth-failed' | 'unknown-host-key' | 'host-key-mismatch' | 'timeout' | 'config',
    message: string,
    readonly hostKeyFingerprint: string | null = null,
  ) {
    super(message);
  }
}

/** Connection settings for one host, as the inventory states them (before ~/.ssh/config is applied). */
export interface SshHostSpec {
  /** Inventory name, used in messages and the manifest. */
  name: string;
  /** Hostname, IP or an alias from ~/.ssh/config. */
  address: string;
  /** Values set on the host entry itself: these win over ~/.ssh/config. */
  explicit: SshSettings;
  /** Values from the inventory's `defaults`: ~/.ssh/config wins over these. */
  defaults: SshSettings;
  /** A host to jump through: an inventory host, or parsed from `user@host:port`. */
  jump: SshHostSpec | null;
}

export interface SshSettings {
  user?: string;
  port?: number;
  /** May start with `~/`. */
  identityFile?: string;
  /** May start with `~/`. */
  knownHosts?: string;
}

export interface SshConnectOptions {
  /** Record unknown host keys in knownHosts (trust on first use) instead of refusing the host. */
  acceptNewHostKeys: boolean;
  connectTimeoutMs: number;
  /** Path of the ssh client config to honour; null to ignore any. Defaults to ~/.ssh/config. */
  sshConfigPath?: string | null;
  /** Environment (HOME, SSH_AUTH_SOCK). */
  env: NodeJS.ProcessEnv;
  /** Commands running at once on the host (channels, or workers of the batch shell). */
  maxChannels: number;
  /** Run commands through one batch shell per host (default true); false opens a channel per command. */
  batch?: boolean;
  /** How long the batch shell may take to start before items fall back to a channel each. */
  batchStartTimeoutMs?: number;
}

export type ConnectSsh = (spec: SshHostSpec, options: SshConnectOptions) => Promise<HostConnection>;
