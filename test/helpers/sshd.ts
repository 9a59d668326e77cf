// Real OpenSSH sshd instances on loopback, one per "fake host", for tests that must exercise SSH for real.
// Each fake host listens on its own 127.0.0.x address and port, has its own host keys and a PATH shim
// that answers cluster- and Proxmox-only commands from fixtures/hosts/<scenario>/<host>/ (see the README
// there); everything else (ip, ss, sysctl, cat ...) runs for real on this machine.
//
// Tests own the account they log in to: each sshd runs in a private mount namespace where /etc/passwd is
// the harness's copy, in which root's home is an empty folder of the host and its login shell is the
// harness's script (it logs every start, then runs /bin/sh). Nothing of this machine's root account
// (~/.bashrc, ~/.profile, its shell) runs, however slow or noisy it is.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SshConnectOptions, SshHostSpec, SshSettings } from '../../collector/transport.js';

const run = promisify(execFile);

export const FIXTURE_HOSTS_DIR = fileURLToPath(new URL('../../fixtures/hosts/', import.meta.url));
export const SHIM_TABLE = path.join(FIXTURE_HOSTS_DIR, 'commands.tsv');
const OFFLINE_GUARD = path.join(import.meta.dirname, 'offline-bin', 'guard.sh');
export const DEFAULT_SCENARIO = 'small-lab';

/** What sshd gives root sessions by default; the shim directory goes in front of it. */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SSHD_CANDIDATES = ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/sbin/sshd'];
/** sshd refuses to start without its privilege separation directory; distributions create it at boot. */
const PRIVSEP_DIR = '/run/sshd';

function findSshd(): string | null {
  const fromEnv = process.env.LABSNAP_SSHD;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return SSHD_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && existsSync(path.join(dir, cmd)));
}

/** Why real-sshd tests cannot run here, or null when they can. Pair with `it.skipIf` and print it. */
export function sshdSkipReason(): string | null {
  if (process.platform !== 'linux') return 'real-sshd tests need Linux (127.0.0.x loopback addresses)';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'real-sshd tests need root (sshd must switch users and own its privilege separation directory)';
  }
  if (!findSshd()) return 'OpenSSH sshd not found (apt-get install openssh-server, or set LABSNAP_SSHD)';
  if (!onPath('ssh-keygen')) return 'ssh-keygen not found (apt-get install openssh-client)';
  return null;
}

export interface FakeHostOptions {
  /** Inventory-style name, also used for the fixture folder unless `fixtureHost` is set. */
  name: string;
  scenario?: string;
  fixtureHost?: string;
  /** How the lab's known_hosts records this host: plain line, hashed line, or not at all. */
  knownHosts?: 'plain' | 'hashed' | 'none';
  /** Seconds the login shell sleeps at every start, like a slow ~/.bashrc (default 0). */
  loginShellDelaySeconds?: number;
  /** Text the login shell prints on stdout at every start, like a chatty ~/.bashrc. */
  loginShellBanner?: string;
  /** Extra environment of every session (sshd SetEnv). */
  sessionEnv?: Record<string, string>;
}

export interface HostKey {
  type: string;
  /** The public key blob (what the server presents). */
  blob: Buffer;
  fingerprint: string;
}

export interface FakeHost {
  name: string;
  address: string;
  port: number;
  hostKeys: HostKey[];
  /** This host's private copy of its fixtures: tests may add `.hang`/`.flood` markers or change answers. */
  fixtureDir: string;
  /** sshd's log (`-E`), LogLevel VERBOSE. */
  logPath: string;
  /** Logins sshd accepted so far: the number of SSH connections that reached this host. */
  acceptedLogins(): Promise<number>;
  /** Starts of the login shell so far, from the shell's own log: one per channel that ran a command. */
  shellStarts(): Promise<number>;
  /** The passwd file this host's sshd sees as /etc/passwd. */
  passwdPath: string;
  /** root's home on this host (empty unless a test writes to it). */
  rootHome: string;
  /** known_hosts lines for all this host's keys. */
  knownHostsLines(form: 'plain' | 'hashed'): string[];
  /** Kills this host's per-connection sshd processes (not the listener): every open session dies at once. */
  dropConnections(): Promise<void>;
  stop(): Promise<void>;
}

