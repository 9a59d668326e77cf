// `collect` end to end over real SSH: fake hosts are real sshd instances whose cluster- and Proxmox-only
// commands answer from fixtures/hosts/small-lab, plus a host that is down and one with an unknown key.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tar from 'tar';
import { HOST_CMD, bundlePath } from '../../bundle/layout.js';
import type { Manifest } from '../../bundle/manifest.js';
import { collect, type CollectOptions } from '../../collector/collect.js';
import type { CollectProgress } from '../../collector/progress.js';
import { sshdSkipReason, startSshLab, type SshLab } from '../helpers/sshd.js';

const skip = sshdSkipReason();
if (skip) console.warn(`skipping SSH end-to-end collect tests: ${skip}`);

const quietProgress = (log: string[]): CollectProgress => ({
  lineStarted: () => undefined,
  addItems: () => undefined,
  itemStarted: () => undefined,
  itemFinished: () => undefined,
  lineFinished: (key, summary) => log.push(`[${key}] ${summary}`),
  log: (message) => log.push(message),
  stop: () => undefined,
});

interface InventoryHostLine {
  name: string;
  address: string;
  port: number;
  roles: string[];
}

async function writeInventory(lab: SshLab, file: string, hosts: InventoryHostLine[], kubeVia: string | null): Promise<void> {
  const lines = [
    'cluster: e2elab',
    `defaults: { user: root, identityFile: ${JSON.stringify(lab.clientKeyPath)}, knownHosts: ${JSON.stringify(lab.knownHostsPath)} }`,
    'hosts:',
    ...hosts.map((h) => `  - { name: ${h.name}, address: ${h.address}, port: ${h.port}, roles: [${h.roles.join(', ')}] }`),
  ];
  if (kubeVia) lines.push(`kube: { via: ${kubeVia}, kubeconfig: /etc/kubernetes/admin.conf }`);
  await fs.writeFile(file, `${lines.join('\n')}\n`);
}

function options(lab: SshLab, inventoryFile: string, out: string, overrides: Partial<CollectOptions> = {}): CollectOptions {
  return {
    inventoryFile,
    local: false,
    roles: null,
    localCluster: 'local',
    out,
    sinceSeconds: 3600,
    concurrency: 8,
    timeoutMs: 10_000,
    arpSeconds: 1,
    attach: [],
    note: 'e2e over real sshd',
    dryRun: false,
    acceptNewHostKeys: false,
    maxItemBytes: 20 * 1024 * 1024,
    commandLine: ['collect', '--inventory', inventoryFile],
    cwd: lab.root,
    env: { HOME: lab.home, USER: 'root', PATH: process.env.PATH },
    sshConfigPath: null,
    ...overrides,
  };
}

/** Every entry of the archive by path, read with the tar package as any consumer of a bundle would. */
async function readBundle(bundleFile: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  await tar.t({
    file: bundleFile,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => files.set(entry.path, Buffer.concat(chunks)));
    },
  });
  return files;
}

