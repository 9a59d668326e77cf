// Proxmox guest configuration (`/etc/pve/qemu-server/<vmid>.conf`, and the `netN:` lines of LXC configs) and
// the `qm list` table. A config is `key: value` lines; `[name]` starts a snapshot section (its lines describe
// the snapshot, not the running guest), `[PENDING]` holds changes not yet applied, `[special:cloudinit]` the
// cloud-init state. Leading `#` lines are the guest description. The cloud-init password is never kept.

import { splitLines, type ParseContext } from './common.js';
import { parseVlanIdList, type VlanIdRange } from './pve-interfaces.js';

export interface GuestNic {
  /** The N of `netN`. */
  index: number;
  /** virtio, e1000, e1000e, vmxnet3, rtl8139, ...; absent for LXC (`name=eth0,hwaddr=...`). */
  model?: string;
  /** Uppercase as Proxmox writes it is normalized to lowercase for joins with `ip link`. */
  mac?: string;
  bridge?: string;
  tag?: number;
  trunks?: VlanIdRange[];
  firewall: boolean;
  linkDown: boolean;
  /** `mtu=1` means "inherit the bridge MTU" (virtio only); other values are literal. */
  mtu?: number;
  queues?: number;
  rate?: number;
  /** Every `key=value` of the line, for options not promoted to fields. */
  settings: Record<string, string>;
  line: number;
}

export interface GuestIpConfig {
  index: number;
  ip?: string;
  gw?: string;
  ip6?: string;
  gw6?: string;
  line: number;
}

export interface GuestSection {
  nics: GuestNic[];
  ipconfigs: GuestIpConfig[];
  /** Other keys with their values, except secrets. */
  options: Record<string, { value: string; line: number }>;
}

export interface GuestSnapshot extends GuestSection {
  name: string;
  line: number;
}

export interface GuestConfigFacts extends GuestSection {
  /** From the file name `<vmid>.conf` in the context path. */
  vmid?: number;
  name?: string;
  /** `cipassword` is set (its value is never kept). */
  hasCipassword: boolean;
  /** Changes made but not applied to the running guest (`[PENDING]`). */
  pending?: GuestSection & { line: number };
  snapshots: GuestSnapshot[];
}

const MODELS = new Set(['virtio', 'e1000', 'e1000e', 'e1000-82540em', 'e1000-82544gc', 'e1000-82545em', 'i82551', 'i82557b', 'i82559er', 'ne2k_isa', 'ne2k_pci', 'pcnet', 'rtl8139', 'vmxnet3']);
const SECRET_KEYS = new Set(['cipassword']);
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

export function parseGuestConfig(text: string, ctx?: ParseContext): GuestConfigFacts {
  const vmidMatch = ctx ? /(?:^|\/)(\d+)\.conf$/.exec(ctx.path) : null;
  const facts: GuestConfigFacts = { ...emptySection(), hasCipassword: false, snapshots: [] };
  let section: GuestSection = facts;
  splitLines(text).forEach((raw, index) => {
    const line = index + 1;
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const header = /^\[([^\]]+)\]$/.exec(t);
    if (header) {
      const name = header[1]!;
      if (name === 'PENDING') {
        facts.pending = { ...emptySection(), line };
        section = facts.pending;
      } else {
        const snapshot: GuestSnapshot = { name, line, ...emptySection() };
        // `[special:cloudinit]` is cloud-init bookkeeping, not a snapshot, but it is likewise not the live config.
        if (!name.startsWith('special:')) facts.snapshots.push(snapshot);
        section = snapshot;
      }
      return;
    }
    const kv = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(t);
    if (!kv) return;
    const [, key, value] = kv as unknown as [string, string, string];
    if (SECRET_KEYS.has(key)) {
      if (section === facts) facts.hasCipassword = true;
      return;
    }
    const net = /^net(\d+)$/.exec(key);
    const ipconfig = /^ipconfig(\d+)$/.exec(key);
    if (net) section.nics.push(parseNic(Number(net[1]), value, line));
    else if (ipconfig) section.ipconfigs.push(parseIpConfig(Number(ipconfig[1]), value, line));
    else section.options[key] = { value, line };
  });
  const name = facts.options['name']?.value ?? facts.options['hostname']?.value;
  return {
    ...(vmidMatch ? { vmid: Number(vmidMatch[1]) } : {}),
    ...(name !== undefined ? { name } : {}),
    ...facts,
  };
}

