// `ip -j [-d] link|addr|route|neigh` (iproute2 JSON). Records carry a JSON pointer into the artifact as
// evidence. Fields differ across iproute2 versions and without `-d`, so everything but the name is optional;
// entries without an interface name (older iproute2 prints `{}` for links filtered out of `addr`) are skipped.

import { ParseError } from './common.js';
import { bool, defined, isObject, num, parseJsonText, pointer, str, strings, type JsonObject } from './net-json.js';

export interface IpLink {
  pointer: string;
  ifname: string;
  ifindex?: number;
  mtu?: number;
  operstate?: string;
  flags: string[];
  /** UP flag: administratively up. */
  up: boolean;
  /** LOWER_UP flag: carrier present. */
  lowerUp: boolean;
  linkType?: string;
  /** MAC address, lowercase. */
  address?: string;
  /** Bridge or bond this interface is enslaved to. */
  master?: string;
  /** Parent device of a VLAN/macvlan, or `ifN` for a veth peer in another namespace. */
  parent?: string;
  /** `linkinfo.info_kind`: bridge, vlan, bond, veth, vxlan, tun, dummy, ... */
  kind?: string;
  /** `linkinfo.info_slave_kind`: bridge or bond when enslaved. */
  slaveKind?: string;
  vlan?: { id?: number; protocol?: string };
  bridge?: { vlanFiltering?: boolean; stpState?: number; vlanProtocol?: string; defaultPvid?: number };
  bridgePort?: { state?: string; learning?: boolean; flood?: boolean; isolated?: boolean; neighSuppress?: boolean };
  bond?: { mode?: string };
  vxlan?: { id?: number; port?: number; device?: string; local?: string };
  altnames: string[];
}

export interface IpAddress {
  pointer: string;
  ifname: string;
  ifindex?: number;
  family: string;
  local: string;
  prefixlen?: number;
  /** `local/prefixlen`, the form configuration files use. */
  cidr: string;
  scope?: string;
  label?: string;
  dynamic?: boolean;
  /** The interface's MAC, repeated here because joins by IP then need no second lookup. */
  mac?: string;
}

export interface IpRoute {
  pointer: string;
  /** `default`, a prefix (`10.0.0.0/24`) or a host address. */
  dst: string;
  isDefault: boolean;
  family: 'inet' | 'inet6';
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  /** unicast unless the output says otherwise (blackhole, unreachable, local, ...). */
  type: string;
  table?: string;
  flags: string[];
}

export interface IpNeighbor {
  pointer: string;
  dst: string;
  dev?: string;
  lladdr?: string;
  /** REACHABLE, STALE, FAILED, INCOMPLETE, PERMANENT, NOARP, ... */
  state: string[];
  router: boolean;
}

export interface IpLinkFacts {
  links: IpLink[];
}

export interface IpAddrFacts {
  addresses: IpAddress[];
  /** `ip addr` repeats the link attributes; they are read here too so one artifact can serve both. */
  links: IpLink[];
}

export interface IpRouteFacts {
  routes: IpRoute[];
}

export interface IpNeighFacts {
  neighbors: IpNeighbor[];
}

export function parseIpLink(text: string): IpLinkFacts {
  return { links: topArray(text, 'ip -j link').flatMap((entry, i) => linkOf(entry, pointer(i))) };
}

export function parseIpAddr(text: string): IpAddrFacts {
  const entries = topArray(text, 'ip -j addr');
  const addresses: IpAddress[] = [];
  entries.forEach((entry, i) => {
    if (!isObject(entry)) return;
    const ifname = str(entry['ifname']);
    if (ifname === undefined || !Array.isArray(entry['addr_info'])) return;
    entry['addr_info'].forEach((info: unknown, j: number) => {
      if (!isObject(info)) return;
      const local = str(info['local']);
      const family = str(info['family']);
      if (local === undefined || family === undefined) return;
      const prefixlen = num(info['prefixlen']);
      addresses.push(
        defined({
          pointer: pointer(i, 'addr_info', j),
          ifname,
          ifindex: num(entry['ifindex']),
          family,
          local,
          prefixlen,
          cidr: prefixlen !== undefined ? `${local}/${prefixlen}` : local,
          scope: str(info['scope']),
          label: str(info['label']),
          dynamic: bool(info['dynamic']),
          mac: macOf(entry['address']),
        }),
      );
    });
  });
  return { addresses, links: entries.flatMap((entry, i) => linkOf(entry, pointer(i))) };
}

