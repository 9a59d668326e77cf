import { describe, expect, it } from 'vitest';
import { parseKlog, parseKlogLine } from '../../analyzer/parsers/log-klog.js';
import { parseJournalLine } from '../../analyzer/parsers/log-journald.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

// Wording of kubelet 1.28-1.31 (structured) and 1.18-era / docker-era (plain) messages.
const SAMPLE = String.raw`I1127 10:00:00.123456    4242 server.go:487] "Kubelet version" kubeletVersion="v1.31.3"
E1127 10:00:01.150357    4242 kubelet.go:2373] "Container runtime network not ready" networkReady="NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"
E1127 10:00:02.000001    4242 run.go:72] "command failed" err="failed to run Kubelet: running with swap on is not supported, please disable swap! or set --fail-swap-on flag to false. /proc/swaps contained: [Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority /dev/dm-1                               partition\t1003516\t\t0\t\t-2]"
W1127 10:00:03.000000    4242 pod_workers.go:1298] "Error syncing pod, skipping" err="failed to \"StartContainer\" for \"app\" with CrashLoopBackOff: \"back-off 5m0s restarting failed container=app pod=app-7d9c_default(1f2e)\"" pod="default/app-7d9c" podUID="1f2e"
E0416 22:26:30.150357    1234 kubelet.go:2183] Container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized
F1127 10:00:04.000000    4242 server.go:266] failed to run Kubelet: misconfiguration: kubelet cgroup driver: "systemd" is different from docker cgroup driver: "cgroupfs"
{"ts":1795741200.123456,"caller":"kubelet/kubelet.go:2373","msg":"Container runtime network not ready","v":0,"networkReady":"NetworkReady=false"}
{"ts":1795741201.5,"msg":"Failed to get node","err":"nodes \"cp1\" not found"}
{"level":"warn","ts":"2026-11-27T01:00:02.000Z","caller":"etcdserver/server.go:1100","msg":"slow fdatasync","took":"1.2s"}
`;

describe('parseKlogLine', () => {
  it('reads the structured form with quoted values and escapes', () => {
    const line = SAMPLE.split('\n')[3]!;
    const parsed = parseKlogLine(line, ctx);
    expect(parsed).toMatchObject({
      format: 'klog', severity: 'warning', time: '2026-11-27T10:00:03.000Z', threadId: 4242, source: 'pod_workers.go:1298',
      message: 'Error syncing pod, skipping', err: 'failed to "StartContainer" for "app" with CrashLoopBackOff: "back-off 5m0s restarting failed container=app pod=app-7d9c_default(1f2e)"',
    });
    expect(parsed?.fields).toEqual({ err: parsed?.err, pod: 'default/app-7d9c', podUID: '1f2e' });
  });

  it('decodes tab escapes inside err values', () => {
    expect(parseKlogLine(SAMPLE.split('\n')[2]!, ctx)?.err).toContain('Filename\t\t\t\tType');
  });

  it('reads plain (docker-era) messages whole', () => {
    const parsed = parseKlogLine(SAMPLE.split('\n')[4]!, ctx);
    expect(parsed).toMatchObject({ severity: 'error', time: '2026-04-16T22:26:30.150Z', fields: {}, err: null });
    expect(parsed?.message).toBe('Container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:docker: network plugin is not ready: cni config uninitialized');
    expect(parseKlogLine(SAMPLE.split('\n')[5]!, ctx)).toMatchObject({ severity: 'fatal' });
  });

  it('keeps a quoted message that is not followed by key=value pairs as plain text', () => {
    expect(parseKlogLine('I1127 10:00:00.000000       1 a.go:1] "quoted" then words', ctx)?.message).toBe('"quoted" then words');
  });

  it('infers the year: a December line in a January collection is last year', () => {
    const january = { ...ctx, collectedAt: new Date('2027-01-01T00:10:00Z') };
    expect(parseKlogLine('E1231 23:59:00.000000       1 a.go:1] x', january)?.time).toBe('2026-12-31T23:59:00.000Z');
    expect(parseKlogLine('E1127 10:00:00.000000       1 a.go:1] x', ctx, { utcOffsetMinutes: 540 })?.time).toBe('2026-11-27T01:00:00.000Z');
  });

  it('reads JSON-format logs (epoch-seconds ts, err, zap levels)', () => {
    const lines = SAMPLE.split('\n');
    expect(parseKlogLine(lines[6]!, ctx)).toMatchObject({ format: 'json', severity: 'info', time: '2026-11-27T01:00:00.123Z', source: 'kubelet/kubelet.go:2373', fields: { v: '0', networkReady: 'NetworkReady=false' } });
    expect(parseKlogLine(lines[7]!, ctx)).toMatchObject({ severity: 'error', err: 'nodes "cp1" not found' });
    expect(parseKlogLine(lines[8]!, ctx)).toMatchObject({ severity: 'warning', time: '2026-11-27T01:00:02.000Z', message: 'slow fdatasync' });
  });

  it('reads kubelet lines out of journald messages', () => {
    const entry = parseJournalLine(`Nov 27 10:00:01 cp1 kubelet[4242]: ${SAMPLE.split('\n')[1]}`, ctx);
    expect(entry?.kind).toBe('entry');
    const parsed = entry?.kind === 'entry' ? parseKlogLine(entry.message, ctx) : null;
    expect(parsed?.fields['networkReady']).toContain('cni plugin not initialized');
  });

  it('returns null for non-klog text', () => {
    for (const line of ['Flag --foo has been deprecated', 'I1327 10:00:00.000000 1 a.go:1] bad month', '{"no":"msg"}', '{broken', 'X1127 10:00:00.0 1 a.go:1] x']) {
      expect(parseKlogLine(line, ctx)).toBeNull();
    }
  });
});

describe('parseKlog', () => {
  it('numbers lines and attaches indented continuations', () => {
    const log = parseKlog(`Flag --pod-infra-container-image has been deprecated\n${SAMPLE}\tmain.main()\ngoroutine 1 [running]:\n\tcreated by x\n`, ctx);
    expect(log.lines.map((line) => line.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(log.unrecognizedLines).toEqual([1, 12, 13]);
    expect(log.lines.at(-1)!.message).toBe('slow fdatasync\nmain.main()');
  });

  it('rejects a log with no klog or JSON line', () => {
    expect(() => parseKlog('hello\nworld\n', ctx)).toThrow(ParseError);
  });
});

describe('robustness', () => {
  it('never crashes except with ParseError', () => {
    checkRobust((text) => parseKlog(text, ctx), [SAMPLE]);
  });
  it('handles long hostile lines in linear time', () => {
    checkNoBlowup((text) => parseKlog(text, ctx), [
      `E1127 10:00:00.000000 1 a.go:1] "x" ${'k="\\"'.repeat(50_000)}`,
      `E1127 10:00:00.000000 1 a.go:1] "x" k=${'{['.repeat(100_000)}`,
      `E1127 10:00:00.000000 1 a.go:1] "${'\\'.repeat(200_000)}`,
      `{${'"a":'.repeat(50_000)}`,
    ]);
  });
});