function emptySection(): GuestSection {
  return { nics: [], ipconfigs: [], options: Object.create(null) as GuestSection['options'] };
}

function settingsOf(value: string): Record<string, string> {
  const settings: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) settings[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return settings;
}

/** `virtio=BC:24:11:AA:BB:CC,bridge=vmbr0,firewall=1,tag=20,trunks=10;20;30-40,mtu=1,link_down=1` and variants. */
export function parseNic(index: number, value: string, line: number): GuestNic {
  const settings = settingsOf(value);
  let model: string | undefined;
  let mac: string | undefined;
  for (const [key, v] of Object.entries(settings)) {
    if (model === undefined && MODELS.has(key)) {
      model = key;
      if (MAC.test(v)) mac = v.toLowerCase();
    }
  }
  if (model === undefined && settings['model'] !== undefined) model = settings['model'];
  const explicitMac = settings['macaddr'] ?? settings['hwaddr'];
  if (mac === undefined && explicitMac !== undefined && MAC.test(explicitMac)) mac = explicitMac.toLowerCase();
  const int = (key: string) => {
    const v = settings[key];
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  const tag = int('tag');
  const mtu = int('mtu');
  const queues = int('queues');
  const rate = settings['rate'] !== undefined && /^\d+(\.\d+)?$/.test(settings['rate']) ? Number(settings['rate']) : undefined;
  return {
    index,
    ...(model !== undefined ? { model } : {}),
    ...(mac !== undefined ? { mac } : {}),
    ...(settings['bridge'] !== undefined ? { bridge: settings['bridge'] } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(settings['trunks'] !== undefined ? { trunks: parseVlanIdList(settings['trunks']) } : {}),
    firewall: settings['firewall'] === '1',
    linkDown: settings['link_down'] === '1',
    ...(mtu !== undefined ? { mtu } : {}),
    ...(queues !== undefined ? { queues } : {}),
    ...(rate !== undefined ? { rate } : {}),
    settings,
    line,
  };
}

function parseIpConfig(index: number, value: string, line: number): GuestIpConfig {
  const s = settingsOf(value);
  return {
    index,
    ...(s['ip'] !== undefined ? { ip: s['ip'] } : {}),
    ...(s['gw'] !== undefined ? { gw: s['gw'] } : {}),
    ...(s['ip6'] !== undefined ? { ip6: s['ip6'] } : {}),
    ...(s['gw6'] !== undefined ? { gw6: s['gw6'] } : {}),
    line,
  };
}

export interface QmListEntry {
  vmid: number;
  name: string;
  status: string;
  memMb?: number;
  bootDiskGb?: number;
  pid?: number;
  line: number;
}

export interface QmListFacts {
  vms: QmListEntry[];
}

/** `qm list`: `VMID NAME STATUS MEM(MB) BOOTDISK(GB) PID`; guest names cannot contain spaces. */
export function parseQmList(text: string): QmListFacts {
  const vms: QmListEntry[] = [];
  splitLines(text).forEach((raw, index) => {
    const tokens = raw.trim().split(/\s+/);
    if (tokens.length < 3 || !/^\d+$/.test(tokens[0]!)) return;
    const number = (t: string | undefined) => (t !== undefined && /^\d+(\.\d+)?$/.test(t) ? Number(t) : undefined);
    const memMb = number(tokens[3]);
    const bootDiskGb = number(tokens[4]);
    const pid = number(tokens[5]);
    vms.push({
      vmid: Number(tokens[0]),
      name: tokens[1]!,
      status: tokens[2]!,
      ...(memMb !== undefined ? { memMb } : {}),
      ...(bootDiskGb !== undefined ? { bootDiskGb } : {}),
      ...(pid !== undefined && pid > 0 ? { pid } : {}),
      line: index + 1,
    });
  });
  return { vms };
}
