// `bridge -j -d link` (bridge ports) and `bridge -j -d vlan` (per-port VLAN membership).
// The vlan table comes in two shapes: iproute2 before 5.x printed an object keyed by port name
// (`{"vmbr0":[{"vlan":1,...}]}`), newer versions an array (`[{"ifname":"vmbr0","vlans":[...]}]`).
// A VLAN-aware Proxmox bridge typically holds `2-4094` on every port, so ranges stay ranges.

import { ParseError } from './common.js';
import { bool, defined, isObject, num, parseJsonText, pointer, str, strings } from './net-json.js';

export interface BridgePort {
  pointer: string;
  ifname: string;
  ifindex?: number;
  master?: string;
  /** STP state: forwarding, blocking, disabled, listening, learning. */
  state?: string;
  mtu?: number;
  flags: string[];
  learning?: boolean;
  flood?: boolean;
  isolated?: boolean;
  neighSuppress?: boolean;
}

export interface BridgeLinkFacts {
  ports: BridgePort[];
}

export interface VlanRange {
  start: number;
  end: number;
  /** Untagged frames entering the port are put in this VLAN. */
  pvid: boolean;
  /** Frames leave the port without a tag. */
  untagged: boolean;
  /** Per-VLAN STP state, printed by newer iproute2 with `-d`. */
  state?: string;
}

export interface BridgeVlanPort {
  pointer: string;
  ifname: string;
  vlans: VlanRange[];
}

export interface BridgeVlanFacts {
  ports: BridgeVlanPort[];
}

export function parseBridgeLink(text: string): BridgeLinkFacts {
  const value = parseJsonText(text, 'bridge -j link');
  if (!Array.isArray(value)) throw new ParseError('bridge -j link: expected a JSON array at the top level', 1);
  const ports: BridgePort[] = [];
  value.forEach((entry: unknown, i) => {
    if (!isObject(entry)) return;
    const ifname = str(entry['ifname']);
    if (ifname === undefined) return;
    ports.push(
      defined({
        pointer: pointer(i),
        ifname,
        ifindex: num(entry['ifindex']),
        master: str(entry['master']),
        state: str(entry['state']),
        mtu: num(entry['mtu']),
        flags: strings(entry['flags']),
        learning: bool(entry['learning']),
        flood: bool(entry['flood']),
        isolated: bool(entry['isolated']),
        neighSuppress: bool(entry['neigh_suppress']),
      }),
    );
  });
  return { ports };
}

export function parseBridgeVlan(text: string): BridgeVlanFacts {
  const value = parseJsonText(text, 'bridge -j vlan');
  if (Array.isArray(value)) {
    const ports: BridgeVlanPort[] = [];
    value.forEach((entry: unknown, i) => {
      if (!isObject(entry)) return;
      const ifname = str(entry['ifname']);
      if (ifname === undefined) return;
      ports.push({ pointer: pointer(i), ifname, vlans: rangesOf(entry['vlans']) });
    });
    return { ports };
  }
  if (isObject(value)) {
    return { ports: Object.entries(value).map(([ifname, vlans]) => ({ pointer: pointer(ifname), ifname, vlans: rangesOf(vlans) })) };
  }
  throw new ParseError('bridge -j vlan: expected a JSON array or object at the top level', 1);
}

function rangesOf(value: unknown): VlanRange[] {
  if (!Array.isArray(value)) return [];
  const ranges: VlanRange[] = [];
  for (const v of value) {
    if (!isObject(v)) continue;
    const start = num(v['vlan']);
    if (start === undefined || !Number.isInteger(start)) continue;
    const endValue = num(v['vlanEnd']);
    const end = endValue !== undefined && Number.isInteger(endValue) && endValue >= start ? endValue : start;
    const flags = strings(v['flags']);
    ranges.push(defined({ start, end, pvid: flags.includes('PVID'), untagged: flags.includes('Egress Untagged'), state: str(v['state']) }));
  }
  return ranges;
}

/** Whether the port carries `vid` according to the live table (undefined when the port is not listed). */
export function portCarriesVlan(facts: BridgeVlanFacts, ifname: string, vid: number): boolean | undefined {
  const port = facts.ports.find((p) => p.ifname === ifname);
  return port === undefined ? undefined : port.vlans.some((r) => vid >= r.start && vid <= r.end);
}
