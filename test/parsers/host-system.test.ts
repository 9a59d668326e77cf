import { describe, expect, it } from 'vitest';
import { ParseError } from '../../analyzer/parsers/common.js';
import { parseAptHistory } from '../../analyzer/parsers/host-apt-history.js';
import { parseLsmod, findModule } from '../../analyzer/parsers/host-lsmod.js';
import { parseSs } from '../../analyzer/parsers/host-ss.js';
import { parseSwap } from '../../analyzer/parsers/host-swap.js';
import { parseSysctl, sysctlInt } from '../../analyzer/parsers/host-sysctl.js';
import { checkNoBlowup, checkRobust } from './fuzz.js';

/** Random and mutated input: only ParseError escapes; a very long hostile line is read in linear time. */
function fuzz(parse: (text: string) => unknown, sample: string): void {
  checkRobust(parse, [sample]);
  checkNoBlowup(parse, [sample + ' '.repeat(20_000) + 'x'.repeat(20_000)]);
}

const SYSCTL = `net.bridge.bridge-nf-call-iptables = 1
net.ipv4.ip_forward = 0
net.ipv4.tcp_rmem = 4096\t131072\t6291456
net.ipv4.conf.vmbr0/20.forwarding = 1
vm.swappiness=60
sysctl: permission denied on key 'net.ipv6.conf.all.stable_secret'
garbage line without equals
`;

describe('parseSysctl', () => {
  it('reads both spacings, keeps vectors as text and stderr lines apart', () => {
    const facts = parseSysctl(SYSCTL);
    expect(facts.values['net.ipv4.ip_forward']).toEqual({ value: '0', line: 2 });
    expect(facts.values['vm.swappiness']).toEqual({ value: '60', line: 5 });
    expect(facts.values['net.ipv4.conf.vmbr0/20.forwarding']?.line).toBe(4);
    expect(sysctlInt(facts, 'net.bridge.bridge-nf-call-iptables')).toBe(1);
    expect(sysctlInt(facts, 'net.ipv4.tcp_rmem')).toBeUndefined();
    expect(sysctlInt(facts, 'net.ipv4.missing')).toBeUndefined();
    expect(facts.errors).toEqual([{ text: "sysctl: permission denied on key 'net.ipv6.conf.all.stable_secret'", line: 6 }]);
    expect(Object.keys(facts.values)).toHaveLength(5);
  });
  it('survives fuzzing', () => fuzz(parseSysctl, SYSCTL));
});

const LSMOD = `Module                  Size  Used by
br_netfilter           32768  0
bridge                421888  1 br_netfilter
overlay               196608  12
nf_conntrack          196608  5 xt_conntrack,nf_nat,xt_nat,nf_conntrack_netlink,xt_MASQUERADE
ip_tables              32768  0 [permanent]
`;
const PROC_MODULES = `br_netfilter 32768 0 - Live 0x0000000000000000
bridge 421888 1 br_netfilter, Live 0x0000000000000000
vxlan 143360 0 - Loading 0xffffffffc0a00000 (E)
`;

describe('parseLsmod', () => {
  it('reads lsmod with dependants', () => {
    const facts = parseLsmod(LSMOD);
    expect(facts.modules).toHaveLength(5);
    expect(facts.modules[1]).toEqual({ name: 'bridge', size: 421888, useCount: 1, usedBy: ['br_netfilter'], line: 3 });
    expect(facts.modules[3]?.usedBy).toHaveLength(5);
    expect(facts.modules[4]?.usedBy).toEqual([]);
    expect(findModule(facts, 'br-netfilter')?.line).toBe(2);
    expect(findModule(facts, 'ip_vs')).toBeUndefined();
  });
  it('reads /proc/modules with state', () => {
    const facts = parseLsmod(PROC_MODULES);
    expect(facts.modules[1]).toEqual({ name: 'bridge', size: 421888, useCount: 1, usedBy: ['br_netfilter'], state: 'Live', line: 2 });
    expect(facts.modules[2]).toMatchObject({ name: 'vxlan', usedBy: [], state: 'Loading' });
  });
  it('survives fuzzing', () => fuzz(parseLsmod, LSMOD + PROC_MODULES));
});

describe('parseSwap', () => {
  it('reads swapon --show --bytes', () => {
    const facts = parseSwap('NAME      TYPE             SIZE USED PRIO\n/swap.img file       2147483648 1048576   -2\n/dev/dm-1 partition 1023406080    0   -3\n');
    expect(facts.format).toBe('swapon');
    expect(facts.entries).toEqual([
      { name: '/swap.img', type: 'file', sizeBytes: 2147483648, usedBytes: 1048576, priority: -2, line: 2 },
      { name: '/dev/dm-1', type: 'partition', sizeBytes: 1023406080, usedBytes: 0, priority: -3, line: 3 },
    ]);
  });
  it('reads --noheadings, human sizes and escaped names', () => {
    const facts = parseSwap('/dev/zram0 partition 3.8G 0B 100\n/mnt/my\\x20swap file 512M 1K -2\n');
    expect(facts.entries[0]).toMatchObject({ name: '/dev/zram0', sizeBytes: Math.round(3.8 * 1024 ** 3), usedBytes: 0, priority: 100 });
    expect(facts.entries[1]).toMatchObject({ name: '/mnt/my swap', sizeBytes: 512 * 1024 ** 2, usedBytes: 1024 });
  });
  it('reads /proc/swaps in KiB, and an empty table as no swap', () => {
    const facts = parseSwap('Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n/swap\\040file                              file\t\t2097148\t\t0\t\t-2\n');
    expect(facts).toEqual({ format: 'proc-swaps', entries: [{ name: '/swap file', type: 'file', sizeBytes: 2097148 * 1024, usedBytes: 0, priority: -2, line: 2 }] });
    expect(parseSwap('Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n')).toEqual({ format: 'proc-swaps', entries: [] });
    expect(parseSwap('')).toEqual({ format: 'empty', entries: [] });
  });
  it('survives fuzzing', () => fuzz(parseSwap, 'NAME TYPE SIZE USED PRIO\n/swap.img file 2147483648 0 -2\n'));
});

