import { describe, expect, it } from 'vitest';
import { parseContainerdLog, parseContainerdLogLine } from '../../analyzer/parsers/log-containerd.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

const SAMPLE = String.raw`time="2026-11-27T01:00:00.123456789Z" level=info msg="starting containerd" revision=7f7fdf5fed64eb6a7caf99b3e12efcf9d60e311c version=v1.7.22
time="2026-11-27T10:00:01.000000000+09:00" level=warning msg="failed to load plugin io.containerd.grpc.v1.cri" error="invalid plugin config: no corresponding runtime configured in \"containerd.runtimes\" for \"runc\""
time="2026-11-27T01:00:02.5Z" level=error msg="RunPodSandbox for &PodSandboxMetadata{Name:coredns-7c65d6cfc9-abcde,Uid:1f2e,Namespace:kube-system,Attempt:0,} failed, error" error="failed to setup network for sandbox \"0a1b\": plugin type=\"calico\" failed (add): stat /var/lib/calico/nodename: no such file or directory: check that the calico/node container is running and has mounted /var/lib/calico/"
time="2026-11-27T01:00:03Z" level=info msg="PullImage \"registry.k8s.io/pause:3.10\""
{"level":"error","msg":"failed to pull image","error":"pull access denied","time":"2026-11-27T01:00:04.000000001Z","image":"private/app:1"}
`;

describe('parseContainerdLogLine', () => {
  it('reads logrus text with nanosecond times, zones and escaped errors', () => {
    const lines = SAMPLE.split('\n');
    expect(parseContainerdLogLine(lines[0]!)).toEqual({
      time: '2026-11-27T01:00:00.123Z', level: 'info', message: 'starting containerd', error: null,
      fields: { revision: '7f7fdf5fed64eb6a7caf99b3e12efcf9d60e311c', version: 'v1.7.22' },
    });
    expect(parseContainerdLogLine(lines[1]!)).toMatchObject({
      time: '2026-11-27T01:00:01.000Z', level: 'warning',
      error: 'invalid plugin config: no corresponding runtime configured in "containerd.runtimes" for "runc"',
    });
    expect(parseContainerdLogLine(lines[2]!)?.error).toContain('plugin type="calico" failed (add)');
    expect(parseContainerdLogLine(lines[3]!)?.message).toBe('PullImage "registry.k8s.io/pause:3.10"');
  });

  it('reads the JSON log format', () => {
    expect(parseContainerdLogLine(SAMPLE.split('\n')[4]!)).toMatchObject({ level: 'error', error: 'pull access denied', fields: { image: 'private/app:1' }, time: '2026-11-27T01:00:04.000Z' });
  });

  it('returns null for other text', () => {
    expect(parseContainerdLogLine('containerd: starting')).toBeNull();
    expect(parseContainerdLogLine('time="x"')).toBeNull();
  });
});

describe('parseContainerdLog', () => {
  it('numbers lines and rejects text with no logrus line', () => {
    const log = parseContainerdLog(`${SAMPLE}panic: runtime error\n`, ctx);
    expect(log.lines.map((line) => line.line)).toEqual([1, 2, 3, 4, 5]);
    expect(log.unrecognizedLines).toEqual([6]);
    expect(() => parseContainerdLog('not a log\n', ctx)).toThrow(ParseError);
  });

  it('never crashes except with ParseError, in linear time', () => {
    checkRobust((text) => parseContainerdLog(text, ctx), [SAMPLE]);
    checkNoBlowup((text) => parseContainerdLog(text, ctx), [`time="${'\\"'.repeat(100_000)}`, `time=x ${'a='.repeat(100_000)}`]);
  });
});
