import { describe, expect, it } from 'vitest';
import { parseKubeList, StringPool } from '../../analyzer/parsers/k8s-list.js';
import { ParseError } from '../../analyzer/parsers/common.js';

const ctx = { collectedAt: new Date('2024-09-14T10:00:00Z'), path: 'cluster/namespaces/shop/events.json' };

function event(i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `web-${i}.17f`, namespace: 'shop', uid: `u-${i}`, resourceVersion: String(i), creationTimestamp: '2024-09-14T09:00:00Z' },
    involvedObject: { kind: 'Pod', name: `web-${i % 2}`, namespace: 'shop', uid: 'x', fieldPath: 'spec.containers{web}' },
    reason: 'BackOff',
    message: 'Back-off restarting failed container web in pod web',
    type: 'Warning',
    count: i + 1,
    firstTimestamp: '2024-09-14T08:00:00Z',
    lastTimestamp: '2024-09-14T09:59:00Z',
    eventTime: null,
    source: { component: 'kubelet', host: 'w1' },
    series: { count: 3, lastObservedTime: '2024-09-14T09:59:00.000000Z' },
    reportingComponent: 'kubelet',
    reportingInstance: 'w1',
  };
}

describe('parseKubeList', () => {
  it('keeps of an event exactly the fields rules read, in the same shape whether or not strings are pooled', () => {
    const text = JSON.stringify({ kind: 'EventList', items: [event(0), event(1)] });
    const items = parseKubeList(text, ctx, 'events');
    expect(items.map((i) => i.obj)).toEqual([0, 1].map((i) => {
      const e = event(i);
      return {
        metadata: { namespace: 'shop', creationTimestamp: e.metadata.creationTimestamp },
        involvedObject: { kind: 'Pod', name: e.involvedObject.name, namespace: 'shop', fieldPath: 'spec.containers{web}' },
        reason: e.reason, message: e.message, type: e.type, count: e.count, firstTimestamp: e.firstTimestamp,
        lastTimestamp: e.lastTimestamp, eventTime: null, source: e.source, series: e.series, reportingComponent: 'kubelet',
      };
    }));
    expect(Object.keys(items[0]!.obj)).toEqual(['metadata', 'involvedObject', 'reason', 'message', 'type', 'count', 'firstTimestamp', 'lastTimestamp', 'eventTime', 'source', 'series', 'reportingComponent']);
    expect(items.map((i) => [i.index, i.namespace, i.name, i.path])).toEqual([[0, 'shop', '', ctx.path], [1, 'shop', '', ctx.path]]);
    const pool = new StringPool();
    const pooled = parseKubeList(text, ctx, 'events', pool);
    expect(pooled).toEqual(items);
  });

  it('returns one shared copy of equal strings across Lists read with the same pool', () => {
    const pool = new StringPool();
    const a = parseKubeList(JSON.stringify({ items: [event(0)] }), ctx, 'events', pool);
    const b = parseKubeList(JSON.stringify({ items: [event(5)] }), ctx, 'events', pool);
    expect(pool.intern('Back-off restarting failed container web in pod web')).toBe(a[0]!.obj.message);
    expect(b[0]!.obj.message).toBe(a[0]!.obj.message);
    expect(pool.intern(42)).toBe(42);
    expect(pool.copy({ z: ['x', { y: null }], a: 1 })).toEqual({ z: ['x', { y: null }], a: 1 });
    expect(Object.keys(pool.copy({ z: 1, a: 2 }) as object)).toEqual(['z', 'a']);
  });

  it('drops managed fields and the last-applied annotation of other objects, and refuses what is not JSON', () => {
    const pod = { kind: 'Pod', metadata: { name: 'p', namespace: 'n', managedFields: [{}], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', keep: 'me' } }, spec: { nodeName: 'w1' } };
    const [item] = parseKubeList(JSON.stringify({ kind: 'List', items: [pod] }), ctx, 'pods');
    expect(item!.obj).toEqual({ kind: 'Pod', metadata: { name: 'p', namespace: 'n', annotations: { keep: 'me' } }, spec: { nodeName: 'w1' } });
    expect(() => parseKubeList('{', ctx)).toThrow(ParseError);
  });
});
