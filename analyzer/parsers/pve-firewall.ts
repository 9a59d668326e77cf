// Proxmox VE firewall: `pve-firewall status` and the `.fw` files (`cluster.fw`, `<node>/host.fw`, `<vmid>.fw`).
// A .fw file has `[OPTIONS]`, `[RULES]`, `[ALIASES]`, `[IPSET name]` and `[group name]` sections; a rule line
// starting with `|` is disabled. Sections and keys are case-insensitive in pve-firewall; so they are here.

import { splitLines } from './common.js';

export interface FirewallStatusFacts {
  /** undefined when the output does not say (e.g. the pve-cluster socket error). */
  enabled?: boolean;
  running?: boolean;
  line?: number;
}

/** "Status: enabled/running", "Status: disabled/stopped", and older one-word forms ("Status: stopped"). */
export function parseFirewallStatus(text: string): FirewallStatusFacts {
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*Status:\s*(.+?)\s*$/i.exec(lines[i]!);
    if (!m) continue;
    const words = m[1]!.toLowerCase().split(/[\/\s,]+/);
    const facts: FirewallStatusFacts = { line: i + 1 };
    if (words.includes('enabled')) facts.enabled = true;
    if (words.includes('disabled')) facts.enabled = false;
    if (words.includes('running')) facts.running = true;
    if (words.includes('stopped')) facts.running = false;
    return facts;
  }
  return {};
}

export type FirewallDirection = 'IN' | 'OUT' | 'FORWARD' | 'GROUP';

export interface FirewallRule {
  enabled: boolean;
  direction: FirewallDirection;
  /** ACCEPT, DROP, REJECT; for `GROUP` rules, the group name; for macros, the action inside the parentheses. */
  action: string;
  /** `SSH(ACCEPT)` → macro `SSH`. */
  macro?: string;
  proto?: string;
  dport?: string;
  sport?: string;
  source?: string;
  dest?: string;
  /** `-i net0` on guest rules, an interface name on host rules. */
  iface?: string;
  log?: string;
  icmpType?: string;
  comment?: string;
  line: number;
}

export interface FirewallOption {
  value: string;
  line: number;
}

export interface IpSetEntry {
  cidr: string;
  /** `!10.0.0.1`: excluded from the set. */
  nomatch: boolean;
  comment?: string;
  line: number;
}

export interface FirewallConfigFacts {
  /** Keys lowercased. */
  options: Record<string, FirewallOption>;
  enable?: boolean;
  policyIn?: string;
  policyOut?: string;
  ipfilter?: boolean;
  macfilter?: boolean;
  ndp?: boolean;
  dhcp?: boolean;
  rules: FirewallRule[];
  groups: { name: string; comment?: string; line: number; rules: FirewallRule[] }[];
  ipsets: { name: string; comment?: string; line: number; entries: IpSetEntry[] }[];
  aliases: { name: string; cidr: string; comment?: string; line: number }[];
  /** Lines inside sections this parser does not know (future pve-firewall versions). */
  unknownSections: { name: string; line: number }[];
}

const DIRECTIONS = new Set<FirewallDirection>(['IN', 'OUT', 'FORWARD', 'GROUP']);
const RULE_FLAGS: Record<string, keyof FirewallRule> = {
  '-p': 'proto',
  '-dport': 'dport',
  '-sport': 'sport',
  '-source': 'source',
  '-dest': 'dest',
  '-i': 'iface',
  '-iface': 'iface',
  '-log': 'log',
  '-icmp-type': 'icmpType',
};

type Section =
  | { kind: 'options' }
  | { kind: 'rules'; into: FirewallRule[] }
  | { kind: 'ipset'; into: IpSetEntry[] }
  | { kind: 'aliases' }
  | { kind: 'unknown' }
  | { kind: 'none' };

