import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../analyzer/parsers/common.js';
import { parsePcap, summarizeArp, type ArpPacket } from '../../analyzer/parsers/pcap.js';

const data = (name: string): Uint8Array => new Uint8Array(readFileSync(fileURLToPath(new URL(`data/${name}`, import.meta.url))));

// Captures made with tcpdump between network namespaces: vmbr0 (4a:d2:d5:43:0a:de, 192.168.10.2) arpings
// 192.168.10.240, which two namespaces own (52:54:00:ab:cd:ef and 52:54:00:12:34:56), then 192.168.10.250,
// which nobody owns; then 52:54:00:ab:cd:ef announces 192.168.10.240 with `arping -U`.
const HOST_MAC = '4a:d2:d5:43:0a:de';
const OWNER_A = '52:54:00:ab:cd:ef';
const OWNER_B = '52:54:00:12:34:56';

function expectLabScenario(packets: ArpPacket[]): void {
  const summary = summarizeArp(packets);
  const vip = summary.find((s) => s.ip === '192.168.10.240');
  expect(vip?.requesters).toEqual([HOST_MAC]);
  expect(vip?.answeredBy.map((a) => a.mac)).toEqual([OWNER_B, OWNER_A]);
  expect(vip?.announcedBy.map((a) => a.mac)).toEqual([OWNER_A]);
  const unowned = summary.find((s) => s.ip === '192.168.10.250');
  expect(unowned?.requests).toBeGreaterThan(0);
  expect(unowned?.answeredBy).toEqual([]);
}

describe('parsePcap on real captures', () => {
  it('reads an Ethernet pcap with microsecond timestamps', () => {
    const facts = parsePcap(data('arp-eth-us.pcap'));
    expect(facts).toMatchObject({ format: 'pcap', interfaces: [{ linkType: 1 }], frames: 5, truncated: false });
    expect(facts.arp[0]).toEqual({
      frame: 1,
      time: '2026-11-27T21:03:46.537827Z',
      op: 'request',
      senderMac: HOST_MAC,
      senderIp: '192.168.10.2',
      targetMac: 'ff:ff:ff:ff:ff:ff',
      targetIp: '192.168.10.240',
      gratuitous: false,
    });
    expect(facts.arp[1]).toMatchObject({ op: 'reply', senderMac: OWNER_A, senderIp: '192.168.10.240', targetMac: HOST_MAC });
    expect(facts.arp[4]).toMatchObject({ op: 'request', senderIp: '192.168.10.240', targetIp: '192.168.10.240', gratuitous: true });
    expectLabScenario(facts.arp);
  });

  it('keeps nanosecond precision from the nanosecond magic', () => {
    const facts = parsePcap(data('arp-eth-ns.pcap'));
    expect(facts.arp[0]?.time).toMatch(/^2026-11-27T21:03:50\.\d{9}Z$/);
    expectLabScenario(facts.arp);
  });

  it('reads Linux cooked SLL and SLL2 captures from `-i any`', () => {
    const sll = parsePcap(data('arp-sll.pcap'));
    expect(sll.interfaces).toEqual([{ linkType: 113 }]);
    expect(sll.arp).toHaveLength(13);
    expectLabScenario(sll.arp);
    const sll2 = parsePcap(data('arp-sll2.pcap'));
    expect(sll2.interfaces).toEqual([{ linkType: 276 }]);
    expect(sll2.arp[0]).toMatchObject({ interface: '2', op: 'request', targetIp: '192.168.10.240' });
    expectLabScenario(sll2.arp);
  });

  it('keeps the complete packets of a capture cut mid-packet', () => {
    const whole = data('arp-eth-us.pcap');
    const facts = parsePcap(whole.subarray(0, whole.length - 10));
    expect(facts.truncated).toBe(true);
    expect(facts.stopReason).toMatch(/packet data cut/);
    expect(facts.arp).toHaveLength(4);
    expect(parsePcap(whole.subarray(0, 10))).toMatchObject({ truncated: true, arp: [] });
  });

  it('refuses what is not a capture, naming the magic', () => {
    expect(() => parsePcap(new TextEncoder().encode('{"kind":"List"}'))).toThrow(ParseError);
    expect(() => parsePcap(new Uint8Array())).toThrow(/too short/);
  });
});

// --- hand-built captures for the variants tcpdump on this machine does not write ---

