// The TCP connect probe to the API server (the seed's `nc -vz <CP_IP> 6443`). Accepted outputs, by tool:
//   OpenBSD nc:   "Connection to 10.0.0.1 6443 port [tcp/*] succeeded!"
//                 "nc: connect to 10.0.0.1 port 6443 (tcp) failed: Connection refused"
//                 "nc: connect to 10.0.0.1 port 6443 (tcp) timed out: Operation now in progress"
//                 "nc: getaddrinfo for host "cp" port 6443: Name or service not known"
//   nmap ncat:    "Ncat: Connected to 10.0.0.1:6443." / "Ncat: Connection refused." / "Ncat: TIMEOUT."
//                 "Ncat: No route to host." / "Ncat: Could not resolve hostname "cp": ..."
//   netcat-traditional / busybox: "cp1 [10.0.0.1] 6443 (?) open", "(UNKNOWN) [10.0.0.1] 6443 (?) : Connection refused",
//                 "nc: 10.0.0.1 (10.0.0.1:6443): Connection refused"
//   bash /dev/tcp (what the collector runs when nc is absent): a line `OK` (or `open`/`connected`) on success,
//                 "bash: connect: Connection refused", "bash: line 1: /dev/tcp/10.0.0.1/6443: No route to host",
//                 `timeout` killing it ("timed out", or a bare "TIMEOUT"/"exit status 124").
//   Optional collector header "probe 10.0.0.1:6443" (or "# probe ...") naming the target when the tool does not.
// The first decisive line wins; output that says neither success nor failure leaves `ok` undefined.

import { splitLines } from './common.js';

export type TcpProbeError = 'refused' | 'no-route' | 'timeout' | 'dns' | 'other';

export interface TcpProbeFacts {
  target?: string;
  port?: number;
  /** undefined when no line says whether the connection was made. */
  ok?: boolean;
  error?: TcpProbeError;
  /** The decisive line's text and number. */
  message?: string;
  line?: number;
}

const TARGET_PATTERNS: RegExp[] = [
  /^#?\s*probe\s+\[?([^\s\]]+?)\]?:(\d{1,5})\s*$/i,
  /Connection to (\S+) (\d{1,5}) port/,
  /connect to (\S+) port (\d{1,5})/,
  /Connected to \[?([^\s\]]+?)\]?:(\d{1,5})/,
  /\[([^\]]+)\] (\d{1,5}) \(/,
  /\((?:[^\s():]+):(\d{1,5})\)/,
  /\/dev\/tcp\/([^/\s]+)\/(\d{1,5})/,
  /getaddrinfo for host "([^"]+)" port (\d{1,5})/,
];

const SUCCESS = /\bsucceeded!?|\bConnected to\b|\)\s*open\s*$|^(OK|open|connected)\.?$/i;
const FAILURES: [TcpProbeError, RegExp][] = [
  ['refused', /Connection refused/i],
  ['no-route', /No route to host|Network is unreachable|Host is unreachable/i],
  ['timeout', /timed out|\bTIMEOUT\b|Operation now in progress|exit status 124/i],
  ['dns', /Name or service not known|Could not resolve|Temporary failure in name resolution|getaddrinfo|unknown host|bad address/i],
  ['other', /\bfailed\b|^nc: |^Ncat: (?!Version|Connected|\d+ bytes)|^bash: /i],
];

export function parseTcpProbe(text: string): TcpProbeFacts {
  const facts: TcpProbeFacts = {};
  splitLines(text).forEach((raw, index) => {
    const t = raw.trim();
    if (t === '') return;
    if (facts.target === undefined || facts.port === undefined) assignTarget(facts, t);
    if (facts.ok !== undefined) return;
    if (SUCCESS.test(t) && !FAILURES.slice(0, 4).some(([, re]) => re.test(t))) {
      facts.ok = true;
    } else {
      const failure = FAILURES.find(([, re]) => re.test(t));
      if (!failure) return;
      facts.ok = false;
      facts.error = failure[0];
    }
    facts.message = t;
    facts.line = index + 1;
  });
  return facts;
}

function assignTarget(facts: TcpProbeFacts, text: string): void {
  for (const pattern of TARGET_PATTERNS) {
    const m = pattern.exec(text);
    if (!m) continue;
    // The busybox form "(10.0.0.1:6443)" captures only the port; the address precedes it.
    if (m.length === 2) {
      const host = /^nc: (\S+) \(/.exec(text)?.[1];
      if (host !== undefined) facts.target ??= host;
      facts.port ??= Number(m[1]);
    } else {
      facts.target ??= m[1]!;
      facts.port ??= Number(m[2]);
    }
    return;
  }
}
