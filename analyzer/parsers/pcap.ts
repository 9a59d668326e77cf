// ARP observations from a capture file: classic pcap (either byte order, micro- or nanosecond timestamps)
// and pcapng (sections of either byte order, several interfaces with their own link type and clock
// resolution). Only ARP over Ethernet/IPv4 is extracted; other frames are counted and skipped.
// A capture cut short (tcpdump killed, disk full, size cap) yields the complete packets plus `truncated`.

import { ParseError } from './common.js';

export type ArpOp = 'request' | 'reply';

/** One ARP packet, from a capture (`frame`) or from tcpdump text (`line`). */
export interface ArpPacket {
  /** 1-based frame number in the capture, or 1-based line number for text input. */
  frame: number;
  /** Present for text input so rules can point at the evidence line. */
  line?: number;
  /** UTC ISO 8601 with the capture's own precision; absent when the source has no absolute UTC clock. */
  time?: string;
  /** tcpdump text printed in the capturing host's local time (`-tttt`: date and time; default: time only). */
  localTime?: string;
  op: ArpOp;
  /** Absent only for tcpdump text without `-e`, which does not print the requester's MAC. */
  senderMac?: string;
  senderIp: string;
  /** Absent for tcpdump text where the target hardware address is not printed. */
  targetMac?: string;
  /** Absent only for tcpdump text replies, which print the answer but not whom it was for. */
  targetIp?: string;
  /** Outermost 802.1Q/802.1ad VLAN id, when the frame carried a tag. */
  vlan?: number;
  /** The sender announces its own address (sender IP = target IP), as MetalLB and `arping -U` do. */
  gratuitous: boolean;
  /** pcapng interface name, or the SLL2 interface index as a string, when the capture records it. */
  interface?: string;
}

export interface PcapInterface {
  linkType: number;
  name?: string;
}

export interface PcapFacts {
  format: 'pcap' | 'pcapng';
  interfaces: PcapInterface[];
  /** All frames read, ARP or not. */
  frames: number;
  arp: ArpPacket[];
  /** The file ended (or became unreadable) inside a header or block; packets before that point are kept. */
  truncated: boolean;
  /** Why reading stopped early, with the byte offset, when `truncated` is set. */
  stopReason?: string;
}

export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_ARP = 0x0806;
const VLAN_ETHERTYPES = new Set([0x8100, 0x88a8, 0x9100]);
const ARP_IPV4_ETHERNET_LENGTH = 28;

