// Fires per address for which two or more MACs answer ARP at the same time: two replies to one request,
// or claims that keep alternating between MACs. A MetalLB failover (one MAC, then another announcing and
// answering from then on) is a handover, not a conflict. When every answering MAC is a node's and
// kube-proxy runs IPVS without strictARP, that is named as the likely cause: kube-ipvs0 holds every
// LoadBalancer address, so every node answers for it.
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import type { Model } from '../../../model/model.js';
import type { ArpPacket } from '../../../parsers/pcap.js';
import { arpEvidence, arpSkip, arpSources, kubeProxyConfig, loadBalancerServices, macName, macOwners, nodeMacsSeen, textEvidence } from '../../../model/network.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

/** Seconds since midnight (or the epoch) of a packet, whichever clock its source has. */
function seconds(p: ArpPacket): number | undefined {
  const m = /(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(p.time ?? p.localTime ?? '');
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

/** How long after a request an answer still belongs to it; a failover announcement comes much later. */
const ANSWER_WINDOW_S = 1;

interface Claim {
  packet: ArpPacket;
  /** The request this reply answers (0: none seen), when it came soon enough to be an answer to it. */
  window: number;
}

/** Claims on `ip` (replies and gratuitous announcements), in capture order. */
function claims(packets: readonly ArpPacket[], ip: string): Claim[] {
  const out: Claim[] = [];
  let window = 0;
  let asked: number | undefined;
  for (const p of packets) {
    if (p.op === 'request' && !p.gratuitous && p.targetIp === ip) {
      window++;
      asked = seconds(p);
    } else if (p.senderIp === ip && p.senderMac !== undefined && (p.op === 'reply' || p.gratuitous)) {
      const at = seconds(p);
      const answers = p.op === 'reply' && !p.gratuitous && (asked === undefined || at === undefined || Math.abs(at - asked) <= ANSWER_WINDOW_S);
      out.push({ packet: p, window: answers ? window : 0 });
    }
  }
  return out;
}

function conflicting(list: Claim[]): boolean {
  const macs = new Set(list.map((c) => c.packet.senderMac));
  if (macs.size < 2) return false;
  const repliesByWindow = new Map<number, Set<string>>();
  for (const c of list) {
    if (c.packet.op !== 'reply' || c.window === 0) continue;
    const set = repliesByWindow.get(c.window) ?? new Set<string>();
    set.add(c.packet.senderMac!);
    repliesByWindow.set(c.window, set);
  }
  if ([...repliesByWindow.values()].some((s) => s.size > 1)) return true;
  // A -> B is a handover; A -> B -> A means both keep claiming it.
  let runs = 0;
  let last: string | undefined;
  for (const c of list) {
    if (c.packet.senderMac !== last) runs++;
    last = c.packet.senderMac;
  }
  return runs > macs.size;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const sources = arpSources(model);
  if (sources.length === 0) return arpSkip(model, ja);
  const owners = macOwners(model);
  const seen = nodeMacsSeen(model, sources);
  const proxy = kubeProxyConfig(model);
  const lbs = loadBalancerServices(model);
  const findings: FindingDraft[] = [];
  for (const s of sources) {
    for (const t of s.summary) {
      if (t.answeredBy.length + t.announcedBy.length < 2) continue;
      const list = claims(s.packets, t.ip);
      if (!conflicting(list)) continue;
      const macs = [...new Set(list.map((c) => c.packet.senderMac!))].sort();
      const named = macs.map((m) => {
        const who = macName(m, owners, seen);
        return who ? `${m} (${who})` : m;
      });
      const allNodes = macs.every((m) => owners.get(m)?.isNode === true || seen.has(m));
      const svc = lbs.filter((l) => l.assigned.includes(t.ip) || l.requested.includes(t.ip));
      const evidence: Evidence[] = [arpEvidence(model, s, list.map((c) => c.packet))];
      const objects: ObjectRef[] = svc.map((l) => l.object);
      let cause: string;
      const ipvs = proxy?.config.mode === 'ipvs';
      if (allNodes && ipvs && proxy?.config.strictARP !== true) {
        cause = ja
          ? 'すべてノードの MAC で、kube-proxy が IPVS モードかつ strictARP が無効: kube-ipvs0 の VIP に全ノードが応答している'
          : 'every MAC is a node and kube-proxy runs IPVS without strictARP: every node answers for the VIPs on kube-ipvs0';
        evidence.push(textEvidence(proxy!.item, '/data/config.conf', [`mode: ${proxy!.config.mode}`, `ipvs.strictARP: ${proxy!.config.strictARP ?? false}`]));
        objects.push({ kind: 'ConfigMap', namespace: 'kube-system', name: 'kube-proxy' });
      } else if (allNodes) {
        cause = ja ? 'すべてノードの MAC（複数の speaker が同時に広告している可能性）' : 'every MAC is a node (more than one speaker may be announcing it)';
      } else {
        cause = ja ? 'LAN 上の別の機器が同じアドレスを使っている（アドレス衝突）' : 'another device on the LAN uses the same address (address conflict)';
      }
      findings.push({
        subject: svc[0] ? { level: 'namespace', name: svc[0].namespace } : { level: 'cluster', name: model.manifest.cluster },
        objects,
        evidence,
        values: { ip: t.ip, macs: named.join(', '), count: macs.length, where: s.host ? `${s.host}${s.iface ? `/${s.iface}` : ''}` : s.path, cause, service: svc.map((l) => `${l.namespace}/${l.name}`).join(', ') },
      });
    }
  }
  return { findings };
}
