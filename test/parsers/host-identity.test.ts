import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError, type ParseContext } from '../../analyzer/parsers/common.js';
import {
  parseClock,
  parseHostname,
  parseMachineId,
  parseOsRelease,
  parseProductUuid,
  parseTimezone,
  parseUname,
  parseUptime,
} from '../../analyzer/parsers/host-identity.js';
import { checkNoBlowup } from './fuzz.js';

const ctx: ParseContext = { collectedAt: new Date('2024-11-27T12:00:00Z'), path: 'hosts/w1/cmd/clock.txt' };

describe('host identity parsers', () => {
  it('reads os-release with quoting', () => {
    const facts = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n# comment\nX="say \\"hi\\""\n');
    expect(facts).toMatchObject({ id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', versionCodename: 'bookworm' });
    expect(facts.fields['X']).toEqual({ value: 'say "hi"', line: 7 });
  });

  it('reads uname -a and uname -r', () => {
    expect(parseUname('Linux pve1 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z) x86_64 GNU/Linux\n')).toEqual({
      kernelRelease: '6.8.12-4-pve',
      nodename: 'pve1',
      machine: 'x86_64',
      proxmoxKernel: true,
      line: 1,
    });
    expect(parseUname('6.1.0-27-amd64\n')).toEqual({ kernelRelease: '6.1.0-27-amd64', proxmoxKernel: false, line: 1 });
    expect(parseUname('')).toEqual({ proxmoxKernel: false });
  });

  it('reads hostname, machine-id and product_uuid, flagging templates and placeholders', () => {
    expect(parseHostname('k8s-w1.lab.example\n')).toEqual({ hostname: 'k8s-w1.lab.example', shortName: 'k8s-w1', line: 1 });
    expect(parseMachineId('5F1c0c2b2d9a4a4f8e3f1b2c3d4e5f60\n')).toEqual({ machineId: '5f1c0c2b2d9a4a4f8e3f1b2c3d4e5f60', line: 1 });
    expect(parseMachineId('')).toEqual({});
    expect(parseMachineId('uninitialized\n')).toEqual({});
    expect(parseMachineId('not-an-id')).toEqual({ invalid: 'not-an-id', line: 1 });
    expect(parseProductUuid('8A5E3C1B-0D2F-4C6A-9B7E-1F2A3B4C5D6E\n')).toEqual({ uuid: '8a5e3c1b-0d2f-4c6a-9b7e-1f2a3b4c5d6e', placeholder: false, line: 1 });
    expect(parseProductUuid('03000200-0400-0500-0006-000700080009').placeholder).toBe(true);
  });

  it('reads the clock line and its offset from collection time', () => {
    expect(parseClock('1732708845.123456789\n', ctx)).toEqual({
      epochMs: 1732708845123,
      iso: '2024-11-27T12:00:45.123Z',
      offsetFromCollectionMs: 45123,
      line: 1,
    });
    expect(parseClock('1732708800.N')).toMatchObject({ epochMs: 1732708800000 });
    expect(parseClock('Wed Nov 27 12:00:00 UTC 2024')).toEqual({});
  });

  it('reads timedatectl show and /etc/timezone', () => {
    expect(parseTimezone('Timezone=Asia/Tokyo\nLocalRTC=no\nCanNTP=yes\nNTP=yes\nNTPSynchronized=no\n')).toEqual({
      timezone: 'Asia/Tokyo',
      line: 1,
      localRtc: false,
      ntpEnabled: true,
      ntpSynchronized: false,
    });
    expect(parseTimezone('Etc/UTC\n')).toEqual({ timezone: 'Etc/UTC', line: 1 });
  });

  it('reads the uptime variants', () => {
    expect(parseUptime(' 12:00:00 up 12 days,  3:04,  2 users,  load average: 0.08, 0.03, 0.01\n', ctx)).toEqual({
      uptimeSeconds: 12 * 86400 + 3 * 3600 + 4 * 60,
      bootTime: new Date(ctx.collectedAt.getTime() - (12 * 86400 + 3 * 3600 + 4 * 60) * 1000).toISOString(),
      loadAverage: [0.08, 0.03, 0.01],
      users: 2,
      line: 1,
    });
    expect(parseUptime(' 12:00:00 up 5 min,  load average: 1.00, 0.50, 0.25')).toMatchObject({ uptimeSeconds: 300, loadAverage: [1, 0.5, 0.25] });
    expect(parseUptime('up 2 weeks, 3 days, 4 hours')).toMatchObject({ uptimeSeconds: 2 * 604800 + 3 * 86400 + 4 * 3600 });
    expect(parseUptime('2024-11-15 18:00:00')).toEqual({ bootTime: '2024-11-15T18:00:00', line: 1 });
    expect(parseUptime('350735.47 234388.90\n')).toMatchObject({ uptimeSeconds: 350735 });
  });

  it('never throws on random or mutated input', () => {
    const parsers: ((t: string) => unknown)[] = [
      parseOsRelease,
      parseUname,
      parseHostname,
      parseMachineId,
      parseProductUuid,
      (t) => parseClock(t, ctx),
      parseTimezone,
      (t) => parseUptime(t, ctx),
    ];
    const sample = ' 12:00:00 up 12 days,  3:04,  2 users,  load average: 0.08, 0.03, 0.01\n1732708845.1\nTimezone=Asia/Tokyo\n';
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.tuple(fc.nat(), fc.string()).map(([i, s]) => sample.slice(0, i % sample.length) + s)), (text) => {
        for (const parse of parsers) {
          try {
            parse(text);
          } catch (e) {
            expect(e).toBeInstanceOf(ParseError);
          }
        }
      }),
      { numRuns: 300 },
    );
    for (const parse of parsers) checkNoBlowup(parse, [`up ${'1 day, '.repeat(5000)}${' '.repeat(20_000)}load`]);
  });
});
