import { describe, expect, it } from 'vitest';
import { parseKubeadmOutput } from '../../analyzer/parsers/log-kubeadm.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

// kubeadm 1.31 init on a node that was not prepared.
const INIT_PREFLIGHT = String.raw`[init] Using Kubernetes version: v1.31.3
[preflight] Running pre-flight checks
	[WARNING Swap]: swap is supported for cgroup v2 only. The kubelet must be properly configured to use swap. Please refer to https://kubernetes.io/docs/concepts/architecture/nodes/#swap-memory, or disable swap on the node
	[WARNING Service-Kubelet]: kubelet service is not enabled, please run 'systemctl enable kubelet.service'
error execution phase preflight: [preflight] Some fatal errors occurred:
	[ERROR CRI]: container runtime is not running: output: time="2026-11-27T10:00:00+09:00" level=fatal msg="validate service connection: validate CRI v1 runtime API for endpoint \"unix:///var/run/containerd/containerd.sock\": rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService"
, error: exit status 1
	[ERROR FileContent--proc-sys-net-bridge-bridge-nf-call-iptables]: /proc/sys/net/bridge/bridge-nf-call-iptables does not exist
	[ERROR FileContent--proc-sys-net-ipv4-ip_forward]: /proc/sys/net/ipv4/ip_forward contents are not set to 1
	[ERROR Port-6443]: Port 6443 is in use
[preflight] If you know what you are doing, you can make a check non-fatal with ` + '`--ignore-preflight-errors=...`' + String.raw`
To see the stack trace of this error execute with --v=5 or higher
`;

// kubeadm 1.20 (older wording: swap is an error).
const OLD_SWAP = `[preflight] Running pre-flight checks
error execution phase preflight: [preflight] Some fatal errors occurred:
	[ERROR Swap]: running with swap on is not supported. Please disable swap
	[ERROR FileContent--proc-sys-net-bridge-bridge-nf-call-iptables]: /proc/sys/net/bridge/bridge-nf-call-iptables contents are not set to 1
`;

const JOIN_EXPIRED = String.raw`[preflight] Running pre-flight checks
error execution phase preflight: couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "abcdef"
To see the stack trace of this error execute with --v=5 or higher
`;

const JOIN_HASH = String.raw`[preflight] Running pre-flight checks
error execution phase preflight: couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "sha256:aa9fd1d1d6ccbd1d5b2e7dc2f4b0c8a16ea8d5e1f5f3a7e9c1b2d3e4f5a6b7c8" are pinned
`;

const JOIN_UNREACHABLE = String.raw`[preflight] Running pre-flight checks
[discovery] Failed to request cluster-info, will try again: Get "https://192.168.10.10:6443/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s": dial tcp 192.168.10.10:6443: connect: no route to host
[discovery] Failed to request cluster-info, will try again: Get "https://192.168.10.10:6443/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s": dial tcp 192.168.10.10:6443: i/o timeout
[discovery] Failed to request cluster-info, will try again: Get "https://k8s.lab.example:6443/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s": dial tcp: lookup k8s.lab.example on 127.0.0.53:53: no such host
[discovery] Failed to request cluster-info, will try again: Get "https://[fd00::10]:6443/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s": dial tcp [fd00::10]:6443: connect: connection refused
[discovery] Failed to request cluster-info, will try again: Get "https://192.168.10.10:6443/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s": net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)
`;

// kubeadm 1.11-era discovery wording.
const OLD_TOKEN = String.raw`[discovery] Failed to connect to API Server "192.168.10.10:6443": token id "abcdef" is invalid for this cluster or it has expired. Use "kubeadm token create" on the master node to creating a new valid token
`;

