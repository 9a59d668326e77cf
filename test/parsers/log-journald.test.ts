import { describe, expect, it } from 'vitest';
import { classifyLifecycle, parseJournal, parseJournalLine, type JournalEntry } from '../../analyzer/parsers/log-journald.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

const SAMPLE = `-- Logs begin at Mon 2026-11-23 09:00:00 JST, end at Fri 2026-11-27 10:00:05 JST. --
Nov 27 10:00:00 cp1 systemd[1]: Started kubelet.service - kubelet: The Kubernetes Node Agent.
Nov 27 10:00:01 cp1 kubelet[4242]: E1127 10:00:01.150357    4242 run.go:72] "command failed" err="failed to run Kubelet: running with swap on is not supported, please disable swap!"
Nov 27 10:00:01 cp1 systemd[1]: kubelet.service: Main process exited, code=exited, status=1/FAILURE
Nov 27 10:00:01 cp1 systemd[1]: kubelet.service: Failed with result 'exit-code'.
Nov 27 10:00:11 cp1 systemd[1]: kubelet.service: Scheduled restart job, restart counter is at 5.
Nov 27 10:00:12 cp1 kernel: [   12.345678] br0: port 1(eth0) entered forwarding state
Nov 27 10:00:13 cp1 containerd[812]: panic: boom
                                      goroutine 1 [running]:
-- Boot 5d8f0c2a3b7e4f1e9a6b5c4d3e2f1a0b --
Nov 27 10:00:20 cp1 systemd[1]: Starting kubelet.service - kubelet: The Kubernetes Node Agent...
`;

describe('parseJournalLine', () => {
  it('reads the short format, inferring the year and applying the node zone', () => {
    const entry = parseJournalLine('Nov 27 10:00:01 cp1 kubelet[4242]: E1127 10:00:01.150357 hello', ctx, { utcOffsetMinutes: 540 });
    expect(entry).toEqual({
      kind: 'entry', time: '2026-11-27T01:00:01.000Z', host: 'cp1', unit: 'kubelet', pid: 4242,
      message: 'E1127 10:00:01.150357 hello',
    });
  });

  it('puts a December line of a January collection in the previous year', () => {
    const january = { ...ctx, collectedAt: new Date('2027-01-02T03:00:00Z') };
    const entry = parseJournalLine('Dec 31 23:59:59 cp1 systemd[1]: Stopped kubelet.service.', january);
    expect(entry?.kind === 'entry' && entry.time).toBe('2026-12-31T23:59:59.000Z');
    const sameDay = parseJournalLine('Jan  2 02:00:00 cp1 systemd[1]: Stopped kubelet.service.', january);
    expect(sameDay?.kind === 'entry' && sameDay.time).toBe('2027-01-02T02:00:00.000Z');
  });

  it.each([
    ['11月 27 10:00:00 cp1 systemd[1]: kubelet.service: Main process exited, code=exited, status=1/FAILURE', 'ja'],
    ['11월 27 10:00:00 cp1 systemd[1]: kubelet.service: Main process exited, code=exited, status=1/FAILURE', 'ko'],
    ['nov. 27 10:00:00 cp1 systemd[1]: kubelet.service: Main process exited, code=exited, status=1/FAILURE', 'fr'],
    ['Nov 27 10:00:00 cp1 systemd[1]: kubelet.service: Main process exited, code=exited, status=1/FAILURE', 'en'],
    ['ноя 27 10:00:00 cp1 systemd[1]: kubelet.service: Main process exited, code=exited, status=1/FAILURE', 'ru'],
  ])('reads localized month names: %s (%s)', (line) => {
    const entry = parseJournalLine(line, ctx, { utcOffsetMinutes: 540 });
    expect(entry).toMatchObject({ kind: 'entry', time: '2026-11-27T01:00:00.000Z', host: 'cp1', unit: 'systemd', pid: 1 });
  });

  it('reads localized months of other seasons (de Mär, es dic, it ott)', () => {
    const at = (line: string) => {
      const entry = parseJournalLine(line, ctx);
      return entry?.kind === 'entry' ? entry.time : null;
    };
    expect(at('Mär 03 08:00:00 n1 kubelet[1]: x')).toBe('2026-03-03T08:00:00.000Z');
    expect(at('dic 24 08:00:00 n1 kubelet[1]: x')).toBe('2025-12-24T08:00:00.000Z');
    expect(at('ott 05 08:00:00 n1 kubelet[1]: x')).toBe('2026-10-05T08:00:00.000Z');
  });

  it('reads short-iso and short-iso-precise with their own offsets', () => {
    expect(parseJournalLine('2026-11-27T10:00:00+0900 cp1 containerd[812]: level=info msg="x"', ctx)).toMatchObject({
      time: '2026-11-27T01:00:00.000Z', unit: 'containerd', pid: 812, message: 'level=info msg="x"',
    });
    expect(parseJournalLine('2026-11-27T10:00:00.123456+09:00 cp1 kubelet[9]: hi', ctx)).toMatchObject({ time: '2026-11-27T01:00:00.123Z' });
    expect(parseJournalLine('Nov 27 10:00:00.654321 cp1 kubelet[9]: precise', ctx)).toMatchObject({ time: '2026-11-27T10:00:00.654Z' });
  });

  it('reads identifiers without a pid and messages without an identifier', () => {
    expect(parseJournalLine('Nov 27 10:00:12 cp1 kernel: [   12.3] eth0: link up', ctx)).toMatchObject({ unit: 'kernel', pid: null, message: '[   12.3] eth0: link up' });
    expect(parseJournalLine('Nov 27 10:00:12 cp1 just some words', ctx)).toMatchObject({ unit: null, message: 'just some words' });
  });

  it('recognizes journalctl markers', () => {
    expect(parseJournalLine('-- Boot 5d8f0c2a3b7e4f1e9a6b5c4d3e2f1a0b --', ctx)).toMatchObject({ kind: 'marker', marker: 'boot', bootId: '5d8f0c2a3b7e4f1e9a6b5c4d3e2f1a0b' });
    expect(parseJournalLine('-- No entries --', ctx)).toMatchObject({ marker: 'no-entries' });
    expect(parseJournalLine('-- Journal begins at Mon 2026-11-23 09:00:00 JST, ends at Fri 2026-11-27 10:00:05 JST. --', ctx)).toMatchObject({ marker: 'logs-begin' });
    expect(parseJournalLine('-- Reboot --', ctx)).toMatchObject({ marker: 'reboot' });
  });

  it('returns null for continuation lines and text of other shapes', () => {
    expect(parseJournalLine('    goroutine 1 [running]:', ctx)).toBeNull();
    expect(parseJournalLine('Hello world', ctx)).toBeNull();
    expect(parseJournalLine('Foo 27 10:00:00 cp1 x: y', ctx)).toBeNull();
    expect(parseJournalLine('', ctx)).toBeNull();
  });
});