export function parseIpRoute(text: string): IpRouteFacts {
  const routes: IpRoute[] = [];
  topArray(text, 'ip -j route').forEach((entry, i) => {
    if (!isObject(entry)) return;
    const dst = str(entry['dst']);
    if (dst === undefined) return;
    const gateway = str(entry['gateway']) ?? str(isObject(entry['via']) ? entry['via']['host'] : undefined);
    const table = entry['table'];
    routes.push(
      defined({
        pointer: pointer(i),
        dst,
        isDefault: dst === 'default' || dst === '0.0.0.0/0' || dst === '::/0',
        family: dst.includes(':') || (gateway ?? '').includes(':') ? ('inet6' as const) : ('inet' as const),
        gateway,
        dev: str(entry['dev']),
        protocol: str(entry['protocol']) ?? (typeof entry['protocol'] === 'number' ? String(entry['protocol']) : undefined),
        scope: str(entry['scope']),
        prefsrc: str(entry['prefsrc']),
        metric: num(entry['metric']),
        type: str(entry['type']) ?? 'unicast',
        table: typeof table === 'number' ? String(table) : str(table),
        flags: strings(entry['flags']),
      }),
    );
  });
  return { routes };
}

export function parseIpNeigh(text: string): IpNeighFacts {
  const neighbors: IpNeighbor[] = [];
  topArray(text, 'ip -j neigh').forEach((entry, i) => {
    if (!isObject(entry)) return;
    const dst = str(entry['dst']);
    if (dst === undefined) return;
    neighbors.push(
      defined({
        pointer: pointer(i),
        dst,
        dev: str(entry['dev']),
        lladdr: macOf(entry['lladdr']),
        state: strings(entry['state']),
        router: 'router' in entry,
      }),
    );
  });
  return { neighbors };
}

function topArray(text: string, what: string): unknown[] {
  const value = parseJsonText(text, what);
  if (!Array.isArray(value)) throw new ParseError(`${what}: expected a JSON array at the top level`, 1);
  return value;
}

function linkOf(entry: unknown, at: string): IpLink[] {
  if (!isObject(entry)) return [];
  const ifname = str(entry['ifname']);
  if (ifname === undefined) return [];
  const flags = strings(entry['flags']);
  const info = isObject(entry['linkinfo']) ? entry['linkinfo'] : undefined;
  const kind = str(info?.['info_kind']);
  const data = isObject(info?.['info_data']) ? (info['info_data'] as JsonObject) : undefined;
  const slaveKind = str(info?.['info_slave_kind']);
  const slaveData = isObject(info?.['info_slave_data']) ? (info['info_slave_data'] as JsonObject) : undefined;
  return [
    defined({
      pointer: at,
      ifname,
      ifindex: num(entry['ifindex']),
      mtu: num(entry['mtu']),
      operstate: str(entry['operstate']),
      flags,
      up: flags.includes('UP'),
      lowerUp: flags.includes('LOWER_UP'),
      linkType: str(entry['link_type']),
      address: macOf(entry['address']),
      master: str(entry['master']),
      parent: str(entry['link']),
      kind,
      slaveKind,
      vlan: kind === 'vlan' && data ? defined({ id: num(data['id']), protocol: str(data['protocol']) }) : undefined,
      bridge:
        kind === 'bridge' && data
          ? defined({
              vlanFiltering: bool(data['vlan_filtering']),
              stpState: num(data['stp_state']),
              vlanProtocol: str(data['vlan_protocol']),
              defaultPvid: num(data['vlan_default_pvid']),
            })
          : undefined,
      bridgePort:
        slaveKind === 'bridge' && slaveData
          ? defined({
              state: str(slaveData['state']),
              learning: bool(slaveData['learning']),
              flood: bool(slaveData['flood']),
              isolated: bool(slaveData['isolated']),
              neighSuppress: bool(slaveData['neigh_suppress']),
            })
          : undefined,
      bond: kind === 'bond' && data ? defined({ mode: str(data['mode']) }) : undefined,
      vxlan:
        kind === 'vxlan' && data
          ? defined({ id: num(data['id']), port: num(data['port']), device: str(data['link']), local: str(data['local']) })
          : undefined,
      altnames: strings(entry['altnames']),
    }),
  ];
}

function macOf(value: unknown): string | undefined {
  const text = str(value);
  return text !== undefined && /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(text) ? text.toLowerCase() : undefined;
}
