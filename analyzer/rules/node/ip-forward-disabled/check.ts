// Fires per node whose kernel does not forward IPv4 (net.ipv4.ip_forward, or its alias
// net.ipv4.conf.all.forwarding, is not 1), or when a kubeadm preflight line in an attachment says so.
// Only Kubernetes nodes count: the Proxmox host of a bridged lab does not route and keeps 0 on purpose.
// A preflight line about a node whose current value is 1 was fixed since: silent.
import { HOST_CMD } from '../../../../bundle/layout.js';
import type { CheckContext, CheckResult } from '../../../engine/types.js';
import { type KernelSettingState, kernelSettingFindings, sysctlOf } from '../../../model/node.js';
import type { Model } from '../../../model/model.js';
import type { Evidence } from '../../../report/types.js';

const KEYS = ['net.ipv4.ip_forward', 'net.ipv4.conf.all.forwarding'];
const PREFLIGHT = /^FileContent--proc-sys-net-ipv4-ip_forward$/;

function currentState(model: Model, host: string, ja: boolean): KernelSettingState {
  const sysctl = sysctlOf(model, host);
  if (!sysctl) return undefined;
  const key = KEYS.find((k) => sysctl.facts.values[k] !== undefined);
  if (key === undefined) return undefined;
  const value = sysctl.facts.values[key]!;
  if (value.value === '1') return { ok: true };
  return {
    ok: false,
    reason: ja ? `${key} = ${value.value}（1 であるべき）` : `${key} = ${value.value} (must be 1)`,
    evidence: [{ path: sysctl.path, line: value.line, excerpt: [`${key} = ${value.value}`] }],
  };
}

export function check(model: Model, ctx: CheckContext): CheckResult {
  const ja = ctx.lang === 'ja';
  return kernelSettingFindings(model, ja, {
    state: (host) => currentState(model, host, ja),
    preflight: PREFLIGHT,
    skipReason: {
      en: 'no sysctl output of any node and no kubeadm preflight output attached',
      ja: 'どのノードの sysctl 出力もなく、kubeadm の preflight の出力も添付されていない',
    },
    inputs: [`hosts/*/cmd/${HOST_CMD.sysctl}`, 'attachments/*'],
  });
}
