// Pseudonymization inside captures: the Ethernet (or Linux cooked) header and the ARP sender/target
// hardware and protocol addresses, IPv4 source/destination (with the header checksum fixed), and IPv6
// source/destination with what neighbour discovery carries (target addresses, link-layer address
// options, router advertisements' prefixes), the TCP/UDP/ICMPv6 checksum updated for every rewritten
// word. Bytes are rewritten in place, so every length, offset and timestamp stays as it was. Anything
// this module does not understand is left as it is: a capture that is not pcap/pcapng is returned
// unchanged.
import type { Pseudonymizer } from './pseudonymize.js';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
const ETHERTYPE_IPV6 = 0x86dd;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58;
const VLAN_ETHERTYPES = new Set([0x8100, 0x88a8, 0x9100]);

function mapIp(p: Pseudonymizer, buf: Buffer, at: number): void {
  const mapped = p.ipNumber(buf.readUInt32BE(at));
  buf.writeUInt32BE(mapped, at);
}

function ipv4Checksum(buf: Buffer, at: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) if (i !== 10) sum += buf.readUInt16BE(at + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * Rewrites bytes through `change` and keeps the one's-complement sum of what changed (RFC 1624), so a
 * checksum covering them can be updated without reading the rest of the packet.
 */
class ChecksumDelta {
  private sum = 0;
  rewrite(buf: Buffer, at: number, len: number, change: () => void): void {
    for (let i = 0; i < len; i += 2) this.sum += ~buf.readUInt16BE(at + i) & 0xffff;
    change();
    for (let i = 0; i < len; i += 2) this.sum += buf.readUInt16BE(at + i);
  }
  /** Updates the checksum at `at` (a zero UDP checksum over IPv4 means none and stays). */
  apply(buf: Buffer, at: number): void {
    let sum = (~buf.readUInt16BE(at) & 0xffff) + this.sum;
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    buf.writeUInt16BE(~sum & 0xffff, at);
  }
}

/** A prefix written as a network (router advertisement): mapped, then its host bits cleared again. */
function mapPrefix(p: Pseudonymizer, buf: Buffer, at: number, length: number): void {
  p.ipv6Bytes(buf, at);
  for (let bit = Math.min(length, 128); bit < 128; bit++) buf[at + (bit >> 3)]! &= ~(0x80 >> (bit & 7));
}

/** Neighbour discovery (RFC 4861): target addresses and options inside an ICMPv6 message at `at`. */
function ndp(p: Pseudonymizer, buf: Buffer, at: number, end: number, delta: ChecksumDelta): void {
  const type = buf[at]!;
  const addr = (o: number) => o + 16 <= end && delta.rewrite(buf, o, 16, () => p.ipv6Bytes(buf, o));
  let options: number;
  if (type === 133) options = at + 8;
  else if (type === 134) options = at + 16;
  else if (type === 135 || type === 136) {
    addr(at + 8);
    options = at + 24;
  } else if (type === 137) {
    addr(at + 8);
    addr(at + 24);
    options = at + 40;
  } else return;
  while (options + 2 <= end) {
    const kind = buf[options]!;
    const len = buf[options + 1]! * 8;
    if (len === 0 || options + len > end) return;
    const o = options;
    if ((kind === 1 || kind === 2) && len >= 8) delta.rewrite(buf, o + 2, 6, () => p.macBytes(buf, o + 2));
    else if (kind === 3 && len === 32) delta.rewrite(buf, o + 16, 16, () => mapPrefix(p, buf, o + 16, buf[o + 2]!));
    options += len;
  }
}

function ipv6(p: Pseudonymizer, buf: Buffer, at: number, end: number): void {
  const next = buf[at + 6]!;
  const l4 = at + 40;
  const delta = new ChecksumDelta();
  // A neighbour solicitation goes to the solicited-node group of its target: rewritten with the target.
  const solicited = next === IPPROTO_ICMPV6 && end - l4 >= 24 && buf[l4] === 135 && buf.readUInt32BE(at + 24) === 0xff020000 && buf.readUInt32BE(at + 28) === 0 && buf.readUInt32BE(at + 32) === 1 && buf[at + 36] === 0xff && buf.compare(buf, l4 + 21, l4 + 24, at + 37, at + 40) === 0;
  delta.rewrite(buf, at + 8, 32, () => {
    p.ipv6Bytes(buf, at + 8);
    p.ipv6Bytes(buf, at + 24);
  });
  if (next === IPPROTO_ICMPV6 && end - l4 >= 4) {
    ndp(p, buf, l4, end, delta);
    if (solicited) delta.rewrite(buf, at + 36, 4, () => buf.copy(buf, at + 37, l4 + 21, l4 + 24));
    delta.apply(buf, l4 + 2);
  } else if (next === IPPROTO_TCP && end - l4 >= 18) delta.apply(buf, l4 + 16);
  else if (next === IPPROTO_UDP && end - l4 >= 8) delta.apply(buf, l4 + 6);
}

/** Rewrites a network-layer payload that starts at `at` and ends at `end`. */
function payload(p: Pseudonymizer, buf: Buffer, type: number, at: number, end: number): void {
  if (type === ETHERTYPE_ARP && end - at >= 8) {
    const hlen = buf[at + 4]!;
    const plen = buf[at + 5]!;
    if (end - at < 8 + 2 * (hlen + plen)) return;
    const sha = at + 8;
    const spa = sha + hlen;
    const tha = spa + plen;
    const tpa = tha + hlen;
    if (hlen === 6) {
      p.macBytes(buf, sha);
      p.macBytes(buf, tha);
    }
    if (plen === 4 && buf.readUInt16BE(at + 2) === ETHERTYPE_IPV4) {
      mapIp(p, buf, spa);
      mapIp(p, buf, tpa);
    }
  } else if (type === ETHERTYPE_IPV4 && end - at >= 20 && buf[at]! >> 4 === 4) {
    const ihl = (buf[at]! & 15) * 4;
    if (ihl < 20 || end - at < ihl) return;
    mapIp(p, buf, at + 12);
    mapIp(p, buf, at + 16);
    buf.writeUInt16BE(ipv4Checksum(buf, at, ihl), at + 10);
  } else if (type === ETHERTYPE_IPV6 && end - at >= 40 && buf[at]! >> 4 === 6) {
    ipv6(p, buf, at, end);
  }
}

function frame(p: Pseudonymizer, linkType: number, buf: Buffer, at: number, end: number): void {
  if (linkType === LINKTYPE_ETHERNET) {
    if (end - at < 14) return;
    p.macBytes(buf, at);
    p.macBytes(buf, at + 6);
    let off = at + 12;
    let type = buf.readUInt16BE(off);
    while (VLAN_ETHERTYPES.has(type) && end - off >= 6) {
      off += 4;
      type = buf.readUInt16BE(off);
    }
    payload(p, buf, type, off + 2, end);
  } else if (linkType === LINKTYPE_LINUX_SLL) {
    if (end - at < 16) return;
    if (buf.readUInt16BE(at + 4) === 6) p.macBytes(buf, at + 6);
    payload(p, buf, buf.readUInt16BE(at + 14), at + 16, end);
  } else if (linkType === LINKTYPE_LINUX_SLL2) {
    if (end - at < 20) return;
    if (buf[at + 11] === 6) p.macBytes(buf, at + 12);
    payload(p, buf, buf.readUInt16BE(at), at + 20, end);
  }
}

function classic(p: Pseudonymizer, buf: Buffer, le: boolean): void {
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  if (buf.length < 24) return;
  const linkType = u32(20) & 0xffff;
  let at = 24;
  while (at + 16 <= buf.length) {
    const incl = u32(at + 8);
    const start = at + 16;
    const end = Math.min(start + incl, buf.length);
    frame(p, linkType, buf, start, end);
    at = start + incl;
  }
}

function pcapng(p: Pseudonymizer, buf: Buffer): void {
  let le = true;
  let linkTypes: number[] = [];
  let at = 0;
  while (at + 12 <= buf.length) {
    const typeLE = buf.readUInt32LE(at);
    if (typeLE === 0x0a0d0d0a) {
      // Each section states its own byte order; interface ids restart with it.
      le = buf.readUInt32LE(at + 8) === 0x1a2b3c4d;
      linkTypes = [];
    }
    const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    const type = u32(at);
    const len = u32(at + 4);
    if (len < 12 || len % 4 !== 0 || at + len > buf.length) return;
    if (type === 1 && len >= 20) linkTypes.push(u16(at + 8));
    else if (type === 6 && len >= 32) {
      const linkType = linkTypes[u32(at + 8)];
      const captured = u32(at + 20);
      if (linkType !== undefined) frame(p, linkType, buf, at + 28, Math.min(at + 28 + captured, at + len - 4));
    } else if (type === 3 && len >= 16 && linkTypes[0] !== undefined) {
      frame(p, linkTypes[0], buf, at + 12, Math.min(at + 12 + u32(at + 8), at + len - 4));
    }
    at += len;
  }
}

/** Pseudonymizes a capture in place (pcap or pcapng, either byte order); returns the same buffer. */
export function pseudonymizeCapture(p: Pseudonymizer, buf: Buffer): Buffer {
  if (!p.kinds.has('ips') && !p.kinds.has('macs')) return buf;
  if (buf.length < 4) return buf;
  const be = buf.readUInt32BE(0);
  if (be === 0xa1b2c3d4 || be === 0xa1b23c4d) classic(p, buf, false);
  else if (be === 0xd4c3b2a1 || be === 0x4d3cb2a1) classic(p, buf, true);
  else if (be === 0x0a0d0d0a) pcapng(p, buf);
  return buf;
}
