// Loads the inventory (hosts of one lab and how to reach them). Schema first, then the checks a schema
// cannot express (cross references, unique names); every error names the file, line and key so the
// user can fix the YAML without guessing.
import { readFile } from 'node:fs/promises';
import inventorySchema from '../schemas/inventory.schema.json' with { type: 'json' };
import { LayoutError, segment } from '../bundle/layout.js';
import type { HostRole } from '../bundle/manifest.js';
import { UsageError, errorMessage } from '../common/errors.js';
import { formatProblem, validateAgainst } from '../common/schema.js';
import { YamlSyntaxError, loadYamlLocated, type LocatedYaml } from '../common/yaml.js';
import type { SshHostSpec, SshSettings } from './transport.js';

export interface InventoryHost {
  name: string;
  address: string;
  roles: HostRole[];
  /** Run privileged items through `sudo -n`. */
  sudo: boolean;
  ssh: SshHostSpec;
}

export interface KubeAccess {
  /** Inventory host name, or null for kubectl on this machine. */
  via: string | null;
  kubeconfig: string;
}

export interface ArpTarget {
  host: string;
  interface: string;
}

export interface Inventory {
  file: string;
  cluster: string;
  hosts: InventoryHost[];
  /** null when the inventory has no kube section and no control-plane host to default to. */
  kube: KubeAccess | null;
  arp: ArpTarget[];
}

interface RawSettings {
  user?: string;
  port?: number;
  identityFile?: string;
  knownHosts?: string;
  sudo?: boolean;
}
interface RawHost extends RawSettings {
  name: string;
  address: string;
  roles: HostRole[];
  jump?: string;
}
interface RawInventory {
  cluster: string;
  defaults?: RawSettings;
  hosts: RawHost[];
  kube?: { via: string; kubeconfig?: string };
  arp?: ArpTarget[];
}

export const LOCAL_KUBE_VIA = 'local';
export const DEFAULT_HOST_KUBECONFIG = '/etc/kubernetes/admin.conf';
export const DEFAULT_LOCAL_KUBECONFIG = '~/.kube/config';

function sshSettings(raw: RawSettings): SshSettings {
  const s: SshSettings = {};
  if (raw.user !== undefined) s.user = raw.user;
  if (raw.port !== undefined) s.port = raw.port;
  if (raw.identityFile !== undefined) s.identityFile = raw.identityFile;
  if (raw.knownHosts !== undefined) s.knownHosts = raw.knownHosts;
  return s;
}

