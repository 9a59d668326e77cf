// `/etc/network/interfaces` as Proxmox VE writes it (ifupdown2 dialect), also `interfaces.new` (pending GUI
// changes) and `interfaces.d/*`. ifupdown2 accepts `bridge_ports` and `bridge-ports` alike; option keys are
// normalized to the hyphenated form. `iface` may omit family and method (`iface vmbr0`). Backslash-continued
// lines are joined and reported at the line where they start.

import { splitLines } from './common.js';

export interface InterfaceOption {
  /** Lowercase, underscores turned into hyphens. */
  key: string;
  value: string;
  line: number;
}

export interface VlanIdRange {
  start: number;
  end: number;
}

export interface InterfaceAddress {
  address: string;
  prefixlen?: number;
  line: number;
}

export type StanzaKind = 'loopback' | 'bridge' | 'bond' | 'vlan' | 'other';

export interface InterfaceStanza {
  name: string;
  family?: string;
  method?: string;
  line: number;
  /** Listed on an `auto` or `allow-hotplug`/`allow-auto` line anywhere in the file. */
  auto: boolean;
  kind: StanzaKind;
  options: InterfaceOption[];
  addresses: InterfaceAddress[];
  gateway?: string;
  mtu?: number;
  /** `bridge-ports none` gives an empty list; absent means not a bridge stanza. */
  bridgePorts?: string[];
  bridgeVlanAware?: boolean;
  bridgeVids?: VlanIdRange[];
  bridgePvid?: number;
  bondSlaves?: string[];
  bondMode?: string;
  vlanRawDevice?: string;
  vlanId?: number;
}

export interface InterfacesFacts {
  stanzas: InterfaceStanza[];
  auto: { name: string; line: number }[];
  /** `source` and `source-directory` lines: the files they name are separate artifacts. */
  sources: { kind: 'source' | 'source-directory'; path: string; line: number }[];
}

const NUMBERED = /^\d+$/;

export function parseInterfaces(text: string): InterfacesFacts {
  const facts: InterfacesFacts = { stanzas: [], auto: [], sources: [] };
  let current: InterfaceStanza | undefined;
  for (const { text: statement, line } of logicalLines(text)) {
    const tokens = statement.split(/\s+/);
    const keyword = tokens[0]!;
    switch (keyword) {
      case 'auto':
      case 'allow-auto':
      case 'allow-hotplug':
        for (const name of tokens.slice(1)) facts.auto.push({ name, line });
        current = undefined;
        continue;
      case 'iface':
        if (tokens[1] === undefined) {
          current = undefined;
          continue;
        }
        current = {
          name: tokens[1],
          ...(tokens[2] !== undefined ? { family: tokens[2] } : {}),
          ...(tokens[3] !== undefined ? { method: tokens[3] } : {}),
          line,
          auto: false,
          kind: 'other',
          options: [],
          addresses: [],
        };
        facts.stanzas.push(current);
        continue;
      case 'source':
      case 'source-directory':
        if (tokens[1] !== undefined) facts.sources.push({ kind: keyword, path: tokens.slice(1).join(' '), line });
        current = undefined;
        continue;
      case 'mapping':
      case 'allow-ovs':
        current = undefined;
        continue;
      default:
        if (current) current.options.push({ key: keyword.toLowerCase().replace(/_/g, '-'), value: tokens.slice(1).join(' '), line });
    }
  }
  const autoNames = new Set(facts.auto.map((a) => a.name));
  for (const stanza of facts.stanzas) {
    stanza.auto = autoNames.has(stanza.name);
    interpret(stanza);
  }
  return facts;
}

function* logicalLines(text: string): Generator<{ text: string; line: number }> {
  let pending: { text: string; line: number } | undefined;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (pending === undefined && (trimmed === '' || trimmed.startsWith('#'))) continue;
    const continued = trimmed.endsWith('\\');
    const piece = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending ? { text: `${pending.text} ${piece}`.trim(), line: pending.line } : { text: piece, line: i + 1 };
    if (!continued) {
      if (pending.text !== '') yield pending;
      pending = undefined;
    }
  }
  if (pending && pending.text !== '') yield pending;
}

