// Collections every area uses: hosts, nodes, pods, swap.
import { bundlePath, HOST_CMD, HOST_FILE } from '../../../bundle/layout.js';
import { podReady } from '../../model/model.js';
import type { SwapFacts } from '../../parsers/host-swap.js';
import { registerCollection } from '../collection-registry.js';
import { jsonExcerpt } from '../evidence.js';

registerCollection('host', {
  description: 'Every host of the inventory: name, roles, isNode, reached.',
  inputs: [bundlePath.manifest()],
  records: (model) =>
    model.hosts.map((h) => ({
      subject: { level: 'host', name: h.name },
      fields: { name: h.name, roles: h.roles, isNode: h.isNode, reached: h.reached, address: h.address },
      evidence: { path: bundlePath.manifest(), pointer: `/hosts/${model.manifest.hosts.indexOf(h.record)}`, excerpt: jsonExcerpt(h.record) },
    })),
});

registerCollection('node', {
  description: 'Kubernetes nodes: name, ready (True/False/Unknown), reason, message of the Ready condition.',
  inputs: [bundlePath.clusterList('nodes')],
  records: (model) =>
    model.nodes.map((n) => {
      const ci = n.conditions.indexOf(n.readyCondition ?? {});
      return {
        subject: { level: 'node', name: n.name },
        objects: [{ kind: 'Node', name: n.name }],
        fields: { name: n.name, ready: n.ready ?? 'Unknown', reason: n.readyCondition?.reason, message: n.readyCondition?.message },
        evidence: {
          path: n.item.path,
          pointer: `/items/${n.item.index}${ci >= 0 ? `/status/conditions/${ci}` : ''}`,
          excerpt: jsonExcerpt(n.readyCondition ?? { conditions: 'none reported' }),
        },
      };
    }),
});

registerCollection('pod', {
  description: 'Pods: namespace, name, node, phase, ready, restarts, waiting reason of any container.',
  inputs: ['cluster/namespaces/*/pods.json'],
  records: (model) =>
    model.pods().map((p) => {
      const statuses = [...(p.obj.status?.initContainerStatuses ?? []), ...(p.obj.status?.containerStatuses ?? [])];
      return {
        subject: { level: 'namespace', name: p.namespace ?? '' },
        objects: [{ kind: 'Pod', namespace: p.namespace ?? '', name: p.name }],
        fields: {
          namespace: p.namespace,
          name: p.name,
          node: p.obj.spec?.nodeName,
          phase: p.obj.status?.phase,
          ready: podReady(p.obj),
          restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
          waitingReason: statuses.map((s) => s.state?.waiting?.reason).find((r) => r !== undefined),
        },
        evidence: { path: p.path, pointer: `/items/${p.index}/status`, excerpt: jsonExcerpt({ phase: p.obj.status?.phase, containerStatuses: statuses.map((s) => ({ name: s.name, ready: s.ready, restartCount: s.restartCount, state: s.state })) }) },
      };
    }),
});

registerCollection('host.swap', {
  description: 'Active swap areas per host (swapon and /proc/swaps): host, isNode, name, type, sizeBytes, usedBytes.',
  inputs: [`hosts/*/cmd/${HOST_CMD.swapon}`, 'hosts/*/files/proc/swaps'],
  records: (model, excerpt) =>
    model.hosts.flatMap((h) =>
      [bundlePath.hostCmd(h.name, HOST_CMD.swapon), bundlePath.hostFile(h.name, HOST_FILE.procSwaps)].flatMap((path) =>
        (model.parsed<SwapFacts>(path)?.entries ?? []).map((e) => ({
          subject: { level: 'host' as const, name: h.name },
          fields: { host: h.name, isNode: h.isNode, name: e.name, type: e.type, sizeBytes: e.sizeBytes, usedBytes: e.usedBytes },
          evidence: { path, line: e.line, excerpt: excerpt(path, e.line) },
        })),
      ),
    ),
});
