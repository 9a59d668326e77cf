// The wording the workload rules read out of messages and logs, per runtime and library: the name a
// DNS failure is about, the object a CreateContainerConfigError misses, the resource an eviction starved.
import { describe, expect, it } from 'vitest';
import { missingRef } from '../../analyzer/rules/workloads/create-container-config-error/check.js';
import { failedName } from '../../analyzer/rules/workloads/dns-resolution-failing/check.js';
import { evictionResource } from '../../analyzer/rules/workloads/pod-evicted/check.js';

describe('failedName', () => {
  it.each([
    ['dial tcp: lookup postgres on 10.96.0.10:53: no such host', 'postgres'],
    ['lookup postgres.databases.svc.cluster.local on 10.96.0.10:53: read udp 10.244.1.7:51234->10.96.0.10:53: i/o timeout', 'postgres.databases.svc.cluster.local'],
    ['dial tcp: lookup api.example.com: Temporary failure in name resolution', 'api.example.com'],
    ["nc: bad address 'redis'", 'redis'],
    ['Error: getaddrinfo ENOTFOUND mongo', 'mongo'],
    ['getaddrinfo EAI_AGAIN api.github.com', 'api.github.com'],
    ['psql: error: could not translate host name "db" to address: Name or service not known', 'db'],
    ['java.net.UnknownHostException: kafka.streaming: Name or service not known', 'kafka.streaming'],
    ['curl: (6) Could not resolve host; minio.storage: Name does not resolve', 'minio.storage'],
  ])('%s', (line, name) => {
    expect(failedName(line)).toBe(name);
  });
  it('finds no name in lines that are not about one', () => {
    expect(failedName('connection refused')).toBeUndefined();
  });
});

describe('missingRef', () => {
  it('reads the object and key kubelet could not find', () => {
    expect(missingRef('secret "db-creds" not found')).toEqual({ kind: 'Secret', name: 'db-creds' });
    expect(missingRef('configmap "app-config" not found')).toEqual({ kind: 'ConfigMap', name: 'app-config' });
    expect(missingRef("couldn't find key password in Secret apps/db-creds")).toEqual({ kind: 'Secret', name: 'db-creds', key: 'password' });
    expect(missingRef('container has runAsNonRoot and image will run as root')).toBeUndefined();
  });
});

describe('evictionResource', () => {
  it('reads the starved resource of kubelet eviction messages', () => {
    expect(evictionResource('The node was low on resource: ephemeral-storage. Threshold quantity: 2Gi, available: 1Gi. ')).toBe('ephemeral-storage');
    expect(evictionResource('The node was low on resource: memory. ')).toBe('memory');
    expect(evictionResource('Pod ephemeral local storage usage exceeds the total limit of containers 1Gi. ')).toBe('ephemeral-storage');
    expect(evictionResource('something else')).toBe('unknown');
  });
});
