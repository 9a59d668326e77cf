import { describe, expect, it } from 'vitest';
import { normalizeMessage } from '../../analyzer/diff/log-patterns.js';
import { diffJson } from '../../analyzer/diff/objects.js';

describe('log patterns', () => {
  it('the same message with other numbers, ids, addresses and times is one pattern', () => {
    const a = normalizeMessage('09:41:02.118170 failed to pull "nginx:1.27" from 10.0.0.5:443 for pod web-6d4cf56db6-9w4dn_demo(5e2f1c7a-3b44-4d0e-9a61-2f8c7d6b5a49) after 3.2s');
    const b = normalizeMessage('11:02:59.000001 failed to pull "nginx:1.28" from 10.0.0.7:443 for pod web-7f9d8c6b5a-x2k7q_demo(0b8e3d21-1111-4d0e-9a61-aaaaaaaaaaaa) after 12s');
    expect(a).toBe(b);
    expect(a).toContain('web-<pod>');
    expect(normalizeMessage('storageclass.storage.k8s.io "longhorn" not found')).toBe('storageclass.storage.k8s.io "longhorn" not found');
    expect(normalizeMessage('error A')).not.toBe(normalizeMessage('error B'));
  });
});

describe('object field diff', () => {
  const before = {
    metadata: { name: 'web', resourceVersion: '1', uid: 'a', labels: { app: 'web' }, annotations: { 'kubernetes.io/config.seen': 'x' } },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'side', image: 'busybox' }], ports: [80, 443] },
    status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' }], containerStatuses: [{ name: 'nginx', restartCount: 1, containerID: 'c1' }] },
    data: { lastTime: 'a' },
  };
  const after = {
    metadata: { name: 'web', resourceVersion: '2', uid: 'b', labels: { app: 'web', tier: 'front' }, annotations: { 'kubernetes.io/config.seen': 'y' } },
    spec: { containers: [{ name: 'side', image: 'busybox' }, { name: 'nginx', image: 'nginx:1.28' }], ports: [80] },
    status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: '2026-02-01T00:00:00Z' }], containerStatuses: [{ name: 'nginx', restartCount: 5, containerID: 'c2' }] },
    data: { lastTime: 'b' },
  };
  it('addresses named list elements by name, skips churn, and keeps user data keys', () => {
    expect(diffJson(before, after, false)).toEqual([
      { path: '/data/lastTime', old: 'a', new: 'b' },
      { path: '/metadata/labels/tier', new: 'front' },
      { path: '/spec/containers[name=nginx]/image', old: 'nginx:1.27', new: 'nginx:1.28' },
      { path: '/spec/ports', old: [80, 443], new: [80] },
      { path: '/status/conditions[type=Ready]/status', old: 'True', new: 'False' },
    ]);
  });
  it('with churn included, reports the bookkeeping too', () => {
    const paths = diffJson(before, after, true).map((c) => c.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/metadata/resourceVersion',
        '/metadata/uid',
        '/metadata/annotations/kubernetes.io~1config.seen',
        '/status/conditions[type=Ready]/lastTransitionTime',
        '/status/containerStatuses[name=nginx]/restartCount',
        '/status/containerStatuses[name=nginx]/containerID',
      ]),
    );
  });
});

describe('log patterns in escaped error strings', () => {
  it('numbers after an escaped tab are numbers', () => {
    expect(normalizeMessage('contained: [Filename\\t\\tSize\\t\\tUsed /swap.img file\\t\\t2097148\\t\\t0\\t\\t-2]')).toBe('contained: [Filename Size Used /swap.img file <n> <n> -<n>]');
  });
});
