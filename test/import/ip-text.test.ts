// sos reports keep `ip -d address` as text; the importer turns it into the `ip -j` JSON the parsers read.
import { describe, expect, it } from 'vitest';
import { parseIpAddr, parseIpLink } from '../../analyzer/parsers/net-ip.js';
import { ipJsonFromAddressText } from '../../bundle/import/ip-text.js';
import { commandTarget } from '../../bundle/import/commands.js';
import { sosCommand } from '../../bundle/import/sos.js';

const TEXT = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0 minmtu 0 maxmtu 0
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
2: ens18: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 qdisc fq_codel master vmbr0 state UP group default qlen 1000
    link/ether bc:24:11:aa:bb:01 brd ff:ff:ff:ff:ff:ff promiscuity 1 minmtu 68 maxmtu 65535
    bridge_slave state forwarding priority 32 cost 100
    altname enp0s18
3: vmbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
    link/ether bc:24:11:aa:bb:01 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 65535
    bridge forward_delay 0 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 1 vlan_protocol 802.1Q
    inet 192.168.10.11/24 brd 192.168.10.255 scope global dynamic vmbr0
       valid_lft 86000sec preferred_lft 86000sec
    inet6 fe80::be24:11ff:feaa:bb01/64 scope link
       valid_lft forever preferred_lft forever
4: vmbr0.20@vmbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
    link/ether bc:24:11:aa:bb:01 brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 0 maxmtu 65535
    vlan protocol 802.1Q id 20 <REORDER_HDR>
    inet 10.20.0.2/24 scope global vmbr0.20
`;

describe('ip -d address text → ip -j JSON', () => {
  const ctx = { collectedAt: new Date('2026-01-01T00:00:00Z'), path: 'hosts/n1/cmd/ip-link.json' };
  const json = ipJsonFromAddressText(TEXT);

  it('links: mtu, state, master, kind, vlan id, parent, MAC', () => {
    const { links } = parseIpLink(json.link, ctx);
    const by = new Map(links.map((l) => [l.ifname, l]));
    expect(by.get('ens18')).toMatchObject({ mtu: 9000, operstate: 'UP', master: 'vmbr0', slaveKind: 'bridge', address: 'bc:24:11:aa:bb:01', up: true, lowerUp: true });
    expect(by.get('vmbr0')).toMatchObject({ kind: 'bridge', bridge: { vlanFiltering: true } });
    expect(by.get('vmbr0.20')).toMatchObject({ kind: 'vlan', vlan: { id: 20 }, parent: 'vmbr0' });
    expect(by.get('lo')?.kind).toBeUndefined();
  });

  it('addresses: prefix, scope, label, dynamic, IPv6', () => {
    const { addresses } = parseIpAddr(json.addr, ctx);
    expect(addresses.map((a) => `${a.ifname} ${a.cidr} ${a.scope ?? ''} ${a.label ?? ''} ${a.dynamic ? 'dynamic' : ''}`.trim())).toEqual([
      'lo 127.0.0.1/8 host lo',
      'vmbr0 192.168.10.11/24 global vmbr0 dynamic',
      'vmbr0 fe80::be24:11ff:feaa:bb01/64 link',
      'vmbr0.20 10.20.0.2/24 global vmbr0.20',
    ]);
  });
});

describe('commands behind sos file names and run-host collectors', () => {
  it.each([
    ['sysctl_-a', 'sysctl.txt'],
    ['lsmod', 'lsmod.txt'],
    ['swapon_--bytes_--show', 'swapon.txt'],
    ['journalctl_--no-pager_--unit_kubelet', 'journal-kubelet.log'],
    ['journalctl_--no-pager_--unit_containerd', 'journal-containerd.log'],
    ['systemctl_status_kubelet', 'systemctl-kubelet.txt'],
    ['crictl_ps_-a', 'crictl-ps.txt'],
    ['uname_-a', 'uname.txt'],
    ['hostname', 'hostname.txt'],
  ])('%s → %s', (file, target) => {
    expect(commandTarget(sosCommand(file))).toEqual({ cmd: target });
  });

  it.each(['ip_-d_address', 'ip_-s_-d_link', 'bridge_-d_vlan_show', 'ls_-lt_.sys.kernel.slab', 'journalctl_--disk-usage', 'dmesg'])('%s is not mapped as a command', (file) => {
    expect(commandTarget(sosCommand(file))).toBeUndefined();
  });

  it('sos writes / as .', () => {
    expect(sosCommand('ls_-lt_.sys.kernel.slab')).toBe('ls -lt /sys/kernel/slab');
  });
});
