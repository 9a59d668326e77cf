// The SSH transport against real OpenSSH sshd instances on loopback: no mocks of ssh2 or of the server.
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostUnreachableError, type ExecOptions, type HostConnection, type SshHostSpec } from '../../collector/transport.js';
import { connectSsh } from '../../collector/transports/ssh.js';
import { generateKey, sshdSkipReason, startSshLab, type SshLab } from '../helpers/sshd.js';

const run = promisify(execFile);
const skip = sshdSkipReason();
if (skip) console.warn(`skipping SSH transport tests: ${skip}`);

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d !== '' && existsSync(path.join(d, cmd)));
}
const agentSkip = onPath('ssh-agent') && onPath('ssh-add') ? null : 'ssh-agent/ssh-add not installed';
const sudoSkip = onPath('sudo') ? null : 'sudo is not installed on this machine';
if (!skip && agentSkip) console.warn(`skipping ssh-agent test: ${agentSkip}`);
if (!skip && sudoSkip) console.warn(`skipping sudo password-prompt test: ${sudoSkip}`);

const EXEC: ExecOptions = { timeoutMs: 10_000, maxBytes: 1 << 20, sudo: false };

async function connectError(spec: SshHostSpec, lab: SshLab, acceptNewHostKeys = false): Promise<HostUnreachableError> {
  const err = await connectSsh(spec, lab.connectOptions({ acceptNewHostKeys })).then(
    async (conn) => {
      await conn.close();
      return new Error('connected, but a failure was expected');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HostUnreachableError);
  return err as HostUnreachableError;
}

describe.skipIf(skip !== null)('SSH transport against a real sshd', () => {
  let lab: SshLab;
  let conn: HostConnection;

  beforeAll(async () => {
    lab = await startSshLab([
      { name: 'alpha' },
      { name: 'hashed', knownHosts: 'hashed' },
      { name: 'stranger', knownHosts: 'none' },
      { name: 'bastion' },
      { name: 'inner' },
    ]);
  });

  afterAll(async () => {
    await lab?.stop();
  });

  // Every exec behaviour holds both in the batch shell (the default) and with a channel per command (the
  // fallback when the batch cannot start).
  describe.each([
    { way: 'batch', batch: true },
    { way: 'per-item', batch: false },
  ])('exec ($way)', ({ way, batch }) => {
    beforeAll(async () => {
      conn = await connectSsh(lab.spec('alpha'), lab.connectOptions({ batch }));
    });

    afterAll(async () => {
      await conn?.close();
    });

    it('reports how it reached the host', async () => {
      await conn.exec('true', EXEC);
      expect(conn.collectionWay?.()).toEqual(batch ? { mode: 'batch', note: null } : { mode: 'per-item', note: 'batch execution turned off' });
      expect(way).toBe(batch ? 'batch' : 'per-item');
    });

    it('returns stdout and exit code 0 and reports the verified host key', async () => {
      const out = await conn.exec('echo "hello $((6 * 7))"', EXEC);
      expect(out).toMatchObject({ exitCode: 0, stderr: '', truncated: false, timedOut: false, totalBytes: 9 });
      expect(out.stdout.toString()).toBe('hello 42\n');
      expect(conn.hostKeyFingerprint).toBe(lab.host('alpha').hostKeys[0]!.fingerprint);
    });

    it('keeps stdout and stderr of a command that exits non-zero', async () => {
      const out = await conn.exec("printf 'partial output\\n'; echo 'it broke' >&2; exit 3", EXEC);
      expect(out.exitCode).toBe(3);
      expect(out.stdout.toString()).toBe('partial output\n');
      expect(out.stderr).toBe('it broke\n');
    });

    it('passes quotes and shell syntax through unchanged', async () => {
      const out = await conn.exec(`x='it'"'"'s'; printf '%s|%s\\n' "$x" "$(echo a  b)"`, EXEC);
      expect(out.stdout.toString()).toBe("it's|a b\n");
    });

    it('keeps only the first 4 KiB of stderr', async () => {
      const out = await conn.exec('head -c 20000 /dev/zero | tr "\\0" e >&2; echo done', EXEC);
      expect(out.exitCode).toBe(0);
      expect(out.stderr).toBe('e'.repeat(4096));
      expect(out.stdout.toString()).toBe('done\n');
    });

    it('keeps the tail of stdout over maxBytes, with the total size', async () => {
      // 32-byte numbered lines: 100000 bytes is exactly lines 1..3125.
      const out = await conn.exec('labsnap-flood 100000', { ...EXEC, maxBytes: 1000 });
      expect(out.exitCode).toBe(0);
      expect(out.truncated).toBe(true);
      expect(out.totalBytes).toBe(100_000);
      expect(out.stdout.length).toBe(1000);
      expect(out.stdout.toString().endsWith('labsnap flood line 000000003125\n')).toBe(true);
      expect(out.stdout.toString()).not.toContain('000000003093\n');
    });

    it('kills a command that runs past its timeout, on the host too', async () => {
      const t0 = Date.now();
      const out = await conn.exec('echo started; exec sleep 3517', { ...EXEC, timeoutMs: 700 });
      expect(out.timedOut).toBe(true);
      expect(out.exitCode).toBeNull();
      expect(out.stdout.toString()).toBe('started\n');
      expect(out.stderr).toMatch(/timed out after 700 ms on alpha/);
      expect(Date.now() - t0).toBeLessThan(5000);
      let left = '';
      for (let i = 0; i < 20; i++) {
        left = (await conn.exec('pgrep -f "sleep 351[7]" || true', EXEC)).stdout.toString();
        if (left === '') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(left).toBe('');
    });

    it('gives a command EOF on stdin instead of waiting for input', async () => {
      const out = await conn.exec('cat; echo after', { ...EXEC, timeoutMs: 3000 });
      expect(out).toMatchObject({ exitCode: 0, timedOut: false });
      expect(out.stdout.toString()).toBe('after\n');
    });

    it('runs many commands on ONE connection, at most maxChannels at once', async () => {
      const host = lab.host('alpha');
      const before = await host.acceptedLogins();
      const c = await connectSsh(lab.spec('alpha'), lab.connectOptions({ maxChannels: 3, batch }));
      try {
        const runs = await Promise.all(
          Array.from({ length: 12 }, (_, i) => c.exec(`date +%s%N; sleep 0.3; date +%s%N; echo ${i}`, EXEC)),
        );
        const intervals = runs.map((r, i) => {
          expect(r.exitCode).toBe(0);
          const [start, end, n] = r.stdout.toString().trim().split('\n');
          expect(n).toBe(String(i));
          return [Number(BigInt(start!) / 1000n), Number(BigInt(end!) / 1000n)] as const;
        });
        let maxOverlap = 0;
        for (const [s] of intervals) {
          maxOverlap = Math.max(maxOverlap, intervals.filter(([a, b]) => a <= s && s < b).length);
        }
        expect(maxOverlap).toBeLessThanOrEqual(3);
        expect(maxOverlap).toBeGreaterThanOrEqual(2);
      } finally {
        await c.close();
      }
      expect((await host.acceptedLogins()) - before).toBe(1);
    });

    it('fails outstanding and later commands with an error when the connection dies', async () => {
      const host = lab.host('alpha');
      const c = await connectSsh(lab.spec('alpha'), lab.connectOptions({ batch }));
      try {
        await c.exec('true', EXEC);
        const pending = c.exec('sleep 5; echo never', EXEC);
        await new Promise((r) => setTimeout(r, 300));
        await host.dropConnections();
        const out = await pending;
        expect(out.exitCode).toBeNull();
        expect(out.timedOut).toBe(false);
        expect(out.stderr).toMatch(/connection to alpha .*(closed|failed)/);
        const later = await c.exec('echo hi', EXEC);
        expect(later.exitCode).toBeNull();
        expect(later.stderr).toMatch(/command not run/);
      } finally {
        await c.close();
      }
      // The shared connection of the other tests was dropped too; reopen it for any later test.
      conn = await connectSsh(lab.spec('alpha'), lab.connectOptions({ batch }));
    });

    it('turns a missing sudo into a clear per-command error', async () => {
      const out = await conn.exec('id -u', { ...EXEC, sudo: true });
      if (sudoSkip === null) {
        // Root with sudo installed: sudo -n needs no password.
        expect(out.exitCode).toBe(0);
      } else {
        expect(out.exitCode).toBe(127);
        expect(out.stderr).toMatch(/^labsnap: sudo is not installed on alpha/);
      }
    });
  });

  describe('batch shell', () => {
    it('runs every command of a connection in one login shell start', async () => {
      const host = lab.host('alpha');
      const before = await host.shellStarts();
      const c = await connectSsh(lab.spec('alpha'), lab.connectOptions());
      try {
        const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => c.exec(`echo ${i}`, EXEC)));
        expect(runs.map((r) => r.stdout.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
        expect(c.collectionWay?.()).toEqual({ mode: 'batch', note: null });
      } finally {
        await c.close();
      }
      expect((await host.shellStarts()) - before).toBe(1);
    });

    it('keeps outputs apart even when they contain the frame headers and arbitrary bytes', async () => {
      const c = await connectSsh(lab.spec('alpha'), lab.connectOptions());
      try {
        const fake = 'labsnap-item 1 0 5 5 0\nlabsnap-batch-ready x 1\n';
        const runs = await Promise.all([
          c.exec(`printf '${fake.replace(/\n/g, '\\n')}'; printf 'also on stderr\\n' >&2`, EXEC),
          c.exec('head -c 70000 /dev/urandom | tee /dev/stderr | sha256sum', EXEC),
          c.exec("printf 'a\\0b\\0\\n\\n'", EXEC),
          c.exec('printf no-newline-at-end', EXEC),
          c.exec('true', EXEC),
        ]);
        expect(runs[0]!.stdout.toString()).toBe(fake);
        expect(runs[0]!.stderr).toBe('also on stderr\n');
        expect(runs[1]!.stdout.toString()).toMatch(/^[0-9a-f]{64} {2}-\n$/);
        expect(runs[1]!.stderr.length).toBeGreaterThan(0);
        expect(runs[2]!.stdout).toEqual(Buffer.from('a\0b\0\n\n'));
        expect(runs[3]!.stdout.toString()).toBe('no-newline-at-end');
        expect(runs[4]).toMatchObject({ exitCode: 0, stderr: '', totalBytes: 0 });
      } finally {
        await c.close();
      }
    });

    it('skips what a chatty login shell prints before the batch starts', async () => {
      const host = await lab.addHost({ name: 'chatty', loginShellBanner: 'Welcome!\nlabsnap-item 9 0 0 0 0\n' });
      const c = await connectSsh(lab.spec('chatty'), lab.connectOptions());
      try {
        const out = await c.exec('echo fine', EXEC);
        expect(out).toMatchObject({ exitCode: 0, stderr: '' });
        expect(out.stdout.toString()).toBe('fine\n');
        expect(c.collectionWay?.()).toEqual({ mode: 'batch', note: null });
      } finally {
        await c.close();
      }
      expect(await host.shellStarts()).toBe(1);
    });

    it('falls back to a channel per command where the batch cannot start, and says why', async () => {
      // No usable temporary folder: the batch shell has nowhere to keep outputs; single commands still run.
      const host = await lab.addHost({ name: 'notmp', sessionEnv: { TMPDIR: '/nonexistent/labsnap-test' } });
      const c = await connectSsh(lab.spec('notmp'), lab.connectOptions());
      try {
        const outs = await Promise.all([c.exec('echo one', EXEC), c.exec('echo two; exit 4', EXEC)]);
        expect(outs.map((o) => [o.stdout.toString(), o.exitCode])).toEqual([['one\n', 0], ['two\n', 4]]);
        const way = c.collectionWay?.();
        expect(way?.mode).toBe('per-item');
        expect(way?.note).toMatch(/cannot create a temporary folder under \/nonexistent\/labsnap-test/);
      } finally {
        await c.close();
      }
      // The batch attempt, then one per command.
      expect(await host.shellStarts()).toBe(3);
    });

    it('leaves no temporary folder behind on the host', async () => {
      const before = (await fs.readdir('/tmp')).filter((f) => f.startsWith('labsnap-batch.'));
      const c = await connectSsh(lab.spec('alpha'), lab.connectOptions());
      await c.exec('echo x', EXEC);
      await c.close();
      let left: string[] = [];
      for (let i = 0; i < 20; i++) {
        left = (await fs.readdir('/tmp')).filter((f) => f.startsWith('labsnap-batch.') && !before.includes(f));
        if (left.length === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(left).toEqual([]);
    });
  });

  describe('host keys', () => {
    it('accepts a host recorded as a hashed known_hosts entry', async () => {
      const c = await connectSsh(lab.spec('hashed'), lab.connectOptions());
      expect((await c.exec('echo ok', EXEC)).stdout.toString()).toBe('ok\n');
      await c.close();
    });

    it('refuses an unknown host key, naming the fingerprint and how to accept it', async () => {
      const host = lab.host('stranger');
      const err = await connectError(lab.spec('stranger'), lab);
      expect(err.reason).toBe('unknown-host-key');
      expect(err.host).toBe('stranger');
      expect(err.hostKeyFingerprint).toBe(host.hostKeys[0]!.fingerprint);
      expect(err.message).toContain(host.hostKeys[0]!.fingerprint);
      expect(err.message).toContain('--accept-new-host-keys');
      expect(err.message).toContain(`ssh-keyscan -p ${host.port} ${host.address} >> ${lab.knownHostsPath}`);
    });

    it('records an unknown key with --accept-new-host-keys, in a new 0600 file, and trusts it next time', async () => {
      const host = lab.host('stranger');
      const file = path.join(lab.root, 'tofu', 'known_hosts');
      const spec = lab.spec('stranger', { knownHosts: file });
      const c = await connectSsh(spec, lab.connectOptions({ acceptNewHostKeys: true }));
      expect(c.hostKeyFingerprint).toBe(host.hostKeys[0]!.fingerprint);
      await c.close();
      const text = await fs.readFile(file, 'utf8');
      expect(text).toBe(`[${host.address}]:${host.port} ${host.hostKeys[0]!.type} ${host.hostKeys[0]!.blob.toString('base64')}\n`);
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
      const again = await connectSsh(spec, lab.connectOptions());
      await again.close();
      expect(await fs.readFile(file, 'utf8')).toBe(text);
    });

    it('refuses a changed host key even with --accept-new-host-keys', async () => {
      const host = lab.host('alpha');
      const other = lab.host('inner').hostKeys[0]!;
      const file = path.join(lab.root, 'known_hosts.mismatch');
      await fs.writeFile(file, `[${host.address}]:${host.port} ${other.type} ${other.blob.toString('base64')}\n`);
      const err = await connectError(lab.spec('alpha', { knownHosts: file }), lab, true);
      expect(err.reason).toBe('host-key-mismatch');
      expect(err.message).toContain('HOST KEY MISMATCH');
      expect(err.message).toContain(host.hostKeys[0]!.fingerprint);
      expect(err.message).toContain(`${file}:1`);
      expect(await fs.readFile(file, 'utf8')).not.toContain(host.hostKeys[0]!.blob.toString('base64'));
    });

    it('refuses a key marked @revoked', async () => {
      const host = lab.host('alpha');
      const file = path.join(lab.root, 'known_hosts.revoked');
      const [ed] = host.knownHostsLines('plain');
      await fs.writeFile(file, `@revoked * ${ed!.split(' ').slice(1).join(' ')}\n${ed}\n`);
      const err = await connectError(lab.spec('alpha', { knownHosts: file }), lab, true);
      expect(err.reason).toBe('host-key-mismatch');
      expect(err.message).toMatch(/@revoked/);
    });

    it('asks for the key type on record, so a host known only by its ECDSA key is recognised', async () => {
      const host = lab.host('alpha');
      const file = path.join(lab.root, 'known_hosts.ecdsa');
      await fs.writeFile(file, `# only the ECDSA key\n${host.knownHostsLines('hashed')[1]}\n`);
      const c = await connectSsh(lab.spec('alpha', { knownHosts: file }), lab.connectOptions());
      expect(c.hostKeyFingerprint).toBe(host.hostKeys[1]!.fingerprint);
      await c.close();
    });
  });

  describe('settings and authentication', () => {
    it('honours a ~/.ssh/config alias (HostName, User, Port, IdentityFile, UserKnownHostsFile) over inventory defaults', async () => {
      const host = lab.host('alpha');
      await fs.copyFile(lab.clientKeyPath, path.join(lab.home, '.ssh', 'lab_key'));
      await fs.copyFile(lab.knownHostsPath, path.join(lab.home, '.ssh', 'lab_known_hosts'));
      const config = path.join(lab.home, '.ssh', 'config');
      await fs.writeFile(
        config,
        [
          'Host lab-*',
          `  HostName ${host.address}`,
          `  Port ${host.port}`,
          '  User root',
          '  IdentityFile ~/.ssh/lab_key',
          '  UserKnownHostsFile ~/.ssh/lab_known_hosts',
          '',
        ].join('\n'),
      );
      const spec: SshHostSpec = {
        name: 'via-alias',
        address: 'lab-alpha',
        explicit: {},
        defaults: { user: 'nobody', port: 1, identityFile: '~/missing', knownHosts: '~/missing_known_hosts' },
        jump: null,
      };
      const c = await connectSsh(spec, lab.connectOptions({ sshConfigPath: config }));
      expect((await c.exec('id -un', EXEC)).stdout.toString()).toBe('root\n');
      await c.close();

      // A value on the host entry itself beats ~/.ssh/config: this port is closed, so the connect fails.
      const closed = await lab.closedPort();
      const err = await connectSsh({ ...spec, explicit: { port: closed.port } }, lab.connectOptions({ sshConfigPath: config })).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HostUnreachableError);
      expect((err as HostUnreachableError).message).toContain(`${host.address}:${closed.port}`);
    });

    it('connects through a jump host and verifies both host keys', async () => {
      const bastion = lab.host('bastion');
      const inner = lab.host('inner');
      const [b0, i0] = [await bastion.acceptedLogins(), await inner.acceptedLogins()];
      const spec: SshHostSpec = { ...lab.spec('inner'), jump: lab.spec('bastion') };
      const c = await connectSsh(spec, lab.connectOptions());
      expect(c.hostKeyFingerprint).toBe(inner.hostKeys[0]!.fingerprint);
      expect((await c.exec('echo inside', EXEC)).stdout.toString()).toBe('inside\n');
      await c.close();
      // sshd on the bastion opens the inner connection from 127.0.0.1 like the test itself would, so the
      // login counts are what prove the route.
      expect(await bastion.acceptedLogins()).toBe(b0 + 1);
      expect(await inner.acceptedLogins()).toBe(i0 + 1);

      const onlyInner = path.join(lab.root, 'known_hosts.inner-only');
      await fs.writeFile(onlyInner, `${inner.knownHostsLines('plain').join('\n')}\n`);
      const err = await connectError(
        { ...lab.spec('inner'), jump: lab.spec('bastion', { knownHosts: onlyInner }) },
        lab,
      );
      expect(err.reason).toBe('unknown-host-key');
      expect(err.host).toBe('inner');
      expect(err.message).toMatch(/^inner: via jump host bastion/);
      expect(err.message).toContain(bastion.hostKeys[0]!.fingerprint);
    });

    it('follows ProxyJump from ~/.ssh/config', async () => {
      const bastion = lab.host('bastion');
      const inner = lab.host('inner');
      const config = path.join(lab.root, 'ssh_config.proxyjump');
      await fs.writeFile(config, `Host ${inner.address}\n  ProxyJump root@${bastion.address}:${bastion.port}\n`);
      const b0 = await bastion.acceptedLogins();
      const spec = lab.spec('inner');
      const c = await connectSsh({ ...spec, defaults: spec.explicit }, lab.connectOptions({ sshConfigPath: config }));
      expect((await c.exec('echo inside', EXEC)).stdout.toString()).toBe('inside\n');
      await c.close();
      expect(await bastion.acceptedLogins()).toBe(b0 + 1);
    });

    it.skipIf(agentSkip !== null)('logs in with a key held only by ssh-agent (SSH_AUTH_SOCK)', async () => {
      const keyFile = path.join(lab.root, 'agent_key');
      await lab.authorize(await generateKey(keyFile, 'ed25519', 'labsnap-agent-test'));
      const sock = path.join(lab.root, 'agent.sock');
      const { stdout } = await run('ssh-agent', ['-s', '-a', sock]);
      const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(stdout)?.[1]);
      try {
        await run('ssh-add', [keyFile], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
        await fs.rm(keyFile);
        const spec = lab.spec('alpha', { identityFile: path.join(lab.root, 'no_such_key') });
        const c = await connectSsh(spec, lab.connectOptions({ env: { HOME: lab.home, USER: 'root', SSH_AUTH_SOCK: sock } }));
        expect((await c.exec('echo agent', EXEC)).stdout.toString()).toBe('agent\n');
        await c.close();
      } finally {
        process.kill(pid, 'SIGTERM');
      }
    });

    it('explains that a passphrase-protected key needs ssh-agent', async () => {
      const keyFile = path.join(lab.root, 'encrypted_key');
      await generateKey(keyFile, 'ed25519', 'labsnap-encrypted', 'correct horse');
      const err = await connectError(lab.spec('alpha', { identityFile: keyFile }), lab);
      expect(err.reason).toBe('config');
      expect(err.message).toContain(keyFile);
      expect(err.message).toMatch(/ssh-add/);
    });

    it('reports a key the host does not accept as auth-failed', async () => {
      const keyFile = path.join(lab.root, 'stranger_key');
      await generateKey(keyFile, 'ed25519', 'labsnap-not-authorized');
      const err = await connectError(lab.spec('alpha', { identityFile: keyFile }), lab);
      expect(err.reason).toBe('auth-failed');
      expect(err.message).toMatch(/^alpha \(root@127\.0\.0\.\d+:\d+\): login refused/);
    });

    it('reports a closed port as unreachable, naming host and address', async () => {
      const closed = await lab.closedPort();
      const spec: SshHostSpec = { ...lab.spec('alpha'), name: 'ghost', address: closed.address };
      spec.explicit = { ...spec.explicit, port: closed.port };
      const err = await connectError(spec, lab);
      expect(err.reason).toBe('unreachable');
      expect(err.message).toContain(`ghost (root@${closed.address}:${closed.port}): connection refused`);
    });

    it.skipIf(sudoSkip !== null)('turns a sudo password prompt into a clear per-command error', async () => {
      const user = `lsnap${process.pid % 100000}`;
      // Only in the fake hosts' passwd: this machine's accounts stay as they are.
      await lab.addUser(user, 60000 + (process.pid % 5000), lab.home);
      // The lab's folder is private to root; the unprivileged user must be able to read its authorized keys.
      const labRoot = path.dirname(lab.clientKeyPath);
      await fs.chmod(labRoot, 0o711);
      await fs.chmod(path.join(labRoot, 'authorized_keys'), 0o644);
      try {
        for (const batch of [true, false]) {
          const c = await connectSsh(lab.spec('alpha', { user }), lab.connectOptions({ batch }));
          const out = await c.exec('id -u', { ...EXEC, sudo: true, timeoutMs: 5000 });
          const plain = await c.exec('id -u', EXEC);
          expect(c.collectionWay?.().mode).toBe(batch ? 'batch' : 'per-item');
          await c.close();
          expect(out.timedOut).toBe(false);
          expect(out.exitCode).not.toBe(0);
          expect(out.stderr).toMatch(/^labsnap: sudo on alpha wants a password/);
          expect(plain.stdout.toString()).toBe(`${60000 + (process.pid % 5000)}\n`);
        }
      } finally {
        await fs.chmod(labRoot, 0o700);
      }
    });
  });
});
