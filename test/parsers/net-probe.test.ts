import { describe, expect, it } from 'vitest';
import { parsePing } from '../../analyzer/parsers/net-ping.js';
import { parseTcpProbe } from '../../analyzer/parsers/net-tcp-probe.js';
import { checkNoBlowup, checkRobust } from './fuzz.js';

function neverThrowsUnexpectedly(parse: (text: string) => unknown, sample: string): void {
  checkRobust(parse, [sample]);
  checkNoBlowup(parse, [`${'64 bytes from '.repeat(3000)}${' '.repeat(30_000)}\n${'nc: connect to '.repeat(3000)}`]);
}

const PING_OK = `PING 192.168.10.1 (192.168.10.1) 56(84) bytes of data.
64 bytes from 192.168.10.1: icmp_seq=1 ttl=64 time=0.321 ms
64 bytes from 192.168.10.1: icmp_seq=2 ttl=64 time=0.250 ms
64 bytes from 192.168.10.1: icmp_seq=3 ttl=64 time=0.350 ms

--- 192.168.10.1 ping statistics ---
3 packets transmitted, 3 received, 0% packet loss, time 2003ms
rtt min/avg/max/mdev = 0.250/0.307/0.350/0.042 ms
`;

describe('parsePing', () => {
  it('reads a healthy iputils run', () => {
    const facts = parsePing(PING_OK);
    expect(facts).toMatchObject({ target: '192.168.10.1', transmitted: 3, received: 3, lossPercent: 0, outcome: 'ok', line: 7 });
    expect(facts.rtt).toEqual({ minMs: 0.25, avgMs: 0.307, maxMs: 0.35, mdevMs: 0.042 });
    expect(facts.replies[0]).toEqual({ seq: 1, ttl: 64, timeMs: 0.321, line: 2 });
  });

  it('tells host-unreachable, silent loss, partial loss and busybox apart', () => {
    const unreachable = parsePing(`PING 192.168.10.1 (192.168.10.1) 56(84) bytes of data.
From 192.168.10.12 icmp_seq=1 Destination Host Unreachable
From 192.168.10.12 icmp_seq=2 Destination Host Unreachable

--- 192.168.10.1 ping statistics ---
3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2047ms
pipe 3
`);
    expect(unreachable).toMatchObject({ outcome: 'host-unreachable', received: 0, lossPercent: 100, line: 6 });
    expect(unreachable.errors[0]).toMatchObject({ from: '192.168.10.12', line: 2 });
    expect(parsePing('PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n\n--- 10.0.0.1 ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2030ms\n').outcome).toBe('no-reply');
    expect(parsePing('3 packets transmitted, 2 received, 33.3333% packet loss, time 2003ms\n')).toMatchObject({ outcome: 'partial-loss', lossPercent: 33.3333 });
    expect(
      parsePing('PING 192.168.10.1 (192.168.10.1): 56 data bytes\n64 bytes from 192.168.10.1: seq=0 ttl=64 time=0.412 ms\n--- 192.168.10.1 ping statistics ---\n3 packets transmitted, 3 packets received, 0% packet loss\nround-trip min/avg/max = 0.300/0.400/0.500 ms\n'),
    ).toMatchObject({ outcome: 'ok', received: 3, rtt: { minMs: 0.3, avgMs: 0.4, maxMs: 0.5 }, replies: [{ seq: 0 }] });
  });

  it('reads network-unreachable, name errors and the collector note', () => {
    expect(parsePing('ping: connect: Network is unreachable\n')).toMatchObject({ outcome: 'network-unreachable', line: 1 });
    expect(parsePing('ping: gw.lab: Temporary failure in name resolution\n').outcome).toBe('dns');
    expect(parsePing('# labsnap: no default route\n')).toMatchObject({ outcome: 'no-default-route', line: 1 });
    expect(parsePing('').outcome).toBe('unknown');
  });

  it('survives fuzzing', () => neverThrowsUnexpectedly(parsePing, PING_OK));
});