/** `[user@]host[:port]` or `[user@][v6addr]:port` for a jump host outside the inventory. */
function parseJumpAddress(value: string): { user?: string; host: string; port?: number } | null {
  const m = /^(?:([^@\s:]+)@)?(\[[^\]]+\]|[^@\s:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  if (!m) return null;
  const port = m[3] !== undefined ? Number(m[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  return { ...(m[1] !== undefined ? { user: m[1] } : {}), host, ...(port !== undefined ? { port } : {}) };
}

class Problems {
  readonly list: string[] = [];
  constructor(
    private readonly file: string,
    private readonly located: LocatedYaml,
  ) {}
  add(pointer: string, message: string): void {
    const line = this.located.lineOf(pointer);
    this.list.push(formatProblem({ file: this.file, pointer, message, ...(line !== undefined ? { line } : {}) }));
  }
}

function fail(file: string, messages: string[]): never {
  const head = messages.length === 1 ? 'invalid inventory' : `invalid inventory (${messages.length} problems)`;
  throw new UsageError(`${head}:\n  ${messages.join('\n  ')}\nSee docs/inventory.md for every key.`);
}

/** Parses and checks inventory text; `file` is only used in messages. */
export function parseInventory(text: string, file: string): Inventory {
  let located: LocatedYaml;
  try {
    located = loadYamlLocated(text, file);
  } catch (err) {
    if (err instanceof YamlSyntaxError) throw new UsageError(err.message);
    throw err;
  }
  const schemaProblems = validateAgainst(inventorySchema, located.value, file, located);
  if (schemaProblems.length > 0) fail(file, schemaProblems.map(formatProblem));
  const raw = located.value as RawInventory;
  const problems = new Problems(file, located);

  const byName = new Map<string, number>();
  raw.hosts.forEach((h, i) => {
    try {
      segment(h.name, 'host name');
    } catch (err) {
      if (!(err instanceof LayoutError)) throw err;
      problems.add(`/hosts/${i}/name`, err.message);
    }
    const first = byName.get(h.name);
    if (first !== undefined) problems.add(`/hosts/${i}/name`, `duplicate host name ${JSON.stringify(h.name)} (first used by hosts/${first})`);
    else byName.set(h.name, i);
  });

  // Jump references: an inventory host, or an address written as user@host:port / host:port.
  raw.hosts.forEach((h, i) => {
    if (h.jump === undefined) return;
    if (byName.has(h.jump)) {
      if (h.jump === h.name) problems.add(`/hosts/${i}/jump`, 'a host cannot be its own jump host');
      return;
    }
    if (!h.jump.includes('@') && !h.jump.includes(':')) {
      problems.add(`/hosts/${i}/jump`, `${JSON.stringify(h.jump)} is not a host of this inventory; name one of ${[...byName.keys()].join(', ')} or write user@host:port`);
    } else if (parseJumpAddress(h.jump) === null) {
      problems.add(`/hosts/${i}/jump`, `${JSON.stringify(h.jump)} is neither an inventory host nor user@host:port`);
    }
  });
  raw.hosts.forEach((h, i) => {
    const seen = new Set<string>([h.name]);
    let next = h.jump;
    while (next !== undefined && byName.has(next)) {
      if (seen.has(next)) {
        problems.add(`/hosts/${i}/jump`, `jump hosts form a loop through ${JSON.stringify(next)}`);
        return;
      }
      seen.add(next);
      next = raw.hosts[byName.get(next)!]!.jump;
    }
  });

  if (raw.kube !== undefined && raw.kube.via !== LOCAL_KUBE_VIA && !byName.has(raw.kube.via)) {
    problems.add('/kube/via', `${JSON.stringify(raw.kube.via)} is not a host of this inventory; name one of ${[...byName.keys()].join(', ')} or "local"`);
  }
  const arpSeen = new Set<string>();
  (raw.arp ?? []).forEach((a, i) => {
    if (!byName.has(a.host)) problems.add(`/arp/${i}/host`, `${JSON.stringify(a.host)} is not a host of this inventory`);
    const key = `${a.host}\0${a.interface}`;
    if (arpSeen.has(key)) problems.add(`/arp/${i}`, `interface ${a.interface} on ${a.host} is listed twice`);
    arpSeen.add(key);
  });
  if (problems.list.length > 0) fail(file, problems.list);

  const defaults = sshSettings(raw.defaults ?? {});
  const specs = new Map<string, SshHostSpec>();
  const specOf = (name: string): SshHostSpec => {
    const known = specs.get(name);
    if (known) return known;
    const h = raw.hosts[byName.get(name)!]!;
    const spec: SshHostSpec = { name: h.name, address: h.address, explicit: sshSettings(h), defaults, jump: h.jump === undefined ? null : jumpSpec(h.jump) };
    specs.set(name, spec);
    return spec;
  };
  const jumpSpec = (value: string): SshHostSpec => {
    if (byName.has(value)) return specOf(value);
    const j = parseJumpAddress(value)!;
    const explicit: SshSettings = {};
    if (j.user !== undefined) explicit.user = j.user;
    if (j.port !== undefined) explicit.port = j.port;
    return { name: value, address: j.host, explicit, defaults, jump: null };
  };

  const hosts: InventoryHost[] = raw.hosts.map((h) => ({
    name: h.name,
    address: h.address,
    roles: h.roles,
    sudo: h.sudo ?? raw.defaults?.sudo ?? false,
    ssh: specOf(h.name),
  }));

  let kube: KubeAccess | null = null;
  if (raw.kube !== undefined) {
    const local = raw.kube.via === LOCAL_KUBE_VIA;
    kube = { via: local ? null : raw.kube.via, kubeconfig: raw.kube.kubeconfig ?? (local ? DEFAULT_LOCAL_KUBECONFIG : DEFAULT_HOST_KUBECONFIG) };
  } else {
    // kubeadm leaves an admin kubeconfig on every control-plane node, so the first one is a safe default.
    const cp = hosts.find((h) => h.roles.includes('control-plane'));
    if (cp) kube = { via: cp.name, kubeconfig: DEFAULT_HOST_KUBECONFIG };
  }

  return { file, cluster: raw.cluster, hosts, kube, arp: raw.arp ?? [] };
}

/** `shownAs` is how messages name the file (the path as the user typed it). */
export async function loadInventory(file: string, shownAs = file): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read inventory ${shownAs}: ${errorMessage(err)}`);
  }
  return parseInventory(text, shownAs);
}
