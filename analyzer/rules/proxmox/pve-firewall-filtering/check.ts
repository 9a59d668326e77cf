// The PVE firewall filters a Kubernetes node VM: it is on for the datacenter (cluster.fw `enable: 1`, and
// `pve-firewall status` does not say disabled/stopped), on for the VM (`<vmid>.fw` `enable: 1`; the VM
// default is off) and on for the node's NIC (`firewall=1`). Then either `ipfilter: 1` drops what the VM
// sends from addresses outside `ipfilter-net<N>` (ARP replies of MetalLB for LoadBalancer IPs, or
// everything when the node's own IP is missing), or the input policy (DROP by default for VMs) has no
// ACCEPT rule for what the cluster needs: kubelet 10250, the API server 6443 on a control plane, and
// Calico's VXLAN 4789/udp, IP-in-IP (protocol 4) or BGP 179/tcp as its IP pools use them. DROP lines of
// the pve-firewall log for the VM's tap (journal or /var/log/pve-firewall.log) are evidence, and on their
// own enough when they hit those ports or drop ARP.
import { bundlePath, HOST_CMD, HOST_FILE } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft, LogHit } from '../../../engine/types.js';
import type { Service } from '../../../model/kube-types.js';
import type { Model } from '../../../model/model.js';
import { calicoNetwork, guestLabel, guestSubject, proxmoxHosts, proxmoxSkip, vmJoins } from '../../../model/proxmox.js';
import type { FirewallConfigFacts, FirewallRule, FirewallStatusFacts } from '../../../parsers/pve-firewall.js';
import type { Evidence } from '../../../report/types.js';

interface Need {
  label: string;
  proto: string;
  port?: number;
}

/** PVE macros that open the ports this rule asks about. */
const MACROS: Record<string, { proto: string; ports: number[] }> = {
  BGP: { proto: 'tcp', ports: [179] },
};
const IPIP_PROTOS = new Set(['4', 'ipencap', 'ipip']);

function protoMatches(rule: string | undefined, need: string): boolean {
  if (rule === undefined) return true;
  const r = rule.toLowerCase();
  return need === '4' ? IPIP_PROTOS.has(r) : r === need;
}

function portMatches(dport: string | undefined, port: number | undefined): boolean {
  if (dport === undefined || port === undefined) return true;
  return dport.split(',').some((part) => {
    const [a, b] = part.split(':');
    const lo = Number(a);
    const hi = b !== undefined ? Number(b) : lo;
    return Number.isFinite(lo) && port >= lo && port <= hi;
  });
}

function accepts(rule: FirewallRule, need: Need, nicIndex: number): boolean {
  if (!rule.enabled || rule.direction !== 'IN' || rule.action !== 'ACCEPT') return false;
  if (rule.iface !== undefined && rule.iface !== `net${nicIndex}`) return false;
  if (rule.macro !== undefined) {
    const m = MACROS[rule.macro];
    return m !== undefined && m.proto === need.proto && need.port !== undefined && m.ports.includes(need.port);
  }
  return protoMatches(rule.proto, need.proto) && (need.proto === '4' || portMatches(rule.dport, need.port));
}

/** The VM's IN rules with `GROUP x` expanded from the datacenter's security groups. */
function inRules(vm: FirewallConfigFacts, cluster: FirewallConfigFacts | undefined): FirewallRule[] {
  return vm.rules.flatMap((r) => {
    if (r.direction !== 'GROUP') return [r];
    if (!r.enabled) return [];
    return cluster?.groups.find((g) => g.name.toLowerCase() === r.action.toLowerCase())?.rules ?? [];
  });
}

/**
 * A logged drop of what the cluster needs: ARP either way (ebtables, where ipfilter drops MetalLB's
 * replies on the tap's OUT chain), or towards the VM the ports above or IP-in-IP.
 */
function clusterTraffic(hit: LogHit): boolean {
  const proto = (hit.groups?.proto ?? '').toLowerCase();
  if (proto === 'arp') return true;
  if (hit.groups?.dir !== 'IN') return false;
  const port = Number(hit.groups?.dpt);
  if (IPIP_PROTOS.has(proto)) return true;
  if (proto === 'udp') return port === 4789;
  return proto === 'tcp' && [179, 6443, 10250].includes(port);
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split('/');
  const a = ipv4ToInt(base ?? '');
  const b = ipv4ToInt(ip);
  if (a === undefined || b === undefined) return false;
  const n = bits === undefined ? 32 : Number(bits);
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (a & mask) === (b & mask);
}

