// Resolves where and how to connect to one host: inventory values on the host entry win over
// ~/.ssh/config, which wins over the inventory's defaults, which win over ssh's own defaults. That is the
// order a user expects: what they wrote for this host, then what their ssh already does, then the rest.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { HostUnreachableError, type SshConnectOptions, type SshHostSpec, type SshSettings } from '../transport.js';

export interface ResolvedSshSettings {
  name: string;
  /** What the TCP connection goes to (HostName from ~/.ssh/config, else the inventory address). */
  host: string;
  port: number;
  user: string;
  /** Keys to offer, in order. `required` ones were named by the user, so a missing file is an error. */
  identityFiles: { path: string; required: boolean }[];
  /** Read in order; new keys are written to the first. */
  knownHostsFiles: string[];
  jump: SshHostSpec | null;
}

const DEFAULT_IDENTITIES = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];

export function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME && env.HOME !== '' ? env.HOME : os.homedir();
}

function localUser(env: NodeJS.ProcessEnv): string {
  return env.USER || env.LOGNAME || os.userInfo().username;
}

export function expandHome(p: string, env: NodeJS.ProcessEnv): string {
  if (p === '~') return homeOf(env);
  if (p.startsWith('~/')) return path.join(homeOf(env), p.slice(2));
  return p;
}

/** The ssh_config(5) tokens that make sense outside ssh itself. */
function expandTokens(value: string, t: { home: string; localUser: string; host: string; user: string; port: number }): string {
  return value.replace(/%([%dhupr])/g, (_, c: string) => {
    switch (c) {
      case 'd':
        return t.home;
      case 'h':
        return t.host;
      case 'u':
        return t.localUser;
      case 'r':
        return t.user;
      case 'p':
        return String(t.port);
      default:
        return '%';
    }
  });
}

type Computed = Record<string, string | string[]>;

async function computeSshConfig(spec: SshHostSpec, options: SshConnectOptions): Promise<Computed> {
  const configPath =
    options.sshConfigPath === null ? null : expandHome(options.sshConfigPath ?? '~/.ssh/config', options.env);
  if (configPath === null) return {};
  let text: string;
  try {
    text = await fs.readFile(configPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new HostUnreachableError(
      spec.name,
      'config',
      `${spec.name}: cannot read ssh client config ${configPath}: ${(err as Error).message}. Fix its permissions or move it away.`,
    );
  }
  try {
    // `Match exec` would run arbitrary commands from the config; a collector has no business doing that.
    return SSHConfig.parse(text).compute(spec.address, { ignoreCase: true, matchExec: false });
  } catch (err) {
    throw new HostUnreachableError(
      spec.name,
      'config',
      `${spec.name}: cannot parse ssh client config ${configPath}: ${(err as Error).message}`,
    );
  }
}

function first(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v[0] : v;
}

function all(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function parsePort(raw: string, where: string, hostName: string): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new HostUnreachableError(hostName, 'config', `${hostName}: invalid port ${JSON.stringify(raw)} in ${where}; use 1-65535.`);
  }
  return port;
}

/**
 * `[user@]host[:port]`, `[user@][v6addr]:port`, comma-separated for a chain (first hop first).
 * Returns the spec of the LAST hop, whose `jump` is the hop before it.
 */
export function parseJumpChain(value: string, defaults: SshSettings, forHost: string): SshHostSpec | null {
  let previous: SshHostSpec | null = null;
  for (const hop of value.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^(?:([^@\s]+)@)?(?:\[([^\]]+)\]|([^:@\s[\]]+))(?::(\d+))?$/.exec(hop);
    if (!m) {
      throw new HostUnreachableError(
        forHost,
        'config',
        `${forHost}: cannot understand jump host ${JSON.stringify(hop)}; write it as user@host:port.`,
      );
    }
    const explicit: SshSettings = {};
    if (m[1]) explicit.user = m[1];
    if (m[4]) explicit.port = parsePort(m[4], `jump host ${hop}`, forHost);
    previous = { name: hop, address: (m[2] ?? m[3])!, explicit, defaults, jump: previous };
  }
  return previous;
}

export async function resolveSshSettings(spec: SshHostSpec, options: SshConnectOptions): Promise<ResolvedSshSettings> {
  const env = options.env;
  const cfg = await computeSshConfig(spec, options);
  const home = homeOf(env);
  const local = localUser(env);

  const cfgPort = first(cfg.port);
  const port =
    spec.explicit.port ??
    (cfgPort !== undefined ? parsePort(cfgPort, '~/.ssh/config', spec.name) : undefined) ??
    spec.defaults.port ??
    22;
  const user = spec.explicit.user ?? first(cfg.user) ?? spec.defaults.user ?? local;
  const cfgHostName = first(cfg.hostname);
  const host = cfgHostName
    ? expandTokens(cfgHostName, { home, localUser: local, host: spec.address, user, port })
    : spec.address;
  const tokens = { home, localUser: local, host, user, port };
  const expand = (p: string): string => expandHome(expandTokens(p, tokens), env);

  let identityFiles: ResolvedSshSettings['identityFiles'];
  if (spec.explicit.identityFile) identityFiles = [{ path: expand(spec.explicit.identityFile), required: true }];
  else if (all(cfg.identityfile).length > 0) identityFiles = all(cfg.identityfile).map((p) => ({ path: expand(p), required: true }));
  else if (spec.defaults.identityFile) identityFiles = [{ path: expand(spec.defaults.identityFile), required: true }];
  else identityFiles = DEFAULT_IDENTITIES.map((p) => ({ path: expand(p), required: false }));

  // UserKnownHostsFile may list several files separated by spaces.
  const cfgKnown = all(cfg.userknownhostsfile).flatMap((v) => v.split(/\s+/)).filter((v) => v !== '');
  let knownHostsFiles: string[];
  if (spec.explicit.knownHosts) knownHostsFiles = [expand(spec.explicit.knownHosts)];
  else if (cfgKnown.length > 0) knownHostsFiles = cfgKnown.map(expand);
  else if (spec.defaults.knownHosts) knownHostsFiles = [expand(spec.defaults.knownHosts)];
  else knownHostsFiles = [expand('~/.ssh/known_hosts')];

  let jump = spec.jump;
  const proxyJump = first(cfg.proxyjump);
  if (!jump && proxyJump && proxyJump.toLowerCase() !== 'none') jump = parseJumpChain(proxyJump, spec.defaults, spec.name);

  return { name: spec.name, host, port, user, identityFiles, knownHostsFiles, jump };
}
