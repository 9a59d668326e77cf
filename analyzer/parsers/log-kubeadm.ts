// Output of a failed `kubeadm init` / `kubeadm join` (an attachment or the collector's capture): preflight
// errors and warnings, the failing phase, discovery failures (expired token, wrong CA hash) and unreachable
// API endpoints. Wording is matched across kubeadm 1.1x to 1.3x, including messages kubeadm wraps in quotes.
import { ParseError, splitLines, type ParseContext } from './common.js';

export interface PreflightFinding {
  severity: 'error' | 'warning';
  /** `Swap`, `Port-6443`, `FileContent--proc-sys-net-ipv4-ip_forward`, `CRI`, `SystemVerification`... */
  check: string;
  message: string;
  line: number;
}

export interface PhaseError {
  /** `preflight`, `kubelet-start`, `wait-control-plane`, `control-plane-prepare/download-certs`... */
  phase: string;
  message: string;
  line: number;
}

export type DiscoveryProblemKind =
  /** The bootstrap token is not (or no longer) in the cluster: expired, deleted or mistyped. */
  | 'token-unknown'
  /** The CA of the cluster does not match the pinned `--discovery-token-ca-cert-hash`. */
  | 'ca-hash-mismatch'
  /** The umbrella message kubeadm prints before the specific cause. */
  | 'identity-unvalidated'
  | 'cluster-info-unavailable';

export interface DiscoveryProblem {
  kind: DiscoveryProblemKind;
  tokenId?: string;
  /** For ca-hash-mismatch: the hashes of the cluster's CA keys that kubeadm saw (`sha256:<hex>`). */
  seenHashes?: string[];
  message: string;
  line: number;
}

export type DialFailureReason =
  | 'connection-refused'
  | 'no-route-to-host'
  | 'i/o-timeout'
  | 'network-unreachable'
  | 'connection-reset'
  | 'no-such-host'
  | 'timeout';

export interface DialFailure {
  host: string;
  port: number | null;
  reason: DialFailureReason;
  line: number;
}

export interface KubeadmOutput {
  kubernetesVersion: string | null;
  preflight: PreflightFinding[];
  phaseErrors: PhaseError[];
  discovery: DiscoveryProblem[];
  dialFailures: DialFailure[];
}

const PREFLIGHT = /^\s*\[(ERROR|WARNING) ([^\]\s]+)\]:?\s*(.*)$/;
const KUBEADM_SHAPE =
  /\[(?:preflight|init|join|discovery|kubelet-start|kubelet-check|certs|kubeconfig|control-plane|etcd|wait-control-plane|api-check|upload-config|upload-certs|mark-control-plane|bootstrap-token|addons|reset|ERROR [^\]]+|WARNING [^\]]+)\]|kubeadm|error execution phase/;

const DIAL_REASONS: readonly [string, DialFailureReason][] = [
  ['connection refused', 'connection-refused'],
  ['no route to host', 'no-route-to-host'],
  ['i/o timeout', 'i/o-timeout'],
  ['network is unreachable', 'network-unreachable'],
  ['connection reset by peer', 'connection-reset'],
  ['no such host', 'no-such-host'],
];

function splitHostPort(address: string): { host: string; port: number | null } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : null };
  const colon = address.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(address.slice(colon + 1))) return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
  return { host: address, port: null };
}

function dialFailures(line: string, lineNo: number): DialFailure[] {
  const failures: DialFailure[] = [];
  let from = 0;
  for (;;) {
    const at = line.indexOf('dial tcp', from);
    if (at < 0) break;
    from = at + 8;
    const rest = line.slice(from, from + 400);
    // `dial tcp: lookup cp.lab on 127.0.0.53:53: no such host` names the host, not an address.
    const lookup = /^: lookup (\S+?) (?:on \S+: )?no such host/.exec(rest);
    if (lookup) {
      failures.push({ host: lookup[1]!, port: null, reason: 'no-such-host', line: lineNo });
      continue;
    }
    const target = /^ (\[[^\]]+\]:\d+|[^\s:]+:\d+): /.exec(rest);
    if (!target) continue;
    const tail = rest.slice(target[0].length);
    const reason = DIAL_REASONS.find(([phrase]) => tail.startsWith(phrase) || tail.startsWith(`connect: ${phrase}`));
    if (reason) failures.push({ ...splitHostPort(target[1]!), reason: reason[1], line: lineNo });
  }
  // `Get "https://192.168.10.10:6443/...": context deadline exceeded` carries no dial error but the same meaning.
  const timedOut = /(?:Get|Post|GET|POST) \\?"https?:\/\/([^/"\\]+)[^"]*\\?": (?:context deadline exceeded|net\/http: (?:request canceled|TLS handshake timeout))/.exec(line);
  if (timedOut && failures.length === 0) failures.push({ ...splitHostPort(timedOut[1]!), reason: 'timeout', line: lineNo });
  return failures;
}

