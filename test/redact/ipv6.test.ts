// IPv6 pseudonymization: the same keyed, prefix-preserving mapping in text, JSON and captures, the MAC
// inside an EUI-64 identifier mapped exactly like the MAC itself, and a bundle with IPv6 analyzed the
// same before and after.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzePath } from '../../analyzer/engine/run.js';
import { openBundle } from '../../bundle/reader.js';
import { redactBundleFile } from '../../collector/redact/index.js';
import { pseudonymizeCapture } from '../../collector/redact/pcap.js';
import { RedactionKey } from '../../collector/redact/placeholder.js';
import { ipv6Text, parseIpv6, Pseudonymizer } from '../../collector/redact/pseudonymize.js';

const key = RedactionKey.fromBytes(Buffer.alloc(32, 9));
const p = (kinds: ('ips' | 'macs' | 'hostnames')[] = ['ips', 'macs', 'hostnames']) => new Pseudonymizer(key, kinds, []);
const big = (s: string) => parseIpv6(s)!.reduce((a, g) => (a << 16n) | BigInt(g), 0n);
const commonPrefix = (a: string, b: string) => {
  const x = big(a) ^ big(b);
  let n = 0;
  while (n < 128 && ((x >> BigInt(127 - n)) & 1n) === 0n) n++;
  return n;
};
/** The MAC of an EUI-64 address. */
const macOf = (addr: string) => {
  const g = parseIpv6(addr)!;
  const b = [(g[4]! >> 8) ^ 2, g[4]! & 255, g[5]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
};

describe('IPv6 text', () => {
  it('parses and writes RFC 5952 forms', () => {
    expect(ipv6Text(parseIpv6('2001:0DB8:0000:0000:0001:0000:0000:0001')!)).toBe('2001:db8::1:0:0:1');
    expect(ipv6Text(parseIpv6('::')!)).toBe('::');
    // Two zero runs of one length: the first is the one compressed.
    expect(ipv6Text(parseIpv6('fe80:0:0:0:1:0:0:0')!)).toBe('fe80::1:0:0:0');
    expect(ipv6Text(parseIpv6('1:0:0:2:0:0:0:3')!)).toBe('1:0:0:2::3');
    for (const bad of ['1:2:3', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9', '12345::1']) expect(parseIpv6(bad)).toBeUndefined();
  });

  it('maps the MAC inside an EUI-64 address like the MAC, whatever the prefix', () => {
    const ps = p();
    const out = ps.text('inet6 fe80::be24:11ff:fec2:573b/64 and 2a01:4f8:c0c:1234:be24:11ff:fec2:573b/64, link/ether bc:24:11:c2:57:3b');
    const [, ll, global, mac] = /inet6 (\S+)\/64 and (\S+)\/64, link\/ether (\S+)$/.exec(out)!;
    expect(mac).not.toBe('bc:24:11:c2:57:3b');
    expect(macOf(ll!)).toBe(mac);
    expect(macOf(global!)).toBe(mac);
    expect(ll!.startsWith('fe80::')).toBe(true);
    expect(global!.startsWith('2a01:')).toBe(true);
    // With macs alone the identifier still follows the MAC; the prefix stays.
    const onlyMacs = p(['macs']).text('2a01:4f8:c0c:1234:be24:11ff:fec2:573b bc:24:11:c2:57:3b');
    const [addr, m] = onlyMacs.split(' ');
    expect(addr!.startsWith('2a01:4f8:c0c:1234:')).toBe(true);
    expect(macOf(addr!)).toBe(m);
    expect(m).not.toBe('bc:24:11:c2:57:3b');
    // With ips alone the MAC (and so the identifier) stays, the prefix is mapped.
    const onlyIps = p(['ips']).text('2a01:4f8:c0c:1234:be24:11ff:fec2:573b');
    expect(onlyIps.endsWith(':be24:11ff:fec2:573b')).toBe(true);
    expect(onlyIps.startsWith('2a01:4f8:c0c:1234:')).toBe(false);
  });

  it('preserves shared prefixes up to /112 and keeps the last 16 bits, the range and the address family', () => {
    const ps = p();
    const group = fc.integer({ min: 0, max: 0xffff });
    const addr = fc.tuple(fc.constantFrom('2a01:4f8', 'fd12:3456', 'fe80:0'), fc.array(group, { minLength: 6, maxLength: 6 })).map(([head, g]) => `${head}:${g.map((x) => x.toString(16)).join(':')}`);
    fc.assert(
      fc.property(addr, addr, (x, y) => {
        fc.pre(!/:[0-9a-f]{0,2}ff:fe[0-9a-f]{2}:/.test(`:${x}`) && !/:[0-9a-f]{0,2}ff:fe[0-9a-f]{2}:/.test(`:${y}`));
        const mx = ps.ip(x);
        const my = ps.ip(y);
        expect(Math.min(commonPrefix(mx, my), 112)).toBe(Math.min(commonPrefix(x, y), 112));
        expect(parseIpv6(mx)![7]).toBe(parseIpv6(x)![7]);
        if (x.startsWith('fe80')) expect(mx.startsWith('fe80::') || mx.startsWith('fe80:0:')).toBe(true);
        if (x.startsWith('fd')) expect(mx.startsWith('fd')).toBe(true);
        if (x.startsWith('2a01')) {
          expect(mx.startsWith('2a01:')).toBe(true);
          expect(mx.startsWith('2001:db8:')).toBe(false);
        }
        expect(ps.ip(x)).toBe(mx);
      }),
      { numRuns: 200 },
    );
  });

  it('leaves special addresses, times, MACs and words alone; keeps networks canonical and case as written', () => {
    const ps = p();
    for (const s of ['::', '::1', 'ff02::1', 'ff02::1:ff00:1', '2001:db8::10']) expect(ps.ip(s)).toBe(s);
    const text = 'at 2026:09:36:25 and 10:00:00, mac 52:54:00:ab:cd:ef, std::vector, 1.2.3.4';
    expect(ps.text(text).replace(/52:54:00:ab:cd:ef|[0-9a-f]{2}(:[0-9a-f]{2}){5}/, 'MAC').replace(/\d+\.\d+\.\d+\.\d+/, 'IP')).toBe('at 2026:09:36:25 and 10:00:00, mac MAC, std::vector, IP');
    const net = ps.text('route fd12:3456:789a:1::/64 via fd12:3456:789a:1::1');
    expect(net).toMatch(/^route (fd[0-9a-f:]+)::\/64 via [0-9a-f:]+:1$/);
    const [, prefix] = /^route (\S+)::\/64/.exec(net)!;
    expect(net.split(' via ')[1]!.startsWith(`${prefix}:`)).toBe(true);
    expect(ps.text('FD12:3456:789A:1::1')).toBe(ps.text('fd12:3456:789a:1::1').toUpperCase());
    // IPv4 inside IPv6 is mapped as IPv4, in dotted and in hex form alike.
    const v4 = ps.ip('192.168.10.5');
    const [a, b, c, d] = v4.split('.').map(Number);
    expect(ps.text('::ffff:192.168.10.5')).toBe(`::ffff:${v4}`);
    expect(ps.text('::ffff:c0a8:a05')).toBe(`::ffff:${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`);
    // Zone ids, brackets and JSON strings: the address alone is mapped, and the same way.
    const mapped = ps.ip('fe80::1');
    expect(ps.text('ping fe80::1%ens18 [fe80::1]:22 {"local":"fe80::1"}')).toBe(`ping ${mapped}%ens18 [${mapped}]:22 {"local":"${mapped}"}`);
    // Order does not matter.
    const other = p();
    other.text('2a01:4f8::99 fd00::1');
    expect(other.text(net.length > 0 ? 'route fd12:3456:789a:1::/64 via fd12:3456:789a:1::1' : '')).toBe(net);
  });
});

// ---- captures ----

function sum16(buf: Buffer, start: number, end: number, initial = 0): number {
  let sum = initial;
  for (let i = start; i < end; i += 2) sum += (buf[i]! << 8) | (i + 1 < end ? buf[i + 1]! : 0);
  return sum;
}

/** The L4 checksum of an IPv6 packet at `at` computed from scratch (0 when it is right, given the field). */
function verify(buf: Buffer, at: number, len: number): number {
  let sum = sum16(buf, at + 8, at + 40);
  sum += len + buf[at + 6]!;
  sum = sum16(buf, at + 40, at + 40 + len, sum);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function fill(buf: Buffer, at: number, len: number, checksumAt: number): void {
  buf.writeUInt16BE(0, checksumAt);
  buf.writeUInt16BE(verify(buf, at, len), checksumAt);
}

const bytes6 = (s: string) => Buffer.concat(parseIpv6(s)!.map((g) => Buffer.from([g >> 8, g & 255])));
const macBytes = (s: string) => Buffer.from(s.split(':').map((x) => Number.parseInt(x, 16)));
const text6 = (buf: Buffer, at: number) => ipv6Text(Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(at + 2 * i)));
const textMac = (buf: Buffer, at: number) => [...buf.subarray(at, at + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');

/** Ethernet + IPv6 + payload, checksum filled in at `checksumOffset` within the payload. */
function frame(srcMac: string, dstMac: string, src: string, dst: string, next: number, payload: Buffer, checksumOffset: number): Buffer {
  const f = Buffer.alloc(14 + 40 + payload.length);
  macBytes(dstMac).copy(f, 0);
  macBytes(srcMac).copy(f, 6);
  f.writeUInt16BE(0x86dd, 12);
  f.writeUInt32BE(0x60000000, 14);
  f.writeUInt16BE(payload.length, 18);
  f[20] = next;
  f[21] = 255;
  bytes6(src).copy(f, 22);
  bytes6(dst).copy(f, 38);
  payload.copy(f, 54);
  fill(f, 14, payload.length, 54 + checksumOffset);
  return f;
}

function pcap(frames: Buffer[]): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(65535, 16);
  head.writeUInt32LE(1, 20);
  return Buffer.concat([head, ...frames.flatMap((f, i) => {
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(1795773600 + i, 0);
    rec.writeUInt32LE(f.length, 8);
    rec.writeUInt32LE(f.length, 12);
    return [rec, f];
  })]);
}

describe('IPv6 in captures', () => {
  const macA = 'bc:24:11:c2:57:3b';
  const llA = 'fe80::be24:11ff:fec2:573b';
  const target = '2a01:4f8:c0c:1234::10';
  // Neighbour solicitation for `target` from A's link-local address, with A's MAC as source link-layer option.
  const ns = Buffer.alloc(32);
  ns[0] = 135;
  bytes6(target).copy(ns, 8);
  ns[24] = 1;
  ns[25] = 1;
  macBytes(macA).copy(ns, 26);
  // Router advertisement with a prefix information option for 2a01:4f8:c0c:1234::/64.
  const ra = Buffer.alloc(16 + 32);
  ra[0] = 134;
  ra[16] = 3;
  ra[17] = 4;
  ra[18] = 64;
  bytes6('2a01:4f8:c0c:1234::').copy(ra, 32);
  // A TCP SYN between two global addresses.
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(40000, 0);
  tcp.writeUInt16BE(6443, 2);
  tcp[12] = 0x50;
  tcp[13] = 0x02;

  it('rewrites addresses like text does, NDP inside too, and keeps every checksum valid', () => {
    const frames = [
      frame(macA, '33:33:ff:00:00:10', llA, 'ff02::1:ff00:10', 58, ns, 2),
      frame(macA, '33:33:00:00:00:01', llA, 'ff02::1', 58, ra, 2),
      frame(macA, '52:54:00:12:34:56', target, '2a01:4f8:c0c:1234::20', 6, tcp, 16),
    ];
    const buf = pcap(frames);
    const ps = p();
    pseudonymizeCapture(ps, buf);
    const at = (i: number) => 24 + frames.slice(0, i).reduce((n, f) => n + 16 + f.length, 0) + 16;
    for (let i = 0; i < 3; i++) expect(verify(buf, at(i) + 14, frames[i]!.length - 54)).toBe(0);
    const mappedMac = ps.mac(macA);
    const f0 = at(0);
    expect(textMac(buf, f0 + 6)).toBe(mappedMac);
    expect(textMac(buf, f0)).toBe('33:33:ff:00:00:10');
    expect(text6(buf, f0 + 22)).toBe(ps.text(llA));
    expect(macOf(text6(buf, f0 + 22))).toBe(mappedMac);
    const mappedTarget = ps.ip(target);
    expect(text6(buf, f0 + 54 + 8)).toBe(mappedTarget);
    expect(textMac(buf, f0 + 54 + 26)).toBe(mappedMac);
    // The solicited-node group follows the mapped target's last 24 bits.
    expect(text6(buf, f0 + 38)).toBe(ipv6Text([0xff02, 0, 0, 0, 0, 1, 0xff00 | (parseIpv6(mappedTarget)![6]! & 255), parseIpv6(mappedTarget)![7]!]));
    const f1 = at(1);
    expect(text6(buf, f1 + 38)).toBe('ff02::1');
    expect(`${text6(buf, f1 + 54 + 32)}/64`).toBe(ps.text('2a01:4f8:c0c:1234::/64'));
    const f2 = at(2);
    expect(text6(buf, f2 + 22)).toBe(mappedTarget);
    expect(text6(buf, f2 + 38)).toBe(ps.ip('2a01:4f8:c0c:1234::20'));
  });
});

// ---- a bundle with IPv6 ----

describe('a bundle with IPv6 addresses, pseudonymized', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'labsnap-ipv6-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the same findings, maps every IPv6 address, and keeps each EUI-64 address on its interface MAC', async () => {
    const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'bundles');
    const name = 'jumbo-frames-not-applied';
    const packed = join(dir, `${name}.tar.gz`);
    execFileSync('tar', ['-czf', packed, '-C', fixtures, name]);
    const out = join(dir, `${name}.pseudo.tar.gz`);
    const result = await redactBundleFile(await openBundle(packed), out, { redact: true, rules: null, pseudonymize: ['ips', 'macs', 'hostnames'], mapOut: null });
    const findings = async (bundle: string) => (await analyzePath({ bundle, lang: 'en', rulesDirs: [] })).report.findings.map((f) => `${f.ruleId} ${f.severity}`).sort();
    expect(await findings(out)).toEqual(await findings(packed));
    const v6 = Object.entries(result.reverse.ips).filter(([mapped]) => mapped.includes(':'));
    expect(v6.length).toBeGreaterThan(5);
    const pseudo = await openBundle(out);
    let interfaces = 0;
    await pseudo.forEachEntry(async (entry) => {
      if (!entry.path.endsWith('/cmd/ip-addr.json')) return;
      const links = JSON.parse((await entry.bytes()).toString('utf8')) as { address?: string; addr_info?: { family: string; local: string }[] }[];
      for (const link of links) {
        for (const a of link.addr_info ?? []) {
          if (a.family !== 'inet6' || !a.local.startsWith('fe80:')) continue;
          expect(v6.some(([mapped]) => mapped === a.local)).toBe(true);
          if (/ff:fe/.test(a.local)) {
            interfaces++;
            expect(macOf(a.local)).toBe(link.address);
          }
        }
      }
    });
    expect(interfaces).toBeGreaterThan(3);
  });
});
