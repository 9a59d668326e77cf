// `ping -c 3 <gateway>` output from iputils, busybox or inetutils, plus the collector's own note when the host
// has no default route to ping. The collector prints `gateway <address>` before pinging; when the main table
// has no default route it writes "no default gateway in the main routing table" to stderr and exits 2, so the
// bundle holds an empty output and the manifest item keeps that stderr: pass the stderr in as text to read it.
// Any line saying "no default route" or "no default gateway" makes `outcome: 'no-default-route'`.

import { splitLines } from './common.js';

export type PingOutcome =
  | 'ok'
  | 'partial-loss'
  | 'no-reply'
  | 'host-unreachable'
  | 'network-unreachable'
  | 'no-default-route'
  | 'dns'
  | 'unknown';

export interface PingReply {
  seq: number;
  ttl?: number;
  timeMs?: number;
  line: number;
}

export interface PingError {
  /** `From <router> icmp_seq=N Destination Host Unreachable`: who said so. */
  from?: string;
  text: string;
  line: number;
}

export interface PingFacts {
  /** From the collector's `gateway <address>` line: the default gateway it read from the main table. */
  gateway?: string;
  gatewayLine?: number;
  target?: string;
  transmitted?: number;
  received?: number;
  lossPercent?: number;
  rtt?: { minMs: number; avgMs: number; maxMs: number; mdevMs?: number };
  replies: PingReply[];
  errors: PingError[];
  outcome: PingOutcome;
  /** Line of the statistics summary, or of the decisive error. */
  line?: number;
}

const HEADER = /^PING\s+(\S+)/;
const GATEWAY = /^gateway\s+(\S+)$/;
const REPLY = /^\d+ bytes from [^\s:]+.*?\b(?:icmp_)?seq=(\d+)(?:.*?\bttl=(\d+))?(?:.*?\btime[=<]([\d.]+)\s*ms)?/;
const STATS = /(\d+) packets transmitted, (\d+)(?: packets)? received(?:, \+(\d+) errors)?(?:, \+\d+ duplicates)?, ([\d.]+)% packet loss/;
const RTT = /(?:rtt|round-trip) min\/avg\/max(?:\/(?:mdev|stddev))? = ([\d.]+)\/([\d.]+)\/([\d.]+)(?:\/([\d.]+))?/;
const STATS_HEADER = /^--- (\S+) ping statistics ---/;

export function parsePing(text: string): PingFacts {
  const facts: PingFacts = { replies: [], errors: [], outcome: 'unknown' };
  let sawHostUnreachable = false;
  let sawNetworkUnreachable = false;
  let sawNoRoute = false;
  let sawDns = false;
  splitLines(text).forEach((raw, index) => {
    const line = index + 1;
    const t = raw.trim();
    if (t === '') return;
    let m: RegExpExecArray | null;
    if ((m = GATEWAY.exec(t))) {
      facts.gateway ??= m[1]!;
      facts.gatewayLine ??= line;
    } else if ((m = HEADER.exec(t))) {
      facts.target ??= m[1]!;
    } else if ((m = STATS_HEADER.exec(t))) {
      facts.target ??= m[1]!;
    } else if ((m = STATS.exec(t))) {
      facts.transmitted = Number(m[1]);
      facts.received = Number(m[2]);
      facts.lossPercent = Number(m[4]);
      facts.line = line;
    } else if ((m = RTT.exec(t))) {
      facts.rtt = { minMs: Number(m[1]), avgMs: Number(m[2]), maxMs: Number(m[3]), ...(m[4] !== undefined ? { mdevMs: Number(m[4]) } : {}) };
    } else if ((m = REPLY.exec(t))) {
      facts.replies.push({
        seq: Number(m[1]),
        ...(m[2] !== undefined ? { ttl: Number(m[2]) } : {}),
        ...(m[3] !== undefined ? { timeMs: Number(m[3]) } : {}),
        line,
      });
    } else if (/\bno default (route|gateway)\b/i.test(t)) {
      sawNoRoute = true;
      facts.errors.push({ text: t, line });
    } else if (/Network is unreachable|Net Unreachable/i.test(t)) {
      sawNetworkUnreachable = true;
      facts.errors.push({ ...fromOf(t), text: t, line });
    } else if (/Destination Host Unreachable|Host Unreachable|No route to host/i.test(t)) {
      sawHostUnreachable = true;
      facts.errors.push({ ...fromOf(t), text: t, line });
    } else if (/Name or service not known|Temporary failure in name resolution|unknown host|bad address/i.test(t)) {
      sawDns = true;
      facts.errors.push({ text: t, line });
    } else if (/^ping:|^From \S+ /.test(t)) {
      facts.errors.push({ ...fromOf(t), text: t, line });
    }
  });
  const received = facts.received ?? (facts.transmitted === undefined ? facts.replies.length : undefined);
  if (sawNoRoute) facts.outcome = 'no-default-route';
  else if (sawDns && !received) facts.outcome = 'dns';
  else if (received !== undefined && received > 0) {
    facts.outcome = facts.transmitted !== undefined && received < facts.transmitted ? 'partial-loss' : 'ok';
  } else if (sawNetworkUnreachable) facts.outcome = 'network-unreachable';
  else if (sawHostUnreachable) facts.outcome = 'host-unreachable';
  else if (facts.transmitted !== undefined && facts.transmitted > 0) facts.outcome = 'no-reply';
  if (facts.line === undefined && facts.errors.length > 0 && facts.outcome !== 'ok') facts.line = facts.errors[0]!.line;
  return facts;
}

function fromOf(text: string): { from?: string } {
  const m = /^From (\S+?)(?: \(\S+\))?:? icmp_seq/.exec(text);
  return m ? { from: m[1]! } : {};
}
