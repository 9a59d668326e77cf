// The batch shell's wire format and the shell itself, without SSH: frames are cut by their stated lengths
// whatever bytes the outputs hold and however the stream is split, and the POSIX script runs under sh.
import { spawn } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BATCH_PROTOCOL, BatchSession, FrameReader, type BatchFrame } from '../../collector/transports/batch.js';

function frameBytes(id: number, out: Uint8Array, err: Uint8Array, code: number | null): Buffer {
  const head = `labsnap-item ${id} ${code ?? '-'} ${out.length} ${out.length} ${err.length}\n`;
  return Buffer.concat([Buffer.from(head), Buffer.from(out), Buffer.from(err)]);
}

function localSession(startTimeoutMs = 5000): BatchSession {
  const child = spawn('sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new BatchSession(
    {
      write: (t) => void child.stdin.write(t),
      end: () => void child.stdin.end(),
      onData: (fn) => void child.stdout.on('data', fn),
      onStderr: (fn) => void child.stderr.on('data', fn),
      onClose: (fn) => void child.on('close', fn),
      destroy: () => void child.kill('SIGKILL'),
    },
    'local',
    startTimeoutMs,
  );
}

describe('batch frames', () => {
  it('come back exactly as sent, whatever they contain and wherever the stream is cut', () => {
    const bytes = fc.uint8Array({ maxLength: 300 });
    // Outputs that look like the protocol itself are the interesting ones.
    const tricky = fc.constantFrom(Buffer.from('labsnap-item 1 0 3 3 0\n'), Buffer.from(`labsnap-batch-ready n ${BATCH_PROTOCOL}\n`), Buffer.from('\n\n'), Buffer.alloc(0));
    const output = fc.oneof(bytes, tricky.map((b) => new Uint8Array(b)));
    fc.assert(
      fc.property(fc.array(fc.tuple(output, output, fc.option(fc.integer({ min: 0, max: 255 }))), { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }), fc.string({ maxLength: 40 }), (items, cuts, junk) => {
        const stream = Buffer.concat([Buffer.from(`${junk.replace(/labsnap/g, '')}\nlabsnap-batch-ready NONCE ${BATCH_PROTOCOL}\n`), ...items.map(([o, e, c], i) => frameBytes(i + 1, o, e, c))]);
        const got: BatchFrame[] = [];
        let ready = 0;
        const reader = new FrameReader('NONCE', () => ready++, (why) => expect.fail(why), (f) => got.push(f));
        let at = 0;
        for (let k = 0; at < stream.length; k++) {
          const n = cuts[k % cuts.length]!;
          reader.push(stream.subarray(at, at + n));
          at += n;
        }
        expect(ready).toBe(1);
        expect(got.map((f) => [f.id, f.exitCode, Buffer.from(f.stdout).toString('hex'), Buffer.from(f.stderr).toString('hex'), f.totalBytes])).toEqual(
          items.map(([o, e, c], i) => [i + 1, c, Buffer.from(o).toString('hex'), Buffer.from(e).toString('hex'), o.length]),
        );
      }),
    );
  });

  it('refuses a stream that is not frames instead of guessing', () => {
    const reader = new FrameReader('N', () => undefined, () => undefined, () => undefined);
    reader.push(Buffer.from(`labsnap-batch-ready N ${BATCH_PROTOCOL}\n`));
    expect(() => reader.push(Buffer.from('hello\n'))).toThrow(/not an item header/);
  });

  it('ignores a ready line with another nonce (a login banner cannot fake it)', () => {
    let ready = 0;
    const reader = new FrameReader('N', () => ready++, () => undefined, () => undefined);
    reader.push(Buffer.from(`labsnap-batch-ready X ${BATCH_PROTOCOL}\nWelcome\n`));
    expect(ready).toBe(0);
    expect(reader.preamble).toContain('Welcome');
  });
});

describe('batch shell under sh', () => {
  const opts = { timeoutMs: 10_000, maxBytes: 1000, sudo: false };

  it('runs commands in parallel, each with its own exit code, stderr, cap and timeout', async () => {
    const s = localSession();
    await s.start();
    try {
      const [a, b, c, d] = await Promise.all([
        s.run('echo out; echo err >&2; exit 3', opts, 11),
        s.run('seq 1 100000', opts, 11),
        s.run('echo started; exec sleep 30', { ...opts, timeoutMs: 500 }, 1),
        s.run('cat; echo after', opts, 11),
      ]);
      expect(a.outcome).toMatchObject({ exitCode: 3, stderr: 'err\n', truncated: false, timedOut: false, totalBytes: 4 });
      expect(a.outcome!.stdout.toString()).toBe('out\n');
      expect(b.outcome).toMatchObject({ exitCode: 0, truncated: true, totalBytes: 588895 });
      expect(b.outcome!.stdout.length).toBe(1000);
      expect(b.outcome!.stdout.toString().endsWith('\n100000\n')).toBe(true);
      // The host's own limit (1 s here) ends it; its output so far still arrives.
      expect(c.outcome).toMatchObject({ exitCode: null, timedOut: true });
      expect(c.outcome!.stdout.toString()).toBe('started\n');
      expect(d.outcome!.stdout.toString()).toBe('after\n');
    } finally {
      s.close();
    }
  });

  it('fails running commands with the reason when the shell dies', async () => {
    const s = localSession();
    await s.start();
    const pending = s.run('sleep 5', opts, 11);
    await new Promise((r) => setTimeout(r, 100));
    // EOF on its input ends the shell (its trap stops the emitter and removes the folder) mid-command.
    s.close();
    const r = await pending;
    expect(r.outcome).toBeNull();
    expect(r.reason).toMatch(/batch shell on local ended/);
    expect(s.state).toBe('ended');
  });
});
