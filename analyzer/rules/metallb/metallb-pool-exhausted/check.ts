// Fires per LoadBalancer Service left <pending> although pools exist, because nothing is left to give
// it: every address of the pools it may use is taken, every pool has autoAssign: false (only Services
// that name an address or pool get one), the address it asks for is already another Service's, or
// MetalLB itself said "no available IPs" for it. A full pool with no Service waiting is fine.
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { itemEvidence } from '../../../engine/evidence.js';
import type { KubeEvent } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import { legacyPools, loadBalancerServices, metallbPools, POOLS, rangeContains, rangeSize, type LoadBalancerService, type MetallbPool } from '../../../model/network.js';
import { bundlePath } from '../../../../bundle/layout.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

function inPool(pool: MetallbPool, ip: string): boolean {
  return pool.ranges.some((r) => rangeContains(r.range, ip));
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const crdPools = metallbPools(model);
  const pools = crdPools.length > 0 ? crdPools : model.artifacts.usable(bundlePath.customResources(POOLS)) ? [] : legacyPools(model);
  if (!model.hasKube('services') || (pools.length === 0 && !model.artifacts.usable(bundlePath.customResources(POOLS)))) {
    const missing = ['cluster/namespaces/*/services.json', bundlePath.customResources(POOLS)].flatMap((p) => model.artifacts.explainMissing(p)).map((m) => `${m.path}: ${m.reason}`);
    return { findings: [], skip: { reason: ja ? 'LoadBalancer の Service か MetalLB の IPAddressPool が収集されていない' : 'LoadBalancer Services or MetalLB pools were not collected', missing } };
  }
  // With no pool at all MetalLB also says "no available IPs"; that Service is metallb-no-pool's.
  if (pools.length === 0) return { findings: [] };
  const lbs = loadBalancerServices(model).filter((s) => !s.otherClass);
  const noIpHits = ctx.logHits('noIps').hits;
  const findings: FindingDraft[] = [];
  for (const s of lbs.filter((x) => x.pending)) {
    // Requests no pool can satisfy (unknown pool, address outside every pool) are metallb-no-pool's.
    if (s.pool !== undefined && !pools.some((p) => p.name === s.pool)) continue;
    if (s.requested.some((ip) => !pools.some((p) => inPool(p, ip)))) continue;
    const reasons: string[] = [];
    const evidence: Evidence[] = [itemEvidence(s.item, '', { type: 'LoadBalancer', ...(s.requested.length ? { requested: s.requested } : {}), ...(s.pool ? { pool: s.pool } : {}), status: s.item.obj.status ?? {} })];
    const objects: ObjectRef[] = [s.object];
    const others = lbs.filter((o) => o !== s);
    const taken = s.requested.flatMap((ip) => others.filter((o) => o.assigned.includes(ip)).map((o) => ({ ip, by: o })));
    for (const t of taken) {
      reasons.push(ja ? `要求した ${t.ip} は ${t.by.namespace}/${t.by.name} が使用中` : `the requested ${t.ip} is already used by ${t.by.namespace}/${t.by.name}`);
      objects.push(t.by.object);
      evidence.push(itemEvidence(t.by.item, '/status/loadBalancer', t.by.item.obj.status?.loadBalancer ?? {}));
    }
    const candidates = s.pool !== undefined ? pools.filter((p) => p.name === s.pool) : s.requested.length > 0 ? [] : pools.filter((p) => p.autoAssign);
    if (s.pool === undefined && s.requested.length === 0 && candidates.length === 0 && pools.length > 0) {
      reasons.push(ja ? 'すべての IPAddressPool が autoAssign: false（アドレスを指定した Service にしか払い出さない）' : 'every IPAddressPool has autoAssign: false (only Services that ask for an address get one)');
      for (const p of pools.slice(0, 3)) {
        objects.push(p.object);
        evidence.push(p.evidence);
      }
    }
    if (candidates.length > 0) {
      const size = candidates.reduce((n, p) => n + p.ranges.filter((r) => r.range.family === 4).reduce((m, r) => m + rangeSize(r.range), 0n), 0n);
      const used = new Set(lbs.flatMap((o) => o.assigned).filter((ip) => candidates.some((p) => inPool(p, ip))));
      if (size > 0n && BigInt(used.size) >= size) {
        reasons.push(
          ja
            ? `${candidates.map((p) => p.name).join(', ')} の ${size} 個のアドレスがすべて使用中`
            : `all ${size} addresses of ${candidates.map((p) => p.name).join(', ')} are in use`,
        );
        for (const p of candidates.slice(0, 3)) {
          objects.push(p.object);
          evidence.push(p.evidence);
        }
      }
    }
    const said = model
      .events()
      .filter((e) => e.obj.involvedObject?.name === s.name && e.obj.involvedObject?.namespace === s.namespace && /no available IPs|AllocationFailed/i.test(`${e.obj.reason ?? ''} ${e.obj.message ?? ''}`))
      .slice(-1);
    // The controller logs "no available IPs" without the Service on the same line (newer versions) or
    // with it: a line naming this Service is enough on its own, an anonymous one only backs up a reason.
    const naming = noIpHits.filter((h) => h.text.includes(`${s.namespace}/${s.name}`));
    const logged = (naming.length > 0 ? naming : reasons.length > 0 ? noIpHits : []).slice(-1);
    if (reasons.length === 0 && said.length === 0 && naming.length === 0) continue;
    if (reasons.length === 0) reasons.push(ja ? 'MetalLB が「no available IPs」と報告' : 'MetalLB reports "no available IPs"');
    for (const e of said) evidence.push(itemEvidence(e, '/message', `${(e.obj as KubeEvent).reason ?? ''}: ${e.obj.message ?? ''}`));
    for (const h of logged) evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });
    findings.push({ subject: { level: 'namespace', name: s.namespace }, objects, evidence, values: { service: `${s.namespace}/${s.name}`, reason: reasons.join('; ') } });
  }
  return { findings };
}
