// Fires per MetalLB pool whose range holds an address that is already somebody's: a node or host
// address, a host's default gateway, another pool's range, or an address that a MAC of no lab node
// answers ARP for (in a capture, a pasted tcpdump, or a host's neighbour table). The lab's own LAN
// subnet containing the pool is the normal case and is not a conflict. The foreign-MAC test runs only
// when the MACs of every node that may announce are known, so an unknown node NIC is never "foreign".
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import { bundlePath, HOST_CMD } from '../../../../bundle/layout.js';
import type { IpNeighFacts } from '../../../parsers/net-ip.js';
import {
  arpEvidence,
  arpSources,
  formatIp,
  lanEntries,
  legacyPools,
  macOwners,
  metallbPools,
  nodeMacsSeen,
  POOLS,
  rangeContains,
  rangesOverlap,
  type MetallbPool,
} from '../../../model/network.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const SHOWN = 4;

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const crd = metallbPools(model);
  const pools: MetallbPool[] = crd.length > 0 ? crd : legacyPools(model);
  if (pools.length === 0) {
    if (model.artifacts.usable(bundlePath.customResources(POOLS))) return { findings: [] };
    return { findings: [], skip: { reason: ja ? 'MetalLB の IPAddressPool が収集されていない' : 'no MetalLB pool was collected', missing: model.artifacts.explainMissing(bundlePath.customResources(POOLS)).map((m) => `${m.path}: ${m.reason}`) } };
  }
  const lan = lanEntries(model).filter((l) => l.kind === 'node-ip' || l.kind === 'host-address' || l.kind === 'gateway');
  const sources = arpSources(model);
  const owners = macOwners(model);
  const seen = nodeMacsSeen(model, sources);
  const nodeMacs = new Set([...[...owners.values()].filter((o) => o.node !== undefined).map((o) => o.mac), ...seen.keys()]);
  const nodesWithMac = new Set([...[...owners.values()].flatMap((o) => (o.node ? [o.node] : [])), ...seen.values()]);
  const macsComplete = model.nodes.length > 0 && model.nodes.every((n) => nodesWithMac.has(n.name));
  const findings: FindingDraft[] = [];

  for (const pool of pools) {
    const problems: string[] = [];
    const evidence: Evidence[] = [];
    const objects: ObjectRef[] = [pool.object];
    const inPool = (ip: string) => pool.ranges.find((r) => rangeContains(r.range, ip));

    const byIp = new Map<string, typeof lan>();
    for (const l of lan) {
      const ip = formatIp(l.range.family, l.range.first);
      if (l.range.first !== l.range.last || !inPool(ip)) continue;
      byIp.set(ip, [...(byIp.get(ip) ?? []), l]);
    }
    for (const [ip, entries] of byIp) {
      const what = entries.some((e) => e.kind === 'gateway') ? (ja ? 'ゲートウェイ' : 'the gateway') : entries.map((e) => e.node ?? e.host).filter(Boolean)[0] ?? '';
      problems.push(ja ? `${ip}（${what} のアドレス）` : `${ip} (${what}'s address)`);
      const first = entries[0]!;
      evidence.push(first.evidence);
      if (first.object && !objects.some((o) => o.name === first.object!.name && o.kind === first.object!.kind)) objects.push(first.object);
    }

    for (const other of pools) {
      if (other === pool || other.name <= pool.name) continue;
      const overlap = pool.ranges.find((a) => other.ranges.some((b) => rangesOverlap(a.range, b.range)));
      if (!overlap) continue;
      problems.push(ja ? `プール ${other.name} と範囲が重なる` : `its range overlaps pool ${other.name}`);
      objects.push(other.object);
      evidence.push(overlap.evidence, other.evidence);
    }

    if (macsComplete) {
      for (const s of sources) {
        for (const t of s.summary) {
          if (!inPool(t.ip)) continue;
          const foreign = [...t.answeredBy, ...t.announcedBy].filter((a) => !nodeMacs.has(a.mac));
          if (foreign.length === 0) continue;
          const frames = new Set(foreign.flatMap((f) => f.frames));
          problems.push(ja ? `${t.ip} に lab のノード以外の MAC ${[...new Set(foreign.map((f) => f.mac))].join(', ')} が ARP 応答` : `${t.ip} is answered in ARP by ${[...new Set(foreign.map((f) => f.mac))].join(', ')}, which is no node's MAC`);
          evidence.push(arpEvidence(model, s, s.packets.filter((p) => frames.has(p.line ?? p.frame))));
        }
      }
      for (const host of model.hosts) {
        const path = bundlePath.hostCmd(host.name, HOST_CMD.ipNeigh);
        for (const n of model.parsed<IpNeighFacts>(path)?.neighbors ?? []) {
          if (!n.lladdr || nodeMacs.has(n.lladdr) || !inPool(n.dst) || n.state.some((st) => st === 'FAILED' || st === 'INCOMPLETE')) continue;
          problems.push(ja ? `${host.name} の ARP テーブルで ${n.dst} が ${n.lladdr}（ノード以外）` : `${host.name}'s neighbour table maps ${n.dst} to ${n.lladdr}, no node's MAC`);
          evidence.push({ path, pointer: n.pointer, excerpt: [`${n.dst} dev ${n.dev ?? '?'} lladdr ${n.lladdr} ${n.state.join(',')}`] });
        }
      }
    }
    if (problems.length === 0) continue;
    const unique = [...new Set(problems)];
    findings.push({
      subject: { level: 'cluster', name: model.manifest.cluster },
      objects,
      evidence: [pool.evidence, ...evidence].slice(0, 8),
      values: {
        pool: `${pool.name} (${pool.ranges.map((r) => r.range.text).join(', ')})`,
        conflicts: unique.slice(0, SHOWN).join('; ') + (unique.length > SHOWN ? (ja ? ` ほか ${unique.length - SHOWN} 件` : ` and ${unique.length - SHOWN} more`) : ''),
      },
    });
  }
  return { findings };
}