describe('parseKubeadmOutput', () => {
  it('reads preflight errors and warnings with check names, lines and wrapped messages', () => {
    const output = parseKubeadmOutput(INIT_PREFLIGHT, ctx);
    expect(output.kubernetesVersion).toBe('v1.31.3');
    expect(output.preflight.map((entry) => [entry.severity, entry.check, entry.line])).toEqual([
      ['warning', 'Swap', 3],
      ['warning', 'Service-Kubelet', 4],
      ['error', 'CRI', 6],
      ['error', 'FileContent--proc-sys-net-bridge-bridge-nf-call-iptables', 8],
      ['error', 'FileContent--proc-sys-net-ipv4-ip_forward', 9],
      ['error', 'Port-6443', 10],
    ]);
    expect(output.preflight[2]!.message).toContain('unknown service runtime.v1.RuntimeService');
    expect(output.preflight[2]!.message).toMatch(/exit status 1$/);
    expect(output.preflight[5]!.message).toBe('Port 6443 is in use');
    expect(output.phaseErrors).toEqual([{ phase: 'preflight', message: '[preflight] Some fatal errors occurred:', line: 5 }]);
  });

  it('reads the older wording where swap is an error', () => {
    expect(parseKubeadmOutput(OLD_SWAP, ctx).preflight[0]).toEqual({ severity: 'error', check: 'Swap', message: 'running with swap on is not supported. Please disable swap', line: 3 });
  });

  it('recognizes an expired or unknown join token, old and new wording', () => {
    const output = parseKubeadmOutput(JOIN_EXPIRED, ctx);
    expect(output.discovery.map((problem) => [problem.kind, problem.tokenId, problem.line])).toEqual([
      ['token-unknown', 'abcdef', 2],
      ['identity-unvalidated', undefined, 2],
    ]);
    expect(output.phaseErrors[0]!.phase).toBe('preflight');
    expect(parseKubeadmOutput(OLD_TOKEN, ctx).discovery[0]).toMatchObject({ kind: 'token-unknown', tokenId: 'abcdef' });
  });

  it('recognizes an unpinned CA and keeps the hash kubeadm saw', () => {
    const [mismatch] = parseKubeadmOutput(JOIN_HASH, ctx).discovery;
    expect(mismatch).toMatchObject({ kind: 'ca-hash-mismatch', seenHashes: ['sha256:aa9fd1d1d6ccbd1d5b2e7dc2f4b0c8a16ea8d5e1f5f3a7e9c1b2d3e4f5a6b7c8'], line: 2 });
  });

  it('reads unreachable API endpoints by reason', () => {
    const output = parseKubeadmOutput(JOIN_UNREACHABLE, ctx);
    expect(output.dialFailures).toEqual([
      { host: '192.168.10.10', port: 6443, reason: 'no-route-to-host', line: 2 },
      { host: '192.168.10.10', port: 6443, reason: 'i/o-timeout', line: 3 },
      { host: 'k8s.lab.example', port: null, reason: 'no-such-host', line: 4 },
      { host: 'fd00::10', port: 6443, reason: 'connection-refused', line: 5 },
      { host: '192.168.10.10', port: 6443, reason: 'timeout', line: 6 },
    ]);
    expect(output.discovery.every((problem) => problem.kind === 'cluster-info-unavailable')).toBe(true);
  });

  it('rejects text that is not kubeadm output', () => {
    expect(() => parseKubeadmOutput('hello world\n', ctx)).toThrow(ParseError);
    expect(parseKubeadmOutput('', ctx).preflight).toEqual([]);
  });

  it('never crashes except with ParseError, in linear time', () => {
    checkRobust((text) => parseKubeadmOutput(text, ctx), [INIT_PREFLIGHT, OLD_SWAP, JOIN_EXPIRED, JOIN_HASH, JOIN_UNREACHABLE, OLD_TOKEN]);
    checkNoBlowup((text) => parseKubeadmOutput(text, ctx), [
      `[preflight] ${'dial tcp '.repeat(30_000)}`,
      `[preflight] ${'none of the public keys '.repeat(10_000)}`,
      `[preflight] ${'Get "https://a'.repeat(20_000)}`,
      `[preflight] ${'[ERROR x'.repeat(20_000)}`,
      `[preflight] ${'error execution phase a'.repeat(20_000)}`,
    ]);
  });
});
