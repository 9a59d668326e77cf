import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../analyzer/parsers/common.js';
import { parsePcap, summarizeArp } from '../../analyzer/parsers/pcap.js';
import { parseTcpdumpText } from '../../analyzer/parsers/tcpdump-text.js';
import { checkNoBlowup } from './fuzz.js';

const data = (name: string): string => readFileSync(fileURLToPath(new URL(`data/${name}`, import.meta.url)), 'utf8');

describe('parseTcpdumpText', () => {
  it('reads `tcpdump -n arp` without link headers', () => {
    const facts = parseTcpdumpText(
      [
        'listening on vmbr0, link-type EN10MB (Ethernet), snapshot length 262144 bytes',
        '21:03:46.537827 ARP, Request who-has 192.168.10.240 tell 192.168.10.2, length 28',
        '21:03:46.537858 ARP, Reply 192.168.10.240 is-at 52:54:00:ab:cd:ef, length 28',
        '21:03:46.600000 IP 192.168.10.2 > 192.168.10.1: ICMP echo request, id 1, seq 1, length 64',
        '',
        '3 packets captured',
      ].join('\n'),
    );
    expect(facts.otherLines).toBe(3);
    expect(facts.arp).toEqual([
      { frame: 2, line: 2, localTime: '21:03:46.537827', op: 'request', senderIp: '192.168.10.2', targetIp: '192.168.10.240', gratuitous: false },
      { frame: 3, line: 3, localTime: '21:03:46.537858', op: 'reply', senderMac: '52:54:00:ab:cd:ef', senderIp: '192.168.10.240', gratuitous: false },
    ]);
  });

  it('takes MACs from `-e` link headers, including VLAN tags and cooked captures', () => {
    const facts = parseTcpdumpText(
      [
        '1764277426.537827 52:54:00:11:22:33 > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 46: vlan 20, p 0, ethertype ARP (0x0806), Request who-has 192.168.20.240 tell 192.168.20.11, length 28',
        '21:04:00.272866 ?     P   ifindex 8 52:54:0:ab:cd:ef ethertype ARP (0x0806), length 48: Reply 192.168.10.240 is-at 52:54:0:ab:cd:ef, length 28',
        '21:04:00.272900 ARP, Request who-has 192.168.10.9 [|ARP]',
      ].join('\r\n'),
    );
    expect(facts.arp[0]).toEqual({
      frame: 1,
      line: 1,
      time: '2025-11-27T21:03:46.537827Z',
      op: 'request',
      senderMac: '52:54:00:11:22:33',
      senderIp: '192.168.20.11',
      targetIp: '192.168.20.240',
      vlan: 20,
      gratuitous: false,
    });
    expect(facts.arp[1]).toMatchObject({ op: 'reply', senderMac: '52:54:00:ab:cd:ef', senderIp: '192.168.10.240' });
    expect(facts.arp).toHaveLength(2);
  });

  it('agrees with the pcap parser on the same capture (real `tcpdump -n -e -r` and `-tttt` output)', () => {
    const fromPcap = summarizeArp(parsePcap(new Uint8Array(readFileSync(fileURLToPath(new URL('data/arp-eth-us.pcap', import.meta.url))))).arp);
    const withLinkHeaders = parseTcpdumpText(data('tcpdump-e.txt'));
    expect(summarizeArp(withLinkHeaders.arp).map((s) => ({ ...s, answeredBy: s.answeredBy.map((a) => ({ ...a, frames: [] })) }))).toEqual(
      fromPcap.map((s) => ({ ...s, answeredBy: s.answeredBy.map((a) => ({ ...a, frames: [] })) })),
    );
    const dated = parseTcpdumpText(data('tcpdump-tttt.txt'));
    expect(dated.arp[0]).toMatchObject({ localTime: '2026-11-27T21:03:46.537827', targetMac: 'ff:ff:ff:ff:ff:ff' });
    expect(dated.arp[4]).toMatchObject({ gratuitous: true });
    const cooked = parseTcpdumpText(data('tcpdump-sll2-e.txt'));
    expect(summarizeArp(cooked.arp).find((s) => s.ip === '192.168.10.240')?.answeredBy.map((a) => a.mac)).toEqual([
      '52:54:00:12:34:56',
      '52:54:00:ab:cd:ef',
    ]);
  });

  it('never throws and never hangs on random or mutated text', () => {
    const sample = data('tcpdump-e.txt');
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.tuple(fc.nat(), fc.string()).map(([at, s]) => sample.slice(0, at % sample.length) + s + sample.slice(at % sample.length))), (text) => {
        try {
          parseTcpdumpText(text);
        } catch (e) {
          expect(e).toBeInstanceOf(ParseError);
        }
      }),
      { numRuns: 500 },
    );
    checkNoBlowup(parseTcpdumpText, [`Request who-has ${'1'.repeat(50_000)} ${' '.repeat(50_000)}tell`]);
  });
});
