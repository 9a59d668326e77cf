// containerd's config.toml or `containerd config dump`, in the three layouts containerd has used:
// version 1 (`[plugins.cri]`), version 2 (`[plugins."io.containerd.grpc.v1.cri"]`, containerd 1.x) and
// version 3 (containerd 2.x, CRI split into `io.containerd.cri.v1.runtime` and `io.containerd.cri.v1.images`).
// TOML parsers drop positions, so key lines come from a separate scan of table headers and assignments.
import { parse, TomlError } from 'smol-toml';
import { ParseError, splitLines, type ParseContext } from './common.js';

export interface RegistryMirror {
  host: string;
  endpoints: string[];
  line: number | null;
}

export interface RegistryHostConfig {
  host: string;
  /** Credentials are configured (username/password, auth or identitytoken); their values are never kept. */
  hasAuth: boolean;
  insecureSkipVerify: boolean | undefined;
  caFile: string | undefined;
  line: number | null;
}

export interface ContainerdConfig {
  /** The `version` key; 1 when absent, as containerd reads it. */
  version: number;
  disabledPlugins: string[];
  /** `disabled_plugins` turns off the CRI plugin (kubeadm's "CRI v1 runtime API is not implemented"). */
  criDisabled: boolean;
  /** `default_runtime_name`, `runc` when not set. */
  defaultRuntimeName: string;
  /** `SystemdCgroup` of the default runtime's options; undefined when not set (containerd then uses cgroupfs). */
  systemdCgroup: boolean | undefined;
  /** Version 1's `systemd_cgroup` for the legacy v1 shim. */
  legacySystemdCgroup: boolean | undefined;
  /** `sandbox_image` (v1, v2) or `pinned_images.sandbox` (v3). */
  sandboxImage: string | undefined;
  registry: {
    configPath: string | undefined;
    mirrors: RegistryMirror[];
    configs: RegistryHostConfig[];
  };
  /** 1-based lines of the keys above, where present. */
  lines: {
    version?: number;
    disabledPlugins?: number;
    defaultRuntimeName?: number;
    systemdCgroup?: number;
    legacySystemdCgroup?: number;
    sandboxImage?: number;
    configPath?: number;
  };
}

type Table = Record<string, unknown>;

const CRI_PLUGIN_IDS = new Set(['cri', 'io.containerd.grpc.v1.cri', 'io.containerd.cri.v1.runtime', 'io.containerd.cri.v1.images']);

/** Splits a TOML dotted key (`plugins."io.containerd.grpc.v1.cri".containerd`) into its parts. */
function splitTomlKey(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      const close = text.indexOf(ch, i + 1);
      const end = close < 0 ? text.length : close;
      current += ch === '"' ? text.slice(i + 1, end).replace(/\\(.)/g, '$1') : text.slice(i + 1, end);
      i = end + 1;
    } else if (ch === '.') {
      parts.push(current.trim());
      current = '';
      i++;
    } else {
      current += ch;
      i++;
    }
  }
  parts.push(current.trim());
  return parts;
}

function pathId(parts: readonly string[]): string {
  return parts.join('\u0000');
}

/** Index of the first `#` outside a string, or the line's length. */
function commentStart(line: string): number {
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return i;
  }
  return line.length;
}

