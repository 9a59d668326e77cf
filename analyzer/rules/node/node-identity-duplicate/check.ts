// Fires once per group of hosts that share an identity a cloned VM template carries over: hostname,
// /etc/machine-id, DMI product_uuid, or the MAC of a physical-looking NIC (no link kind: not a bridge,
// veth, vxlan or tunnel, which are per host by construction). Nodes the collector did not reach still
// count through the machineID/systemUUID the kubelet reports. Firmware placeholder UUIDs that unrelated
// machines share prove nothing and are ignored. Only the product_uuid alone is a warning: kubeadm asks
// for it unique, but the lab works; the others break DHCP, node names or L2.
import { bundlePath, HOST_CMD, HOST_FILE } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { missingInputs } from '../../../model/node.js';
import { parseProductUuid, type HostnameFacts, type MachineIdFacts, type ProductUuidFacts } from '../../../parsers/host-identity.js';
import type { IpLinkFacts } from '../../../parsers/net-ip.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

type Attribute = 'hostname' | 'machine-id' | 'product_uuid' | 'MAC';

interface Sighting {
  owner: string;
  object: ObjectRef;
  evidence: Evidence;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const seen = new Map<string, Sighting[]>();
  let inputs = 0;
  const add = (attribute: Attribute, value: string, s: Sighting) => {
    const key = `${attribute}\u0000${value}`;
    const list = seen.get(key) ?? [];
    if (!list.some((x) => x.owner === s.owner)) list.push(s);
    seen.set(key, list);
  };
  for (const host of model.hosts) {
    const owner = model.displayName(host);
    const object: ObjectRef = host.isNode ? { kind: 'Node', name: owner } : { kind: 'Host', name: host.name };
    const read = <T>(path: string): T | undefined => {
      const facts = model.artifacts.usable(path) ? model.parsed<T>(path) : undefined;
      if (facts !== undefined) inputs++;
      return facts;
    };
    const hn = bundlePath.hostCmd(host.name, HOST_CMD.hostname);
    const hostname = read<HostnameFacts>(hn);
    if (hostname?.hostname && hostname.line) add('hostname', hostname.hostname.toLowerCase(), { owner, object, evidence: { path: hn, line: hostname.line, excerpt: [hostname.hostname] } });
    const mp = bundlePath.hostFile(host.name, HOST_FILE.machineId);
    const mid = read<MachineIdFacts>(mp);
    if (mid?.machineId && mid.line) add('machine-id', mid.machineId, { owner, object, evidence: { path: mp, line: mid.line, excerpt: [mid.machineId] } });
    const up = bundlePath.hostFile(host.name, HOST_FILE.productUuid);
    const uuid = read<ProductUuidFacts>(up);
    if (uuid?.uuid && !uuid.placeholder && uuid.line) add('product_uuid', uuid.uuid, { owner, object, evidence: { path: up, line: uuid.line, excerpt: [uuid.uuid] } });
    const lp = bundlePath.hostCmd(host.name, HOST_CMD.ipLink);
    for (const link of read<IpLinkFacts>(lp)?.links ?? []) {
      if (link.kind !== undefined || link.linkType !== 'ether' || !link.address || link.address === '00:00:00:00:00:00') continue;
      add('MAC', link.address, { owner, object, evidence: { path: lp, pointer: link.pointer, excerpt: [`${link.ifname} link/ether ${link.address}`] } });
    }
  }
  for (const node of model.nodes) {
    inputs++;
    if (node.host && model.artifacts.usable(bundlePath.hostFile(node.host.name, HOST_FILE.machineId))) continue;
    const info = node.item.obj.status?.nodeInfo ?? {};
    const object: ObjectRef = { kind: 'Node', name: node.name };
    const machineID = info['machineID']?.toLowerCase();
    if (machineID && /^[0-9a-f]{32}$/.test(machineID)) add('machine-id', machineID, { owner: node.name, object, evidence: { path: node.item.path, pointer: `/items/${node.item.index}/status/nodeInfo/machineID`, excerpt: [machineID] } });
    const systemUUID = info['systemUUID'];
    const parsed = systemUUID ? parseProductUuid(systemUUID) : undefined;
    if (parsed?.uuid && !parsed.placeholder) add('product_uuid', parsed.uuid, { owner: node.name, object, evidence: { path: node.item.path, pointer: `/items/${node.item.index}/status/nodeInfo/systemUUID`, excerpt: [parsed.uuid] } });
  }
  if (inputs === 0) {
    return {
      findings: [],
      skip: { reason: ja ? 'どのホストの hostname・machine-id・product_uuid・リンク一覧もなく、ノード一覧もない' : 'no hostname, machine-id, product_uuid or link list of any host, and no node list', missing: missingInputs(model, [`hosts/*/cmd/${HOST_CMD.hostname}`, `hosts/*/files${HOST_FILE.machineId}`, `hosts/*/cmd/${HOST_CMD.ipLink}`, 'cluster/nodes.json']) },
    };
  }
  const groups = new Map<string, { owners: string[]; objects: ObjectRef[]; shared: string[]; attributes: Set<Attribute>; evidence: Evidence[] }>();
  for (const [key, sightings] of seen) {
    if (sightings.length < 2) continue;
    const [attribute, value] = key.split('\u0000') as [Attribute, string];
    const owners = sightings.map((s) => s.owner).sort();
    const id = owners.join('\u0000');
    const g = groups.get(id) ?? { owners, objects: sightings.map((s) => s.object), shared: [], attributes: new Set<Attribute>(), evidence: [] };
    g.shared.push(`${attribute} ${value}`);
    g.attributes.add(attribute);
    g.evidence.push(...sightings.map((s) => s.evidence));
    groups.set(id, g);
  }
  const findings: FindingDraft[] = [...groups.values()].map((g) => ({
    subject: { level: 'cluster', name: g.owners.join(ja ? ' と ' : ' and ') },
    objects: g.objects,
    evidence: g.evidence,
    values: { hosts: g.owners.join(ja ? ' と ' : ' and '), shared: g.shared.join(', ') },
    ...(g.attributes.size === 1 && g.attributes.has('product_uuid') ? { severity: 'warning' as const } : {}),
  }));
  return { findings };
}