const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
const PCAP_MAGIC_NANO = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Parses a pcap or pcapng capture. Throws ParseError only when the bytes are neither format. */
export function parsePcap(bytes: Uint8Array): PcapFacts {
  if (bytes.length < 4) throw new ParseError(`not a capture file: ${bytes.length} bytes, too short for a magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = view.getUint32(0, false);
  if (magicBE === PCAPNG_SHB) return parsePcapng(bytes, view);
  for (const littleEndian of [true, false]) {
    const magic = view.getUint32(0, littleEndian);
    if (magic === PCAP_MAGIC_MICRO || magic === PCAP_MAGIC_NANO) {
      return parseClassic(bytes, view, littleEndian, magic === PCAP_MAGIC_NANO ? 9 : 6);
    }
  }
  throw new ParseError(`not a pcap or pcapng file: magic 0x${magicBE.toString(16).padStart(8, '0')} at offset 0`);
}

function parseClassic(bytes: Uint8Array, view: DataView, le: boolean, fractionDigits: number): PcapFacts {
  const facts: PcapFacts = { format: 'pcap', interfaces: [], frames: 0, arp: [], truncated: false };
  if (bytes.length < 24) return stop(facts, `file header cut at offset ${bytes.length}`);
  // The upper bits of the link-type field carry FCS information since the 2021 spec; the type is the low 28.
  const linkType = view.getUint32(20, le) & 0x0fffffff;
  facts.interfaces.push({ linkType });
  let offset = 24;
  while (offset < bytes.length) {
    if (offset + 16 > bytes.length) return stop(facts, `record header cut at offset ${offset}`);
    const seconds = view.getUint32(offset, le);
    const fraction = view.getUint32(offset + 4, le);
    const capturedLength = view.getUint32(offset + 8, le);
    const dataStart = offset + 16;
    if (capturedLength > bytes.length - dataStart) return stop(facts, `packet data cut at offset ${dataStart}`);
    facts.frames += 1;
    const time = isoFromParts(BigInt(seconds), BigInt(fraction), fractionDigits);
    const arp = decodeFrame(bytes.subarray(dataStart, dataStart + capturedLength), linkType);
    if (arp) facts.arp.push({ frame: facts.frames, time, ...arp });
    offset = dataStart + capturedLength;
  }
  return facts;
}

interface NgInterface extends PcapInterface {
  snapLength: number;
  /** Timestamp units: 10^-value seconds, or 2^-value seconds when `binary`. */
  resolution: number;
  binary: boolean;
}

function parsePcapng(bytes: Uint8Array, view: DataView): PcapFacts {
  const facts: PcapFacts = { format: 'pcapng', interfaces: [], frames: 0, arp: [], truncated: false };
  let le = true;
  let sectionInterfaces: NgInterface[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) return stop(facts, `block header cut at offset ${offset}`);
    const typeBE = view.getUint32(offset, false);
    if (typeBE === PCAPNG_SHB) {
      // Each section declares its own byte order; the magic sits after type and length.
      const magicLE = view.getUint32(offset + 8, true);
      if (magicLE === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else if (view.getUint32(offset + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) le = false;
      else if (offset === 0) throw new ParseError('pcapng section header without byte-order magic at offset 8');
      else return stop(facts, `section header without byte-order magic at offset ${offset}`);
      sectionInterfaces = [];
    }
    const type = view.getUint32(offset, le);
    const length = view.getUint32(offset + 4, le);
    if (length < 12 || length % 4 !== 0) return stop(facts, `invalid block length ${length} at offset ${offset}`);
    if (length > bytes.length - offset) return stop(facts, `block cut at offset ${offset}`);
    const body = offset + 8;
    const bodyEnd = offset + length - 4;
    switch (type) {
      case 1: {
        if (bodyEnd - body < 8) return stop(facts, `interface block too short at offset ${offset}`);
        const iface: NgInterface = {
          linkType: view.getUint16(body, le),
          snapLength: view.getUint32(body + 4, le),
          resolution: 6,
          binary: false,
        };
        readOptions(view, body + 8, bodyEnd, le, (code, start, len) => {
          if (code === 2) iface.name = new TextDecoder().decode(bytes.subarray(start, start + len)).replace(/\0+$/, '');
          if (code === 9 && len >= 1) {
            const raw = bytes[start]!;
            iface.binary = (raw & 0x80) !== 0;
            iface.resolution = raw & 0x7f;
          }
        });
        sectionInterfaces.push(iface);
        facts.interfaces.push(iface.name === undefined ? { linkType: iface.linkType } : { linkType: iface.linkType, name: iface.name });
        break;
      }
      case 6:
      case 2: {
        // Enhanced Packet Block (6) and the obsolete Packet Block (2) differ only in the interface id width.
        if (bodyEnd - body < 20) return stop(facts, `packet block too short at offset ${offset}`);
        const interfaceId = type === 6 ? view.getUint32(body, le) : view.getUint16(body, le);
        const high = view.getUint32(body + 4, le);
        const low = view.getUint32(body + 8, le);
        const capturedLength = view.getUint32(body + 12, le);
        const dataStart = body + 20;
        if (capturedLength > bodyEnd - dataStart) return stop(facts, `packet data overruns its block at offset ${offset}`);
        facts.frames += 1;
        const iface = sectionInterfaces[interfaceId];
        if (iface) {
          const time = isoFromTimestamp((BigInt(high) << 32n) | BigInt(low), iface);
          const arp = decodeFrame(bytes.subarray(dataStart, dataStart + capturedLength), iface.linkType);
          if (arp) facts.arp.push(withInterface({ frame: facts.frames, time, ...arp }, iface.name));
        }
        break;
      }
      case 3: {
        // Simple Packet Block: no timestamp, always interface 0, captured length implied by the block.
        if (bodyEnd - body < 4) return stop(facts, `simple packet block too short at offset ${offset}`);
        facts.frames += 1;
        const iface = sectionInterfaces[0];
        const originalLength = view.getUint32(body, le);
        const available = bodyEnd - (body + 4);
        const capturedLength = Math.min(originalLength, available, iface?.snapLength || available);
        if (iface) {
          const arp = decodeFrame(bytes.subarray(body + 4, body + 4 + capturedLength), iface.linkType);
          if (arp) facts.arp.push(withInterface({ frame: facts.frames, ...arp }, iface.name));
        }
        break;
      }
      default:
        break;
    }
    offset += length;
  }
  return facts;
}

function withInterface(packet: ArpPacket, name: string | undefined): ArpPacket {
  return name === undefined || packet.interface !== undefined ? packet : { ...packet, interface: name };
}

function readOptions(
  view: DataView,
  start: number,
  end: number,
  le: boolean,
  onOption: (code: number, valueStart: number, valueLength: number) => void,
): void {
  let offset = start;
  while (offset + 4 <= end) {
    const code = view.getUint16(offset, le);
    const len = view.getUint16(offset + 2, le);
    if (code === 0) return;
    if (offset + 4 + len > end) return;
    onOption(code, offset + 4, len);
    offset += 4 + len + ((4 - (len % 4)) % 4);
  }
}

function stop(facts: PcapFacts, reason: string): PcapFacts {
  facts.truncated = true;
  facts.stopReason = reason;
  return facts;
}

type DecodedArp = Omit<ArpPacket, 'frame' | 'time' | 'line'>;

function decodeFrame(frame: Uint8Array, linkType: number): DecodedArp | undefined {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let offset: number;
  let interfaceIndex: string | undefined;
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      offset = 12;
      break;
    case LINKTYPE_LINUX_SLL:
      offset = 14;
      break;
    case LINKTYPE_LINUX_SLL2:
      if (frame.length < 20) return undefined;
      interfaceIndex = String(view.getUint32(4, false));
      offset = 0;
      break;
    default:
      return undefined;
  }
  if (offset + 2 > frame.length) return undefined;
  let etherType = view.getUint16(offset, false);
  // SLL2 puts the protocol first and the rest of its 20-byte header after it.
  let payload = linkType === LINKTYPE_LINUX_SLL2 ? 20 : offset + 2;
  let vlan: number | undefined;
  while (VLAN_ETHERTYPES.has(etherType)) {
    if (payload + 4 > frame.length) return undefined;
    vlan ??= view.getUint16(payload, false) & 0x0fff;
    etherType = view.getUint16(payload + 2, false);
    payload += 4;
  }
  if (etherType !== ETHERTYPE_ARP) return undefined;
  const arp = decodeArp(view, payload);
  if (!arp) return undefined;
  if (vlan !== undefined) arp.vlan = vlan;
  if (interfaceIndex !== undefined) arp.interface = interfaceIndex;
  return arp;
}

function decodeArp(view: DataView, at: number): DecodedArp | undefined {
  if (at + ARP_IPV4_ETHERNET_LENGTH > view.byteLength) return undefined;
  const hardwareType = view.getUint16(at, false);
  const protocolType = view.getUint16(at + 2, false);
  const hardwareLength = view.getUint8(at + 4);
  const protocolLength = view.getUint8(at + 5);
  const opcode = view.getUint16(at + 6, false);
  // IEEE 802 networks use hardware type 6 on some stacks; both mean 6-byte MACs here.
  if ((hardwareType !== 1 && hardwareType !== 6) || protocolType !== 0x0800) return undefined;
  if (hardwareLength !== 6 || protocolLength !== 4) return undefined;
  if (opcode !== 1 && opcode !== 2) return undefined;
  const senderIp = ipv4(view, at + 14);
  const targetIp = ipv4(view, at + 24);
  return {
    op: opcode === 1 ? 'request' : 'reply',
    senderMac: mac(view, at + 8),
    senderIp,
    targetMac: mac(view, at + 18),
    targetIp,
    gratuitous: senderIp === targetIp && senderIp !== '0.0.0.0',
  };
}

function mac(view: DataView, at: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++) parts.push(view.getUint8(at + i).toString(16).padStart(2, '0'));
  return parts.join(':');
}

function ipv4(view: DataView, at: number): string {
  return [0, 1, 2, 3].map((i) => view.getUint8(at + i)).join('.');
}

function isoFromTimestamp(units: bigint, iface: NgInterface): string | undefined {
  if (iface.binary) {
    // 2^-n resolution: convert the remainder to nanoseconds, the finest decimal precision kept.
    const shift = BigInt(iface.resolution);
    const seconds = units >> shift;
    const remainder = units & ((1n << shift) - 1n);
    return isoFromParts(seconds, (remainder * 1_000_000_000n) >> shift, 9);
  }
  const divisor = 10n ** BigInt(iface.resolution);
  return isoFromParts(units / divisor, units % divisor, iface.resolution);
}

// Date cannot carry sub-millisecond precision, so the fraction is appended as text.
function isoFromParts(seconds: bigint, fraction: bigint, digits: number): string | undefined {
  const milliseconds = Number(seconds) * 1000;
  if (!Number.isSafeInteger(milliseconds) || Math.abs(milliseconds) > 8.64e15) return undefined;
  const whole = new Date(milliseconds).toISOString().slice(0, 19);
  if (digits <= 0) return `${whole}Z`;
  const keptDigits = Math.min(digits, 9);
  const scaled = digits > 9 ? fraction / 10n ** BigInt(digits - 9) : fraction;
  if (scaled >= 10n ** BigInt(keptDigits)) return undefined;
  return `${whole}.${scaled.toString().padStart(keptDigits, '0')}Z`;
}

/** What the capture says about one IPv4 address. */
export interface ArpTargetSummary {
  ip: string;
  /** Non-gratuitous requests asking for this address. */
  requests: number;
  /** MACs (or, for text without `-e`, sender IPs) that asked; sorted. */
  requesters: string[];
  /** Replies saying "ip is-at MAC", grouped by the answering MAC; sorted by MAC. */
  answeredBy: ArpAnswer[];
  /** Gratuitous announcements claiming this address, grouped by MAC; sorted by MAC. */
  announcedBy: ArpAnswer[];
}

export interface ArpAnswer {
  mac: string;
  count: number;
  /** Frame numbers (or lines, for text) of the first few packets, as evidence. */
  frames: number[];
}

const EVIDENCE_FRAMES = 5;

/** Groups ARP packets by the IPv4 address they concern, sorted by address. Works for pcap and tcpdump text. */
export function summarizeArp(packets: readonly ArpPacket[]): ArpTargetSummary[] {
  const byIp = new Map<string, { requests: number; requesters: Set<string>; answers: Map<string, ArpAnswer>; announcements: Map<string, ArpAnswer> }>();
  const entry = (ip: string) => {
    let e = byIp.get(ip);
    if (!e) {
      e = { requests: 0, requesters: new Set(), answers: new Map(), announcements: new Map() };
      byIp.set(ip, e);
    }
    return e;
  };
  for (const p of packets) {
    const evidence = p.line ?? p.frame;
    if (p.gratuitous) {
      if (p.senderMac !== undefined) count(entry(p.senderIp).announcements, p.senderMac, evidence);
    } else if (p.op === 'request' && p.targetIp !== undefined) {
      const e = entry(p.targetIp);
      e.requests += 1;
      e.requesters.add(p.senderMac ?? p.senderIp);
    } else if (p.op === 'reply' && p.senderMac !== undefined) {
      count(entry(p.senderIp).answers, p.senderMac, evidence);
    }
  }
  return [...byIp.entries()]
    .sort(([a], [b]) => compareIp(a, b))
    .map(([ip, e]) => ({
      ip,
      requests: e.requests,
      requesters: [...e.requesters].sort(),
      answeredBy: sortedAnswers(e.answers),
      announcedBy: sortedAnswers(e.announcements),
    }));
}

function count(into: Map<string, ArpAnswer>, mac: string, evidence: number): void {
  const answer = into.get(mac) ?? { mac, count: 0, frames: [] };
  answer.count += 1;
  if (answer.frames.length < EVIDENCE_FRAMES) answer.frames.push(evidence);
  into.set(mac, answer);
}

function sortedAnswers(answers: Map<string, ArpAnswer>): ArpAnswer[] {
  return [...answers.values()].sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
}

function compareIp(a: string, b: string): number {
  const key = (ip: string) => {
    const parts = ip.split('.');
    if (parts.length !== 4 || parts.some((x) => !/^\d{1,3}$/.test(x))) return undefined;
    return parts.reduce((acc, x) => acc * 256 + Number(x), 0);
  };
  const ka = key(a);
  const kb = key(b);
  if (ka !== undefined && kb !== undefined) return ka - kb;
  if (ka !== undefined) return -1;
  if (kb !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
