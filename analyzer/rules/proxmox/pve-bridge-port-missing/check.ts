// A bridge's `bridge-ports` names an uplink that the live `ip link` does not have (NIC renamed after a
// kernel or udev change, a typo, a bond never created), or that is down, has no carrier, or is not
// enslaved to the bridge. Only bridges something uses are judged: one that guests are attached to or
// that carries the host's address. A spare bridge on an unplugged NIC is a plan, not a fault.
import { bundlePath, HOST_CMD, HOST_FILE } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { guestLabel, guestsOf, hostForGuest, liveLinks, networkConfig, proxmoxHosts, proxmoxSkip } from '../../../model/proxmox.js';
import type { Model } from '../../../model/model.js';
import type { IpLink } from '../../../parsers/net-ip.js';
import type { Evidence, ObjectRef } from '../../../report/types.js';

function linkExcerpt(l: IpLink): string[] {
  return [JSON.stringify({ ifname: l.ifname, flags: l.flags, mtu: l.mtu, operstate: l.operstate, master: l.master })];
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const skip = proxmoxSkip(model, ja, [(h) => bundlePath.hostFile(h, HOST_FILE.networkInterfaces)]);
  if (skip) return { findings: [], skip };
  const findings: FindingDraft[] = [];
  let judged = false;
  const noLive: string[] = [];
  for (const pve of proxmoxHosts(model)) {
    const live = liveLinks(model, pve.name);
    if (!live) {
      const path = bundlePath.hostCmd(pve.name, HOST_CMD.ipLink);
      noLive.push(`${path}: ${ctx.whyMissing(path) ?? 'unreadable'}`);
      continue;
    }
    judged = true;
    const guests = guestsOf(model, pve.name).filter((g) => !g.template);
    for (const file of networkConfig(model, pve.name)) {
      for (const stanza of file.facts.stanzas) {
        const ports = stanza.bridgePorts ?? [];
        if (ports.length === 0) continue;
        const users = guests.flatMap((g) => g.config.nics.filter((n) => n.bridge === stanza.name).map((nic) => ({ guest: g, nic })));
        const hostAddress = stanza.addresses.length > 0 || stanza.gateway !== undefined;
        if (users.length === 0 && !hostAddress) continue;
        const portsOption = stanza.options.find((o) => o.key === 'bridge-ports');
        const portsLine = portsOption?.line ?? stanza.line;
        for (const port of ports) {
          const link = live.links.find((l) => l.ifname === port) ?? live.links.find((l) => l.altnames.includes(port));
          let problem: string | undefined;
          const evidence: Evidence[] = [{ path: file.path, line: portsLine, excerpt: ctx.excerpt(file.path, portsLine, 0, 0) }];
          if (!link) {
            // Links without a kind are the physical NICs: what the port was probably meant to name.
            const nics = live.links.filter((l) => l.kind === undefined && l.ifname !== 'lo');
            const names = nics.map((l) => l.ifname);
            problem = ja ? `${port} は存在しない（このホストの NIC: ${names.join(', ') || 'なし'}）` : `${port} does not exist (NICs on this host: ${names.join(', ') || 'none'})`;
            evidence.push({ path: live.path, pointer: '', excerpt: nics.slice(0, 4).flatMap(linkExcerpt) });
          } else if (!link.up) {
            problem = ja ? `${port} が DOWN（管理上停止）` : `${port} is administratively down`;
            evidence.push({ path: live.path, pointer: link.pointer, excerpt: linkExcerpt(link) });
          } else if (!link.lowerUp) {
            problem = ja ? `${port} にキャリアがない（NO-CARRIER: ケーブル/スイッチ側）` : `${port} has no carrier (NO-CARRIER: cable or switch side)`;
            evidence.push({ path: live.path, pointer: link.pointer, excerpt: linkExcerpt(link) });
          } else if (link.master !== stanza.name) {
            problem = ja ? `${port} は ${stanza.name} に接続されていない（master: ${link.master ?? 'なし'}）` : `${port} is not attached to ${stanza.name} (master: ${link.master ?? 'none'})`;
            evidence.push({ path: live.path, pointer: link.pointer, excerpt: linkExcerpt(link) });
          }
          if (!problem) continue;
          const objects: ObjectRef[] = [
            { kind: 'Bridge', name: stanza.name },
            { kind: 'Interface', name: port },
            { kind: 'ProxmoxHost', name: pve.name },
          ];
          for (const u of users) {
            objects.push({ kind: 'VM', name: String(u.guest.vmid) });
            const node = hostForGuest(model, u.guest)?.host.node;
            if (node) objects.push({ kind: 'Node', name: node.name });
          }
          for (const u of users.slice(0, 3)) evidence.push({ path: u.guest.path, line: u.nic.line, excerpt: ctx.excerpt(u.guest.path, u.nic.line, 0, 0) });
          const affected = users.length > 0 ? users.map((u) => guestLabel(u.guest)).join(', ') : ja ? 'ホスト自身のアドレス' : "the host's own address";
          findings.push({
            subject: { level: 'host', name: pve.name },
            objects,
            evidence,
            values: { bridge: stanza.name, port, reason: problem, affected },
          });
        }
      }
    }
  }
  if (!judged) return { findings: [], skip: { reason: ja ? 'Proxmox ホストの現在のリンク状態（ip -j link）が収集されていない' : 'the live links of the Proxmox hosts (ip -j link) were not collected', missing: noLive } };
  return { findings };
}
