import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDescribeNodes } from '../../analyzer/parsers/kube-describe-node.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

const TEXT = readFileSync(new URL('./data-kube/describe-nodes.txt', import.meta.url), 'utf8');
const lineOf = (needle: string) => TEXT.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('parseDescribeNodes', () => {
  const [cp1, worker1] = parseDescribeNodes(TEXT, ctx);

  it('reads every node of `kubectl describe nodes`', () => {
    expect(cp1?.name).toBe('cp1');
    expect(cp1?.line).toBe(1);
    expect(worker1?.name).toBe('worker1');
    expect(worker1?.line).toBe(lineOf('Name:               worker1'));
  });

  it('reads roles, labels, annotations and taints', () => {
    expect(cp1!.roles).toEqual(['control-plane']);
    expect(worker1!.roles).toEqual([]);
    expect(cp1!.labels['node-role.kubernetes.io/control-plane']).toBe('');
    expect(cp1!.labels['kubernetes.io/hostname']).toBe('cp1');
    expect(Object.keys(cp1!.labels)).toHaveLength(7);
    expect(cp1!.annotations['kubeadm.alpha.kubernetes.io/cri-socket']).toBe('unix:///var/run/containerd/containerd.sock');
    expect(cp1!.taints).toEqual([
      { key: 'node-role.kubernetes.io/control-plane', value: null, effect: 'NoSchedule', line: 14 },
      { key: 'node.kubernetes.io/not-ready', value: null, effect: 'NoSchedule', line: 15 },
    ]);
    expect(cp1!.unschedulable).toBe(false);
    expect(worker1!.unschedulable).toBe(true);
  });

  it('reads the conditions table, with the CNI message whole and the line of each row', () => {
    const ready = cp1!.conditions.find((condition) => condition.type === 'Ready');
    expect(ready).toEqual({
      type: 'Ready', status: 'False', lastHeartbeat: '2026-11-27T01:27:44.000Z', lastTransition: '2026-11-27T00:00:00.000Z',
      reason: 'KubeletNotReady',
      message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
      line: lineOf('  Ready            False'),
    });
    expect(cp1!.conditions.map((condition) => condition.type)).toEqual(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);
    expect(worker1!.conditions[1]).toMatchObject({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
  });

  it('reads addresses, capacity, allocatable and system info', () => {
    expect(cp1!.addresses).toEqual([
      { type: 'InternalIP', address: '192.168.10.11', line: lineOf('192.168.10.11') },
      { type: 'Hostname', address: 'cp1', line: lineOf('  Hostname:    cp1') },
    ]);
    expect(cp1!.capacity['memory']).toBe('8137244Ki');
    expect(cp1!.allocatable['ephemeral-storage']).toBe('29317393565');
    expect(cp1!.systemInfo).toMatchObject({ kubeletVersion: 'v1.31.3', containerRuntimeVersion: 'containerd://1.7.22', kubeProxyVersion: 'v1.31.3', machineId: '3f1e2d4c5b6a79808f7e6d5c4b3a2910', osImage: 'Ubuntu 24.04.1 LTS' });
    expect(worker1!.systemInfo.containerRuntimeVersion).toBe('docker://19.3.8');
  });

  it('reads PodCIDR(s), the pods table and events', () => {
    expect(cp1!.podCIDR).toBe('10.244.0.0/24');
    expect(worker1!.podCIDRs).toEqual(['10.244.1.0/24', 'fd00:10:244:1::/64']);
    expect(cp1!.pods).toHaveLength(5);
    expect(cp1!.pods[0]).toEqual({ namespace: 'kube-system', name: 'etcd-cp1', cpuRequests: '100m (2%)', cpuLimits: '0 (0%)', memoryRequests: '100Mi (1%)', memoryLimits: '0 (0%)', age: '89m', line: lineOf('etcd-cp1 ') });
    expect(worker1!.pods).toEqual([]);
    expect(cp1!.events[0]).toMatchObject({ type: 'Normal', reason: 'Starting', from: 'kube-proxy', message: '' });
    expect(cp1!.events[2]).toMatchObject({ reason: 'NodeHasSufficientMemory', age: '89m (x8 over 89m)', from: 'kubelet', message: 'Node cp1 status is now: NodeHasSufficientMemory' });
    expect(worker1!.events).toEqual([]);
  });

  it('rejects text that is not describe output', () => {
    expect(() => parseDescribeNodes('NAME   STATUS   ROLES\ncp1    Ready    control-plane\n', ctx)).toThrow(ParseError);
  });

  it('never crashes except with ParseError, in linear time', () => {
    checkRobust((text) => parseDescribeNodes(text, ctx), [TEXT], 150);
    checkNoBlowup((text) => parseDescribeNodes(text, ctx), [
      `Name: x\nConditions:\n  Type  Status\n${'  a   b\n'.repeat(50_000)}`,
      `Name: x\nLabels: ${'a'.repeat(100_000)}\n`,
      `${'Name: ' + ' '.repeat(100_000)}:\n`,
    ]);
  });
});
