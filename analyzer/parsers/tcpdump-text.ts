// ARP packets from tcpdump's text output (`tcpdump -n arp`, with or without `-e`, `-v`, and any of the
// `-t`/`-tt`/`-ttt`/`-tttt` timestamp styles), for captures a user pasted instead of attaching a pcap.
// Produces the same ArpPacket records as the pcap parser so summarizeArp works on both.
//
// Accepted line shapes (timestamp optional, `-e` link header optional):
//   21:03:46.537827 ARP, Request who-has 192.168.10.240 (ff:ff:ff:ff:ff:ff) tell 192.168.10.2, length 28
//   2026-11-27 21:03:46.537858 52:54:00:ab:cd:ef > 4a:d2:d5:43:0a:de, ethertype ARP (0x0806), length 42: Reply 192.168.10.240 is-at 52:54:00:ab:cd:ef, length 28
//   ... ethertype 802.1Q (0x8100), length 46: vlan 20, p 0, ethertype ARP (0x0806), Request who-has ...
//   21:04:00.272836 vmbr0 Out ifindex 2 4a:d2:d5:43:0a:de ethertype ARP (0x0806), length 48: Request ...   (SLL/SLL2)
// Lines that are not ARP (tcpdump banners, other protocols, `[|ARP]` truncated ones) are counted, not fatal.

import { splitLines } from './common.js';
import type { ArpPacket } from './pcap.js';

export interface TcpdumpTextFacts {
  arp: ArpPacket[];
  /** Non-empty lines that held no complete ARP request or reply. */
  otherLines: number;
}

const MAC = '[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}';
const REQUEST = new RegExp(`Request who-has (\\S+?)(?: \\((${MAC})\\))? tell (\\S+?)(?:,|$| )`);
const REPLY = new RegExp(`Reply (\\S+?) is-at (${MAC})(?:,|$| )`);
const LINK_HEADER = new RegExp(`(?:^|\\s)(${MAC}) > (${MAC}),`);
const COOKED_HEADER = new RegExp(`(?:^|\\s)(?:In|Out|B|M|P|\\?)\\s+(?:ifindex \\d+ )?(${MAC}) ethertype`);
const VLAN_TAG = /\bvlan (\d{1,4}),/;
const CLOCK = /^(?:(\d{4}-\d{2}-\d{2}) )?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\s/;
const EPOCH = /^(\d{9,11})(?:\.(\d{1,9}))?\s/;

export function parseTcpdumpText(text: string): TcpdumpTextFacts {
  const facts: TcpdumpTextFacts = { arp: [], otherLines: 0 };
  splitLines(text).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const packet = parseLine(trimmed, line);
    if (packet) facts.arp.push(packet);
    else facts.otherLines += 1;
  });
  return facts;
}

function parseLine(text: string, line: number): ArpPacket | undefined {
  const ethernet = LINK_HEADER.exec(text);
  const linkSource = ethernet?.[1] ?? COOKED_HEADER.exec(text)?.[1];
  const linkDestination = ethernet?.[2];
  const vlanMatch = VLAN_TAG.exec(text);
  const base = { frame: line, line, ...timeOf(text) };
  const vlan = vlanMatch ? { vlan: Number(vlanMatch[1]) } : {};

  const request = REQUEST.exec(text);
  if (request) {
    const [, targetIp, targetMac, senderIp] = request as unknown as [string, string, string | undefined, string];
    return {
      ...base,
      op: 'request',
      ...(linkSource !== undefined ? { senderMac: normalizeMac(linkSource) } : {}),
      senderIp,
      ...(targetMac !== undefined ? { targetMac: normalizeMac(targetMac) } : {}),
      targetIp,
      ...vlan,
      gratuitous: senderIp === targetIp,
    };
  }
  const reply = REPLY.exec(text);
  if (reply) {
    const [, senderIp, senderMac] = reply as unknown as [string, string, string];
    // A reply's ARP target is the requester, which tcpdump only shows as the link-level destination.
    return {
      ...base,
      op: 'reply',
      senderMac: normalizeMac(senderMac),
      senderIp,
      ...(linkDestination !== undefined ? { targetMac: normalizeMac(linkDestination) } : {}),
      ...vlan,
      gratuitous: false,
    };
  }
  return undefined;
}

// tcpdump drops leading zeros in MAC octets on some builds (`52:54:0:ab:cd:ef`); pcap output never does.
function normalizeMac(mac: string): string {
  return mac
    .split(':')
    .map((octet) => octet.toLowerCase().padStart(2, '0'))
    .join(':');
}

/** `-tt` prints epoch seconds (absolute); the other styles print the capturing host's local clock. */
function timeOf(text: string): { time: string } | { localTime: string } | undefined {
  const epoch = EPOCH.exec(text);
  if (epoch) {
    const fraction = epoch[2] ?? '';
    return { time: `${new Date(Number(epoch[1]) * 1000).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z` };
  }
  const clock = CLOCK.exec(text);
  if (!clock) return undefined;
  const [, date, hh, mm, ss, fraction] = clock;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 60) return undefined;
  const timeOfDay = `${hh}:${mm}:${ss}${fraction ? `.${fraction}` : ''}`;
  return { localTime: date !== undefined ? `${date}T${timeOfDay}` : timeOfDay };
}
