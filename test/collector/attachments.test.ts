// Attachments that belong to a host: `--attach HOST:FILE`, `labsnap attach BUNDLE [HOST:]FILE`, and the
// host inferred from what an attachment says; then the analyzer names that host.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import manifestSchema from '../../schemas/manifest.schema.json' with { type: 'json' };
import type { Manifest } from '../../bundle/manifest.js';
import { attachToBundle } from '../../collector/attach.js';
import { inferHost, parseAttachArg, unknownHostPrefix } from '../../collector/attachments.js';
import { collect, type CollectOptions } from '../../collector/collect.js';
import { silentProgress } from '../../collector/progress.js';
import { DEFAULT_MAX_ITEM_BYTES } from '../../collector/run.js';
import type { ConnectSsh, HostConnection } from '../../collector/transport.js';
import { validateAgainst } from '../../common/schema.js';
import { analyzeBundle } from '../../analyzer/engine/analyze.js';
import { loadRules } from '../../analyzer/engine/load-rules.js';
import { openBundle } from '../../bundle/reader.js';

const HOSTS = [
  { name: 'pve', address: '192.168.10.2' },
  { name: 'cp1', address: '192.168.10.11' },
  { name: 'w1', address: '192.168.10.12' },
];

describe('host of an attachment', () => {
  it('reads HOST:FILE only for a host of the inventory, so file names with colons still work', () => {
    expect(parseAttachArg('cp1:kubeadm-init.log', ['cp1', 'w1'])).toEqual({ host: 'cp1', file: 'kubeadm-init.log' });
    expect(parseAttachArg('notes:today.txt', ['cp1'])).toEqual({ host: null, file: 'notes:today.txt' });
    expect(parseAttachArg('/tmp/a:b', ['cp1'])).toEqual({ host: null, file: '/tmp/a:b' });
    expect(unknownHostPrefix('cp9:init.log', ['cp1'])).toBe('cp9');
    expect(unknownHostPrefix('cp1:init.log', ['cp1'])).toBeNull();
  });

  it('is inferred when the content names exactly one host: a prompt, a node name, an address', () => {
    expect(inferHost(Buffer.from('root@cp1:~# kubeadm init\n[init] Using Kubernetes version: v1.30.2\n'), HOSTS)).toEqual({ host: 'cp1', reason: 'names cp1 (first on line 1)' });
    expect(inferHost(Buffer.from('x\n[kubelet-start] Writing kubelet configuration\nnode/w1 labeled\n'), HOSTS)?.host).toBe('w1');
    expect(inferHost(Buffer.from('error execution phase preflight: couldn\'t validate the identity of the API Server: Get "https://192.168.10.11:6443/api"\n'), HOSTS)).toEqual({
      host: 'cp1',
      reason: "names cp1's address 192.168.10.11 (first on line 1)",
    });
  });

  it('is not inferred from a name inside a longer word or address, nor when two hosts are named', () => {
    expect(inferHost(Buffer.from('pve-firewall status: running\nkube-w1x ok\n192.168.10.110 up\n'), HOSTS)).toBeNull();
    expect(inferHost(Buffer.from('root@cp1:~# ssh w1\n'), HOSTS)).toBeNull();
    expect(inferHost(Buffer.from('nothing about any host\n'), HOSTS)).toBeNull();
  });
});