describe.skipIf(skip !== null)('labsnap collect over SSH against fake hosts', () => {
  let lab: SshLab;

  beforeAll(async () => {
    lab = await startSshLab([
      { name: 'pve1' },
      { name: 'cp1' },
      { name: 'w1' },
      { name: 'w2' },
      { name: 'stranger', fixtureHost: 'w1', knownHosts: 'none' },
    ]);
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('writes a bundle with every planned item or the reason it is missing', async () => {
    const hang = path.join(lab.host('w1').fixtureDir, 'journalctl', 'kubelet.log.hang');
    await fs.writeFile(hang, '');
    // 300000 bytes of 32-byte lines is lines 1..9375; the cap keeps the last 65536 bytes.
    await fs.writeFile(path.join(lab.host('w2').fixtureDir, 'crictl', 'ps-a.txt.flood'), '300000');
    const ghost = await lab.closedPort();
    const inventory = path.join(lab.root, 'lab.yaml');
    const host = (name: string, roles: string[]): InventoryHostLine => ({ name, address: lab.host(name).address, port: lab.host(name).port, roles });
    await writeInventory(
      lab,
      inventory,
      [
        host('pve1', ['proxmox']),
        host('cp1', ['control-plane']),
        host('w1', ['worker']),
        host('w2', ['worker']),
        host('stranger', ['worker']),
        { name: 'ghost', address: ghost.address, port: ghost.port, roles: ['worker'] },
      ],
      'cp1',
    );
    const out = path.join(lab.root, 'bundle.tar.gz');
    const log: string[] = [];
    const t0 = performance.now();
    const result = await collect(
      options(lab, inventory, out, { timeoutMs: 15_000, maxItemBytes: 65536 }),
      quietProgress(log),
      new AbortController().signal,
    );
    console.log(`collect of 6 hosts (4 reachable, 1 command hanging) took ${Math.round(performance.now() - t0)} ms; bundle ${result.bundle?.bytes} bytes`);

    expect(result.bundle?.path).toBe(out);
    expect((await fs.stat(out)).mode & 0o777).toBe(0o600);
    const files = await readBundle(out);
    const roots = new Set([...files.keys()].map((p) => p.split('/')[0]));
    expect(roots.size).toBe(1);
    const [root] = [...roots] as [string];
    expect(root).toMatch(/^labsnap-e2elab-\d{8}T\d{6}Z$/);
    const file = (p: string): Buffer => {
      const data = files.get(`${root}/${p}`);
      expect(data, `bundle entry ${p}`).toBeDefined();
      return data!;
    };
    const manifest = JSON.parse(file('manifest.json').toString('utf8')) as Manifest;

    expect(manifest).toMatchObject({ format: 'labsnap-bundle', formatVersion: 1, cluster: 'e2elab', interrupted: false, note: 'e2e over real sshd' });
    expect(manifest.tool.name).toBe('labsnap');
    expect(Date.parse(manifest.finishedAt)).toBeGreaterThanOrEqual(Date.parse(manifest.collectedAt));

    const hostRec = (name: string) => manifest.hosts.find((h) => h.name === name);
    for (const name of ['pve1', 'cp1', 'w1', 'w2']) {
      expect(hostRec(name)).toMatchObject({ reached: true, hostKeyFingerprint: lab.host(name).hostKeys[0]!.fingerprint });
      // Same clock on both ends; what remains is round-trip noise, which a busy CI machine makes large.
      const clock = manifest.items.find((i) => i.path === bundlePath.hostCmd(name, HOST_CMD.clock));
      if (clock?.status === 'ok') expect(Math.abs(hostRec(name)!.clockOffsetMs ?? Infinity)).toBeLessThan(30_000);
      else expect(hostRec(name)!.clockOffsetMs).toBeNull();
    }
    expect(hostRec('ghost')).toMatchObject({ reached: false, address: ghost.address });
    expect(hostRec('ghost')!.error).toContain('connection refused');
    expect(hostRec('stranger')).toMatchObject({ reached: false, hostKeyFingerprint: lab.host('stranger').hostKeys[0]!.fingerprint });
    expect(hostRec('stranger')!.error).toContain('--accept-new-host-keys');

    const item = (p: string) => {
      const found = manifest.items.find((i) => i.path === p);
      expect(found, `manifest item ${p}`).toBeDefined();
      return found!;
    };
    const read = async (p: string) => file(p).toString('utf8');

    // Recorded outputs arrive byte for byte, real commands run for real.
    const qm = item(bundlePath.hostCmd('pve1', HOST_CMD.qmList));
    expect(qm).toMatchObject({ status: 'ok', exitCode: 0, kind: 'command', host: 'pve1', truncated: false });
    expect(await read(qm.path)).toBe(await fs.readFile(new URL('../../fixtures/hosts/small-lab/pve1/qm/list.txt', import.meta.url), 'utf8'));
    expect(qm.sha256).toMatch(/^[0-9a-f]{64}$/);
    const ipAddr = JSON.parse(await read(bundlePath.hostCmd('cp1', HOST_CMD.ipAddr))) as Array<{ ifname: string }>;
    expect(ipAddr.some((i) => i.ifname === 'lo')).toBe(true);
    expect(item(bundlePath.hostCmd('w1', HOST_CMD.ssListen)).status).toBe('ok');

    // A failed unit keeps its text: systemctl exits 3 and that is a complete answer.
    const kubeletW2 = item(bundlePath.hostCmd('w2', HOST_CMD.systemctlKubelet));
    expect(kubeletW2).toMatchObject({ exitCode: 3, status: 'ok' });
    expect(await read(kubeletW2.path)).toContain('activating (auto-restart)');

    expect(item(bundlePath.hostCmd('w1', HOST_CMD.containerdConfigDump)).status).toBe('ok');
    expect(await read(bundlePath.hostCmd('pve1', HOST_CMD.journalKernel))).toContain('vmbr0: port 2(tap101i0) entered forwarding state');

    const timedOut = item(bundlePath.hostCmd('w1', HOST_CMD.journalKubelet));
    expect(timedOut).toMatchObject({ status: 'timeout', exitCode: null });

    const flood = item(bundlePath.hostCmd('w2', HOST_CMD.crictlPs));
    expect(flood).toMatchObject({ status: 'ok', truncated: true, bytes: 65536 });
    expect((await read(flood.path)).endsWith('labsnap flood line 000000009375\n')).toBe(true);

    // The cluster part ran kubectl on cp1.
    const nodes = JSON.parse(await read(bundlePath.clusterList('nodes'))) as { kind: string; items: Array<{ metadata: { name: string } }> };
    expect(nodes.kind).toBe('List');
    expect(nodes.items.map((n) => n.metadata.name)).toEqual(['cp1', 'w1', 'w2']);
    expect(item(bundlePath.describeNode('w2')).status).toBe('ok');
    expect(item(bundlePath.namespacedList('kube-system', 'pods')).status).toBe('ok');

    // Every ok item is in the archive with the size the manifest states; nothing unplanned is.
    for (const i of manifest.items.filter((x) => x.status === 'ok')) expect(file(i.path).length, i.path).toBe(i.bytes);
    // Nothing came from the hosts that were not reached.
    expect([...files.keys()].some((e) => e.includes('/hosts/ghost/cmd/') || e.includes('/hosts/stranger/cmd/'))).toBe(false);
    expect(result.gaps.some((g) => g.path === timedOut.path)).toBe(true);

    // One SSH connection per reachable host for the whole collection, and one start of its login shell:
    // every item (the cluster part on cp1 too) ran in the host's batch shell.
    for (const name of ['pve1', 'cp1', 'w1', 'w2']) {
      expect(await lab.host(name).acceptedLogins()).toBe(1);
      expect(await lab.host(name).shellStarts()).toBe(1);
      expect(hostRec(name)).toMatchObject({ collection: 'batch', collectionNote: null });
    }
    expect(hostRec('ghost')!.collection).toBeUndefined();
  });

  it('starts a slow login shell once per host, not once per item', async () => {
    // Each start of these hosts' login shell costs a second, like a ~/.bashrc that loads pyenv or conda.
    const slowCp = await lab.addHost({ name: 'slowcp', fixtureHost: 'cp1', loginShellDelaySeconds: 1 });
    const slowW = await lab.addHost({ name: 'sloww', fixtureHost: 'w1', loginShellDelaySeconds: 1 });
    const file = path.join(lab.root, 'slow.yaml');
    await writeInventory(
      lab,
      file,
      [
        { name: 'slowcp', address: slowCp.address, port: slowCp.port, roles: ['control-plane'] },
        { name: 'sloww', address: slowW.address, port: slowW.port, roles: ['worker'] },
      ],
      'slowcp',
    );
    const result = await collect(options(lab, file, path.join(lab.root, 'slow.tar.gz')), quietProgress([]), new AbortController().signal);
    const manifest = result.manifest!;
    for (const [name, host] of [['slowcp', slowCp], ['sloww', slowW]] as const) {
      const items = manifest.items.filter((i) => i.host === name);
      // Dozens of items (on slowcp the whole cluster part too), one shell start.
      expect(items.length).toBeGreaterThan(20);
      expect(items.filter((i) => i.status === 'ok').length).toBeGreaterThan(15);
      expect(await host.shellStarts()).toBe(1);
      expect(manifest.hosts.find((h) => h.name === name)).toMatchObject({ reached: true, collection: 'batch', collectionNote: null });
    }
    expect(manifest.items.find((i) => i.path === bundlePath.clusterList('nodes'))).toMatchObject({ status: 'ok', host: 'slowcp' });
  });

  it('takes about as long for 5 hosts as for 1 (timings printed, not asserted)', async () => {
    const names = ['t1', 't2', 't3', 't4', 't5'];
    for (const name of names) await lab.addHost({ name, fixtureHost: 'w1' });
    const inv = (n: number) => names.slice(0, n).map((name) => ({ name, address: lab.host(name).address, port: lab.host(name).port, roles: ['worker'] }));
    const timings: Record<number, number> = {};
    for (const n of [1, 5]) {
      const file = path.join(lab.root, `timing-${n}.yaml`);
      await writeInventory(lab, file, inv(n), null);
      const t0 = performance.now();
      const result = await collect(options(lab, file, path.join(lab.root, `timing-${n}.tar.gz`)), quietProgress([]), new AbortController().signal);
      timings[n] = Math.round(performance.now() - t0);
      expect(result.manifest?.hosts.filter((h) => h.reached)).toHaveLength(n);
      console.log(`collect of ${n} fake worker host(s): ${timings[n]} ms, bundle ${result.bundle?.bytes} bytes`);
    }
    console.log(`wall time 1 vs 5 hosts: ${timings[1]} ms vs ${timings[5]} ms`);
  });
});
