// sos reports (`sos report`, formerly `sosreport`) of one machine: command outputs under
// sos_commands/<plugin>/<command with spaces as _>, copied files at their path on the host (etc/, proc/,
// var/, sys/). Outputs are mapped by the command line their file name encodes (bundle/import/commands.ts),
// files by the host paths the labsnap collector copies (HOST_FILE); everything else stays out.
import { bundlePath, HOST_CMD, HOST_FILE } from '../layout.js';
import type { HostRecord } from '../manifest.js';
import { commandTarget } from './commands.js';
import { ipJsonFromAddressText } from './ip-text.js';
import type { Importer, ImportOutput } from './output.js';
import type { RawEntry } from './raw.js';

const FILES = new Set<string>([HOST_FILE.machineId, HOST_FILE.productUuid, HOST_FILE.procSwaps, HOST_FILE.aptHistory, HOST_FILE.containerdConfig, HOST_FILE.kubeletConfig, HOST_FILE.networkInterfaces, HOST_FILE.networkInterfacesNew, HOST_FILE.pveFirewallLog]);
const DIRS = [HOST_FILE.cniDir, HOST_FILE.manifestsDir, HOST_FILE.pkiDir, HOST_FILE.networkInterfacesD, HOST_FILE.qemuServerDir, HOST_FILE.pveFirewallDir, HOST_FILE.pveNodesDir];
/** Files whose content is what a labsnap command collects (`cat /proc/uptime`, `cat /etc/os-release`). */
const AS_COMMAND: Record<string, (typeof HOST_CMD)[keyof typeof HOST_CMD]> = {
  '/proc/uptime': HOST_CMD.uptime,
  '/etc/os-release': HOST_CMD.osRelease,
  '/usr/lib/os-release': HOST_CMD.osRelease,
};

/** The command a sos_commands file name stands for: sos writes spaces as `_` and `/` as `.`. */
export function sosCommand(fileName: string): string {
  // A path argument is the one word that starts with `.` (a `.` inside a file name is lost either way).
  return fileName
    .split('_')
    .map((word) => (/^\.[A-Za-z]/.test(word) ? word.replace(/\./g, '/') : word))
    .join(' ');
}

/** `Sun Dec  6 02:49:10 UTC 2026` from sos_commands/date/date_--utc. */
export function sosTime(text: string | undefined): Date | undefined {
  const m = /^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}:\d{2}:\d{2})\s+UTC\s+(\d{4})/.exec(text?.trim() ?? '');
  if (!m) return undefined;
  const t = Date.parse(`${m[2]} ${m[1]} ${m[4]} ${m[3]} UTC`);
  return Number.isNaN(t) ? undefined : new Date(t);
}

export function sosHostName(text: string | undefined): string | undefined {
  const name = text?.trim().split('\n')[0]?.trim();
  return name && /^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(name) ? name.split('.')[0] : undefined;
}

export class SosImporter implements Importer {
  #controlPlane = false;
  #kubernetes = false;
  #proxmox = false;

  constructor(
    private readonly host: string,
    private readonly _cap: number,
  ) {}

  async entry(rel: string[], raw: RawEntry, out: ImportOutput): Promise<void> {
    const source = rel.join('/');
    // Signs that the machine is a Kubernetes node (sos's kubernetes plugin, kubelet's files).
    if (/^(sos_commands\/kubernetes\/|etc\/kubernetes\/|var\/lib\/kubelet\/)/.test(source)) this.#kubernetes = true;
    // sos's pve plugin and /etc/pve: a Proxmox VE host.
    if (/^(sos_commands\/pve|etc\/pve\/)/.test(source)) this.#proxmox = true;
    if (rel[0] === 'sos_commands' && rel.length === 3 && /^ip (-d )?(addr|address)( show)?$/.test(sosCommand(rel[2]!))) {
      // sos keeps `ip -d address` as text; it holds both the links and their addresses.
      const json = ipJsonFromAddressText(await raw.entry.text());
      await out.put(bundlePath.hostCmd(this.host, HOST_CMD.ipLink), `${source} (links)`, 'command', this.host, json.link);
      await out.put(bundlePath.hostCmd(this.host, HOST_CMD.ipAddr), source, 'command', this.host, json.addr);
      return;
    }
    if (rel[0] === 'sos_commands' && rel.length === 3) {
      const target = commandTarget(sosCommand(rel[2]!));
      if (!target) return;
      const path = 'cmd' in target ? bundlePath.hostCmd(this.host, target.cmd) : bundlePath.hostFile(this.host, target.file);
      await out.pass(path, source, 'command', this.host, raw.entry);
      return;
    }
    if (rel[0]!.startsWith('sos_')) return;
    const file = `/${source}`;
    const asCommand = AS_COMMAND[file];
    if (asCommand) {
      await out.pass(bundlePath.hostCmd(this.host, asCommand), source, 'command', this.host, raw.entry);
      return;
    }
    if (FILES.has(file) || DIRS.some((d) => file.startsWith(`${d}/`))) {
      if (file === `${HOST_FILE.manifestsDir}/kube-apiserver.yaml`) this.#controlPlane = true;
      await out.pass(bundlePath.hostFile(this.host, file), source, 'file', this.host, raw.entry);
    }
  }

  async finish(): Promise<void> {}

  hosts(): HostRecord[] {
    // A machine without any kubelet/kubernetes file is not judged as a node: node rules skip rather than
    // hold a plain server to a node's requirements (ip_forward, br_netfilter, swap).
    const roles: HostRecord['roles'] = this.#controlPlane ? ['control-plane'] : this.#kubernetes ? ['worker'] : [];
    if (this.#proxmox) roles.unshift('proxmox');
    return [{ name: this.host, address: '', roles, reached: true }];
  }
}
