// Pseudonymization: IPv4 and IPv6 addresses, MAC addresses and host names replaced consistently across a whole
// bundle (text, paths, manifest, pcap bytes). Every mapping is a keyed function of the value alone, never
// of the order values are met in, so two files (or two runs of one bundle with the same key) agree.
//
// IPv4 design, chosen so the analyzer's findings stay the same:
//   - special addresses stay: 0/8, 127/8, 169.254/16, 224/3 (multicast, reserved, 255.255.255.255) and the
//     documentation ranges 192.0.2/24, 198.51.100/24, 203.0.113/24 (not real hosts);
//   - private ranges stay private and in the same range (10/8, 172.16/12, 192.168/16, 100.64/10): their
//     fixed prefix is kept and the bits after it, up to /24, go through a keyed prefix-preserving
//     permutation (bit i flips by a keyed function of bits 0..i-1). Two addresses share a prefix of length
//     n after mapping exactly when they did before, so CIDR containment and overlap hold for every n;
//   - the last octet is kept, so .0/.1/.255 and every range inside a /24 (MetalLB pools, DHCP ranges) keep
//     their order and size;
//   - public addresses keep their first octet; the rest is permuted the same way, and a result that lands
//     in a private or special range is permuted again (cycle walking), which keeps the mapping one-to-one;
//   - `a.b.c.d/n` has its host bits cleared after mapping, so a network stays a canonical network.
// IPv6, the same ideas on 128 bits:
//   - ::, ::1, multicast ff00::/8 and the documentation range 2001:db8::/32 stay; IPv4-mapped
//     (::ffff:0:0/96) and NAT64 (64:ff9b::/96) addresses keep their prefix and map the IPv4 inside;
//   - link-local fe80::/64 keeps its prefix, unique-local fc00::/7 its first 8 bits, anything else its
//     first 16 bits; the bits after that up to /112 go through the keyed prefix-preserving permutation, so
//     subnets and containment hold, and the last 16 bits are kept (ranges inside a /112, ::1 gateways);
//     a global address that lands in a kept range is permuted again, as for IPv4;
//   - an EUI-64 interface identifier (xxxx:xxff:fexx:xxxx) is a MAC: it is mapped exactly as that MAC
//     is mapped elsewhere (with --pseudonymize macs; without it the identifier stays, like the MAC);
//   - the text form written is RFC 5952's (lower case, longest zero run as ::), upper case if the
//     original was; a network written with clear host bits stays canonical.
// MACs: broadcast, zero and multicast addresses stay; others get 46 keyed bits, keeping the
// locally-administered and multicast bits. Host names: `host-<8 hex>`; a name with an IP in it
// (`dhcp-192-168-0-66`, `ip-10-0-0-5`) has the IP mapped in place.
import { classifyPath } from '../../bundle/layout.js';
import type { Manifest } from '../../bundle/manifest.js';
import { UsageError } from '../../common/errors.js';
import type { RedactionKey } from './placeholder.js';

export const PSEUDONYM_KINDS = ['ips', 'macs', 'hostnames'] as const;
export type PseudonymKind = (typeof PSEUDONYM_KINDS)[number];

