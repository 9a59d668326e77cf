// A guest NIC's VLAN does not get through its bridge: the `tag=` or a `trunks=` VLAN is outside the
// bridge's `bridge-vids`, `trunks=` sits on a bridge that is not VLAN-aware (Proxmox then ignores it), or
// the live `bridge vlan` table of the uplink or of the guest's port lacks the VLAN (vids changed without a
// reboot of the guest, a manual `bridge vlan del`). A tag on a non-VLAN-aware bridge is Proxmox's
// traditional VLAN mode (vmbr0v10 over enp3s0.10) and works; a bridge without uplink has nothing to carry.
import { bundlePath, HOST_FILE } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import {
  findStanza,
  guestBridgePort,
  guestLabel,
  guestsOf,
  guestSubject,
  liveBridgeVlans,
  networkConfig,
  proxmoxHosts,
  proxmoxSkip,
  rangesText,
  vlanInRanges,
} from '../../../model/proxmox.js';
import type { Model } from '../../../model/model.js';
import type { VlanIdRange } from '../../../parsers/pve-interfaces.js';
import type { Evidence } from '../../../report/types.js';

/** ifupdown2 on Proxmox gives a VLAN-aware bridge `2-4094` when `bridge-vids` is not written. */
const DEFAULT_VIDS: VlanIdRange[] = [{ start: 2, end: 4094 }];

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const skip = proxmoxSkip(model, ja, [(h) => `${bundlePath.hostFile(h, HOST_FILE.qemuServerDir)}/*.conf`]);
  if (skip) return { findings: [], skip };
  const findings: FindingDraft[] = [];
  for (const pve of proxmoxHosts(model)) {
    const config = networkConfig(model, pve.name);
    const live = liveBridgeVlans(model, pve.name);
    for (const guest of guestsOf(model, pve.name)) {
      if (guest.template) continue;
      for (const nic of guest.config.nics) {
        if (nic.bridge === undefined || (nic.tag === undefined && nic.trunks === undefined)) continue;
        const bridge = findStanza(config, nic.bridge);
        if (!bridge) continue;
        const { stanza } = bridge;
        const uplinks = stanza.bridgePorts ?? [];
        if (uplinks.length === 0) continue;
        const problems: string[] = [];
        const evidence: Evidence[] = [{ path: guest.path, line: nic.line, excerpt: ctx.excerpt(guest.path, nic.line, 0, 0) }];
        const optionEvidence = (key: string) => {
          const o = stanza.options.find((x) => x.key === key);
          evidence.push({ path: bridge.path, line: o?.line ?? stanza.line, excerpt: ctx.excerpt(bridge.path, o?.line ?? stanza.line, 0, 0) });
        };
        const wanted = [...(nic.tag !== undefined ? [nic.tag] : []), ...(nic.trunks ?? []).flatMap((r) => (r.end - r.start < 64 ? range(r.start, r.end) : [r.start, r.end]))];
        if (stanza.bridgeVlanAware !== true) {
          if (nic.trunks !== undefined && nic.trunks.length > 0) {
            problems.push(ja ? `trunks=${rangesText(nic.trunks)} が指定されているが ${nic.bridge} は VLAN aware ではない（trunks は無視される）` : `trunks=${rangesText(nic.trunks)} is set but ${nic.bridge} is not VLAN-aware (Proxmox ignores trunks there)`);
            optionEvidence('bridge-ports');
          }
        } else {
          const vids = stanza.bridgeVids ?? DEFAULT_VIDS;
          const outside = wanted.filter((v) => !vlanInRanges(v, vids));
          if (outside.length > 0) {
            problems.push(ja ? `VLAN ${outside.join(',')} が ${nic.bridge} の bridge-vids ${rangesText(vids)} に含まれていない` : `VLAN ${outside.join(',')} is outside bridge-vids ${rangesText(vids)} of ${nic.bridge}`);
            optionEvidence('bridge-vids');
          }
          const running = guest.status === undefined || guest.status === 'running';
          if (live && running && outside.length === 0 && live.facts.ports.length > 0) {
            for (const port of [...uplinks, guestBridgePort(guest, nic)]) {
              const entry = live.facts.ports.find((p) => p.ifname === port);
              if (!entry) continue;
              const missing = wanted.filter((v) => !vlanInRanges(v, entry.vlans));
              if (missing.length === 0) continue;
              problems.push(ja ? `稼働中の bridge vlan 表で ${port} に VLAN ${missing.join(',')} がない` : `the live bridge vlan table has no VLAN ${missing.join(',')} on ${port}`);
              evidence.push({ path: live.path, pointer: entry.pointer, excerpt: [JSON.stringify({ ifname: entry.ifname, vlans: entry.vlans.map((r) => (r.start === r.end ? r.start : `${r.start}-${r.end}`)) })] });
            }
          }
        }
        if (problems.length === 0) continue;
        const { subject, objects } = guestSubject(model, guest, nic);
        findings.push({
          subject,
          objects,
          evidence,
          values: { vm: guestLabel(guest), nic: `net${nic.index}`, bridge: nic.bridge, pve: pve.name, reason: problems.join('; ') },
          ...(guest.status !== undefined && guest.status !== 'running' ? { severity: 'info' as const } : {}),
        });
      }
    }
  }
  return { findings };
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}
