import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { list } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import manifestSchema from '../../schemas/manifest.schema.json' with { type: 'json' };
import { bundlePath } from '../../bundle/layout.js';
import type { Manifest } from '../../bundle/manifest.js';
import { collect, type CollectOptions } from '../../collector/collect.js';
import { inspectBundle, renderInspect } from '../../collector/inspect.js';
import { silentProgress } from '../../collector/progress.js';
import { DEFAULT_MAX_ITEM_BYTES } from '../../collector/run.js';
import { connectLocal } from '../../collector/transports/local.js';
import { HostUnreachableError, type ConnectSsh, type HostConnection } from '../../collector/transport.js';
import { validateAgainst } from '../../common/schema.js';

const fakeBin = join(import.meta.dirname, 'fake-bin');
// ping, arping and nc that refuse every target but loopback: the plan pings the gateway and probes API servers.
const offlineBin = join(import.meta.dirname, '..', 'helpers', 'offline-bin');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'labsnap-collect-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(over: Partial<CollectOptions>): CollectOptions {
  return {
    inventoryFile: null,
    local: false,
    roles: null,
    localCluster: 'local',
    out: null,
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
    env: { ...process.env, PATH: `${fakeBin}${delimiter}${offlineBin}${delimiter}${process.env.PATH ?? ''}` },
    now: () => new Date('2025-03-01T10:20:30Z'),
    ...over,
  };
}

async function tarEntries(file: string): Promise<Array<{ path: string; mode: number }>> {
  const out: Array<{ path: string; mode: number }> = [];
  await list({ file, onReadEntry: (e) => out.push({ path: e.path, mode: e.mode ?? 0 }) });
  return out;
}

async function readManifest(file: string): Promise<Manifest> {
  const text = execFileSync('tar', ['-xzOf', file, '--wildcards', '*/manifest.json']).toString('utf8');
  return JSON.parse(text) as Manifest;
}

function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
}