export interface SshLab {
  /** Temp folder holding everything; removed by stop(). */
  root: string;
  /** A HOME for the client side: `.ssh/` exists and is empty apart from what tests write. */
  home: string;
  clientKeyPath: string;
  /** known_hosts with every host started with knownHosts 'plain' or 'hashed'. */
  knownHostsPath: string;
  hosts: Map<string, FakeHost>;
  host(name: string): FakeHost;
  addHost(options: FakeHostOptions): Promise<FakeHost>;
  /** Adds a public key to authorized_keys of every host of the lab (present and future). */
  authorize(publicKeyLine: string): Promise<void>;
  /**
   * Adds an unprivileged account to every host's passwd (present and future), with the harness's login
   * shell; nothing changes in this machine's own /etc/passwd.
   */
  addUser(name: string, uid: number, home: string): Promise<void>;
  /** A host spec for the transport with this lab's key and known_hosts as explicit settings. */
  spec(name: string, explicit?: SshSettings): SshHostSpec;
  /** Transport options: no ~/.ssh/config, HOME is the lab's, no agent. */
  connectOptions(overrides?: Partial<SshConnectOptions>): SshConnectOptions;
  /** An address and port where nothing listens, for unreachable-host tests. */
  closedPort(): Promise<{ address: string; port: number }>;
  stop(): Promise<void>;
}

/** Loopback addresses handed out so far in this process; each host gets its own. */
let nextAddress = 2;
function allocateAddress(): string {
  const n = nextAddress++;
  if (n > 250) throw new Error('sshd harness: out of 127.0.0.x addresses');
  return `127.0.0.${n}`;
}

export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function hashedName(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

function knownName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

export async function generateKey(file: string, type: 'ed25519' | 'ecdsa' | 'rsa', comment: string, passphrase = ''): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', comment, '-f', file]);
  return (await fs.readFile(`${file}.pub`, 'utf8')).trim();
}

function parsePublicLine(line: string): HostKey {
  const [type, b64] = line.split(/\s+/);
  const blob = Buffer.from(b64!, 'base64');
  const fingerprint = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { type: type!, blob, fingerprint };
}

/** Commands answered from fixtures: the first column of the shim table. */
async function shimmedCommands(): Promise<string[]> {
  const text = await fs.readFile(SHIM_TABLE, 'utf8');
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    names.add(line.split('\t')[0]!);
  }
  return [...names];
}

/** sshd_config of a fake host: key auth only, the shim's PATH and fixture folders in the session env. */
export function fakeHostSshdConfig(o: {
  listen: string;
  hostKeyFiles: string[];
  pidFile: string;
  authorizedKeys: string;
  path: string;
  host: string;
  fixtureDir: string;
  commonDir: string;
  shimTable: string;
  env?: Record<string, string>;
}): string {
  return [
    `ListenAddress ${o.listen}`,
    ...o.hostKeyFiles.map((f) => `HostKey ${f}`),
    `PidFile ${o.pidFile}`,
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    'StrictModes no',
    'UsePAM no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'AllowTcpForwarding yes',
    'X11Forwarding no',
    'PrintMotd no',
    'LogLevel VERBOSE',
    // The transport opens up to 8 channels; leave room for tests that push past that on purpose.
    'MaxSessions 32',
    'MaxStartups 100:30:200',
    // SetEnv, not ForceCommand: sshd refuses channel signals (how the transport kills a timed-out
    // command) in forced-command sessions. SetEnv values are applied after sshd's default PATH.
    `SetEnv ${[
      `PATH=${o.path}`,
      `LABSNAP_FAKE_HOST=${o.host}`,
      `LABSNAP_FIXTURE_DIR=${o.fixtureDir}`,
      `LABSNAP_COMMON_DIR=${o.commonDir}`,
      `LABSNAP_SHIM_TABLE=${o.shimTable}`,
      ...Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`),
    ]
      .map((v) => `"${v}"`)
      .join(' ')}`,
    '',
  ].join('\n');
}

export const DISPATCHER = `#!/bin/sh
# Answers a cluster- or Proxmox-only command from recorded output; fixtures/hosts/README.md explains the table.
cmd=$(basename "$0")
args="$*"
if [ ! -d "$LABSNAP_FIXTURE_DIR/$cmd" ]; then
  echo "sh: 1: $cmd: not found" >&2
  exit 127