const IPV4 = /(?<![0-9.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?(?![0-9]|\.\d)/g;
const DASHED_IP = /(?<![A-Za-z0-9])([A-Za-z][A-Za-z0-9]*-)(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?![0-9])/g;
// What every DASHED_IP match contains, tested on the whole block first: it starts with a literal, so the
// regex engine skips along quickly, where DASHED_IP re-reads a letter run from every position inside a
// word (it was most of pseudonymization's time); blocks without it skip DASHED_IP.
const DASHED_IP_GATE = /-\d{1,3}-\d{1,3}-\d{1,3}-\d/;
// IPv6 addresses are found without a regex over every byte (one was 6x the cost of the IPv4 pattern):
// from each colon (a native search) that has a hex digit or colon on both sides, the run of hex digits
// and colons around it is measured once; a run with `::` or seven colons is a candidate.
const isHexOrColon = (c: number) => (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isWordOrDot = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46;
const isDigit = (c: number) => c >= 48 && c <= 57;

interface Ipv6Span {
  start: number;
  end: number;
  addr: string;
  bits: string | undefined;
}

/** Where IPv6 addresses (possibly with /n) are in `s`: not inside a word, a MAC, a time or a dotted IPv4. */
function ipv6Spans(s: string): Ipv6Span[] {
  const spans: Ipv6Span[] = [];
  let at = s.indexOf(':');
  while (at >= 0) {
    if (!isHexOrColon(s.charCodeAt(at + 1)) || (at > 0 && !isHexOrColon(s.charCodeAt(at - 1)))) {
      at = s.indexOf(':', at + 1);
      continue;
    }
    let a = at;
    while (a > 0 && isHexOrColon(s.charCodeAt(a - 1))) a--;
    let b = at + 1;
    while (b < s.length && isHexOrColon(s.charCodeAt(b))) b++;
    let colons = 0;
    let double = false;
    if (b - a <= 39) {
      for (let i = a; i < b; i++) {
        if (s.charCodeAt(i) !== 58) continue;
        colons++;
        if (s.charCodeAt(i + 1) === 58) double = true;
      }
    }
    if (b - a <= 39 && (double || colons === 7)) {
      let end = b;
      let bits: string | undefined;
      if (s.charCodeAt(b) === 47) {
        let d = b + 1;
        while (d < s.length && d - b <= 3 && isDigit(s.charCodeAt(d))) d++;
        if (d > b + 1 && d - b <= 4) {
          bits = s.slice(b + 1, d);
          end = d;
        }
      }
      const after = s.charCodeAt(end);
      const ok = (a === 0 || !isWordOrDot(s.charCodeAt(a - 1))) && !(end < s.length && isWordOrDot(after) && (after !== 46 || isDigit(s.charCodeAt(end + 1))));
      if (ok) spans.push({ start: a, end, addr: s.slice(a, b), bits });
    }
    at = s.indexOf(':', b);
  }
  return spans;
}

const MAC = /(?<![0-9A-Fa-f:-])([0-9A-Fa-f]{2})([:-])([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})\2([0-9A-Fa-f]{2})(?![0-9A-Fa-f:-])/g;

function inRange(a: number, net: number, bits: number): boolean {
  return bits === 0 || a >>> (32 - bits) === net >>> (32 - bits);
}

const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
const UNCHANGED: Array<[number, number]> = [
  [ip(0, 0, 0, 0), 8],
  [ip(127, 0, 0, 0), 8],
  [ip(169, 254, 0, 0), 16],
  [ip(224, 0, 0, 0), 3],
  [ip(192, 0, 2, 0), 24],
  [ip(198, 51, 100, 0), 24],
  [ip(203, 0, 113, 0), 24],
];
const PRIVATE: Array<[number, number]> = [
  [ip(10, 0, 0, 0), 8],
  [ip(172, 16, 0, 0), 12],
  [ip(192, 168, 0, 0), 16],
  [ip(100, 64, 0, 0), 10],
];

function fixedPrefix(a: number): number | 'unchanged' | 'public' {
  for (const [net, bits] of UNCHANGED) if (inRange(a, net, bits)) return 'unchanged';
  for (const [net, bits] of PRIVATE) if (inRange(a, net, bits)) return bits;
  return 'public';
}

function ipText(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Eight 16-bit groups, or undefined when the text is not an IPv6 address in colon-hex form. */
export function parseIpv6(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    if (groups.some((g) => !/^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => Number.parseInt(g, 16));
  };
  const head = part(halves[0]!);
  if (!head) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const tail = part(halves[1]!);
  if (!tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
export function ipv6Text(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  return best < 0 ? hex(0, 8) : `${hex(0, best)}::${hex(best + bestLen, 8)}`;
}

const toBig = (g: readonly number[]) => g.reduce((a, x) => (a << 16n) | BigInt(x), 0n);
const fromBig = (a: bigint) => Array.from({ length: 8 }, (_, i) => Number((a >> BigInt(112 - 16 * i)) & 0xffffn));

type V6Kind = { keep: 'all' } | { keep: 'v4' } | { keep: number; global: boolean };

function v6Kind(g: readonly number[]): V6Kind {
  const first = g[0]!;
  if (g.slice(0, 7).every((x) => x === 0) && g[7]! <= 1) return { keep: 'all' };
  if ((first & 0xff00) === 0xff00) return { keep: 'all' };
  if (first === 0x2001 && g[1] === 0x0db8) return { keep: 'all' };
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return { keep: 'v4' };
  if (first === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return { keep: 'v4' };
  if ((first & 0xffc0) === 0xfe80) return { keep: 64, global: false };
  if ((first & 0xfe00) === 0xfc00) return { keep: 8, global: false };
  return { keep: 16, global: true };
}

export interface ReverseMap {
  ips: Record<string, string>;
  macs: Record<string, string>;
  hostnames: Record<string, string>;
}

export class Pseudonymizer {
  readonly kinds: ReadonlySet<PseudonymKind>;
  private readonly flips = new Map<string, number>();
  private readonly ipMemo = new Map<number, number>();
  private readonly macMemo = new Map<string, string>();
  private readonly ipv6Memo = new Map<string, number[]>();
  private readonly names: Map<string, string>;
  private readonly nameRe: RegExp | null;
  /** Pseudonym → original, for --map-out. */
  private readonly reverse: ReverseMap = { ips: {}, macs: {}, hostnames: {} };

  constructor(
    private readonly key: RedactionKey,
    kinds: Iterable<PseudonymKind>,
    hostnames: Iterable<string>,
  ) {
    this.kinds = new Set(kinds);
    this.names = new Map();
    if (this.kinds.has('hostnames')) {
      for (const n of hostnames) {
        const name = n.trim().toLowerCase();
        // An address is an IP's business, and "localhost" names nobody.
        if (name.length < 2 || name === 'localhost' || /^[0-9.:]+$/.test(name) || this.names.has(name)) continue;
        this.names.set(name, `host-${key.digest('hostname', name).toString('hex', 0, 4)}`);
      }
    }
    const words = [...this.names.keys()].map((n) => Buffer.from(n, 'utf8').toString('latin1').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.nameRe = words.length > 0 ? new RegExp(`(?<![A-Za-z0-9])(?:${words.sort((a, b) => b.length - a.length).join('|')})(?![A-Za-z0-9])`, 'gi') : null;
  }

  get active(): boolean {
    return this.kinds.size > 0;
  }

  /** The mapped 32-bit address. */
  ipNumber(a: number): number {
    if (!this.kinds.has('ips')) return a;
    let out = this.ipMemo.get(a);
    if (out !== undefined) return out;
    const fixed = fixedPrefix(a);
    if (fixed === 'unchanged') out = a;
    else if (fixed === 'public') {
      out = this.permute(a, 8);
      // Cycle walking: the permutation stays within the first octet, so this ends back at a public address.
      while (fixedPrefix(out) !== 'public') out = this.permute(out, 8);
    } else out = this.permute(a, fixed);
    this.ipMemo.set(a, out);
    if (out !== a) this.reverse.ips[ipText(out)] = ipText(a);
    return out;
  }

  private permute(a: number, from: number): number {
    let out = a;
    for (let i = from; i < 24; i++) {
      const prefix = a >>> (32 - i);
      const memo = `${i}/${prefix}`;
      let flip = this.flips.get(memo);
      if (flip === undefined) {
        flip = this.key.digest('ipv4', memo)[0]! & 1;
        this.flips.set(memo, flip);
      }
      if (flip) out ^= 1 << (31 - i);
    }
    return out >>> 0;
  }

  /**
   * The mapped IPv6 address, as eight 16-bit groups. With `ips` the prefix is permuted; with `macs` an
   * EUI-64 identifier follows its MAC, so `--pseudonymize macs` alone still hides the MAC inside.
   */
  ipv6Groups(g: readonly number[]): number[] {
    const ips = this.kinds.has('ips');
    if (!ips && !this.kinds.has('macs')) return [...g];
    const memoKey = g.join(',');
    const known = this.ipv6Memo.get(memoKey);
    if (known !== undefined) return known;
    const kind = v6Kind(g);
    let out: number[];
    if (kind.keep === 'all') out = [...g];
    else if (kind.keep === 'v4') {
      const v4 = this.ipNumber(((g[6]! << 16) | g[7]!) >>> 0);
      out = [...g.slice(0, 6), v4 >>> 16, v4 & 0xffff];
    } else {
      const eui = g[5]! % 256 === 0xff && g[6]! >> 8 === 0xfe;
      // The identifier first: an EUI-64 one is its MAC's business, whatever the prefix.
      const iid = eui ? this.euiIid(g) : undefined;
      const to = iid === undefined ? 112 : 64;
      let a = toBig(g);
      if (ips) {
        a = this.permute6(a, kind.keep, to);
        while (kind.global && v6Kind(fromBig(a)).keep !== 16) a = this.permute6(a, kind.keep, to);
      }
      out = fromBig(a);
      if (iid) out.splice(4, 4, ...iid);
    }
    this.ipv6Memo.set(memoKey, out);
    if (out.some((x, i) => x !== g[i])) this.reverse.ips[ipv6Text(out)] = ipv6Text(g);
    return out;
  }

  /** The interface identifier of an EUI-64 address with its MAC mapped (the universal/local bit flipped back and forth). */
  private euiIid(g: readonly number[]): number[] {
    const b = [g[4]! >> 8, g[4]! & 255, g[5]! >> 8, g[6]! & 255, g[7]! >> 8, g[7]! & 255];
    b[0]! ^= 0x02;
    const mac = this.mac(b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
    const m = mac.split(':').map((x) => Number.parseInt(x, 16));
    m[0]! ^= 0x02;
    return [(m[0]! << 8) | m[1]!, (m[2]! << 8) | 0xff, 0xfe00 | m[3]!, (m[4]! << 8) | m[5]!];
  }

  private permute6(a: bigint, from: number, to: number): bigint {
    let out = a;
    for (let i = from; i < to; i++) {
      const memo = `v6/${i}/${(a >> BigInt(128 - i)).toString(16)}`;
      let flip = this.flips.get(memo);
      if (flip === undefined) {
        flip = this.key.digest('ipv6', memo)[0]! & 1;
        this.flips.set(memo, flip);
      }
      if (flip) out ^= 1n << BigInt(127 - i);
    }
    return out;
  }

  /** Maps the 16-byte IPv6 address at `at` in place. */
  ipv6Bytes(buf: Buffer, at: number): void {
    const g = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(at + 2 * i));
    const mapped = this.ipv6Groups(g);
    for (let i = 0; i < 8; i++) buf.writeUInt16BE(mapped[i]!, at + 2 * i);
  }

  /** An IPv4 (dotted) or IPv6 address as text; anything else comes back unchanged. */
  ip(text: string): string {
    if (text.includes(':')) {
      const g = parseIpv6(text);
      return g ? this.ipv6Written(text, g) : text;
    }
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
    if (!m) return text;
    const o = m.slice(1, 5).map(Number);
    if (o.some((x) => x > 255)) return text;
    return ipText(this.ipNumber(ip(o[0]!, o[1]!, o[2]!, o[3]!)));
  }

  /** The mapped address in the case it was written in. */
  private ipv6Written(original: string, g: readonly number[]): string {
    const mapped = this.ipv6Groups(g);
    if (mapped.every((x, i) => x === g[i])) return original;
    const text = ipv6Text(mapped);
    return /[A-F]/.test(original) && !/[a-f]/.test(original) ? text.toUpperCase() : text;
  }

  /** Maps 6 MAC bytes in place. */
  macBytes(buf: Buffer, at: number): void {
    const text = [...buf.subarray(at, at + 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
    const mapped = this.mac(text);
    for (let i = 0; i < 6; i++) buf[at + i] = Number.parseInt(mapped.slice(i * 3, i * 3 + 2), 16);
  }

  /** Lower-case colon form in, lower-case colon form out. */
  mac(text: string): string {
    if (!this.kinds.has('macs')) return text;
    const known = this.macMemo.get(text);
    if (known !== undefined) return known;
    const first = Number.parseInt(text.slice(0, 2), 16);
    let out = text;
    if ((first & 1) === 0 && text !== '00:00:00:00:00:00') {
      const d = this.key.digest('mac', text);
      d[0] = (d[0]! & 0xfc) | (first & 0x03);
      out = [...d.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
      this.reverse.macs[out] = text;
    }
    this.macMemo.set(text, out);
    return out;
  }

  host(name: string): string {
    const mapped = this.names.get(name.toLowerCase());
    if (mapped === undefined) return name;
    this.reverse.hostnames[mapped] = name.toLowerCase();
    return mapped;
  }

  /** Maps every IP, MAC and known host name in a latin1 string. */
  text(s: string): string {
    let out = s;
    if (this.nameRe) out = out.replace(this.nameRe, (m) => this.host(Buffer.from(m, 'latin1').toString('utf8')));
    if (this.kinds.has('ips')) {
      if (DASHED_IP_GATE.test(out)) out = out.replace(DASHED_IP, (all, pre: string, a: string, b: string, c: string, d: string) => {
        const o = [a, b, c, d].map(Number);
        if (o.some((x) => x > 255)) return all;
        return `${pre}${ipText(this.ipNumber(ip(o[0]!, o[1]!, o[2]!, o[3]!))).replace(/\./g, '-')}`;
      });
      out = out.replace(IPV4, (all, a: string, b: string, c: string, d: string, bits: string | undefined) => {
        const o = [a, b, c, d].map(Number);
        if (o.some((x) => x > 255)) return all;
        let mapped = this.ipNumber(ip(o[0]!, o[1]!, o[2]!, o[3]!));
        if (bits === undefined) return ipText(mapped);
        const n = Number(bits);
        if (n > 32) return `${ipText(mapped)}/${bits}`;
        // A network written with its host bits clear stays a canonical network after mapping.
        const original = ip(o[0]!, o[1]!, o[2]!, o[3]!);
        const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
        if ((original & mask) >>> 0 === original) mapped = (mapped & mask) >>> 0;
        return `${ipText(mapped)}/${bits}`;
      });
    }
    if (this.kinds.has('ips') || this.kinds.has('macs')) {
      out = this.ipv6InText(out);
    }
    if (this.kinds.has('macs')) {
      out = out.replace(MAC, (all: string, ...g: string[]) => {
        const sep = g[1]!;
        const octets = [g[0], g[2], g[3], g[4], g[5], g[6]] as string[];
        const mapped = this.mac(octets.join(':').toLowerCase());
        const upper = all === all.toUpperCase() && /[A-F]/.test(all);
        const res = mapped.replace(/:/g, sep);
        return upper ? res.toUpperCase() : res;
      });
    }
    return out;
  }

  /** Every IPv6 address in `s` mapped, in one pass so that no address is mapped twice. */
  private ipv6InText(s: string): string {
    const spans = ipv6Spans(s);
    if (spans.length === 0) return s;
    let out = '';
    let last = 0;
    for (const { start, end, addr, bits } of spans) {
      const g = parseIpv6(addr);
      if (!g) continue;
      let written = this.ipv6Written(addr, g);
      const n = Number(bits);
      if (bits !== undefined && n <= 128 && written !== addr) {
        // As for IPv4: a network with its host bits clear stays a network.
        const mask = n === 0 ? 0n : ((1n << BigInt(n)) - 1n) << BigInt(128 - n);
        const original = toBig(g);
        if ((original & mask) === original) {
          const net = ipv6Text(fromBig(toBig(this.ipv6Groups(g)) & mask));
          written = /[A-F]/.test(written) && !/[a-f]/.test(written) ? net.toUpperCase() : net;
        }
      }
      out += s.slice(last, start) + (bits === undefined ? written : `${written}/${bits}`);
      last = end;
    }
    return last === 0 ? s : out + s.slice(last);
  }

  /** A UTF-8 string (manifest fields, path segments). */
  string(s: string): string {
    if (!this.active) return s;
    return Buffer.from(this.text(Buffer.from(s, 'utf8').toString('latin1')), 'latin1').toString('utf8');
  }

  /** A bundle path: the host folder and every name-bearing segment, never the fixed file names. */
  path(p: string): string {
    if (!this.active) return p;
    const ref = classifyPath(p);
    const parts = p.split('/');
    const fixedTail = ref.area === 'host-cmd' || ref.area === 'host-json' || ref.area === 'cluster-list' || ref.area === 'cluster-version';
    return parts
      .map((seg, i) => {
        if (i === 0) return seg;
        if (ref.area.startsWith('host') && i === 1) return this.host(seg) === seg ? this.string(seg) : this.host(seg);
        if (fixedTail && i === parts.length - 1) return seg;
        if (ref.area.startsWith('host') && i === 2) return seg;
        return this.string(seg);
      })
      .join('/');
  }

  /** Pseudonymizes the manifest fields that name hosts or carry addresses; everything else stays. */
  manifest(m: Manifest): Manifest {
    if (!this.active) return m;
    const s = (v: string | null | undefined) => (typeof v === 'string' ? this.string(v) : v);
    return {
      ...m,
      note: s(m.note) ?? null,
      commandLine: m.commandLine.map((a) => this.string(a)),
      hosts: m.hosts.map((h) => ({ ...h, name: this.string(h.name), address: this.string(h.address), ...(h.error !== undefined ? { error: s(h.error) ?? null } : {}) })),
      items: m.items.map((it) => ({
        ...it,
        path: this.path(it.path),
        source: this.string(it.source),
        ...(it.host !== undefined ? { host: s(it.host) ?? null } : {}),
        ...(it.stderr !== undefined ? { stderr: s(it.stderr) ?? null } : {}),
      })),
      // An import is named after its input (`sosreport-<host>-…`) and records the hosts each input filled.
      ...(m.imported
        ? { cluster: this.string(m.cluster), imported: m.imported.map((i) => ({ ...i, input: this.string(i.input), hosts: i.hosts.map((h) => this.string(h)) })) }
        : {}),
      ...(m.arpProbes
        ? { arpProbes: m.arpProbes.map((p) => ({ ...p, host: this.string(p.host), targets: p.targets.map((t) => this.string(t)), ...(p.error !== undefined ? { error: s(p.error) ?? null } : {}) })) }
        : {}),
    };
  }

  reverseMap(): ReverseMap {
    const sorted = (r: Record<string, string>) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return { ips: sorted(this.reverse.ips), macs: sorted(this.reverse.macs), hostnames: sorted(this.reverse.hostnames) };
  }
}

/** Host names a bundle talks about, from its manifest: hosts, kubectl describe'd nodes, Proxmox nodes. */
export function hostNamesOf(m: Manifest): string[] {
  const names = new Set<string>();
  for (const h of m.hosts) {
    names.add(h.name);
    if (!/^[0-9.:]+$/.test(h.address)) names.add(h.address.split('.')[0]!);
  }
  for (const it of m.items) {
    const ref = classifyPath(it.path);
    if (ref.area === 'describe-node') names.add(ref.node);
    if (ref.area === 'host-file') {
      const pve = /^\/etc\/pve\/nodes\/([^/]+)\//.exec(ref.file);
      if (pve) names.add(pve[1]!);
    }
  }
  return [...names].filter((n) => n.length > 0);
}

export function parsePseudonymKinds(value: string, flag = '--pseudonymize'): PseudonymKind[] {
  const kinds = value.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
  const bad = kinds.filter((k) => !(PSEUDONYM_KINDS as readonly string[]).includes(k));
  if (bad.length > 0 || kinds.length === 0) {
    throw new UsageError(`${flag}: ${bad.length > 0 ? `unknown kind ${bad.map((b) => JSON.stringify(b)).join(', ')}` : 'nothing given'}; use a comma-separated list of ${PSEUDONYM_KINDS.join(', ')}`);
  }
  return [...new Set(kinds)] as PseudonymKind[];
}