// Header as ss really prints it: the last two columns run together.
const SS = `State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
LISTEN 0      4096       127.0.0.1:10257      0.0.0.0:*    users:(("kube-controller",pid=1712,fd=3))
LISTEN 0      4096               *:10250            *:*    users:(("kubelet",pid=901,fd=21))
LISTEN 0      4096               *:6443             *:*    users:(("kube-apiserver",pid=1650,fd=3),("kube-apiserver",pid=1650,fd=7))
LISTEN 0      4096            [::]:22            [::]:*    users:(("sshd",pid=640,fd=4))
LISTEN 0      4096   127.0.0.53%lo:53         0.0.0.0:*    users:(("systemd-resolve",pid=512,fd=14))
LISTEN 0      511  [fe80::1]%vmbr0:8006          [::]:*
`;

describe('parseSs', () => {
  it('reads IPv4, IPv6, wildcard and zoned listeners with their processes', () => {
    const { listeners } = parseSs(SS);
    expect(listeners).toHaveLength(6);
    expect(listeners[0]).toEqual({
      proto: 'tcp',
      state: 'LISTEN',
      address: '127.0.0.1',
      port: 10257,
      wildcard: false,
      processes: [{ name: 'kube-controller', pid: 1712, fd: 3 }],
      line: 2,
    });
    expect(listeners[2]).toMatchObject({ address: '*', port: 6443, wildcard: true });
    expect(listeners[2]?.processes).toHaveLength(2);
    expect(listeners[3]).toMatchObject({ address: '::', port: 22, wildcard: true });
    expect(listeners[4]).toMatchObject({ address: '127.0.0.53', boundInterface: 'lo', port: 53 });
    expect(listeners[5]).toMatchObject({ address: 'fe80::1', boundInterface: 'vmbr0', port: 8006, processes: [] });
  });
  it('reads a Netid column and -H output', () => {
    const { listeners } = parseSs('udp   UNCONN 0      0      0.0.0.0:4789      0.0.0.0:*\ntcp   LISTEN 0      4096   0.0.0.0:2379 0.0.0.0:* users:(("etcd",pid=1500,fd=9))\n');
    expect(listeners.map((l) => [l.proto, l.state, l.port])).toEqual([
      ['udp', 'UNCONN', 4789],
      ['tcp', 'LISTEN', 2379],
    ]);
  });
  it('survives fuzzing', () => fuzz(parseSs, SS));
});

const APT = `
Start-Date: 2024-11-20  10:15:01
Commandline: apt-get install -y kubelet=1.31.2-1.1 kubeadm=1.31.2-1.1
Requested-By: ubuntu (1000)
Install: kubelet:amd64 (1.31.2-1.1), cri-tools:amd64 (1.31.1-1.1, automatic), conntrack:amd64 (1:1.4.7-1+b2, automatic)
Upgrade: containerd.io:amd64 (1.7.22-1, 1.7.23-1)
End-Date: 2024-11-20  10:15:09

Start-Date: 2024-11-21  08:00:00
Commandline: apt-get remove --purge dphys-swapfile
Purge: dphys-swapfile:all (20100506-7.1)
Error: Sub-process /usr/bin/dpkg returned an error code (1)
End-Date: 2024-11-21  08:00:03
Start-Date: 2024-11-22  09:00:00
Commandline: unattended-upgrade
`;

describe('parseAptHistory', () => {
  it('reads transactions, package lists and errors, even when a blank separator is missing', () => {
    const { entries } = parseAptHistory(APT);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({
      start: '2024-11-20T10:15:01',
      end: '2024-11-20T10:15:09',
      commandLine: 'apt-get install -y kubelet=1.31.2-1.1 kubeadm=1.31.2-1.1',
      requestedBy: 'ubuntu (1000)',
      line: 2,
    });
    expect(entries[0]?.packages.install).toEqual([
      { name: 'kubelet', arch: 'amd64', version: '1.31.2-1.1', automatic: false },
      { name: 'cri-tools', arch: 'amd64', version: '1.31.1-1.1', automatic: true },
      { name: 'conntrack', arch: 'amd64', version: '1:1.4.7-1+b2', automatic: true },
    ]);
    expect(entries[0]?.packages.upgrade).toEqual([{ name: 'containerd.io', arch: 'amd64', version: '1.7.23-1', fromVersion: '1.7.22-1', automatic: false }]);
    expect(entries[1]?.packages.purge[0]).toMatchObject({ name: 'dphys-swapfile', arch: 'all' });
    expect(entries[1]?.error).toMatch(/dpkg returned an error/);
    expect(entries[2]).toMatchObject({ start: '2024-11-22T09:00:00', line: 14 });
    expect(entries[2]?.end).toBeUndefined();
  });
  it('survives fuzzing', () => fuzz(parseAptHistory, APT));
});