/** Map from a key's full dotted path to the 1-based line that assigns it (or opens its table). */
function keyLines(lines: readonly string[]): Map<string, number> {
  const located = new Map<string, number>();
  let table: string[] = [];
  let openBrackets = 0;
  let inMultilineString = '';
  lines.forEach((raw, index) => {
    if (inMultilineString) {
      if (raw.includes(inMultilineString)) inMultilineString = '';
      return;
    }
    const line = raw.slice(0, commentStart(raw)).trim();
    if (openBrackets > 0) {
      openBrackets += (line.match(/\[/g)?.length ?? 0) - (line.match(/]/g)?.length ?? 0);
      return;
    }
    if (line.startsWith('[')) {
      const inner = line.replace(/^\[\[?/, '').replace(/]]?$/, '');
      table = splitTomlKey(inner);
      if (!located.has(pathId(table))) located.set(pathId(table), index + 1);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    const path = [...table, ...splitTomlKey(line.slice(0, eq))];
    if (!located.has(pathId(path))) located.set(pathId(path), index + 1);
    const value = line.slice(eq + 1).trim();
    for (const delimiter of ['"""', "'''"]) {
      if (value.startsWith(delimiter) && value.indexOf(delimiter, 3) < 0) inMultilineString = delimiter;
    }
    if (value.startsWith('[')) openBrackets = (value.match(/\[/g)?.length ?? 0) - (value.match(/]/g)?.length ?? 0);
  });
  return located;
}

function tableAt(root: Table, path: readonly string[]): Table | undefined {
  let node: unknown = root;
  for (const part of path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = Object.prototype.hasOwnProperty.call(node, part) ? (node as Table)[part] : undefined;
  }
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Table) : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function booleanOf(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** Parses containerd's TOML configuration; ParseError (with the line) when it is not valid TOML. */
export function parseContainerdConfig(text: string, ctx: ParseContext): ContainerdConfig {
  // `containerd config dump 2>&1` interleaves logrus warnings; blank them so line numbers stay true.
  const lines = splitLines(text).map((line) => (/^(?:time|level)="?[\w:.+-]*"? /.test(line) ? '' : line));
  let root: Table;
  try {
    root = parse(lines.join('\n')) as Table;
  } catch (err) {
    if (err instanceof TomlError) throw new ParseError(`${ctx.path}: invalid TOML: ${err.message.split('\n')[0]}`, err.line);
    throw err;
  }
  const located = keyLines(lines);
  const lineOf = (path: readonly string[]): number | undefined => located.get(pathId(path));
  const version = typeof root['version'] === 'number' ? root['version'] : 1;
  const disabledPlugins = Array.isArray(root['disabled_plugins'])
    ? root['disabled_plugins'].filter((plugin): plugin is string => typeof plugin === 'string')
    : [];

  // Each layout's location of the CRI runtime and image settings; the first present wins.
  const runtimePaths = [['plugins', 'io.containerd.cri.v1.runtime'], ['plugins', 'io.containerd.grpc.v1.cri'], ['plugins', 'cri']];
  const imagePaths = [['plugins', 'io.containerd.cri.v1.images'], ['plugins', 'io.containerd.grpc.v1.cri'], ['plugins', 'cri']];
  const runtimePath = runtimePaths.find((path) => tableAt(root, path)) ?? runtimePaths[1]!;
  const imagePath = imagePaths.find((path) => tableAt(root, path)) ?? imagePaths[1]!;
  const runtimeTable = tableAt(root, runtimePath) ?? {};
  const imageTable = tableAt(root, imagePath) ?? {};

  const defaultRuntimeNamePath = [...runtimePath, 'containerd', 'default_runtime_name'];
  const defaultRuntimeName = stringOf(tableAt(runtimeTable, ['containerd'])?.['default_runtime_name']) ?? 'runc';
  const optionsPath = [...runtimePath, 'containerd', 'runtimes', defaultRuntimeName, 'options'];
  const systemdCgroup = booleanOf(tableAt(root, optionsPath)?.['SystemdCgroup']);

  const pinnedSandbox = stringOf(tableAt(imageTable, ['pinned_images'])?.['sandbox']);
  const sandboxImagePath = pinnedSandbox !== undefined ? [...imagePath, 'pinned_images', 'sandbox'] : [...imagePath, 'sandbox_image'];
  const sandboxImage = pinnedSandbox ?? stringOf(imageTable['sandbox_image']);

  const registryPath = [...imagePath, 'registry'];
  const registry = tableAt(root, registryPath) ?? {};
  const mirrors: RegistryMirror[] = Object.entries(tableAt(registry, ['mirrors']) ?? {}).map(([host, mirror]) => {
    const endpoints = (mirror as Table | undefined)?.['endpoint'];
    return {
      host,
      endpoints: Array.isArray(endpoints) ? endpoints.filter((endpoint): endpoint is string => typeof endpoint === 'string') : [],
      line: lineOf([...registryPath, 'mirrors', host]) ?? lineOf([...registryPath, 'mirrors', host, 'endpoint']) ?? null,
    };
  });
  const configs = new Map<string, RegistryHostConfig>();
  for (const [host, entry] of Object.entries(tableAt(registry, ['configs']) ?? {})) {
    const hostTable = (entry ?? {}) as Table;
    const auth = tableAt(hostTable, ['auth']);
    const tls = tableAt(hostTable, ['tls']);
    configs.set(host, {
      host,
      hasAuth: auth !== undefined && ['username', 'password', 'auth', 'identitytoken'].some((key) => stringOf(auth[key])),
      insecureSkipVerify: booleanOf(tls?.['insecure_skip_verify']),
      caFile: stringOf(tls?.['ca_file']),
      line: lineOf([...registryPath, 'configs', host, 'auth']) ?? lineOf([...registryPath, 'configs', host, 'tls']) ?? lineOf([...registryPath, 'configs', host]) ?? null,
    });
  }
  // The deprecated `registry.auths` table (containerd 1.2/1.3) keys credentials by endpoint URL.
  for (const [endpoint, entry] of Object.entries(tableAt(registry, ['auths']) ?? {})) {
    const authTable = (entry ?? {}) as Table;
    const host = endpoint.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (configs.has(host)) continue;
    configs.set(host, {
      host,
      hasAuth: ['username', 'password', 'auth', 'identitytoken'].some((key) => stringOf(authTable[key])),
      insecureSkipVerify: undefined,
      caFile: undefined,
      line: lineOf([...registryPath, 'auths', endpoint]) ?? null,
    });
  }

  const result: ContainerdConfig = {
    version,
    disabledPlugins,
    criDisabled: disabledPlugins.some((plugin) => CRI_PLUGIN_IDS.has(plugin)),
    defaultRuntimeName,
    systemdCgroup,
    legacySystemdCgroup: booleanOf(runtimeTable['systemd_cgroup']),
    sandboxImage,
    registry: { configPath: stringOf(registry['config_path']), mirrors, configs: [...configs.values()] },
    lines: {},
  };
  const keyLinesWanted: [keyof ContainerdConfig['lines'], readonly string[], boolean][] = [
    ['version', ['version'], root['version'] !== undefined],
    ['disabledPlugins', ['disabled_plugins'], root['disabled_plugins'] !== undefined],
    ['defaultRuntimeName', defaultRuntimeNamePath, true],
    ['systemdCgroup', [...optionsPath, 'SystemdCgroup'], systemdCgroup !== undefined],
    ['legacySystemdCgroup', [...runtimePath, 'systemd_cgroup'], result.legacySystemdCgroup !== undefined],
    ['sandboxImage', sandboxImagePath, sandboxImage !== undefined],
    ['configPath', [...registryPath, 'config_path'], result.registry.configPath !== undefined],
  ];
  for (const [name, path, present] of keyLinesWanted) {
    const line = present ? lineOf(path) : undefined;
    if (line !== undefined) result.lines[name] = line;
  }
  return result;
}