describe('collect --local', () => {
  it('writes a valid bundle of this machine, with the cluster part through local kubectl', async () => {
    await writeFile(join(dir, 'kubeconfig'), 'not a real kubeconfig\n');
    await writeFile(join(dir, 'init-output.txt'), 'kubeadm init failed: port 6443 in use\n');
    const result = await collect(
      options({ local: true, roles: ['worker'], localCluster: 'lab', attach: ['init-output.txt'], note: 'after upgrade', env: { ...options({}).env, KUBECONFIG: join(dir, 'kubeconfig') } }),
      silentProgress,
      new AbortController().signal,
    );
    const file = result.bundle!.path;
    expect(file).toBe(join(dir, 'labsnap-lab-20250301T102030Z.tar.gz'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const manifest = await readManifest(file);
    expect(validateAgainst(manifestSchema, manifest, 'manifest.json')).toEqual([]);
    expect(manifest).toMatchObject({ cluster: 'lab', mode: 'local', note: 'after upgrade', interrupted: false, collectedAt: '2025-03-01T10:20:30.000Z' });
    const host = manifest.hosts[0]!;
    expect(host.reached).toBe(true);
    expect(typeof host.clockOffsetMs).toBe('number');

    const byPath = new Map(manifest.items.map((i) => [i.path, i]));
    const ipLink = byPath.get(bundlePath.hostCmd(host.name, 'ip-link.json'));
    if (hasTool('ip')) expect(ipLink?.status).toBe('ok');
    expect(byPath.get(bundlePath.clusterVersion())?.status).toBe('ok');
    expect(byPath.get(bundlePath.namespacedList('shop', 'pods'))?.status).toBe('ok');
    expect(byPath.get(bundlePath.namespacedList('kube-system', 'configmaps'))?.status).toBe('ok');
    expect(byPath.has(bundlePath.namespacedList('shop', 'configmaps'))).toBe(false);
    expect(byPath.get(bundlePath.customResources('ipaddresspools.metallb.io'))?.status).toBe('ok');
    expect(byPath.get(bundlePath.customResources('ippools.crd.projectcalico.org'))).toMatchObject({ status: 'skipped', stderr: expect.stringMatching(/CRD .* not installed/) });
    expect(byPath.get(bundlePath.describeNode('cp1'))?.status).toBe('ok');
    expect(byPath.get(bundlePath.podLog('kube-system', 'etcd-cp1', 'etcd', false))?.status).toBe('ok');
    expect(byPath.has(bundlePath.podLog('kube-system', 'etcd-cp1', 'etcd', true))).toBe(false);
    expect(byPath.get(bundlePath.podLog('shop', 'web-1', 'app', true))?.status).toBe('ok');
    expect(byPath.get(bundlePath.attachment('init-output.txt'))).toMatchObject({ kind: 'attachment', status: 'ok', bytes: 38 });
    for (const item of manifest.items) {
      if (item.status === 'ok') expect(item.sha256).toMatch(/^[0-9a-f]{64}$/);
      if (item.status === 'skipped') expect(item.stderr).toBeTruthy();
    }

    const entries = await tarEntries(file);
    const root = 'labsnap-lab-20250301T102030Z/';
    expect(entries[0]!.path).toBe(`${root}manifest.json`);
    const rest = entries.slice(1).map((e) => e.path);
    expect(rest).toEqual([...rest].sort());
    expect(rest.every((p) => p.startsWith(root))).toBe(true);
    const stored = new Set(rest.map((p) => p.slice(root.length)));
    for (const item of manifest.items) expect(stored.has(item.path)).toBe(item.bytes !== null && item.bytes !== undefined);
    expect(stored.has(bundlePath.hostJson(host.name))).toBe(true);
    expect(execFileSync('tar', ['-xzOf', file, `${root}${bundlePath.podLog('shop', 'web-1', 'app', true)}`]).toString()).toBe('previous run: panic\n');

    const report = await inspectBundle(file);
    expect(report.hosts[0]!.reached).toBe(true);
    expect(report.items.ok).toBe(manifest.items.filter((i) => i.status === 'ok').length);
    expect(report.problems).toEqual([]);
    expect(renderInspect(report)).toContain('Hosts: 1/1 reached');
  });

  it('refuses to overwrite an existing bundle before collecting anything', async () => {
    await writeFile(join(dir, 'taken.tar.gz'), 'precious');
    await expect(collect(options({ local: true, roles: [], out: 'taken.tar.gz' }), silentProgress, new AbortController().signal)).rejects.toThrow(/exists/);
    expect(await readFile(join(dir, 'taken.tar.gz'), 'utf8')).toBe('precious');
  });
});

describe('collect --dry-run', () => {
  it('prints every host, command and file, and connects to nothing', async () => {
    await writeFile(
      join(dir, 'lab.yaml'),
      [
        'cluster: homelab',
        'hosts:',
        '  - { name: pve1, address: 192.0.2.2, roles: [proxmox] }',
        '  - { name: cp1, address: 192.0.2.11, roles: [control-plane], sudo: true }',
        'arp: [ { host: pve1, interface: vmbr0 } ]',
        '',
      ].join('\n'),
    );
    const connectSsh: ConnectSsh = () => {
      throw new Error('dry-run must not connect');
    };
    const result = await collect(options({ inventoryFile: 'lab.yaml', dryRun: true, connectSsh }), silentProgress, new AbortController().signal);
    const text = result.dryRun!;
    expect(result.bundle).toBeNull();
    expect(text).toContain('== host pve1 (192.0.2.2; roles proxmox; sudo no) ==');
    expect(text).toContain('hosts/pve1/cmd/qm-list.txt  <-  qm list');
    expect(text).toContain('hosts/cp1/cmd/kubeadm-certs-check-expiration.txt  <-  kubeadm certs check-expiration  (sudo -n)');
    expect(text).toContain(`find -H '/etc/kubernetes/pki' -mindepth 1 -maxdepth 3 -type f -name '*.crt' -print0`);
    expect(text).toContain("probe '192.0.2.11' 6443");
    expect(text).toContain('== cluster (kubectl on cp1, kubeconfig /etc/kubernetes/admin.conf, sudo -n) ==');
    expect(text).toContain('hosts/pve1/capture/arp-vmbr0.pcap  <-  timeout 2 tcpdump');
    const leftovers = await (await import('node:fs/promises')).readdir(dir);
    expect(leftovers).toEqual(['lab.yaml']);
  });
});

describe('collect over a transport (local connections standing in for SSH)', () => {
  it('collects reachable hosts in parallel, records the unreachable one, captures ARP', async (t) => {
    if (process.getuid?.() !== 0 || !hasTool('tcpdump') || !hasTool('timeout')) {
      console.log('skipped: the ARP part needs root, tcpdump and timeout on this machine');
      t.skip();
    }
    await writeFile(
      join(dir, 'lab.yaml'),
      [
        'cluster: homelab',
        'hosts:',
        '  - { name: cp1, address: 192.0.2.11, roles: [control-plane] }',
        '  - { name: w1, address: 192.0.2.12, roles: [worker] }',
        '  - { name: gone, address: 192.0.2.99, roles: [worker] }',
        'kube: { via: cp1, kubeconfig: /etc/kubernetes/admin.conf }',
        'arp: [ { host: w1, interface: lo } ]',
        '',
      ].join('\n'),
    );
    const env = options({}).env;
    const connected: string[] = [];
    const connectSsh: ConnectSsh = async (spec) => {
      connected.push(spec.name);
      if (spec.name === 'gone') throw new HostUnreachableError('gone', 'unreachable', 'connect ETIMEDOUT 192.0.2.99:22');
      return connectLocal({ env });
    };
    const result = await collect(options({ inventoryFile: 'lab.yaml', connectSsh }), silentProgress, new AbortController().signal);
    const m = result.manifest!;
    expect(validateAgainst(manifestSchema, m, 'manifest.json')).toEqual([]);
    expect(connected.sort()).toEqual(['cp1', 'gone', 'w1']);
    expect(m.mode).toBe('ssh');
    expect(m.hosts.find((h) => h.name === 'gone')).toMatchObject({ reached: false, error: 'connect ETIMEDOUT 192.0.2.99:22' });
    const goneItems = m.items.filter((i) => i.host === 'gone');
    expect(goneItems.length).toBeGreaterThan(20);
    expect(goneItems.every((i) => i.status === 'skipped' && /host not reached/.test(i.stderr ?? ''))).toBe(true);
    expect(m.items.find((i) => i.path === bundlePath.clusterVersion())).toMatchObject({ status: 'ok', host: 'cp1' });
    const capture = m.items.find((i) => i.path === bundlePath.hostCapture('w1', 'lo'))!;
    expect(capture.status).toBe('ok');
    expect(capture.bytes).toBeGreaterThanOrEqual(24);
    expect(m.arpProbes).toEqual([expect.objectContaining({ host: 'w1', interface: 'lo', targets: ['127.0.0.8', '127.0.0.9'], seconds: 2 })]);
    expect(result.gaps.some((g) => g.host === 'gone')).toBe(true);
  });
});

describe('Ctrl-C', () => {
  it('writes what was collected with interrupted: true', async () => {
    const abort = new AbortController();
    await writeFile(join(dir, 'lab.yaml'), 'cluster: homelab\nhosts:\n  - { name: slow, address: 192.0.2.5, roles: [worker, proxmox] }\nkube: { via: slow }\n');
    const slow: ConnectSsh = async () => {
      const inner = connectLocal();
      const conn: HostConnection = {
        hostKeyFingerprint: 'SHA256:test',
        exec: (command, o) => inner.exec(`sleep 0.4; ${command}`, o),
        close: () => inner.close(),
      };
      return conn;
    };
    setTimeout(() => abort.abort(), 700);
    const t0 = Date.now();
    const result = await collect(options({ inventoryFile: 'lab.yaml', connectSsh: slow }), silentProgress, abort.signal);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const m = await readManifest(result.bundle!.path);
    expect(m.interrupted).toBe(true);
    expect(m.hosts[0]).toMatchObject({ reached: true, hostKeyFingerprint: 'SHA256:test' });
    const ok = m.items.filter((i) => i.status === 'ok');
    const interrupted = m.items.filter((i) => /interrupted/.test(i.stderr ?? ''));
    expect(ok.length).toBeGreaterThan(0);
    expect(interrupted.length).toBeGreaterThan(0);
    expect(validateAgainst(manifestSchema, m, 'manifest.json')).toEqual([]);
  });
});
