// Fires when LoadBalancer Services depend on MetalLB configuration that is not there: Services stay
// <pending> with no IPAddressPool (or only the legacy `config` ConfigMap, which MetalLB 0.13+ ignores),
// a Service asks for an address or pool no pool provides, or addresses were handed out from pools that
// no L2Advertisement/BGPAdvertisement announces. Services of another loadBalancerClass are not MetalLB's.
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { itemEvidence } from '../../../engine/evidence.js';
import type { Model } from '../../../model/model.js';
import { advertisements, advertises, BGPADS, L2ADS, legacyPools, loadBalancerServices, metallbInstalled, metallbPools, POOLS, rangeContains, type LoadBalancerService } from '../../../model/network.js';
import { bundlePath } from '../../../../bundle/layout.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

function svcEvidence(s: LoadBalancerService): Evidence {
  return itemEvidence(s.item, '', { type: 'LoadBalancer', ...(s.requested.length ? { requested: s.requested } : {}), ...(s.pool ? { pool: s.pool } : {}), status: s.item.obj.status ?? {} });
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  if (!model.hasKube('services')) {
    return { findings: [], skip: { reason: ja ? 'Service が収集されていない' : 'services were not collected', missing: model.artifacts.explainMissing('cluster/namespaces/*/services.json').map((m) => `${m.path}: ${m.reason}`) } };
  }
  const lbs = loadBalancerServices(model).filter((s) => !s.otherClass);
  if (lbs.length === 0) return { findings: [] };
  const pools = metallbPools(model);
  const legacy = legacyPools(model);
  const poolsCollected = model.artifacts.usable(bundlePath.customResources(POOLS));
  const pending = lbs.filter((s) => s.pending);
  const cluster = { level: 'cluster' as const, name: model.manifest.cluster };
  const findings: FindingDraft[] = [];

  if (pools.length === 0) {
    if (pending.length === 0) return { findings: [] };
    // MetalLB ≤ 0.12 had no CRDs and read the ConfigMap; with CRDs present the ConfigMap is ignored.
    const legacyOnly = legacy.length > 0;
    if (legacyOnly && !poolsCollected) return { findings: [] };
    const reason = legacyOnly
      ? ja
        ? 'IPAddressPool がなく、旧形式の ConfigMap metallb-system/config だけがある（MetalLB 0.13 以降は読まない）'
        : 'there is no IPAddressPool, only the legacy ConfigMap metallb-system/config (ignored since MetalLB 0.13)'
      : !metallbInstalled(model)
        ? ja
          ? 'MetalLB が導入されていない（metallb-system に Pod も IPAddressPool もない）'
          : 'MetalLB is not installed (no metallb-system pods, no IPAddressPool)'
        : ja
          ? 'IPAddressPool が 1 つもない'
          : 'there is no IPAddressPool';
    const evidence: Evidence[] = pending.slice(0, 4).map(svcEvidence);
    if (poolsCollected) evidence.push({ path: bundlePath.customResources(POOLS), pointer: '/items', excerpt: ['[]'] });
    if (legacyOnly) evidence.push(legacy[0]!.evidence);
    findings.push({ subject: cluster, objects: [...pending.map((s) => s.object), ...(legacyOnly ? [legacy[0]!.object] : [])], evidence, values: { services: pending.map((s) => `${s.namespace}/${s.name}`).join(', '), reason } });
    return { findings };
  }

  // Requests nothing can satisfy: an address outside every pool, a pool name that does not exist.
  for (const s of pending) {
    const unknownPool = s.pool !== undefined && !pools.some((p) => p.name === s.pool);
    const outside = s.requested.filter((ip) => !pools.some((p) => p.ranges.some((r) => rangeContains(r.range, ip))));
    if (!unknownPool && outside.length === 0) continue;
    const reason = unknownPool
      ? ja
        ? `指定されたプール ${s.pool} が存在しない（あるのは ${pools.map((p) => p.name).join(', ')}）`
        : `it asks for pool ${s.pool}, which does not exist (pools: ${pools.map((p) => p.name).join(', ')})`
      : ja
        ? `要求したアドレス ${outside.join(', ')} がどの IPAddressPool にも含まれない`
        : `the requested address ${outside.join(', ')} is in no IPAddressPool`;
    findings.push({ subject: cluster, objects: [s.object, ...pools.map((p) => p.object)], evidence: [svcEvidence(s), ...pools.slice(0, 3).map((p) => p.evidence)], values: { services: `${s.namespace}/${s.name}`, reason } });
  }

  // Addresses handed out but never announced.
  const adsCollected = model.artifacts.usable(bundlePath.customResources(L2ADS)) || model.artifacts.usable(bundlePath.customResources(BGPADS));
  if (adsCollected) {
    const ads = advertisements(model);
    const silentPools = pools.filter((p) => !ads.some((a) => advertises(a, p)));
    for (const p of silentPools) {
      const users = lbs.filter((s) => s.assigned.some((ip) => p.ranges.some((r) => rangeContains(r.range, ip))));
      if (users.length === 0) continue;
      const reason =
        ads.length === 0
          ? ja
            ? `L2Advertisement も BGPAdvertisement もなく、プール ${p.name} のアドレスが広告されない（ARP に誰も応答しない）`
            : `there is no L2Advertisement or BGPAdvertisement, so addresses of pool ${p.name} are never announced (nobody answers ARP)`
          : ja
            ? `プール ${p.name} を対象にする L2Advertisement/BGPAdvertisement がない`
            : `no L2Advertisement/BGPAdvertisement selects pool ${p.name}`;
      const evidence: Evidence[] = [p.evidence, ...users.slice(0, 3).map(svcEvidence)];
      if (ads.length === 0) evidence.push({ path: bundlePath.customResources(L2ADS), pointer: '/items', excerpt: ['[]'] });
      else evidence.push(...ads.slice(0, 2).map((a) => itemEvidence(a.item, '/spec', a.item.obj.spec ?? {})));
      const objects: ObjectRef[] = [p.object, ...users.map((s) => s.object)];
      findings.push({ subject: cluster, objects, evidence, values: { services: users.map((s) => `${s.namespace}/${s.name}`).join(', '), reason } });
    }
  }
  return { findings };
}
