// ARP evidence for MetalLB L2: capture ARP on a host's interface while the same host asks for every
// LoadBalancer address, so the capture shows who answers (nobody, one node, or two claimants).
import { bundlePath } from '../bundle/layout.js';
import type { ArpProbeRecord } from '../bundle/manifest.js';
import type { PlannedCommand } from './plan.js';
import type { HostRunner } from './run.js';
import { isInterfaceName, shq } from './shell.js';
import { isIPv4 } from 'node:net';

/**
 * Probes sent before tcpdump has opened the interface would be missed, and on a busy host that can take
 * seconds: wait (read-only) until a packet socket owned by tcpdump shows in `ss -0 -p`, up to this long.
 */
export const CAPTURE_STARTUP_MS = 8000;

export function captureReadyCommand(): string {
  const tries = Math.ceil(CAPTURE_STARTUP_MS / 100);
  // A short grace after the socket appears lets tcpdump attach its filter before the first probe.
  return `i=0; while [ $i -lt ${tries} ]; do if ss -0 -p 2>/dev/null | grep -q '"tcpdump"'; then sleep 0.3; exit 0; fi; sleep 0.1; i=$((i+1)); done; exit 1`;
}
/** Time beyond --arp-seconds before the transport kills a capture that `timeout` did not stop. */
const CAPTURE_GRACE_MS = 15_000;

function checkInterface(iface: string): string {
  if (!isInterfaceName(iface)) throw new Error(`invalid interface name ${JSON.stringify(iface)}`);
  return iface;
}

export function captureItem(host: string, iface: string, seconds: number): PlannedCommand {
  checkInterface(iface);
  return {
    type: 'command',
    kind: 'capture',
    path: bundlePath.hostCapture(host, iface),
    // 124 is `timeout` ending the capture on schedule: the normal way it finishes.
    command: `timeout ${Math.ceil(seconds)} tcpdump -i ${shq(iface)} -U -n -w - arp`,
    privileged: true,
    okExitCodes: [0, 124],
    timeoutMs: Math.ceil(seconds) * 1000 + CAPTURE_GRACE_MS,
  };
}

/** Sends ARP requests (arping, or ping when arping is missing) to every target at once. */
export function probeCommand(iface: string, targets: readonly string[]): string {
  checkInterface(iface);
  for (const t of targets) if (!isIPv4(t)) throw new Error(`invalid IPv4 address ${JSON.stringify(t)}`);
  const list = targets.map(shq).join(' ');
  return [
    'if command -v arping >/dev/null 2>&1; then echo "tool arping";',
    `for ip in ${list}; do arping -c 3 -I ${shq(iface)} "$ip" & done;`,
    'else echo "tool ping";',
    `for ip in ${list}; do ping -c 1 -W 1 -I ${shq(iface)} "$ip" & done;`,
    'fi; wait',
  ].join(' ');
}

export async function runArp(runner: HostRunner, host: string, iface: string, seconds: number, targets: readonly string[]): Promise<ArpProbeRecord> {
  const capture = runner.run(captureItem(host, iface, seconds));
  const record: ArpProbeRecord = { host, interface: iface, targets: [...targets], tool: null, seconds };
  if (targets.length > 0) {
    const ready = await runner.probe(captureReadyCommand(), true);
    if (ready === null || ready.exitCode !== 0) {
      // No `ss`, or tcpdump never opened the interface (its own error is in the capture item): a fixed
      // pause is the best left, so the probes are still sent and recorded.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    const probe = await runner.probe(probeCommand(iface, targets), true);
    if (probe !== null) {
      const tool = /^tool (\S+)/.exec(probe.stdout.toString('utf8'))?.[1];
      record.tool = tool ?? null;
      // arping exits non-zero when a target does not answer; that silence is itself the finding.
      if (tool === undefined) record.error = (probe.stderr || `probe exited with ${probe.exitCode}`).slice(0, 1024);
    } else {
      record.error = 'interrupted before probes were sent';
    }
  }
  await capture;
  return record;
}