export function parseFirewallConfig(text: string): FirewallConfigFacts {
  const facts: FirewallConfigFacts = {
    options: Object.create(null) as Record<string, FirewallOption>,
    rules: [],
    groups: [],
    ipsets: [],
    aliases: [],
    unknownSections: [],
  };
  let section: Section = { kind: 'none' };
  splitLines(text).forEach((raw, index) => {
    const line = index + 1;
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) return;
    const header = /^\[\s*([A-Za-z_]+)(?:\s+([^\]\s]+))?\s*\]\s*(?:#\s*(.*))?$/.exec(t);
    if (header) {
      section = openSection(facts, header[1]!.toUpperCase(), header[2], header[3], line);
      return;
    }
    const { body, comment } = splitComment(t);
    switch (section.kind) {
      case 'options': {
        const kv = /^([\w-]+)\s*:\s*(.*)$/.exec(body);
        if (kv) facts.options[kv[1]!.toLowerCase()] = { value: kv[2]!.trim(), line };
        break;
      }
      case 'rules': {
        const rule = parseRule(body, comment, line);
        if (rule) section.into.push(rule);
        break;
      }
      case 'ipset': {
        const cidr = body.split(/\s+/)[0];
        if (cidr) {
          const nomatch = cidr.startsWith('!');
          section.into.push({ cidr: nomatch ? cidr.slice(1) : cidr, nomatch, ...(comment !== undefined ? { comment } : {}), line });
        }
        break;
      }
      case 'aliases': {
        const [name, cidr] = body.split(/\s+/);
        if (name && cidr) facts.aliases.push({ name, cidr, ...(comment !== undefined ? { comment } : {}), line });
        break;
      }
      default:
        break;
    }
  });
  const flag = (key: string) => {
    const v = facts.options[key]?.value;
    return v === undefined ? undefined : v === '1' || /^(yes|on|true)$/i.test(v);
  };
  const typed = {
    enable: flag('enable'),
    policyIn: facts.options['policy_in']?.value.toUpperCase(),
    policyOut: facts.options['policy_out']?.value.toUpperCase(),
    ipfilter: flag('ipfilter'),
    macfilter: flag('macfilter'),
    ndp: flag('ndp'),
    dhcp: flag('dhcp'),
  };
  for (const [key, value] of Object.entries(typed)) if (value !== undefined) Object.assign(facts, { [key]: value });
  return facts;
}

function openSection(facts: FirewallConfigFacts, kind: string, name: string | undefined, comment: string | undefined, line: number): Section {
  const described = comment !== undefined && comment.trim() !== '' ? { comment: comment.trim() } : {};
  switch (kind) {
    case 'OPTIONS':
      return { kind: 'options' };
    case 'RULES':
      return { kind: 'rules', into: facts.rules };
    case 'ALIASES':
      return { kind: 'aliases' };
    case 'IPSET':
      if (name !== undefined) {
        const set = { name, ...described, line, entries: [] as IpSetEntry[] };
        facts.ipsets.push(set);
        return { kind: 'ipset', into: set.entries };
      }
      break;
    case 'GROUP':
      if (name !== undefined) {
        const group = { name, ...described, line, rules: [] as FirewallRule[] };
        facts.groups.push(group);
        return { kind: 'rules', into: group.rules };
      }
      break;
    default:
      break;
  }
  facts.unknownSections.push({ name: name !== undefined ? `${kind} ${name}` : kind, line });
  return { kind: 'unknown' };
}

function splitComment(text: string): { body: string; comment?: string } {
  const hash = text.indexOf('#');
  if (hash < 0) return { body: text };
  return { body: text.slice(0, hash).trim(), comment: text.slice(hash + 1).trim() };
}

function parseRule(body: string, comment: string | undefined, line: number): FirewallRule | undefined {
  const enabled = !body.startsWith('|');
  const tokens = (enabled ? body : body.slice(1)).trim().split(/\s+/);
  const direction = tokens[0]?.toUpperCase() as FirewallDirection | undefined;
  const target = tokens[1];
  if (direction === undefined || !DIRECTIONS.has(direction) || target === undefined) return undefined;
  const macro = /^([A-Za-z0-9_-]+)\((\w+)\)$/.exec(target);
  const rule: FirewallRule = {
    enabled,
    direction,
    action: macro ? macro[2]!.toUpperCase() : direction === 'GROUP' ? target : target.toUpperCase(),
    ...(macro ? { macro: macro[1]! } : {}),
    ...(comment !== undefined && comment !== '' ? { comment } : {}),
    line,
  };
  for (let i = 2; i < tokens.length; i++) {
    const field = RULE_FLAGS[tokens[i]!];
    const value = tokens[i + 1];
    if (field === undefined || value === undefined) continue;
    Object.assign(rule, { [field]: value });
    i += 1;
  }
  return rule;
}