function loadBalancerIPs(model: Model): string[] {
  const ips = model.kube<Service>('services').flatMap((s) => (s.obj.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => ip !== undefined));
  return [...new Set(ips)].sort();
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const skip = proxmoxSkip(model, ja, [(h) => `${bundlePath.hostFile(h, HOST_FILE.pveFirewallDir)}/*.fw`, (h) => bundlePath.hostCmd(h, HOST_CMD.pveFirewallStatus)]);
  if (skip) return { findings: [], skip };
  const drops = ctx.logHits('drop').hits;
  const calico = calicoNetwork(model);
  const vips = loadBalancerIPs(model);
  const findings: FindingDraft[] = [];
  for (const pve of proxmoxHosts(model)) {
    const fwDir = bundlePath.hostFile(pve.name, HOST_FILE.pveFirewallDir);
    const clusterPath = `${fwDir}/cluster.fw`;
    const cluster = model.parsed<FirewallConfigFacts>(clusterPath);
    const statusPath = bundlePath.hostCmd(pve.name, HOST_CMD.pveFirewallStatus);
    const status = model.parsed<FirewallStatusFacts>(statusPath);
    if (status?.enabled === false || status?.running === false) continue;
    if (cluster?.enable !== true) continue;
    for (const join of vmJoins(model).filter((j) => j.guest.pveHost === pve.name && j.host.isNode)) {
      const { guest, nic } = join;
      if (!nic.firewall) continue;
      const vmPath = `${fwDir}/${guest.vmid}.fw`;
      const vm = model.parsed<FirewallConfigFacts>(vmPath);
      if (!vm || vm.enable !== true) continue;
      const problems: string[] = [];
      const evidence: Evidence[] = [
        { path: guest.path, line: nic.line, excerpt: ctx.excerpt(guest.path, nic.line, 0, 0) },
        { path: clusterPath, line: cluster.options['enable']!.line, excerpt: ctx.excerpt(clusterPath, cluster.options['enable']!.line, 0, 0) },
      ];
      if (status?.line !== undefined) evidence.push({ path: statusPath, line: status.line, excerpt: ctx.excerpt(statusPath, status.line, 0, 0) });
      const optionEvidence = (key: string) => {
        const o = vm.options[key];
        if (o) evidence.push({ path: vmPath, line: o.line, excerpt: ctx.excerpt(vmPath, o.line, 0, 0) });
      };

      if (vm.ipfilter === true) {
        const set = vm.ipsets.find((s) => s.name.toLowerCase() === `ipfilter-net${nic.index}`);
        const allowed = (ip: string) => (set?.entries ?? []).some((e) => !e.nomatch && cidrContains(e.cidr, ip));
        const nodeIPs = join.host.node?.internalIPs ?? [join.host.address];
        const blockedNode = nodeIPs.filter((ip) => !allowed(ip));
        const blockedVips = vips.filter((ip) => !allowed(ip));
        if (blockedNode.length > 0 || blockedVips.length > 0) {
          optionEvidence('ipfilter');
          if (set) evidence.push({ path: vmPath, line: set.line, excerpt: ctx.excerpt(vmPath, set.line, 0, Math.min(set.entries.length, 4)) });
          if (blockedNode.length > 0) problems.push(ja ? `ipfilter: 1 でノード自身の IP ${blockedNode.join(', ')} が ipfilter-net${nic.index} にない（VM の送信がすべて落ちる）` : `ipfilter: 1 and the node's own IP ${blockedNode.join(', ')} is not in ipfilter-net${nic.index} (everything the VM sends is dropped)`);
          else problems.push(ja ? `ipfilter: 1 で LoadBalancer の IP ${blockedVips.join(', ')} が ipfilter-net${nic.index} にない（MetalLB の ARP 応答が落ちる）` : `ipfilter: 1 drops MetalLB's ARP replies for LoadBalancer IPs ${blockedVips.join(', ')} (not in ipfilter-net${nic.index})`);
        }
      }

      const policyIn = vm.policyIn ?? 'DROP';
      if (policyIn !== 'ACCEPT') {
        const needs: Need[] = [{ label: 'kubelet 10250/tcp', proto: 'tcp', port: 10250 }];
        if (join.host.roles.includes('control-plane')) needs.push({ label: 'kube-apiserver 6443/tcp', proto: 'tcp', port: 6443 });
        if (calico.encapsulation === 'vxlan') needs.push({ label: 'Calico VXLAN 4789/udp', proto: 'udp', port: 4789 });
        if (calico.encapsulation === 'ipip') needs.push({ label: 'Calico IP-in-IP (protocol 4)', proto: '4' });
        if (calico.bgp) needs.push({ label: 'Calico BGP 179/tcp', proto: 'tcp', port: 179 });
        const rules = inRules(vm, cluster);
        const open = needs.filter((n) => !rules.some((r) => accepts(r, n, nic.index)));
        if (open.length > 0) {
          if (vm.options['policy_in']) optionEvidence('policy_in');
          else evidence.push({ path: vmPath, pointer: '', excerpt: [ja ? 'policy_in の指定なし（VM の既定は DROP）' : 'no policy_in (the VM default is DROP)'] });
          problems.push(ja ? `policy_in ${policyIn} で ${open.map((n) => n.label).join('、')} を許可するルールがない` : `policy_in ${policyIn} and no rule accepts ${open.map((n) => n.label).join(', ')}`);
        }
      }

      const vmDrops = drops.filter((h: LogHit) => h.groups?.vmid === String(guest.vmid) && h.groups?.nic === String(nic.index) && clusterTraffic(h));
      const counted = vmDrops.length;
      if (problems.length === 0 && counted === 0) continue;
      if (problems.length === 0) problems.push(ja ? 'pve-firewall のログにこの VM の通信の DROP がある' : "the pve-firewall log shows drops of this VM's traffic");
      for (const h of vmDrops.slice(-3)) evidence.push({ path: h.path, line: h.line, excerpt: [h.text] });
      const { subject, objects } = guestSubject(model, guest, nic);
      findings.push({
        subject,
        objects,
        evidence,
        values: {
          vm: guestLabel(guest),
          nic: `net${nic.index}`,
          pve: pve.name,
          reason: problems.join('; '),
          drops: counted > 0 ? (ja ? `（ログに DROP ${counted} 行）` : ` (${counted} DROP lines logged)`) : '',
        },
      });
    }
  }
  return { findings };
}
