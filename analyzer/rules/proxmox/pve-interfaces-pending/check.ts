// /etc/network/interfaces.new is what the Proxmox GUI writes until "Apply Configuration" (ifreload)
// or a reboot moves it over /etc/network/interfaces: while it differs, the GUI shows one network and the
// host runs another. An absent interfaces.new is the normal state; one that differs only in comments,
// order or `_`/`-` spelling changes nothing and stays silent.
import { bundlePath, HOST_FILE } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult, FindingDraft } from '../../../engine/types.js';
import { proxmoxHosts, proxmoxSkip } from '../../../model/proxmox.js';
import type { Model } from '../../../model/model.js';
import { diffInterfaces, type InterfacesFacts, type StanzaChange } from '../../../parsers/pve-interfaces.js';
import type { Evidence } from '../../../report/types.js';

const MAX_LISTED = 4;

function describe(c: StanzaChange, ja: boolean): string {
  if (c.change === 'added') return ja ? `${c.name} を追加` : `${c.name} added`;
  if (c.change === 'removed') return ja ? `${c.name} を削除` : `${c.name} removed`;
  const parts = c.differences.map((d) => `${d.key} ${d.before ?? '-'} → ${d.after ?? '-'}`);
  return `${c.name}: ${parts.join(', ')}`;
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  const skip = proxmoxSkip(model, ja, [(h) => bundlePath.hostFile(h, HOST_FILE.networkInterfaces)]);
  if (skip) return { findings: [], skip };
  const findings: FindingDraft[] = [];
  for (const pve of proxmoxHosts(model)) {
    const currentPath = bundlePath.hostFile(pve.name, HOST_FILE.networkInterfaces);
    const pendingPath = bundlePath.hostFile(pve.name, HOST_FILE.networkInterfacesNew);
    const current = model.parsed<InterfacesFacts>(currentPath);
    const pending = model.parsed<InterfacesFacts>(pendingPath);
    if (!current || !pending || !model.artifacts.usable(pendingPath)) continue;
    const changes = diffInterfaces(current, pending);
    if (changes.length === 0) continue;
    const evidence: Evidence[] = [];
    for (const c of changes.slice(0, MAX_LISTED)) {
      if (c.afterLine !== undefined) evidence.push({ path: pendingPath, line: c.afterLine, excerpt: ctx.excerpt(pendingPath, c.afterLine, 0, 6) });
      if (c.beforeLine !== undefined) evidence.push({ path: currentPath, line: c.beforeLine, excerpt: ctx.excerpt(currentPath, c.beforeLine, 0, 6) });
    }
    const listed = changes.slice(0, MAX_LISTED).map((c) => describe(c, ja));
    if (changes.length > MAX_LISTED) listed.push(ja ? `ほか ${changes.length - MAX_LISTED} 件` : `${changes.length - MAX_LISTED} more`);
    findings.push({
      subject: { level: 'host', name: pve.name },
      objects: [{ kind: 'ProxmoxHost', name: pve.name }, ...changes.map((c) => ({ kind: 'Interface', name: c.name }))],
      evidence,
      values: { count: changes.length, changes: listed.join('; ') },
    });
  }
  return { findings };
}
