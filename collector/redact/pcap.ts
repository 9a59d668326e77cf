// Pseudonymization inside captures: the Ethernet (or Linux cooked) header and the ARP sender/target
// hardware and protocol addresses, and IPv4 source/destination (with the header checksum fixed). Bytes
// are rewritten in place, so every length, offset and timestamp stays as it was. Anything this module
// does not understand is left as it is: a capture that is not pcap/pcapng is returned unchanged.
import type { Pseudonymizer } from './pseudonymize.js';

const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL = 113;
const LINKTYPE_LINUX_SLL2 = 276;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_ARP = 0x0806;
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
