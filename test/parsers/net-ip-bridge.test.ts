import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../analyzer/parsers/common.js';
import { parseBridgeLink, parseBridgeVlan, portCarriesVlan } from '../../analyzer/parsers/net-bridge.js';
import { parseIpAddr, parseIpLink, parseIpNeigh, parseIpRoute } from '../../analyzer/parsers/net-ip.js';
import { checkRobust } from './fuzz.js';

// Real `ip -j -d ...` / `bridge -j -d link` output (iproute2 6.1) from a namespace with bridge vmbr0,
// two veth ports, a vxlan and a default route.
const data = (name: string): string => readFileSync(fileURLToPath(new URL(`data/${name}`, import.meta.url)), 'utf8');

/** Mutated samples (shared fuzzing) and arbitrary JSON documents: only ParseError escapes. */
function fuzzJson(parse: (text: string) => unknown, sample: string): void {
  checkRobust(parse, [sample]);
  fc.assert(
    fc.property(fc.json(), (text) => {
      try {
        parse(text);
      } catch (e) {
        expect(e).toBeInstanceOf(ParseError);
      }
    }),
    { numRuns: 100 },
  );
}

describe('parseIpLink', () => {
  it('reads a real -d dump: bridge, its ports and a vxlan', () => {
    const { links } = parseIpLink(data('ip-link.json'));
    const bridge = links.find((l) => l.ifname === 'vmbr0');
    expect(bridge).toMatchObject({ pointer: '/1', kind: 'bridge', mtu: 1500, up: true, lowerUp: true, bridge: { vlanFiltering: false, stpState: 0 } });
    const port = links.find((l) => l.ifname === 'lsvA2');
    expect(port).toMatchObject({ kind: 'veth', slaveKind: 'bridge', master: 'vmbr0', bridgePort: { state: 'forwarding', learning: true } });
    expect(links.find((l) => l.ifname === 'vx0')).toMatchObject({ kind: 'vxlan', mtu: 1450, up: false, vxlan: { id: 4096, port: 4789, device: 'vmbr0' } });
  });

  it('reads older and sparser shapes: no -d, 0/1 booleans, vlan and bond kinds, `{}` filler entries', () => {
    const { links } = parseIpLink(
      JSON.stringify([
        {},
        { ifindex: 2, ifname: 'eno1', flags: ['BROADCAST', 'MULTICAST', 'SLAVE', 'UP'], mtu: 9000, master: 'bond0', operstate: 'DOWN', address: '3C:EC:EF:00:11:22' },
        { ifindex: 5, ifname: 'vmbr0.20', link: 'vmbr0', mtu: 1500, linkinfo: { info_kind: 'vlan', info_data: { protocol: '802.1Q', id: 20, flags: ['REORDER_HDR'] } } },
        { ifindex: 6, ifname: 'bond0', linkinfo: { info_kind: 'bond', info_data: { mode: '802.3ad' } } },
        { ifindex: 7, ifname: 'vmbr1', linkinfo: { info_kind: 'bridge', info_data: { vlan_filtering: 1, vlan_default_pvid: 1 } } },
      ]),
    );
    expect(links.map((l) => l.ifname)).toEqual(['eno1', 'vmbr0.20', 'bond0', 'vmbr1']);
    expect(links[0]).toMatchObject({ pointer: '/1', address: '3c:ec:ef:00:11:22', up: true, lowerUp: false, altnames: [] });
    expect(links[1]).toMatchObject({ kind: 'vlan', parent: 'vmbr0', vlan: { id: 20, protocol: '802.1Q' } });
    expect(links[2]?.bond).toEqual({ mode: '802.3ad' });
    expect(links[3]?.bridge).toEqual({ vlanFiltering: true, defaultPvid: 1 });
  });

  it('names the line of invalid JSON and refuses non-arrays', () => {
    expect(() => parseIpLink('[\n{"ifname": "eth0",\n}\n]')).toThrow(ParseError);
    try {
      parseIpLink('[\n{"ifname": "eth0",\n}\n]');
    } catch (e) {
      expect((e as ParseError).line).toBe(3);
    }
    expect(() => parseIpLink('{"ifname":"eth0"}')).toThrow(/JSON array/);
    expect(() => parseIpLink('')).toThrow(/empty/);
  });

  it('survives fuzzing', () => fuzzJson(parseIpLink, data('ip-link.json')));
});

