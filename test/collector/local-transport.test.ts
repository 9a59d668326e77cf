import { describe, expect, it } from 'vitest';
import { classify } from '../../collector/run.js';
import { TailBuffer, connectLocal } from '../../collector/transports/local.js';

const opts = { timeoutMs: 10_000, maxBytes: 1 << 20, sudo: false };

describe('local transport', () => {
  it('keeps stdout, exit code and stderr of a failing command', async () => {
    const conn = connectLocal();
    const out = await conn.exec('echo partial; echo oops >&2; exit 3', opts);
    expect(out.exitCode).toBe(3);
    expect(out.stdout.toString()).toBe('partial\n');
    expect(out.stderr).toBe('oops\n');
    expect(classify(out)).toBe('failed');
    await conn.close();
  });

  it('reports a missing command as not-found', async () => {
    const conn = connectLocal();
    const out = await conn.exec('labsnap-no-such-tool --version', opts);
    expect(out.exitCode).toBe(127);
    expect(classify(out)).toBe('not-found');
    const file = await conn.exec('cat -- /labsnap/no/such/file', opts);
    expect(classify(file)).toBe('not-found');
  });

  it('kills the whole process group on timeout', async () => {
    const conn = connectLocal();
    const t0 = Date.now();
    // The grandchild would keep stdout open for 30 s if only the shell were killed.
    const out = await conn.exec('echo started; sleep 30 & sleep 30; echo never', { ...opts, timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(out.timedOut).toBe(true);
    expect(out.exitCode).toBeNull();
    expect(out.stdout.toString()).toBe('started\n');
    expect(classify(out)).toBe('timeout');
  });

  it('keeps the tail of output over the cap and counts every byte', async () => {
    const conn = connectLocal();
    const out = await conn.exec('seq 1 100000', { ...opts, maxBytes: 1000 });
    expect(out.truncated).toBe(true);
    expect(out.stdout.length).toBe(1000);
    expect(out.stdout.toString().endsWith('99999\n100000\n')).toBe(true);
    expect(out.totalBytes).toBe(588895);
  });

  it('keeps only the first 4 KiB of stderr', async () => {
    const conn = connectLocal();
    const out = await conn.exec('seq 1 10000 >&2', opts);
    expect(out.stderr.length).toBe(4096);
    expect(out.stderr.startsWith('1\n2\n')).toBe(true);
  });

  it('classifies sudo password prompts and permission errors', () => {
    const base = { stdout: Buffer.alloc(0), truncated: false, timedOut: false, startedAt: new Date(), durationMs: 1, totalBytes: 0 };
    expect(classify({ ...base, exitCode: 1, stderr: 'sudo: a password is required\n' })).toBe('permission-denied');
    expect(classify({ ...base, exitCode: 1, stderr: 'cat: /etc/pve/x: Permission denied\n' })).toBe('permission-denied');
    expect(classify({ ...base, exitCode: 3, stderr: '' }, [0, 3])).toBe('ok');
  });
});

describe('TailBuffer', () => {
  it('holds at most the limit plus one chunk', () => {
    const t = new TailBuffer(10);
    for (let i = 0; i < 100; i++) t.push(Buffer.from(`${i % 10}`.repeat(7)));
    expect(t.total).toBe(700);
    expect(t.result().toString()).toBe('8889999999');
  });
});
