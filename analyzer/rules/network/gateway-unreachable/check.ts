// A host cannot ping the default gateway of its main routing table (the collector reads the gateway on the
// host, prints `gateway X`, then pings it 3 times). Judged from the ping output, the host's neighbour
// table (a gateway that answers ARP but not ping only filters ICMP: the host does reach it) and,
// for a Kubernetes node, the collector's "no default gateway" stderr (kubelet and kubeadm pick the node IP
// from the default route). A Proxmox VM behind the host is named so the bridge/VLAN side can be checked.
import { bundlePath, HOST_CMD } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { jsonExcerpt } from '../../../engine/evidence.js';
import { guestLabel, routesOf, vmForHost } from '../../../model/proxmox.js';
import type { Model } from '../../../model/model.js';
import type { IpNeighFacts } from '../../../parsers/net-ip.js';
import { parsePing, type PingFacts } from '../../../parsers/net-ping.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

const ALIVE = ['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT'];

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const findings: FindingDraft[] = [];
  let judged = false;
  for (const host of model.hosts) {
    const path = bundlePath.hostCmd(host.name, HOST_CMD.pingGateway);
    const item = model.artifacts.item(path);
    let facts = model.artifacts.usable(path) ? model.parsed<PingFacts>(path) : undefined;
    const evidence: Evidence[] = [];
    if (!facts && item?.status === 'failed' && item.stderr) {
      // The collector's own refusal to ping: empty output, the reason on stderr.
      const fromStderr = parsePing(item.stderr);
      if (fromStderr.outcome === 'no-default-route') {
        facts = fromStderr;
        evidence.push({ path: bundlePath.manifest(), pointer: `/items/${model.manifest.items.indexOf(item)}`, excerpt: jsonExcerpt({ path: item.path, status: item.status, exitCode: item.exitCode, stderr: item.stderr.trim() }) });
      }
    }
    if (!facts) continue;
    judged = true;
    const objects: ObjectRef[] = [{ kind: 'Host', name: host.name }];
    if (host.node) objects.push({ kind: 'Node', name: host.node.name });
    const vm = vmForHost(model, host);
    if (vm) objects.push({ kind: 'VM', name: String(vm.guest.vmid) }, ...(vm.nic.bridge !== undefined ? [{ kind: 'Bridge', name: vm.nic.bridge }] : []));
    const where = vm ? (ja ? `（${vm.guest.pveHost} の VM ${guestLabel(vm.guest)}、${vm.nic.bridge ?? '?'}${vm.nic.tag !== undefined ? ` tag=${vm.nic.tag}` : ''}）` : ` (VM ${guestLabel(vm.guest)} on ${vm.nic.bridge ?? '?'}${vm.nic.tag !== undefined ? ` tag=${vm.nic.tag}` : ''} of ${vm.guest.pveHost})`) : '';

    if (facts.outcome === 'no-default-route') {
      if (!host.isNode) continue;
      const routes = routesOf(model, host.name);
      if (routes) evidence.push({ path: routes.path, pointer: '', excerpt: routes.facts.routes.filter((r) => r.family === 'inet').slice(0, 4).map((r) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`) });
      findings.push({
        subject: { level: 'host', name: host.name },
        objects,
        evidence,
        values: { gateway: ja ? '（なし）' : '(none)', where, reason: ja ? 'main テーブルにデフォルトルートがない（kubelet/kubeadm はデフォルトルートからノード IP を選ぶ）' : 'there is no default route in the main table (kubelet and kubeadm pick the node IP from it)' },
      });
      continue;
    }
    if (!['no-reply', 'host-unreachable', 'network-unreachable'].includes(facts.outcome)) continue;
    const gateway = facts.gateway ?? facts.target ?? '?';
    const lines = [facts.gatewayLine, ...facts.errors.slice(0, 2).map((e) => e.line), facts.line].filter((l): l is number => l !== undefined);
    for (const line of [...new Set(lines)]) evidence.push({ path, line, excerpt: ctx.excerpt(path, line, 0, 0) });
    const neighPath = bundlePath.hostCmd(host.name, HOST_CMD.ipNeigh);
    const neighbor = model.parsed<IpNeighFacts>(neighPath)?.neighbors.find((n) => n.dst === gateway);
    const answersArp = neighbor !== undefined && neighbor.lladdr !== undefined && neighbor.state.some((s) => ALIVE.includes(s));
    if (answersArp) continue;
    if (neighbor) evidence.push({ path: neighPath, pointer: neighbor.pointer, excerpt: [JSON.stringify({ dst: neighbor.dst, dev: neighbor.dev, lladdr: neighbor.lladdr, state: neighbor.state })] });
    const sent = facts.transmitted !== undefined ? `${facts.received ?? 0}/${facts.transmitted}` : '0';
    let reason: string;
    if (facts.outcome === 'host-unreachable') reason = ja ? `Destination Host Unreachable（ARP が解決しない: L2 で届いていない）` : 'Destination Host Unreachable (ARP does not resolve: no layer-2 path)';
    else if (facts.outcome === 'network-unreachable') reason = ja ? 'Network is unreachable（経路がない）' : 'Network is unreachable (no route)';
    else reason = ja ? `応答なし（受信 ${sent}）` : `no reply (${sent} received)`;
    findings.push({
      subject: { level: 'host', name: host.name },
      objects,
      evidence,
      values: { gateway, where, reason },
    });
  }
  if (!judged) {
    const missing = model.artifacts.explainMissing(`hosts/*/cmd/${HOST_CMD.pingGateway}`).map((m) => `${m.path}: ${m.reason}`);
    return { findings: [], skip: { reason: ja ? 'デフォルトゲートウェイへの ping の結果で使えるものがバンドルにない' : 'no usable ping of the default gateway in the bundle', missing } };
  }
  return { findings };
}