describe('attachments in a bundle', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'labsnap-attach-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Hosts that answer every command with nothing: this test is about attachments only.
  const quiet: ConnectSsh = async () => {
    const conn: HostConnection = {
      hostKeyFingerprint: 'SHA256:test',
      exec: async () => ({ exitCode: 0, stdout: Buffer.alloc(0), stderr: '', truncated: false, timedOut: false, startedAt: new Date(), durationMs: 1, totalBytes: 0 }),
      close: async () => undefined,
    };
    return conn;
  };

  function options(over: Partial<CollectOptions>): CollectOptions {
    return {
      inventoryFile: 'lab.yaml',
      local: false,
      roles: null,
      localCluster: 'local',
      out: 'bundle.tar.gz',
      sinceSeconds: 3600,
      concurrency: 8,
      timeoutMs: 20_000,
      arpSeconds: 2,
      attach: [],
      note: null,
      dryRun: false,
      acceptNewHostKeys: false,
      maxItemBytes: DEFAULT_MAX_ITEM_BYTES,
      commandLine: ['labsnap', 'collect'],
      cwd: dir,
      env: { PATH: process.env.PATH },
      connectSsh: quiet,
      now: () => new Date('2026-11-27T10:00:00Z'),
      ...over,
    };
  }

  function manifestOf(file: string): Manifest {
    return JSON.parse(execFileSync('tar', ['-xzOf', file, '--wildcards', '*/manifest.json']).toString('utf8')) as Manifest;
  }

  it('records the given host, the inferred one with its reason, and none; labsnap attach adds one later', async () => {
    await writeFile(join(dir, 'lab.yaml'), `cluster: homelab\nhosts:\n${HOSTS.map((h) => `  - { name: ${h.name}, address: ${h.address}, roles: [${h.name === 'pve' ? 'proxmox' : h.name === 'cp1' ? 'control-plane' : 'worker'}] }`).join('\n')}\n`);
    await writeFile(join(dir, 'kubeadm-init.log'), '[init] Using Kubernetes version: v1.30.2\n');
    await writeFile(join(dir, 'join.txt'), 'root@w1:~# kubeadm join 192.168.10.11:6443\n');
    await writeFile(join(dir, 'notes.txt'), 'the VIP stopped answering after the upgrade\n');
    const result = await collect(options({ attach: ['cp1:kubeadm-init.log', 'join.txt', 'notes.txt'] }), silentProgress, new AbortController().signal);
    const m = result.manifest!;
    const item = (p: string) => m.items.find((i) => i.path === p)!;
    expect(item('attachments/kubeadm-init.log')).toMatchObject({ kind: 'attachment', host: 'cp1', hostAttribution: 'given', source: 'cp1:kubeadm-init.log' });
    // join.txt names w1 (the prompt) and cp1's address: two hosts, so no guess.
    expect(item('attachments/join.txt').host).toBeNull();
    expect(item('attachments/join.txt').hostAttribution).toBeUndefined();
    expect(item('attachments/notes.txt').host).toBeNull();

    await writeFile(join(dir, 'kubelet.txt'), 'Nov 27 09:59:01 w1 kubelet[733]: E1127 09:59:01.118502 733 reflector.go:138] Failed to watch *v1.Node: x509: certificate has expired or is not yet valid\n');
    await writeFile(join(dir, 'crash.txt'), 'kubelet: x509: certificate has expired or is not yet valid\n');
    const added = await attachToBundle({ bundle: 'bundle.tar.gz', files: ['kubelet.txt', 'cp1:crash.txt'], out: null, cwd: dir });
    expect(added.bundle.path).toBe(join(dir, 'bundle.tar.gz'));
    const after = manifestOf(join(dir, 'bundle.tar.gz'));
    expect(validateAgainst(manifestSchema, after, 'manifest.json')).toEqual([]);
    expect(after.items.length).toBe(m.items.length + 2);
    expect(after.items.find((i) => i.path === 'attachments/kubelet.txt')).toMatchObject({ host: 'w1', hostAttribution: 'inferred', hostAttributionReason: 'its content names w1 (first on line 1)', addedLater: true, status: 'ok' });
    expect(after.items.find((i) => i.path === 'attachments/crash.txt')).toMatchObject({ host: 'cp1', hostAttribution: 'given', addedLater: true });
    // Everything that was there is still there, byte for byte.
    for (const i of m.items.filter((x) => x.status === 'ok')) expect(after.items.find((x) => x.path === i.path)?.sha256).toBe(i.sha256);
    const text = execFileSync('tar', ['-xzOf', join(dir, 'bundle.tar.gz'), '--wildcards', '*/attachments/kubelet.txt']).toString('utf8');
    expect(text).toBe(await readFile(join(dir, 'kubelet.txt'), 'utf8'));

    // The analyzer names the hosts: w1 (inferred, and says so) and cp1 (given).
    const { report } = await analyzeBundle(await openBundle(join(dir, 'bundle.tar.gz')), await loadRules(), { lang: 'en' });
    const expired = report.findings.filter((f) => f.ruleId === 'cert-expired');
    const w1 = expired.find((f) => f.scope.names.includes('w1'));
    expect(w1?.summary).toContain('inferred from its content');
    expect(w1?.evidence.some((e) => e.path === 'manifest.json' && e.excerpt.join('\n').includes('"hostAttribution": "inferred"'))).toBe(true);
    expect(expired.some((f) => f.scope.names.includes('cp1'))).toBe(true);
  });

  it('refuses a host that is not in the bundle, a missing file and a name already taken, leaving the bundle as it was', async () => {
    await writeFile(join(dir, 'lab.yaml'), 'cluster: homelab\nhosts:\n  - { name: cp1, address: 192.168.10.11, roles: [control-plane] }\n');
    await writeFile(join(dir, 'a.txt'), 'a\n');
    await collect(options({ attach: ['a.txt'] }), silentProgress, new AbortController().signal);
    const before = await readFile(join(dir, 'bundle.tar.gz'));
    await expect(attachToBundle({ bundle: 'bundle.tar.gz', files: ['cp9:a.txt'], out: null, cwd: dir })).rejects.toThrow(/cp9 is not a host of this bundle \(hosts: cp1\)/);
    await expect(attachToBundle({ bundle: 'bundle.tar.gz', files: ['missing.txt'], out: null, cwd: dir })).rejects.toThrow(/not a readable file/);
    await expect(attachToBundle({ bundle: 'bundle.tar.gz', files: ['a.txt'], out: null, cwd: dir })).rejects.toThrow(/already has attachments\/a.txt/);
    expect(await readFile(join(dir, 'bundle.tar.gz'))).toEqual(before);
  });
});