fi
tab=$(printf '\\t')
while IFS="$tab" read -r c pattern file; do
  [ "$c" = "$cmd" ] || continue
  case "$args" in
    $pattern) ;;
    *) continue ;;
  esac
  f="$LABSNAP_FIXTURE_DIR/$cmd/$file"
  if [ -e "$f.hang" ]; then exec sleep 3600; fi
  if [ -e "$f.flood" ]; then
    seq -f 'labsnap flood line %012.0f' 1 999999999999 | head -c "$(cat "$f.flood")"
    exit 0
  fi
  [ -e "$f" ] || [ -e "$f.exit" ] || f="$LABSNAP_COMMON_DIR/$cmd/$file"
  if [ ! -e "$f" ] && [ ! -e "$f.exit" ]; then
    echo "labsnap test shim: no recorded output $cmd/$file for $LABSNAP_FAKE_HOST" >&2
    exit 1
  fi
  [ -e "$f" ] && cat "$f"
  [ -e "$f.stderr" ] && cat "$f.stderr" >&2
  [ -e "$f.exit" ] && exit "$(cat "$f.exit")"
  exit 0
done < "$LABSNAP_SHIM_TABLE"
echo "labsnap test shim: no row in fixtures/hosts/commands.tsv matches: $cmd $args" >&2
exit 1
`;

/**
 * The login shell of the fake host's accounts: records the start in its own log (what tests count), costs
 * the configured delay, prints the configured banner, then is /bin/sh with the arguments sshd gave it.
 */
export function loginShellScript(dir: string): string {
  return `#!/bin/sh
echo "start $$" >> ${JSON.stringify(path.join(dir, 'login-shell.log'))} 2>/dev/null
d=$(cat ${JSON.stringify(path.join(dir, 'login-shell.delay'))} 2>/dev/null)
[ -n "$d" ] && sleep "$d"
cat ${JSON.stringify(path.join(dir, 'login-shell.banner'))} 2>/dev/null
exec /bin/sh "$@"
`;
}

/** The machine's passwd with root's home and shell replaced by the harness's. */
export function passwdWithRoot(passwd: string, home: string, shell: string): string {
  const out = passwd.replace(/^root:([^:]*):0:0:([^:]*):[^:]*:[^\n]*$/m, `root:$1:0:0:$2:${home}:${shell}`);
  if (out === passwd) throw new Error('sshd harness: no root entry in /etc/passwd');
  return out;
}

// sshd's private mount namespace: the harness's passwd over /etc/passwd, then sshd in the foreground.
const SSHD_LAUNCH = 'mount --bind "$1" /etc/passwd && exec "$2" -D -E "$3" -f "$4"';

/** Test-only commands every fake host has: one that never ends, one that prints N bytes. */
const HANG = `#!/bin/sh\nexec sleep 3600\n`;
const FLOOD = `#!/bin/sh\nseq -f 'labsnap flood line %012.0f' 1 999999999999 | head -c "$1"\n`;