function arpPayload(op: 1 | 2, senderMac: string, senderIp: string, targetMac: string, targetIp: string): number[] {
  const macBytes = (m: string) => m.split(':').map((x) => parseInt(x, 16));
  const ipBytes = (ip: string) => ip.split('.').map(Number);
  return [0, 1, 8, 0, 6, 4, 0, op, ...macBytes(senderMac), ...ipBytes(senderIp), ...macBytes(targetMac), ...ipBytes(targetIp)];
}

function ethernetFrame(payload: number[], vlan?: number): number[] {
  const header = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0, 0, 1];
  const tag = vlan === undefined ? [] : [0x81, 0x00, (vlan >> 8) & 0x0f, vlan & 0xff];
  return [...header, ...tag, 0x08, 0x06, ...payload];
}

class Writer {
  readonly bytes: number[] = [];
  constructor(private readonly le: boolean) {}
  u16(v: number): this {
    const b = [v & 0xff, (v >> 8) & 0xff];
    this.bytes.push(...(this.le ? b : b.reverse()));
    return this;
  }
  u32(v: number): this {
    const b = [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
    this.bytes.push(...(this.le ? b : b.reverse()));
    return this;
  }
  raw(b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  pad(): this {
    while (this.bytes.length % 4 !== 0) this.bytes.push(0);
    return this;
  }
}

function block(le: boolean, type: number, body: number[]): number[] {
  const padded = [...body];
  while (padded.length % 4 !== 0) padded.push(0);
  const length = padded.length + 12;
  return new Writer(le).u32(type).u32(length).raw(padded).u32(length).bytes;
}

function pcapng(le: boolean): Uint8Array {
  const shb = new Writer(le).u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff).bytes;
  const name = [...new TextEncoder().encode('vmbr0')];
  // Interface 0: Ethernet named vmbr0, default microseconds. Interface 1: SLL with 2^-10 s resolution.
  const idb0 = new Writer(le).u16(1).u16(0).u32(262144).u16(2).u16(name.length).raw(name).pad().u16(0).u16(0).bytes;
  const idb1 = new Writer(le).u16(113).u16(0).u32(262144).u16(9).u16(1).raw([0x80 | 10]).pad().u16(0).u16(0).bytes;
  const tagged = ethernetFrame(arpPayload(1, '52:54:00:00:00:01', '192.168.20.5', '00:00:00:00:00:00', '192.168.20.240'), 20);
  const micros = 1_764_277_426_537_827n; // 2025-11-27T21:03:46.537827Z
  const epb0 = new Writer(le)
    .u32(0)
    .u32(Number(micros >> 32n))
    .u32(Number(micros & 0xffffffffn))
    .u32(tagged.length)
    .u32(tagged.length)
    .raw(tagged).bytes;
  const sllFrame = [0, 0, 0, 1, 0, 6, 0x52, 0x54, 0, 0, 0, 2, 0, 0, 0x08, 0x06, ...arpPayload(2, '52:54:00:00:00:02', '192.168.20.240', '52:54:00:00:00:01', '192.168.20.5')];
  const units = (1_764_277_427n << 10n) | 512n; // half a second in 2^-10 units
  const epb1 = new Writer(le)
    .u32(1)
    .u32(Number(units >> 32n))
    .u32(Number(units & 0xffffffffn))
    .u32(sllFrame.length)
    .u32(sllFrame.length)
    .raw(sllFrame).bytes;
  const spb = new Writer(le).u32(tagged.length).raw(tagged).bytes;
  const unknown = [1, 2, 3, 4];
  return new Uint8Array([
    ...block(le, 0x0a0d0d0a, shb),
    ...block(le, 1, idb0),
    ...block(le, 1, idb1),
    ...block(le, 0x0bad, unknown),
    ...block(le, 6, epb0),
    ...block(le, 6, epb1),
    ...block(le, 3, spb),
  ]);
}

describe('parsePcap on pcapng', () => {
  for (const le of [true, false]) {
    it(`reads a ${le ? 'little' : 'big'}-endian section with two interfaces, EPB and SPB`, () => {
      const facts = parsePcap(pcapng(le));
      expect(facts.format).toBe('pcapng');
      expect(facts.interfaces).toEqual([{ linkType: 1, name: 'vmbr0' }, { linkType: 113 }]);
      expect(facts.frames).toBe(3);
      expect(facts.truncated).toBe(false);
      expect(facts.arp[0]).toEqual({
        frame: 1,
        time: '2025-11-27T21:03:46.537827Z',
        op: 'request',
        senderMac: '52:54:00:00:00:01',
        senderIp: '192.168.20.5',
        targetMac: '00:00:00:00:00:00',
        targetIp: '192.168.20.240',
        vlan: 20,
        gratuitous: false,
        interface: 'vmbr0',
      });
      expect(facts.arp[1]).toMatchObject({ frame: 2, time: '2025-11-27T21:03:47.500000000Z', op: 'reply', senderIp: '192.168.20.240' });
      expect(facts.arp[2]).toMatchObject({ frame: 3, vlan: 20, interface: 'vmbr0' });
      expect(facts.arp[2]?.time).toBeUndefined();
    });
  }

  it('stops at a cut block and keeps what came before', () => {
    const whole = pcapng(true);
    const facts = parsePcap(whole.subarray(0, whole.length - 6));
    expect(facts).toMatchObject({ truncated: true, frames: 2 });
    expect(facts.stopReason).toMatch(/block cut/);
  });
});

describe('parsePcap classic big-endian with a VLAN tag', () => {
  it('reads the tag and both ends of the header', () => {
    const frame = ethernetFrame(arpPayload(2, '52:54:00:00:00:09', '10.0.30.1', '52:54:00:00:00:01', '10.0.30.2'), 30);
    const w = new Writer(false).u32(0xa1b2c3d4).u16(2).u16(4).u32(0).u32(0).u32(65535).u32(1);
    w.u32(1_700_000_000).u32(250_000).u32(frame.length).u32(frame.length).raw(frame);
    const facts = parsePcap(new Uint8Array(w.bytes));
    expect(facts.arp).toEqual([
      {
        frame: 1,
        time: '2023-11-14T22:13:20.250000Z',
        op: 'reply',
        senderMac: '52:54:00:00:00:09',
        senderIp: '10.0.30.1',
        targetMac: '52:54:00:00:00:01',
        targetIp: '10.0.30.2',
        vlan: 30,
        gratuitous: false,
      },
    ]);
  });
});

describe('summarizeArp', () => {
  const p = (frame: number, op: 'request' | 'reply', senderMac: string, senderIp: string, targetIp: string): ArpPacket => ({
    frame,
    op,
    senderMac,
    senderIp,
    targetIp,
    gratuitous: senderIp === targetIp,
  });
  it('sorts addresses numerically and counts answers per MAC', () => {
    const summary = summarizeArp([
      p(1, 'request', 'aa:00:00:00:00:01', '192.168.10.2', '192.168.10.100'),
      p(2, 'request', 'aa:00:00:00:00:01', '192.168.10.2', '192.168.10.20'),
      p(3, 'reply', 'bb:00:00:00:00:02', '192.168.10.20', '192.168.10.2'),
      p(4, 'reply', 'bb:00:00:00:00:02', '192.168.10.20', '192.168.10.2'),
    ]);
    expect(summary).toEqual([
      {
        ip: '192.168.10.20',
        requests: 1,
        requesters: ['aa:00:00:00:00:01'],
        answeredBy: [{ mac: 'bb:00:00:00:00:02', count: 2, frames: [3, 4] }],
        announcedBy: [],
      },
      { ip: '192.168.10.100', requests: 1, requesters: ['aa:00:00:00:00:01'], answeredBy: [], announcedBy: [] },
    ]);
  });
});

describe('parsePcap robustness', () => {
  const expectParseErrorOrFacts = (bytes: Uint8Array) => {
    try {
      const facts = parsePcap(bytes);
      expect(facts.frames).toBeGreaterThanOrEqual(facts.arp.length);
    } catch (e) {
      expect(e).toBeInstanceOf(ParseError);
    }
  };
  it('never crashes on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), expectParseErrorOrFacts), { numRuns: 500 });
  });
  it('never crashes on mutated real and hand-built captures', () => {
    const seeds = [data('arp-eth-us.pcap'), data('arp-sll2.pcap'), pcapng(true), pcapng(false)];
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (seed, edits, cut) => {
          const bytes = new Uint8Array(seed);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          expectParseErrorOrFacts(bytes.subarray(0, bytes.length - (cut % 64)));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