function discoveryProblems(line: string, lineNo: number): DiscoveryProblem[] {
  const problems: DiscoveryProblem[] = [];
  const message = line.trim();
  const tokenId = /token (?:ID|id) \\?"([a-z0-9]{6})\\?"/.exec(line)?.[1];
  // kubeadm ≥1.9: "could not find a JWS signature in the cluster-info ConfigMap for token ID"; also
  // "does not yet contain a JWS signature" while retrying; before: "there is no JWS signed token" and
  // "token id ... is invalid for this cluster or it has expired".
  if (/JWS signature|JWS signed token|is invalid for this cluster/.test(line) || (line.includes('token') && line.includes('has expired'))) {
    problems.push({ kind: 'token-unknown', ...(tokenId !== undefined ? { tokenId } : {}), message, line: lineNo });
  }
  const keys = line.indexOf('none of the public keys');
  if (keys >= 0 && line.indexOf(' pinned', keys) > 0) {
    const seenHashes = line.match(/sha256:[0-9a-f]{64}/g) ?? [];
    problems.push({ kind: 'ca-hash-mismatch', seenHashes, message, line: lineNo });
  }
  if (/couldn't validate the identity of the API Server|unable to validate the identity of the API Server/i.test(line)) {
    problems.push({ kind: 'identity-unvalidated', message, line: lineNo });
  }
  if (/[Ff]ailed to request (?:the )?cluster-info|unable to fetch the cluster-info|failed to get cluster-info/.test(line)) {
    problems.push({ kind: 'cluster-info-unavailable', message, line: lineNo });
  }
  return problems;
}

/** Parses kubeadm init/join output; ParseError when no line looks like kubeadm's. */
export function parseKubeadmOutput(text: string, ctx: ParseContext): KubeadmOutput {
  const result: KubeadmOutput = { kubernetesVersion: null, preflight: [], phaseErrors: [], discovery: [], dialFailures: [] };
  let lastPreflight: PreflightFinding | undefined;
  let shaped = false;
  splitLines(text).forEach((line, index) => {
    const lineNo = index + 1;
    if (!shaped && KUBEADM_SHAPE.test(line)) shaped = true;
    const preflight = PREFLIGHT.exec(line);
    if (preflight) {
      lastPreflight = {
        severity: preflight[1] === 'ERROR' ? 'error' : 'warning',
        check: preflight[2]!,
        message: preflight[3]!.trim(),
        line: lineNo,
      };
      result.preflight.push(lastPreflight);
    } else if (lastPreflight && line.startsWith(', ')) {
      // The CRI check's message wraps the runtime's own output and ends on a `, error: exit status 1` line.
      lastPreflight.message += `\n${line}`;
    } else lastPreflight = undefined;
    const version = /\[init\] Using Kubernetes version: (v\S+)/.exec(line);
    if (version) result.kubernetesVersion = version[1]!;
    const phase = /error execution phase ([\w/-]+): ?(.*)$/.exec(line);
    if (phase) result.phaseErrors.push({ phase: phase[1]!, message: phase[2]!, line: lineNo });
    result.discovery.push(...discoveryProblems(line, lineNo));
    result.dialFailures.push(...dialFailures(line, lineNo));
  });
  if (!shaped && text.trim().length > 0) throw new ParseError(`${ctx.path}: not kubeadm output`);
  return result;
}