describe('parseTcpProbe', () => {
  const cases: [string, string, Partial<ReturnType<typeof parseTcpProbe>>][] = [
    ['OpenBSD nc success', 'Connection to 192.168.10.11 6443 port [tcp/*] succeeded!\n', { target: '192.168.10.11', port: 6443, ok: true }],
    ['OpenBSD nc refused', 'nc: connect to 192.168.10.11 port 6443 (tcp) failed: Connection refused\n', { target: '192.168.10.11', port: 6443, ok: false, error: 'refused' }],
    ['OpenBSD nc no route', 'nc: connect to 192.168.10.11 port 6443 (tcp) failed: No route to host\n', { ok: false, error: 'no-route' }],
    ['OpenBSD nc timeout', 'nc: connect to 192.168.10.11 port 6443 (tcp) timed out: Operation now in progress\n', { ok: false, error: 'timeout' }],
    ['OpenBSD nc dns', 'nc: getaddrinfo for host "cp1.lab" port 6443: Name or service not known\n', { target: 'cp1.lab', port: 6443, ok: false, error: 'dns' }],
    ['ncat success', 'Ncat: Version 7.93 ( https://nmap.org/ncat )\nNcat: Connected to 192.168.10.11:6443.\nNcat: 0 bytes sent, 0 bytes received in 0.01 seconds.\n', { target: '192.168.10.11', port: 6443, ok: true, line: 2 }],
    ['ncat timeout', 'Ncat: Version 7.93 ( https://nmap.org/ncat )\nNcat: TIMEOUT.\n', { ok: false, error: 'timeout' }],
    ['traditional open', 'cp1 [192.168.10.11] 6443 (?) open\n', { target: '192.168.10.11', port: 6443, ok: true }],
    ['traditional refused', '(UNKNOWN) [192.168.10.11] 6443 (?) : Connection refused\n', { ok: false, error: 'refused' }],
    ['busybox refused', 'nc: 192.168.10.11 (192.168.10.11:6443): Connection refused\n', { target: '192.168.10.11', port: 6443, ok: false, error: 'refused' }],
    ['bash /dev/tcp ok', 'probe 192.168.10.11:6443\nOK\n', { target: '192.168.10.11', port: 6443, ok: true, line: 2 }],
    ['bash /dev/tcp no route', 'bash: line 1: /dev/tcp/192.168.10.11/6443: No route to host\n', { target: '192.168.10.11', port: 6443, ok: false, error: 'no-route' }],
    ['bash connect refused', 'bash: connect: Connection refused\nbash: line 1: /dev/tcp/10.0.0.1/6443: Connection refused\n', { target: '10.0.0.1', ok: false, error: 'refused', line: 1 }],
    ['other failure', 'nc: invalid option -- z\n', { ok: false, error: 'other' }],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => expect(parseTcpProbe(text)).toMatchObject(expected));
  }
  it('leaves ok undefined when nothing is decisive', () => {
    expect(parseTcpProbe('')).toEqual({ probes: [] });
    expect(parseTcpProbe('probe [fd00::11]:6443\n')).toEqual({ probes: [], target: 'fd00::11', port: 6443 });
  });
  it('turns a single-tool answer into one probe', () => {
    expect(parseTcpProbe('nc: connect to 192.168.10.11 port 6443 (tcp) failed: Connection refused\n').probes).toEqual([
      { host: '192.168.10.11', port: 6443, ok: false, error: 'refused', message: 'nc: connect to 192.168.10.11 port 6443 (tcp) failed: Connection refused', line: 1 },
    ]);
  });

  describe("the collector's multi-probe output (tcpApiServerCommand)", () => {
    it('reads the kubelet.conf endpoint and every probe, with nc failures on the same line', () => {
      const text = [
        'kubelet.conf server 192.168.10.11:6443',
        'tcp 192.168.10.11:6443 failed (exit 1) nc: connect to 192.168.10.11 port 6443 (tcp) failed: No route to host',
        'tcp 192.168.10.12:6443 open',
        '',
      ].join('\n');
      const facts = parseTcpProbe(text);
      expect(facts.kubeletServer).toBe('192.168.10.11:6443');
      expect(facts.kubeletServerLine).toBe(1);
      expect(facts.probes).toEqual([
        { host: '192.168.10.11', port: 6443, ok: false, exitCode: 1, error: 'no-route', line: 2, message: 'tcp 192.168.10.11:6443 failed (exit 1) nc: connect to 192.168.10.11 port 6443 (tcp) failed: No route to host' },
        { host: '192.168.10.12', port: 6443, ok: true, line: 3, message: 'tcp 192.168.10.12:6443 open' },
      ]);
      expect(facts).toMatchObject({ ok: false, target: '192.168.10.11', port: 6443, error: 'no-route', line: 2 });
    });
    it('joins the continuation lines bash prints and classifies them', () => {
      const text = 'kubelet.conf server cp.lab.example:6443\ntcp cp.lab.example:6443 failed (exit 1) bash: connect: Connection refused\nbash: line 1: /dev/tcp/cp.lab.example/6443: Connection refused\ntcp 192.168.10.11:6443 failed (exit 1) bash: connect: Connection refused\nbash: line 1: /dev/tcp/192.168.10.11/6443: Connection refused\n';
      const facts = parseTcpProbe(text);
      expect(facts.probes.map((p) => [p.host, p.error, p.line])).toEqual([
        ['cp.lab.example', 'refused', 2],
        ['192.168.10.11', 'refused', 4],
      ]);
      expect(facts.probes[0]!.message).toContain(' | bash: line 1: /dev/tcp/cp.lab.example/6443: Connection refused');
    });
    it('reads a silent timeout (exit 124), an IPv6 probe and a kubelet.conf without server', () => {
      const facts = parseTcpProbe('kubelet.conf server (none)\ntcp fd00::11:6443 failed (exit 124) \ntcp 192.168.10.11:6443 open\n');
      expect(facts.kubeletServer).toBeNull();
      expect(facts.probes[0]).toMatchObject({ host: 'fd00::11', port: 6443, ok: false, exitCode: 124, error: 'timeout' });
      expect(facts.probes[1]).toMatchObject({ host: '192.168.10.11', ok: true });
    });
    it('all open means ok', () => {
      expect(parseTcpProbe('kubelet.conf server 192.168.10.11:6443\ntcp 192.168.10.11:6443 open\ntcp 192.168.10.11:6443 open\n')).toMatchObject({ ok: true, probes: [{ ok: true }, { ok: true }] });
    });
  });
  it('survives fuzzing', () => neverThrowsUnexpectedly(parseTcpProbe, cases.map((c) => c[1]).join('')));
});

describe('parsePing on the collector PING_GATEWAY output', () => {
  it('reads the `gateway X` header the collector prints before pinging', () => {
    const facts = parsePing(`gateway 192.168.10.1\n${PING_OK}`);
    expect(facts).toMatchObject({ gateway: '192.168.10.1', gatewayLine: 1, target: '192.168.10.1', outcome: 'ok', received: 3 });
  });

  it('reads the collector stderr when the main table has no default route', () => {
    const facts = parsePing('no default gateway in the main routing table\n');
    expect(facts.outcome).toBe('no-default-route');
    expect(facts.gateway).toBeUndefined();
  });

  it('keeps the gateway when every ping is answered by Destination Host Unreachable', () => {
    const text = 'gateway 192.168.10.1\nPING 192.168.10.1 (192.168.10.1) 56(84) bytes of data.\nFrom 192.168.10.13 icmp_seq=1 Destination Host Unreachable\n\n--- 192.168.10.1 ping statistics ---\n3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2041ms\n';
    expect(parsePing(text)).toMatchObject({ gateway: '192.168.10.1', outcome: 'host-unreachable', line: 6 });
  });
});
