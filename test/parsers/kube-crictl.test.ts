import { describe, expect, it } from 'vitest';
import { humanDurationSeconds, parseCrictl } from '../../analyzer/parsers/kube-crictl.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

const PS = `CONTAINER           IMAGE               CREATED              STATE               NAME                      ATTEMPT             POD ID              POD
4f2a9c1b7e3d5       a0eed15eed449       About a minute ago   Exited              kube-apiserver            12                  8f9e7d6c5b4a3       kube-apiserver-cp1
9b8c7d6e5f4a3       2e96e5913fc06       3 hours ago          Running             etcd                      0                   1a2b3c4d5e6f7       etcd-cp1
`;

// crictl 1.30 adds NAMESPACE; old crictl said "CONTAINER ID" and had no POD column.
const PS_NEW = `CONTAINER           IMAGE               CREATED             STATE               NAME                ATTEMPT             POD ID              POD                  NAMESPACE
4f2a9c1b7e3d5       a0eed15eed449       2 days ago          Running             coredns             3                   8f9e7d6c5b4a3       coredns-7c65d6cfc9   kube-system
`;
const PS_OLD = `CONTAINER ID        IMAGE                                   CREATED                  STATE               NAME                ATTEMPT             POD ID
4f2a9c1b7e3d5       k8s.gcr.io/kube-apiserver@sha256:0123   Less than a second ago   Created             kube-apiserver      0                   8f9e7d6c5b4a3
`;

const PODS = `POD ID              CREATED             STATE               NAME                         NAMESPACE           ATTEMPT             RUNTIME
8f9e7d6c5b4a3       3 hours ago         Ready               kube-apiserver-cp1           kube-system         2                   (default)
1a2b3c4d5e6f7       45 minutes ago      NotReady            coredns-7c65d6cfc9-abcde     kube-system         0                   (default)
`;

const SOCKET_MISSING = String.raw`WARN[0000] runtime connect using default endpoints: [unix:///var/run/dockershim.sock unix:///run/containerd/containerd.sock unix:///run/crio/crio.sock unix:///var/run/cri-dockerd.sock]. As the default settings are now deprecated, you should set the endpoint instead.
E1127 10:00:00.000000   51234 remote_runtime.go:390] "ListContainers with filter from runtime service failed" err="rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing dial unix /run/containerd/containerd.sock: connect: no such file or directory\"" filter="&ContainerFilter{Id:,State:nil,PodSandboxId:,LabelSelector:map[string]string{},}"
FATA[0000] listing containers: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing dial unix /run/containerd/containerd.sock: connect: no such file or directory"
`;
const CRI_DISABLED = String.raw`time="2026-11-27T01:00:00Z" level=fatal msg="validate service connection: validate CRI v1 runtime API for endpoint \"unix:///run/containerd/containerd.sock\": rpc error: code = Unimplemented desc = unknown service runtime.v1.RuntimeService"
`;

describe('parseCrictl', () => {
  it('reads crictl ps -a with human ages and attempts', () => {
    const output = parseCrictl(PS, ctx);
    expect(output.kind).toBe('containers');
    expect(output.containers[0]).toEqual({
      id: '4f2a9c1b7e3d5', image: 'a0eed15eed449', created: 'About a minute ago', ageSeconds: 60, state: 'Exited',
      name: 'kube-apiserver', attempt: 12, podId: '8f9e7d6c5b4a3', podName: 'kube-apiserver-cp1', namespace: null, line: 2,
    });
    expect(output.containers[1]).toMatchObject({ ageSeconds: 10800, state: 'Running', attempt: 0 });
  });

  it('reads newer and older column sets', () => {
    expect(parseCrictl(PS_NEW, ctx).containers[0]).toMatchObject({ namespace: 'kube-system', podName: 'coredns-7c65d6cfc9', ageSeconds: 172800 });
    expect(parseCrictl(PS_OLD, ctx).containers[0]).toMatchObject({ id: '4f2a9c1b7e3d5', podName: null, state: 'Created', ageSeconds: 0 });
  });

  it('reads crictl pods', () => {
    const output = parseCrictl(PODS, ctx);
    expect(output.kind).toBe('pods');
    expect(output.pods[1]).toEqual({ id: '1a2b3c4d5e6f7', created: '45 minutes ago', ageSeconds: 2700, state: 'NotReady', name: 'coredns-7c65d6cfc9-abcde', namespace: 'kube-system', attempt: 0, runtime: '(default)', line: 3 });
  });

  it('classifies runtime failures (socket missing, CRI disabled)', () => {
    expect(parseCrictl(SOCKET_MISSING, ctx)).toMatchObject({ kind: 'failure', failure: { reason: 'socket-missing', endpoint: 'unix:///run/containerd/containerd.sock', line: 2 } });
    expect(parseCrictl(CRI_DISABLED, ctx)).toMatchObject({ kind: 'failure', failure: { reason: 'cri-not-implemented', endpoint: 'unix:///run/containerd/containerd.sock' } });
    expect(parseCrictl('FATA[0002] connect: connect endpoint \'unix:///run/containerd/containerd.sock\', make sure you are running as root and the runtime has been started: context deadline exceeded\n', ctx).failure?.reason).toBe('timeout');
  });

  it('treats a lone header as an empty list and rejects unrelated text', () => {
    expect(parseCrictl(`${PODS.split('\n')[0]}\n`, ctx)).toMatchObject({ kind: 'pods', pods: [] });
    expect(() => parseCrictl('NAME READY STATUS\n', ctx)).toThrow(ParseError);
  });

  it('reads go-units human durations', () => {
    expect(humanDurationSeconds('About an hour ago')).toBe(3600);
    expect(humanDurationSeconds('5 weeks ago')).toBe(3024000);
    expect(humanDurationSeconds('yesterday')).toBeNull();
  });

  it('never crashes except with ParseError, in linear time', () => {
    checkRobust((text) => parseCrictl(text, ctx), [PS, PS_NEW, PS_OLD, PODS, SOCKET_MISSING, CRI_DISABLED]);
    checkNoBlowup((text) => parseCrictl(text, ctx), [`rpc error ${'unix://'.repeat(30_000)}`, `FATA ${'dial unix '.repeat(30_000)}`]);
  });
});
