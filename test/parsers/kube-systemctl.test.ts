import { describe, expect, it } from 'vitest';
import { parseSystemctlStatus } from '../../analyzer/parsers/kube-systemctl.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

// systemd 255 (Ubuntu 24.04) wording for a crash-looping kubelet.
const RESTARTING = `● kubelet.service - kubelet: The Kubernetes Node Agent
     Loaded: loaded (/usr/lib/systemd/system/kubelet.service; enabled; preset: enabled)
    Drop-In: /usr/lib/systemd/system/kubelet.service.d
             └─10-kubeadm.conf
     Active: activating (auto-restart) (Result: exit-code) since Fri 2026-11-27 10:29:58 JST; 3s ago
       Docs: https://kubernetes.io/docs/
    Process: 51234 ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS (code=exited, status=1/FAILURE)
   Main PID: 51234 (code=exited, status=1/FAILURE)
        CPU: 95ms

Nov 27 10:29:58 cp1 systemd[1]: kubelet.service: Main process exited, code=exited, status=1/FAILURE
Nov 27 10:29:58 cp1 systemd[1]: kubelet.service: Failed with result 'exit-code'.
`;

// systemd 245 (Ubuntu 20.04) wording for a running containerd, with a CGroup tree.
const RUNNING = `● containerd.service - containerd container runtime
     Loaded: loaded (/lib/systemd/system/containerd.service; enabled; vendor preset: enabled)
     Active: active (running) since Thu 2026-11-26 09:00:00 UTC; 1 day 16h ago
       Docs: https://containerd.io
    Process: 800 ExecStartPre=/sbin/modprobe overlay (code=exited, status=0/SUCCESS)
   Main PID: 812 (containerd)
      Tasks: 96
     Memory: 120.5M
     CGroup: /system.slice/containerd.service
             ├─ 812 /usr/bin/containerd
             └─1500 /usr/bin/containerd-shim-runc-v2 -namespace k8s.io -id 0a1b -address /run/containerd/containerd.sock

Nov 26 09:00:00 cp1 containerd[812]: time="2026-11-26T09:00:00.000000000Z" level=info msg="containerd successfully booted in 0.05s"
`;

const FAILED = `× containerd.service - containerd container runtime
     Loaded: loaded (/usr/lib/systemd/system/containerd.service; enabled; preset: enabled)
     Active: failed (Result: exit-code) since Fri 2026-11-27 01:00:00 UTC; 29min ago
   Duration: 2d 3h 4min
   Main PID: 812 (code=exited, status=1/FAILURE)
Warning: The unit file, source configuration file or drop-ins of containerd.service changed on disk. Run 'systemctl daemon-reload' to reload units.
`;

const DEAD = `○ kubelet.service - kubelet: The Kubernetes Node Agent
     Loaded: loaded (/lib/systemd/system/kubelet.service; disabled; vendor preset: enabled)
    Drop-In: /etc/systemd/system/kubelet.service.d
             └─10-kubeadm.conf, 20-labsnap.conf
     Active: inactive (dead)
       Docs: https://kubernetes.io/docs/home/
`;

describe('parseSystemctlStatus', () => {
  it('reads a crash-looping unit: auto-restart, result, since in JST, exited main PID, drop-ins and journal', () => {
    const [kubelet] = parseSystemctlStatus(RESTARTING, ctx).units;
    expect(kubelet).toMatchObject({
      unit: 'kubelet.service', description: 'kubelet: The Kubernetes Node Agent', line: 1, loadState: 'loaded',
      unitFile: '/usr/lib/systemd/system/kubelet.service', enablement: 'enabled', activeState: 'activating',
      subState: 'auto-restart', result: 'exit-code', since: '2026-11-27T01:29:58.000Z', activeLine: 5, mainPid: 51234,
      mainExitCode: 'exited', mainExitStatus: '1/FAILURE', dropIns: ['/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'],
      needsDaemonReload: false,
    });
    expect(kubelet!.processes).toEqual([
      { pid: 51234, kind: 'ExecStart', command: '/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS', code: 'exited', status: '1/FAILURE', line: 7 },
    ]);
    expect(kubelet!.journal.map((entry) => [entry.line, entry.unit, entry.message])).toEqual([
      [11, 'systemd', 'kubelet.service: Main process exited, code=exited, status=1/FAILURE'],
      [12, 'systemd', "kubelet.service: Failed with result 'exit-code'."],
    ]);
  });

  it('reads a running unit with a CGroup tree and the older "vendor preset" wording', () => {
    const [containerd] = parseSystemctlStatus(RUNNING, ctx).units;
    expect(containerd).toMatchObject({ activeState: 'active', subState: 'running', result: null, since: '2026-11-26T09:00:00.000Z', mainPid: 812, mainProcess: 'containerd', enablement: 'enabled' });
    expect(containerd!.mainExitCode).toBeUndefined();
    expect(containerd!.journal).toHaveLength(1);
    expect(containerd!.processes[0]).toMatchObject({ kind: 'ExecStartPre', code: 'exited', status: '0/SUCCESS' });
  });

  it('reads failed and inactive units, several drop-ins and the daemon-reload warning', () => {
    const [failed] = parseSystemctlStatus(FAILED, ctx).units;
    expect(failed).toMatchObject({ activeState: 'failed', subState: null, result: 'exit-code', needsDaemonReload: true, mainExitStatus: '1/FAILURE' });
    const [dead] = parseSystemctlStatus(DEAD, ctx).units;
    expect(dead).toMatchObject({ activeState: 'inactive', subState: 'dead', since: null, enablement: 'disabled' });
    expect(dead!.dropIns).toEqual(['/etc/systemd/system/kubelet.service.d/10-kubeadm.conf', '/etc/systemd/system/kubelet.service.d/20-labsnap.conf']);
  });

  it('reads several units in one output and "could not be found"', () => {
    const parsed = parseSystemctlStatus(`${RUNNING}\n${DEAD}Unit kubelet.service could not be found.\n`, ctx);
    expect(parsed.units.map((unit) => unit.unit)).toEqual(['containerd.service', 'kubelet.service']);
    expect(parsed.notFound).toEqual([{ unit: 'kubelet.service', line: 21 }]);
    expect(parseSystemctlStatus('Unit kubelet.service could not be found.\n', ctx).units).toEqual([]);
  });

  it('rejects text that is not systemctl status', () => {
    expect(() => parseSystemctlStatus('kubelet is running\n', ctx)).toThrow(ParseError);
  });

  it('never crashes except with ParseError, in linear time', () => {
    checkRobust((text) => parseSystemctlStatus(text, ctx), [RESTARTING, RUNNING, FAILED, DEAD]);
    checkNoBlowup((text) => parseSystemctlStatus(text, ctx), [
      `● ${'a.'.repeat(100_000)}!`,
      `● k.service\n     Active: ${'(a '.repeat(60_000)}`,
      `● k.service\n     Main PID: ${'1'.repeat(100_000)} (`,
      `● k.service\n ${'A a'.repeat(60_000)}`,
    ]);
  });
});
