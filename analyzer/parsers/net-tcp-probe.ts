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
//
// The collector's own multi-probe output (collector/plan.ts tcpApiServerCommand) wraps the tools above:
//   kubelet.conf server 192.168.10.11:6443        (or "kubelet.conf server (none)")
//   tcp 192.168.10.11:6443 open
//   tcp 192.168.10.12:6443 failed (exit 1) nc: connect to 192.168.10.12 port 6443 (tcp) failed: No route to host
// where the tool's output after "failed (exit N)" may continue on the next lines (bash prints two). Each
// becomes one entry of `probes`; the top-level fields then summarise them (ok only when every probe is).

import { splitLines } from './common.js';

export type TcpProbeError = 'refused' | 'no-route' | 'timeout' | 'dns' | 'other';

export interface TcpProbe {
  host: string;
  port: number;
  ok: boolean;
  error?: TcpProbeError;
  /** Exit status of the probe tool, from the collector's "failed (exit N)". */
  exitCode?: number;
  /** The probe's line, with the tool's continuation lines joined by " | ". */
  message: string;
  line: number;
}

export interface TcpProbeFacts {
  /** Every probe, in output order; a single-tool output yields one when it is decisive and names its target. */
  probes: TcpProbe[];
  /** The API endpoint kubelet.conf names (`host:port`); null for "(none)"; absent without that header. */
  kubeletServer?: string | null;
  kubeletServerLine?: number;
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

const KUBELET_SERVER = /^kubelet\.conf server (?:\((none)\)|(\S+))\s*$/;
const COLLECTOR_PROBE = /^tcp (\S+):(\d{1,5}) (open|failed(?: \(exit (\d+)\))?)\s?(.*)$/;

export function parseTcpProbe(text: string): TcpProbeFacts {
  const lines = splitLines(text);
  if (lines.some((l) => KUBELET_SERVER.test(l.trim()) || COLLECTOR_PROBE.test(l.trim()))) return parseCollectorProbes(lines);
  const facts: TcpProbeFacts = { probes: [] };
  lines.forEach((raw, index) => {
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
  if (facts.ok !== undefined && facts.target !== undefined && facts.port !== undefined) {
    facts.probes.push({ host: facts.target, port: facts.port, ok: facts.ok, ...(facts.error ? { error: facts.error } : {}), message: facts.message!, line: facts.line! });
  }
  return facts;
}

function classify(message: string, exitCode: number | undefined): TcpProbeError {
  // `timeout 5 bash -c ...` exits 124 without a word when the SYN goes unanswered.
  if (exitCode === 124) return 'timeout';
  return FAILURES.find(([, re]) => re.test(message))?.[0] ?? 'other';
}

function parseCollectorProbes(lines: string[]): TcpProbeFacts {
  const facts: TcpProbeFacts = { probes: [] };
  let open: { probe: TcpProbe; parts: string[]; exitCode: number | undefined } | undefined;
  const close = () => {
    if (!open) return;
    if (!open.probe.ok) {
      const detail = open.parts.filter(Boolean).join(' | ');
      open.probe.message = detail ? `${open.probe.message} ${detail}`.trim() : open.probe.message;
      open.probe.error = classify(detail, open.exitCode);
    }
    facts.probes.push(open.probe);
    open = undefined;
  };
  lines.forEach((raw, index) => {
    const t = raw.trim();
    const server = KUBELET_SERVER.exec(t);
    if (server) {
      close();
      facts.kubeletServer = server[1] ? null : server[2]!;
      facts.kubeletServerLine = index + 1;
      return;
    }
    const probe = COLLECTOR_PROBE.exec(t);
    if (probe) {
      close();
      const ok = probe[3] === 'open';
      const exitCode = probe[4] !== undefined ? Number(probe[4]) : undefined;
      const head = t.slice(0, t.length - probe[5]!.length).trim();
      open = {
        probe: { host: probe[1]!.replace(/^\[|\]$/g, ''), port: Number(probe[2]), ok, ...(exitCode !== undefined ? { exitCode } : {}), message: ok ? t : head, line: index + 1 },
        parts: [probe[5]!.trim()],
        exitCode,
      };
      return;
    }
    if (open && !open.probe.ok && t !== '') open.parts.push(t);
  });
  close();
  const first = facts.probes.find((p) => !p.ok) ?? facts.probes[0];
  if (first) {
    facts.target = first.host;
    facts.port = first.port;
    facts.ok = facts.probes.every((p) => p.ok);
    if (first.error) facts.error = first.error;
    facts.message = first.message;
    facts.line = first.line;
  }
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
