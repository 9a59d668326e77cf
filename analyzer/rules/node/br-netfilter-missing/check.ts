// Fires per node where bridged pod traffic bypasses iptables: net.bridge.bridge-nf-call-iptables is not 1,
// or br_netfilter is not loaded at all (no net.bridge.* keys, no module in lsmod); or a kubeadm preflight
// line in an attachment says so. lsmod alone proves nothing when the key is readable (the module may be
// built in), so the sysctl value decides whenever it was collected. A preflight line about a node whose
// current value is 1 is an old failure that was fixed since: silent.
import { HOST_CMD } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult } from '../../../engine/types.js';
import { type KernelSettingState, kernelSettingFindings, lsmodOf, sysctlOf } from '../../../model/node.js';
import type { Model } from '../../../model/model.js';
import { findModule } from '../../../parsers/host-lsmod.js';
import type { Evidence } from '../../../report/types.js';

const KEY = 'net.bridge.bridge-nf-call-iptables';
const PREFLIGHT = /^FileContent--proc-sys-net-bridge-bridge-nf-call-ip(?:6)?tables$/;

function currentState(model: Model, host: string, ja: boolean): KernelSettingState {
  const sysctl = sysctlOf(model, host);
  const lsmod = lsmodOf(model, host);
  const value = sysctl?.facts.values[KEY];
  if (value) {
    if (value.value === '1') return { ok: true };
    return {
      ok: false,
      reason: ja ? `${KEY} = ${value.value}（1 であるべき）` : `${KEY} = ${value.value} (must be 1)`,
      evidence: [{ path: sysctl!.path, line: value.line, excerpt: [`${KEY} = ${value.value}`] }],
    };
  }
  const module = lsmod ? findModule(lsmod.facts, 'br_netfilter') : undefined;
  if (module) return sysctl ? undefined : { ok: true };
  if (!sysctl && !lsmod) return undefined;
  const evidence: Evidence[] = [];
  if (lsmod) evidence.push({ path: lsmod.path, excerpt: [ja ? `br_netfilter の行がない（モジュール ${lsmod.facts.modules.length} 個中）` : `no br_netfilter line among ${lsmod.facts.modules.length} modules`] });
  if (sysctl) evidence.push({ path: sysctl.path, excerpt: [ja ? `${KEY} がない（net.bridge.* のキーが 1 つもない）` : `no ${KEY} (no net.bridge.* key at all)`] });
  return { ok: false, reason: ja ? 'br_netfilter モジュールがロードされていない' : 'the br_netfilter module is not loaded', evidence };
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  return kernelSettingFindings(model, ja, {
    state: (host) => currentState(model, host, ja),
    preflight: PREFLIGHT,
    skipReason: {
      en: 'no sysctl or lsmod output of any node and no kubeadm output attached',
      ja: 'どのノードの sysctl / lsmod 出力もなく、kubeadm の出力も添付されていない',
    },
    inputs: [`hosts/*/cmd/${HOST_CMD.sysctl}`, `hosts/*/cmd/${HOST_CMD.lsmod}`, 'attachments/*'],
  });
}