function interpret(stanza: InterfaceStanza): void {
  const values = (key: string) => stanza.options.filter((o) => o.key === key);
  const last = (key: string) => values(key).at(-1);
  for (const option of values('address')) {
    for (const token of option.value.split(/\s+/)) {
      const [address, prefix] = token.split('/');
      if (!address) continue;
      stanza.addresses.push({ address, ...(prefix !== undefined && NUMBERED.test(prefix) ? { prefixlen: Number(prefix) } : {}), line: option.line });
    }
  }
  const netmask = last('netmask');
  const firstAddress = stanza.addresses[0];
  if (netmask && firstAddress && firstAddress.prefixlen === undefined) {
    const prefixlen = prefixFromNetmask(netmask.value);
    if (prefixlen !== undefined) firstAddress.prefixlen = prefixlen;
  }
  const gateway = last('gateway');
  if (gateway) stanza.gateway = gateway.value;
  const mtu = last('mtu');
  if (mtu && NUMBERED.test(mtu.value)) stanza.mtu = Number(mtu.value);

  const ports = last('bridge-ports');
  if (ports) stanza.bridgePorts = ports.value.split(/\s+/).filter((p) => p !== '' && p !== 'none');
  const vlanAware = last('bridge-vlan-aware');
  if (vlanAware) stanza.bridgeVlanAware = /^(yes|on|1|true)$/i.test(vlanAware.value);
  const vids = last('bridge-vids');
  if (vids) stanza.bridgeVids = parseVlanIdList(vids.value);
  const pvid = last('bridge-pvid');
  if (pvid && NUMBERED.test(pvid.value)) stanza.bridgePvid = Number(pvid.value);

  const slaves = last('bond-slaves');
  if (slaves) stanza.bondSlaves = slaves.value.split(/\s+/).filter((s) => s !== '' && s !== 'none');
  const bondMode = last('bond-mode');
  if (bondMode) stanza.bondMode = bondMode.value;

  const rawDevice = last('vlan-raw-device');
  const explicitId = last('vlan-id');
  const dotted = /^(.+)\.(\d{1,4})$/.exec(stanza.name);
  const vlanNamed = /^vlan(\d{1,4})$/.exec(stanza.name);
  if (rawDevice) stanza.vlanRawDevice = rawDevice.value;
  else if (dotted) stanza.vlanRawDevice = dotted[1]!;
  if (explicitId && NUMBERED.test(explicitId.value)) stanza.vlanId = Number(explicitId.value);
  else if (dotted) stanza.vlanId = Number(dotted[2]);
  else if (vlanNamed && rawDevice) stanza.vlanId = Number(vlanNamed[1]);

  if (stanza.method === 'loopback') stanza.kind = 'loopback';
  else if (stanza.bridgePorts !== undefined) stanza.kind = 'bridge';
  else if (stanza.bondSlaves !== undefined) stanza.kind = 'bond';
  else if (stanza.vlanRawDevice !== undefined && stanza.vlanId !== undefined) stanza.kind = 'vlan';
}

/** `2-4094`, `2 10 20-30`, `10,20`: ranges as written; reversed or out-of-range entries are dropped. */
export function parseVlanIdList(text: string): VlanIdRange[] {
  const ranges: VlanIdRange[] = [];
  for (const token of text.split(/[\s,;]+/)) {
    const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(token);
    if (!m) continue;
    const start = Number(m[1]);
    const end = m[2] !== undefined ? Number(m[2]) : start;
    if (start >= 1 && end <= 4094 && start <= end) ranges.push({ start, end });
  }
  return ranges;
}

function prefixFromNetmask(mask: string): number | undefined {
  if (NUMBERED.test(mask)) return Number(mask);
  const octets = mask.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return undefined;
  const bits = octets.map((o) => o.toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') === -1 ? 32 : bits.indexOf('0') : undefined;
}

export interface StanzaChange {
  name: string;
  family?: string;
  /** Line of the stanza in the first (current) file. */
  beforeLine?: number;
  /** Line of the stanza in the second (pending) file. */
  afterLine?: number;
  change: 'added' | 'removed' | 'modified';
  /** For `modified`: options (and `(method)`, `(auto)`) whose values differ; repeated options joined with `; `. */
  differences: { key: string; before?: string; after?: string }[];
}

/**
 * Stanza-level differences from `before` (e.g. `interfaces`) to `after` (e.g. `interfaces.new`).
 * Comments, blank lines, ordering and `_`/`-` spelling do not count as differences.
 */
export function diffInterfaces(before: InterfacesFacts, after: InterfacesFacts): StanzaChange[] {
  const keyOf = (s: InterfaceStanza) => `${s.name} ${s.family ?? ''}`;
  const index = (facts: InterfacesFacts) => new Map(facts.stanzas.map((s) => [keyOf(s), s]));
  const a = index(before);
  const b = index(after);
  const changes: StanzaChange[] = [];
  for (const [key, old] of a) {
    const next = b.get(key);
    const family = old.family !== undefined ? { family: old.family } : {};
    if (!next) {
      changes.push({ name: old.name, ...family, beforeLine: old.line, change: 'removed', differences: [] });
      continue;
    }
    const differences = compareStanzas(old, next);
    if (differences.length > 0) {
      changes.push({ name: old.name, ...family, beforeLine: old.line, afterLine: next.line, change: 'modified', differences });
    }
  }
  for (const [key, added] of b) {
    if (a.has(key)) continue;
    changes.push({ name: added.name, ...(added.family !== undefined ? { family: added.family } : {}), afterLine: added.line, change: 'added', differences: [] });
  }
  return changes.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : (x.family ?? '').localeCompare(y.family ?? '')));
}

function compareStanzas(old: InterfaceStanza, next: InterfaceStanza): StanzaChange['differences'] {
  const flatten = (s: InterfaceStanza) => {
    const map = new Map<string, string>();
    // Parenthesized keys cannot collide with option names, which never contain parentheses.
    map.set('(method)', s.method ?? '');
    map.set('(auto)', s.auto ? 'yes' : 'no');
    for (const o of s.options) {
      const value = o.value.split(/\s+/).join(' ');
      const previous = map.get(o.key);
      map.set(o.key, previous !== undefined ? `${previous}; ${value}` : value);
    }
    return map;
  };
  const x = flatten(old);
  const y = flatten(next);
  const keys = [...new Set([...x.keys(), ...y.keys()])].sort();
  const differences: StanzaChange['differences'] = [];
  for (const key of keys) {
    const before = x.get(key);
    const after = y.get(key);
    if (before === after) continue;
    differences.push({ key, ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) });
  }
  return differences;
}
