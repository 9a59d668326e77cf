// Which labsnap artifact a command's output is, judged by the command line (a troubleshoot run-host
// collector records it in `<name>-info.json`; a sos report encodes it in the file name under
// sos_commands/). Only outputs whose format the labsnap parsers read are mapped: `ip -j` JSON, not the
// text form, and journalctl text, whatever the unit options.
import { HOST_CMD, type HostCmdName } from '../layout.js';

export type CommandTarget = { cmd: HostCmdName } | { file: string };

const TABLE: [RegExp, CommandTarget][] = [
  [/^(?:\S*\/)?lsmod$/, { cmd: HOST_CMD.lsmod }],
  [/^(?:\S*\/)?sysctl(?: -[a-z]+)*(?: (?:net|vm|kernel|net\.\S+))*$/, { cmd: HOST_CMD.sysctl }],
  [/^(?:\S*\/)?swapon\b/, { cmd: HOST_CMD.swapon }],
  [/^cat \/proc\/swaps$/, { file: '/proc/swaps' }],
  [/^journalctl\b(?=.*(?:-u|--unit[= ]) ?kubelet\b)/, { cmd: HOST_CMD.journalKubelet }],
  [/^journalctl\b(?=.*(?:-u|--unit[= ]) ?containerd\b)/, { cmd: HOST_CMD.journalContainerd }],
  [/^journalctl\b(?=.*(?:\s-k\b|--dmesg\b))/, { cmd: HOST_CMD.journalKernel }],
  [/^systemctl status kubelet\b/, { cmd: HOST_CMD.systemctlKubelet }],
  [/^systemctl status containerd\b/, { cmd: HOST_CMD.systemctlContainerd }],
  [/^ip (?:-\S+ )*-j(?:son)?(?: -\S+)* (?:link|l)(?: show)?$/, { cmd: HOST_CMD.ipLink }],
  [/^ip (?:-\S+ )*-j(?:son)?(?: -\S+)* (?:addr|address|a)(?: show)?$/, { cmd: HOST_CMD.ipAddr }],
  [/^ip (?:-\S+ )*-j(?:son)?(?: -\S+)* (?:route|r)(?: show)?$/, { cmd: HOST_CMD.ipRoute }],
  [/^ip (?:-\S+ )*-j(?:son)?(?: -\S+)* (?:neigh|neighbour|n)(?: show)?$/, { cmd: HOST_CMD.ipNeigh }],
  [/^bridge (?:-\S+ )*-j(?:son)?(?: -\S+)* link(?: show)?$/, { cmd: HOST_CMD.bridgeLink }],
  [/^bridge (?:-\S+ )*-j(?:son)?(?: -\S+)* vlan(?: show)?$/, { cmd: HOST_CMD.bridgeVlan }],
  [/^ss -(?=[a-z]*l)[a-z]*t[a-z]*$/, { cmd: HOST_CMD.ssListen }],
  [/^crictl ps\b/, { cmd: HOST_CMD.crictlPs }],
  [/^crictl pods\b/, { cmd: HOST_CMD.crictlPods }],
  [/^containerd config dump$/, { cmd: HOST_CMD.containerdConfigDump }],
  [/^kubeadm certs check-expiration$/, { cmd: HOST_CMD.kubeadmCertsCheckExpiration }],
  [/^uname -n$|^hostname$/, { cmd: HOST_CMD.hostname }],
  [/^uname -a$/, { cmd: HOST_CMD.kernel }],
  [/^cat \/proc\/uptime$/, { cmd: HOST_CMD.uptime }],
];

/** Every artifact a mapped command can fill (what an input of commands can hold). */
export const COMMAND_TARGETS: readonly CommandTarget[] = TABLE.map(([, t]) => t);

/** The artifact a command line's output maps to, or undefined when labsnap has no parser for it. */
export function commandTarget(command: string): CommandTarget | undefined {
  const normalized = command.trim().replace(/\s+/g, ' ').replace(/^(?:sudo |sh -c |bash -c )+/, '').replace(/^['"]|['"]$/g, '');
  // `journalctl ... | tail`, `2>&1`: the pipeline's first command is what was collected.
  const first = normalized.split(/\s*(?:\||2>&1|;|&&)\s*/)[0]!.trim();
  for (const [re, target] of TABLE) if (re.test(first)) return target;
  return undefined;
}