describe('parseJournal', () => {
  it('keeps line numbers, markers and multi-line messages', () => {
    const journal = parseJournal(SAMPLE, ctx);
    expect(journal.entries.map((entry) => entry.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 11]);
    expect(journal.markers.map((marker) => [marker.marker, marker.line])).toEqual([['logs-begin', 1], ['boot', 10]]);
    expect(journal.entries[6]!.message).toBe('panic: boom\ngoroutine 1 [running]:');
    expect(journal.unrecognizedLines).toEqual([]);
  });

  it('accepts "-- No entries --" alone and empty text, and rejects text of another format', () => {
    expect(parseJournal('-- No entries --\n', ctx).entries).toEqual([]);
    expect(parseJournal('', ctx).entries).toEqual([]);
    expect(() => parseJournal('{"kind":"List"}\n', ctx)).toThrow(ParseError);
  });
});

describe('classifyLifecycle', () => {
  const systemd = (message: string): Pick<JournalEntry, 'unit' | 'message'> => ({ unit: 'systemd', message });

  it.each([
    ['Started kubelet.service - kubelet: The Kubernetes Node Agent.', { kind: 'started', unit: 'kubelet.service', description: 'kubelet: The Kubernetes Node Agent' }],
    ['Started kubelet: The Kubernetes Node Agent.', { kind: 'started', unit: null, description: 'kubelet: The Kubernetes Node Agent' }],
    ['Starting containerd.service - containerd container runtime...', { kind: 'starting', unit: 'containerd.service' }],
    ['Stopped kubelet.service - kubelet: The Kubernetes Node Agent.', { kind: 'stopped', unit: 'kubelet.service' }],
    ['Failed to start kubelet.service - kubelet: The Kubernetes Node Agent.', { kind: 'start-failed', unit: 'kubelet.service' }],
    ['kubelet.service: Main process exited, code=exited, status=1/FAILURE', { kind: 'main-exited', unit: 'kubelet.service', exitCode: 'exited', status: '1/FAILURE' }],
    ['containerd.service: main process exited, code=killed, status=9/KILL', { kind: 'main-exited', exitCode: 'killed', status: '9/KILL' }],
    ["kubelet.service: Failed with result 'exit-code'.", { kind: 'failed', unit: 'kubelet.service', result: 'exit-code' }],
    ['kubelet.service: Scheduled restart job, restart counter is at 5.', { kind: 'restart-scheduled', restartCounter: 5 }],
    ['kubelet.service: Service RestartSec=10s expired, scheduling restart.', { kind: 'restart-scheduled', unit: 'kubelet.service' }],
    ['kubelet.service: Service hold-off time over, scheduling restart.', { kind: 'restart-scheduled' }],
    ['Unit kubelet.service entered failed state.', { kind: 'failed', unit: 'kubelet.service' }],
    ['kubelet.service: Start request repeated too quickly.', { kind: 'start-limit-hit' }],
    ['kubelet.service: Deactivated successfully.', { kind: 'deactivated' }],
  ])('%s', (message, expected) => {
    expect(classifyLifecycle(systemd(message))).toMatchObject(expected);
  });

  it('ignores other identifiers and other systemd messages', () => {
    expect(classifyLifecycle({ unit: 'kubelet', message: 'Started kubelet.service' })).toBeNull();
    expect(classifyLifecycle(systemd('kubelet.service: Consumed 1.234s CPU time.'))).toBeNull();
    expect(classifyLifecycle(systemd('Reached target multi-user.target - Multi-User System.'))).toBeNull();
  });

  it('builds a restart timeline from a parsed journal', () => {
    const kinds = parseJournal(SAMPLE, ctx).entries.map(classifyLifecycle).filter((event) => event !== null).map((event) => event.kind);
    expect(kinds).toEqual(['started', 'main-exited', 'failed', 'restart-scheduled', 'starting']);
  });
});

describe('robustness', () => {
  it('never crashes except with ParseError', () => {
    checkRobust((text) => parseJournal(text, ctx), [SAMPLE]);
    checkRobust((text) => parseJournalLine(text, ctx), SAMPLE.split('\n'));
  });
  it('handles long hostile lines in linear time', () => {
    checkNoBlowup((text) => parseJournal(text, ctx), [
      `Nov 27 10:00:00 ${'h'.repeat(200_000)}`,
      `Nov 27 10:00:00 cp1 ${'x:'.repeat(100_000)}`,
      `-- ${'-- '.repeat(100_000)}`,
      `${'Nov 27 10:00:00 cp1 a[1]: b\n'.repeat(50_000)}`,
    ]);
  });
});