function waitForListen(address: string, port: number, proc: ChildProcess, logPath: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        fs.readFile(logPath, 'utf8').then(
          (log) => reject(new Error(`sshd on ${address}:${port} exited at start:\n${log}`)),
          () => reject(new Error(`sshd on ${address}:${port} exited at start`)),
        );
        return;
      }
      const sock = net.connect(port, address);
      sock.once('data', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd on ${address}:${port} did not start within ${timeoutMs} ms`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

async function descendants(pid: number): Promise<number[]> {
  // pgrep exits 1 when a process has no children; anything else (a fork failing on a loaded machine) is
  // an error, not "no children".
  const { stdout } = await run('pgrep', ['-P', String(pid)]).catch((err: { code?: unknown }) => {
    if (err.code === 1) return { stdout: '' };
    throw err;
  });
  const children = stdout.split('\n').filter((l) => l.trim() !== '').map(Number);
  const nested = await Promise.all(children.map(descendants));
  return [...children, ...nested.flat()];
}

const liveProcesses = new Set<ChildProcess>();
// A test runner that dies mid-file must not leave sshd listening behind it.
process.once('exit', () => {
  for (const p of liveProcesses) p.kill('SIGKILL');
});

export async function startSshLab(hosts: FakeHostOptions[] = []): Promise<SshLab> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'labsnap-sshd-'));
  const home = path.join(root, 'home');
  await fs.mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  const clientKeyPath = path.join(root, 'client_ed25519');
  const authorizedKeys = path.join(root, 'authorized_keys');
  const knownHostsPath = path.join(root, 'known_hosts');
  await fs.writeFile(authorizedKeys, `${await generateKey(clientKeyPath, 'ed25519', 'labsnap-test-client')}\n`, { mode: 0o600 });
  await fs.writeFile(knownHostsPath, '', { mode: 0o600 });
  const table = await shimmedCommands();
  const found = findSshd();
  if (!found) throw new Error(sshdSkipReason() ?? 'sshd not found');
  const sshd: string = found;
  if (!existsSync(PRIVSEP_DIR)) mkdirSync(PRIVSEP_DIR, { recursive: true, mode: 0o755 });

  const byName = new Map<string, FakeHost>();
  const extraUsers: string[] = [];
  const systemPasswd = await fs.readFile('/etc/passwd', 'utf8');

  async function addHost(opt: FakeHostOptions): Promise<FakeHost> {
    if (byName.has(opt.name)) throw new Error(`sshd harness: host ${opt.name} already started`);
    const dir = path.join(root, 'hosts', opt.name);
    const shimDir = path.join(dir, 'bin');
    const fixtureDir = path.join(dir, 'fixtures');
    const commonDir = path.join(dir, 'common');
    await fs.mkdir(shimDir, { recursive: true });
    const scenarioDir = path.join(FIXTURE_HOSTS_DIR, opt.scenario ?? DEFAULT_SCENARIO);
    const source = path.join(scenarioDir, opt.fixtureHost ?? opt.name);
    if (existsSync(source)) await fs.cp(source, fixtureDir, { recursive: true });
    else await fs.mkdir(fixtureDir);
    const common = path.join(scenarioDir, '_common');
    if (existsSync(common)) await fs.cp(common, commonDir, { recursive: true });

    await fs.writeFile(path.join(shimDir, 'labsnap-fixture-shim'), DISPATCHER, { mode: 0o755 });
    for (const cmd of table) await fs.symlink('labsnap-fixture-shim', path.join(shimDir, cmd));
    // Fake hosts are this machine: its gateway and any inventory address are off limits for tests.
    await fs.copyFile(OFFLINE_GUARD, path.join(shimDir, 'labsnap-offline-guard'));
    await fs.chmod(path.join(shimDir, 'labsnap-offline-guard'), 0o755);
    for (const tool of ['ping', 'arping', 'nc']) await fs.symlink('labsnap-offline-guard', path.join(shimDir, tool));
    await fs.writeFile(path.join(shimDir, 'labsnap-hang'), HANG, { mode: 0o755 });
    await fs.writeFile(path.join(shimDir, 'labsnap-flood'), FLOOD, { mode: 0o755 });

    const hostKeyFiles = [path.join(dir, 'ssh_host_ed25519_key'), path.join(dir, 'ssh_host_ecdsa_key')];
    const pubLines = await Promise.all([
      generateKey(hostKeyFiles[0]!, 'ed25519', opt.name),
      generateKey(hostKeyFiles[1]!, 'ecdsa', opt.name),
    ]);
    const hostKeys = pubLines.map(parsePublicLine);
    const address = allocateAddress();
    const port = await freePort(address);
    const logPath = path.join(dir, 'sshd.log');
    const configPath = path.join(dir, 'sshd_config');
    await fs.writeFile(
      configPath,
      fakeHostSshdConfig({
        listen: `${address}:${port}`,
        hostKeyFiles,
        pidFile: path.join(dir, 'sshd.pid'),
        authorizedKeys,
        path: `${shimDir}:${SYSTEM_PATH}`,
        host: opt.name,
        fixtureDir,
        commonDir,
        shimTable: SHIM_TABLE,
        ...(opt.sessionEnv ? { env: opt.sessionEnv } : {}),
      }),
    );
    const rootHome = path.join(dir, 'root-home');
    await fs.mkdir(rootHome, { mode: 0o700 });
    const loginShell = path.join(dir, 'login-shell');
    await fs.writeFile(loginShell, loginShellScript(dir), { mode: 0o755 });
    // Unprivileged test accounts log their starts too.
    await fs.writeFile(path.join(dir, 'login-shell.log'), '', { mode: 0o666 });
    await fs.chmod(path.join(dir, 'login-shell.log'), 0o666);
    if (opt.loginShellDelaySeconds) await fs.writeFile(path.join(dir, 'login-shell.delay'), `${opt.loginShellDelaySeconds}\n`);
    if (opt.loginShellBanner !== undefined) await fs.writeFile(path.join(dir, 'login-shell.banner'), opt.loginShellBanner);
    const passwdPath = path.join(dir, 'passwd');
    await fs.writeFile(passwdPath, passwdWithRoot(systemPasswd, rootHome, loginShell) + extraUsers.map((u) => `${u}\n`).join(''), { mode: 0o644 });
    const proc = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', SSHD_LAUNCH, 'sh', passwdPath, sshd, logPath, configPath], { stdio: 'ignore' });
    liveProcesses.add(proc);
    proc.once('exit', () => liveProcesses.delete(proc));
    await waitForListen(address, port, proc, logPath);

    const host: FakeHost = {
      name: opt.name,
      address,
      port,
      hostKeys,
      fixtureDir,
      logPath,
      async acceptedLogins() {
        const log = await fs.readFile(logPath, 'utf8').catch(() => '');
        return log.split('\n').filter((l) => /Accepted publickey for /.test(l)).length;
      },
      async shellStarts() {
        const log = await fs.readFile(path.join(dir, 'login-shell.log'), 'utf8').catch(() => '');
        return log.split('\n').filter((l) => l.startsWith('start ')).length;
      },
      passwdPath,
      rootHome,
      knownHostsLines(form) {
        const name = knownName(address, port);
        return hostKeys.map((k) => `${form === 'hashed' ? hashedName(name) : name} ${k.type} ${k.blob.toString('base64')}`);
      },
      async dropConnections() {
        // Descendants of the listener are the per-connection sshd processes and their sessions; until none
        // is left, since a busy machine may list them before all have appeared or been reaped.
        for (let round = 0; round < 20; round++) {
          const pids = await descendants(proc.pid!);
          if (pids.length === 0 && round > 0) return;
          for (const pid of pids) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // Already gone: it ended between listing and killing.
            }
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      async stop() {
        if (proc.exitCode !== null || proc.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      },
    };
    byName.set(opt.name, host);
    const form = opt.knownHosts ?? 'plain';
    if (form !== 'none') await fs.appendFile(knownHostsPath, host.knownHostsLines(form).join('\n') + '\n');
    return host;
  }

  const lab: SshLab = {
    root,
    home,
    clientKeyPath,
    knownHostsPath,
    hosts: byName,
    host(name) {
      const h = byName.get(name);
      if (!h) throw new Error(`sshd harness: no host ${name}`);
      return h;
    },
    addHost,
    async authorize(line) {
      await fs.appendFile(authorizedKeys, `${line.trim()}\n`);
    },
    async addUser(name, uid, userHome) {
      if (!/^[a-z_][a-z0-9_-]*$/.test(name)) throw new Error(`sshd harness: bad user name ${name}`);
      // Plain /bin/sh: the account exists for sudo and permission tests, not for counting shell starts.
      const line = `${name}:x:${uid}:65534::${userHome}:/bin/sh`;
      extraUsers.push(line);
      // Appending keeps the inode the bind mounts point at.
      for (const h of byName.values()) await fs.appendFile(h.passwdPath, `${line}\n`);
    },
    spec(name, explicit = {}) {
      const h = lab.host(name);
      return {
        name,
        address: h.address,
        explicit: { user: 'root', port: h.port, identityFile: clientKeyPath, knownHosts: knownHostsPath, ...explicit },
        defaults: {},
        jump: null,
      };
    },
    connectOptions(overrides = {}) {
      return {
        acceptNewHostKeys: false,
        connectTimeoutMs: 5000,
        sshConfigPath: null,
        env: { HOME: home, USER: 'root' },
        maxChannels: 8,
        ...overrides,
      };
    },
    async closedPort() {
      const address = allocateAddress();
      return { address, port: await freePort(address) };
    },
    async stop() {
      await Promise.all([...byName.values()].map((h) => h.stop()));
      await fs.rm(root, { recursive: true, force: true });
    },
  };

  try {
    // Sequential: parallel keygen and sshd start gain little on two cores and make failures harder to read.
    for (const h of hosts) await addHost(h);
  } catch (err) {
    await lab.stop();
    throw err;
  }
  return lab;
}