describe('parseIpAddr / parseIpRoute / parseIpNeigh', () => {
  it('flattens addresses with pointers and MACs', () => {
    const facts = parseIpAddr(data('ip-addr.json'));
    const v4 = facts.addresses.find((a) => a.family === 'inet' && a.ifname === 'vmbr0');
    expect(v4).toMatchObject({ local: '192.168.10.2', prefixlen: 24, cidr: '192.168.10.2/24', scope: 'global', mac: '4a:d2:d5:43:0a:de', pointer: '/1/addr_info/0' });
    expect(facts.addresses.some((a) => a.ifname === 'lo' && a.local === '127.0.0.1')).toBe(true);
    expect(facts.links.find((l) => l.ifname === 'vmbr0')?.kind).toBe('bridge');
  });

  it('reads routes including the default', () => {
    const { routes } = parseIpRoute(data('ip-route.json'));
    expect(routes[0]).toEqual({ pointer: '/0', dst: 'default', isDefault: true, family: 'inet', gateway: '192.168.10.1', dev: 'vmbr0', type: 'unicast', flags: [] });
    expect(routes[1]).toMatchObject({ dst: '192.168.10.0/24', isDefault: false, protocol: 'kernel', scope: 'link', prefsrc: '192.168.10.2' });
    const v6 = parseIpRoute('[{"dst":"default","via":{"family":"inet6","host":"fe80::1"},"dev":"vmbr0","protocol":"ra","metric":1024,"table":254,"type":"unicast"},{"type":"blackhole","dst":"10.244.1.0/24","protocol":"bird","flags":[]}]');
    expect(v6.routes[0]).toMatchObject({ family: 'inet6', gateway: 'fe80::1', metric: 1024, table: '254' });
    expect(v6.routes[1]).toMatchObject({ type: 'blackhole', isDefault: false });
  });

  it('reads neighbours with string or array states', () => {
    expect(parseIpNeigh(data('ip-neigh.json')).neighbors).toEqual([
      { pointer: '/0', dst: '192.168.10.240', dev: 'vmbr0', lladdr: '52:54:00:ab:cd:ef', state: ['REACHABLE'], router: false },
    ]);
    expect(parseIpNeigh('[{"dst":"192.168.10.1","dev":"vmbr0","state":"FAILED"},{"dst":"fe80::1","dev":"vmbr0","lladdr":"aa:bb:cc:dd:ee:ff","router":null,"state":["STALE"]}]').neighbors).toMatchObject([
      { dst: '192.168.10.1', state: ['FAILED'], router: false },
      { dst: 'fe80::1', router: true },
    ]);
    expect(parseIpNeigh('[]').neighbors).toEqual([]);
  });

  it('survives fuzzing', () => {
    fuzzJson(parseIpAddr, data('ip-addr.json'));
    fuzzJson(parseIpRoute, data('ip-route.json'));
    fuzzJson(parseIpNeigh, data('ip-neigh.json'));
  });
});

describe('parseBridgeLink', () => {
  it('reads real bridge ports', () => {
    const { ports } = parseBridgeLink(data('bridge-link.json'));
    expect(ports.map((p) => [p.ifname, p.master, p.state])).toEqual([
      ['lsvA', 'vmbr0', 'forwarding'],
      ['lsvA2', 'vmbr0', 'forwarding'],
    ]);
    expect(ports[0]).toMatchObject({ pointer: '/0', ifindex: 6, mtu: 1500, learning: true, isolated: false });
  });
  it('survives fuzzing', () => fuzzJson(parseBridgeLink, data('bridge-link.json')));
});

// Written by hand: this kernel lacks bridge vlan_filtering. Shapes follow iproute2 ≥ 5.x (array) and older (object).
const VLAN_NEW = `[{"ifname":"vmbr0","vlans":[{"vlan":1,"flags":["PVID","Egress Untagged"]},{"vlan":2,"vlanEnd":4094}]},
{"ifname":"tap100i0","vlans":[{"vlan":20,"flags":["PVID","Egress Untagged"],"state":"forwarding"}]},
{"ifname":"enp1s0","vlans":[{"vlan":1,"flags":["PVID","Egress Untagged"]},{"vlan":2,"vlanEnd":4094}]}]`;
const VLAN_OLD = `{"vmbr0":[{"vlan":1,"flags":["PVID","Egress Untagged"]},{"vlan":10},{"vlan":20}],"tap101i0":[{"vlan":30,"flags":["PVID","Egress Untagged"]}]}`;

describe('parseBridgeVlan', () => {
  it('keeps ranges as ranges in the array form', () => {
    const facts = parseBridgeVlan(VLAN_NEW);
    expect(facts.ports[0]).toEqual({
      pointer: '/0',
      ifname: 'vmbr0',
      vlans: [
        { start: 1, end: 1, pvid: true, untagged: true },
        { start: 2, end: 4094, pvid: false, untagged: false },
      ],
    });
    expect(facts.ports[1]?.vlans[0]).toMatchObject({ start: 20, state: 'forwarding' });
    expect(portCarriesVlan(facts, 'enp1s0', 30)).toBe(true);
    expect(portCarriesVlan(facts, 'tap100i0', 30)).toBe(false);
    expect(portCarriesVlan(facts, 'tap999i0', 30)).toBeUndefined();
  });
  it('reads the older object form', () => {
    const facts = parseBridgeVlan(VLAN_OLD);
    expect(facts.ports.map((p) => [p.pointer, p.ifname, p.vlans.map((v) => v.start)])).toEqual([
      ['/vmbr0', 'vmbr0', [1, 10, 20]],
      ['/tap101i0', 'tap101i0', [30]],
    ]);
    expect(portCarriesVlan(facts, 'vmbr0', 30)).toBe(false);
  });
  it('survives fuzzing', () => {
    fuzzJson(parseBridgeVlan, VLAN_NEW);
    fuzzJson(parseBridgeVlan, VLAN_OLD);
  });
});
