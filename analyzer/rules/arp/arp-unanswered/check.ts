// Fires per LoadBalancer address that a capture (collector pcap, attached pcap or pasted tcpdump) shows
// being asked for with no reply at all. Addresses are those of LoadBalancer Services and the collector's
// ARP probe targets; requests for free pool addresses or machines that are off are nobody's fault.
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { itemEvidence } from '../../../engine/evidence.js';
import type { Model } from '../../../model/model.js';
import { arpEvidence, arpSkip, arpSources, loadBalancerServices, METALLB_NS } from '../../../model/network.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const sources = arpSources(model);
  if (sources.length === 0) return arpSkip(model, ja);
  const lbs = loadBalancerServices(model);
  const probed = new Set((model.manifest.arpProbes ?? []).filter((p) => p.tool).flatMap((p) => p.targets));
  const l2status = model.custom('servicel2statuses.metallb.io');
  const findings: FindingDraft[] = [];
  for (const s of sources) {
    for (const t of s.summary) {
      if (t.requests === 0 || t.answeredBy.length > 0) continue;
      const svc = lbs.filter((l) => l.assigned.includes(t.ip) || l.requested.includes(t.ip));
      if (svc.length === 0 && !probed.has(t.ip)) continue;
      const requests = s.packets.filter((p) => p.op === 'request' && !p.gratuitous && p.targetIp === t.ip);
      const evidence: Evidence[] = [arpEvidence(model, s, requests)];
      const objects: ObjectRef[] = svc.map((l) => l.object);
      const hints: string[] = [];
      for (const l of svc) {
        const st = l2status.find((x) => {
          const status = x.obj.status as { serviceName?: string; serviceNamespace?: string } | undefined;
          return status?.serviceName === l.name && status.serviceNamespace === l.namespace;
        });
        const node = (st?.obj.status as { node?: string } | undefined)?.node;
        if (st && node) {
          hints.push(ja ? `MetalLB は ${node} が広告中と記録` : `MetalLB records ${node} as announcing it`);
          evidence.push(itemEvidence(st, '/status', st.obj.status ?? {}));
          objects.push({ kind: 'ServiceL2Status', namespace: st.namespace ?? METALLB_NS, name: st.name });
        }
      }
      if (s.truncated) hints.push(ja ? 'キャプチャは途中で切れている' : 'the capture is cut short');
      const where = s.host ? `${s.host}${s.iface ? `/${s.iface}` : ''}` : s.path;
      findings.push({
        subject: svc[0] ? { level: 'namespace', name: svc[0].namespace } : { level: 'cluster', name: model.manifest.cluster },
        objects,
        evidence,
        values: {
          ip: t.ip,
          service: svc.map((l) => `${l.namespace}/${l.name}`).join(', ') || (ja ? 'ARP プローブ対象' : 'ARP probe target'),
          requests: t.requests,
          where,
          hint: hints.length ? ` (${hints.join('; ')})` : '',
        },
      });
    }
  }
  return { findings };
}
