// The workload facts rules lean on: Kubernetes quantities, the scheduler's message, kernel OOM lines,
// taint toleration and pod requests, in the shapes real clusters print them.
import { describe, expect, it } from 'vitest';
import { formatAge, formatBytes, formatCpu, journalLineTime, parseKernelOom, parseQuantity, parseSchedulingMessage, podRequests, tolerates } from '../../analyzer/model/workloads.js';

describe('parseQuantity', () => {
  it('reads binary, decimal, milli and exponent forms', () => {
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('30770604Ki')).toBe(30770604 * 1024);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('95087093603')).toBe(95087093603);
    expect(parseQuantity('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(parseQuantity('2e3')).toBe(2000);
    expect(parseQuantity(3)).toBe(3);
  });
  it('refuses what is not a quantity', () => {
    for (const bad of ['', 'abc', '10 apples', '1Xi', undefined]) expect(parseQuantity(bad)).toBeUndefined();
  });
  it('prints bytes, cores and ages the way a reader compares them', () => {
    expect(formatBytes(512 * 2 ** 20)).toBe('512Mi');
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.5Gi');
    expect(formatBytes(0)).toBe('0B');
    expect(formatCpu(0.25)).toBe('250m');
    expect(formatCpu(2)).toBe('2');
    expect(formatAge(40_000)).toBe('40s');
    expect(formatAge(30 * 60_000)).toBe('30m');
    expect(formatAge(3 * 3_600_000)).toBe('3h');
    expect(formatAge(3 * 86_400_000)).toBe('3d');
  });
});

describe('parseSchedulingMessage', () => {
  it('cuts a modern message into its clauses, preemption left out', () => {
    const m = parseSchedulingMessage(
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
    expect(m.available).toBe(0);
    expect(m.total).toBe(3);
    expect(m.reasons.map((r) => [r.nodes, r.kind])).toEqual([
      [1, 'taint'],
      [2, 'memory'],
    ]);
  });
  it('keeps the old taint wording in one clause and reads the claim and affinity kinds', () => {
    expect(parseSchedulingMessage("0/1 nodes are available: 1 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate.").reasons).toEqual([
      { nodes: 1, kind: 'taint', text: "node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't tolerate" },
    ]);
    expect(parseSchedulingMessage('0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: x').reasons[0]!.kind).toBe('volume');
    expect(parseSchedulingMessage('running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded').reasons[0]!.kind).toBe('volume');
    expect(parseSchedulingMessage("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.").reasons[0]!.kind).toBe('affinity');
    expect(parseSchedulingMessage('0/1 nodes are available: 1 Insufficient nvidia.com/gpu.').reasons[0]!.kind).toBe('resource');
  });
});

describe('parseKernelOom', () => {
  it('tells a cgroup limit from a node-wide OOM and finds the pod UID in the cgroup path', () => {
    const memcg = parseKernelOom(
      '2026-11-27T09:41:02.123500+00:00 w1 kernel: oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-4c1e.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod3f1e2d4c_5b6a_4c7d_8e9f_0a1b2c3d4e5f.slice,task_memcg=/x,task=java,pid=23817,uid=1000',
    );
    expect(memcg).toEqual({ constraint: 'CONSTRAINT_MEMCG', podUid: '3f1e2d4c-5b6a-4c7d-8e9f-0a1b2c3d4e5f', task: 'java', pid: '23817', scope: 'limit' });
    // cgroup v1 paths keep the dashes.
    expect(parseKernelOom('oom-kill:constraint=CONSTRAINT_NONE,global_oom,task_memcg=/kubepods/besteffort/pod7c6d5e4f-3a2b-4c1d-9e8f-7a6b5c4d3e2f/abc,task=node,pid=4411')?.podUid).toBe('7c6d5e4f-3a2b-4c1d-9e8f-7a6b5c4d3e2f');
    expect(parseKernelOom('w1 kernel: Out of memory: Killed process 4411 (node) total-vm:11893248kB')).toEqual({ task: 'node', pid: '4411', scope: 'node' });
    expect(parseKernelOom('w1 kernel: Memory cgroup out of memory: Killed process 23817 (java)')?.scope).toBe('limit');
    expect(parseKernelOom('w1 kernel: hrtimer: interrupt took 21707 ns')).toBeUndefined();
  });
  it('reads the journal time of a line', () => {
    expect(journalLineTime('2026-11-27T09:41:02.123456+00:00 w1 kernel: x')).toBe(Date.parse('2026-11-27T09:41:02.123456Z'));
    expect(journalLineTime('2026-11-27T10:41:02+0100 w1 kernel: x')).toBe(Date.parse('2026-11-27T09:41:02Z'));
    expect(journalLineTime('no time')).toBeUndefined();
  });
});

describe('tolerates and podRequests', () => {
  it('matches tolerations as the scheduler does', () => {
    const cp = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };
    expect(tolerates(undefined, cp)).toBe(false);
    expect(tolerates([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }], cp)).toBe(true);
    expect(tolerates([{ operator: 'Exists' }], cp)).toBe(true);
    expect(tolerates([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }], cp)).toBe(false);
    expect(tolerates([{ key: 'dedicated', operator: 'Equal', value: 'gpu' }], { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' })).toBe(true);
    expect(tolerates([{ key: 'dedicated', value: 'db' }], { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' })).toBe(false);
  });
  it('sums containers, takes the biggest init container when larger, and falls back to limits', () => {
    const pod = {
      spec: {
        initContainers: [{ name: 'i', resources: { requests: { memory: '1Gi' } } }],
        containers: [
          { name: 'a', resources: { requests: { cpu: '250m', memory: '256Mi' } } },
          { name: 'b', resources: { limits: { cpu: '1', memory: '512Mi' } } },
        ],
      },
    };
    expect(podRequests(pod)).toEqual({ cpu: 1.25, memory: 2 ** 30 });
  });
});
