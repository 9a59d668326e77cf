// End to end on a lab of network namespaces (test/lab/setup.ts): `labsnap collect` over real SSH with real
// ARP, pings and TCP probes, then `labsnap analyze` on the bundle, one fault per scenario. The built CLI
// is what runs (npm run test:lab builds it first), as a user would run it.
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tar from 'tar';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Manifest } from '../../bundle/manifest.js';
import { connectSsh } from '../../collector/transports/ssh.js';
import { REPO_ROOT, labSkipReason, setupLab, snapshotChanges, type HostSnapshot, type Lab } from './setup.js';
import { sweepLabs } from './teardown.js';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');

function onPath(cmd: string): boolean {
  return ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')].some((d) => d !== '' && existsSync(path.join(d, cmd)));
}

const skip = labSkipReason() ?? (existsSync(CLI) ? null : 'dist/cli/main.js is missing: run `npm run test:lab` (it builds first)');
if (skip) console.warn(`skipping netns lab scenarios: ${skip}`);
const nftSkip = onPath('nft') ? null : 'nft not found (apt-get install nftables)';
if (!skip && nftSkip) console.warn(`skipping the blocked-worker scenario: ${nftSkip}`);

/** The LoadBalancer address of ingress-nginx in the recorded cluster, and the MACs of the guests' NICs. */
const VIP_OCTET = 240;
const MAC = { w1: 'bc:24:11:c2:57:3b', w2: 'bc:24:11:e8:06:f4' } as const;
const CAPTURE = 'hosts/pve/capture/arp-vmbr0.pcap';
const POOLS = 'cluster/custom/ipaddresspools.metallb.io.json';
const ARP_SECONDS = 5;
const LAB_WAIT_MS = 8 * 60_000;

interface Finding {
  ruleId: string;
  severity: 'critical' | 'warning' | 'info';
  summary: string;
  scope: { level: string; names: string[] };
  evidence: Array<{ path: string; line?: number; pointer?: string; excerpt: string[] }>;
}
interface Report {
  findings: Finding[];
  skipped: Array<{ ruleId: string; reason: string; missing: string[] }>;
  passed: { ruleId: string; title: string; area: string }[];
  gaps: { unreachedHosts: Array<{ host?: string; name?: string }> };
}
interface Outcome {
  manifest: Manifest;
  files: Map<string, Buffer>;
  bundle: string;
  report: Report;
  /** What the CLI printed, for assertion messages. */
  log: string;
}

describe.skipIf(skip !== null)('netns lab: labsnap collect over SSH, then analyze', () => {
  let lab: Lab;
  let vip: string;
  const loginsBefore = new Map<string, number>();
  const shellsBefore = new Map<string, number>();

  beforeAll(async () => {
    const stale = await sweepLabs();
    if (stale.length > 0) console.warn(`removed leftovers of earlier lab runs: ${stale.join(', ')}`);
    // A parallel test run on this machine holds the same lab subnet for a few minutes at most.
    lab = await setupLab(undefined, process.pid, LAB_WAIT_MS);
    vip = `${lab.subnet}.${VIP_OCTET}`;
  }, LAB_WAIT_MS + 120_000);

  afterAll(async () => {
    await lab?.teardown();
  });

  // Every scenario starts from the healthy lab, whatever the previous one left behind when it failed.
  beforeEach(async () => {
    for (const w of ['w1', 'w2']) {
      await lab.exec(w, ['ip', 'link', 'set', 'ens18', 'up']);
      await lab.exec(w, ['ip', 'addr', 'flush', 'dev', 'lo', 'scope', 'global']);
      if (!nftSkip) await lab.exec(w, ['nft', 'flush', 'ruleset']);
      // A fresh neighbour table: an entry from the previous scenario must not answer for this one.
      await lab.exec(w, ['ip', 'neigh', 'flush', 'dev', 'ens18']);
    }
    await lab.exec('pve', ['ip', 'neigh', 'flush', 'dev', 'vmbr0']);
    // The MetalLB-like announcer: the VIP on w1's loopback; the kernel answers ARP for it on ens18 with
    // w1's MAC, as the speaker elected for the Service does (kube-proxy's kube-ipvs0 works the same way).
    await lab.exec('w1', ['ip', 'addr', 'add', `${vip}/32`, 'dev', 'lo']);
    await lab.restoreCommand('pve', 'tcpdump');
    const pools = path.join(lab.host('cp1').fixtureDir, 'kubectl', 'custom', 'ipaddresspools.metallb.io.json');
    const original = path.join(REPO_ROOT, 'fixtures', 'hosts', 'netns-lab', 'cp1', 'kubectl', 'custom', 'ipaddresspools.metallb.io.json');
    await fs.copyFile(original, pools);
    for (const name of lab.hosts.keys()) loginsBefore.set(name, await lab.acceptedLogins(name));
    for (const name of lab.hosts.keys()) shellsBefore.set(name, await lab.shellStarts(name));
  });

  async function writeInventory(name: string, knownHosts: string): Promise<string> {
    const file = path.join(lab.dir, `${name}.yaml`);
    const lines = [
      'cluster: homelab',
      `defaults: { user: root, port: 22, identityFile: ${JSON.stringify(lab.clientKeyPath)}, knownHosts: ${JSON.stringify(knownHosts)} }`,
      'hosts:',
      ...[...lab.hosts.values()].map((h) => `  - { name: ${h.name}, address: ${h.address}, roles: [${h.roles.join(', ')}] }`),
      'kube: { via: cp1, kubeconfig: /etc/kubernetes/admin.conf }',
      'arp: [ { host: pve, interface: vmbr0 } ]',
    ];
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    return file;
  }

  async function readBundle(file: string): Promise<Map<string, Buffer>> {
    const files = new Map<string, Buffer>();
    await tar.t({
      file,
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        // Paths inside the bundle's root folder, as manifests and reports name them.
        entry.on('end', () => files.set(entry.path.split('/').slice(1).join('/'), Buffer.concat(chunks)));
      },
    });
    return files;
  }

  async function collectAndAnalyze(name: string, knownHosts = lab.knownHostsPath): Promise<Outcome> {
    const inventory = await writeInventory(name, knownHosts);
    const bundle = path.join(lab.dir, `${name}.tar.gz`);
    await fs.rm(bundle, { force: true });
    const env = { PATH: process.env.PATH ?? '', HOME: lab.home, USER: 'root', LANG: 'C', NO_COLOR: '1' };
    const collected = await run(
      process.execPath,
      [CLI, 'collect', '--inventory', inventory, '--out', bundle, '--arp-seconds', String(ARP_SECONDS), '--timeout', '30s', '--note', `netns lab: ${name}`],
      { env, cwd: lab.dir, maxBuffer: 64 * 1024 * 1024 },
    ).catch((err: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`collect exited ${err.code}:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    const log = `${collected.stdout}${collected.stderr}`;
    const files = await readBundle(bundle);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest;
    const analyzed = await run(process.execPath, [CLI, 'analyze', bundle, '--format', 'json', '--fail-on', 'never', '--lang', 'en'], { env, maxBuffer: 64 * 1024 * 1024 }).catch(
      (err: { code?: number; stderr?: string }) => {
        throw new Error(`analyze exited ${err.code}:\n${err.stderr ?? ''}`);
      },
    );
    return { manifest, files, bundle, report: JSON.parse(analyzed.stdout) as Report, log };
  }

  /** ARP frames of the capture as tcpdump reads them: requests and replies with the replying MAC. */
  async function arpFrames(o: Outcome): Promise<{ requests: string[]; replyMacs: string[] }> {
    const pcap = path.join(lab.dir, `capture-${path.basename(o.bundle, '.tar.gz')}.pcap`);
    await fs.writeFile(pcap, o.files.get(CAPTURE)!);
    const { stdout } = await run('tcpdump', ['-n', '-e', '-r', pcap]);
    const lines = stdout.split('\n').filter((l) => l.includes('ARP'));
    const requests = lines.filter((l) => l.includes(`Request who-has ${vip} `));
    const replyMacs = lines
      .filter((l) => l.includes(`Reply ${vip} is-at `))
      .map((l) => /is-at ([0-9a-f:]{17})/.exec(l)![1]!);
    return { requests, replyMacs: [...new Set(replyMacs)].sort() };
  }

  function findings(o: Outcome, ruleId: string): Finding[] {
    return o.report.findings.filter((f) => f.ruleId === ruleId);
  }

  function describeReport(o: Outcome): string {
    const f = o.report.findings.map((x) => `${x.severity} ${x.ruleId} [${x.scope.names.join(',')}]: ${x.summary}`);
    const s = o.report.skipped.map((x) => `skipped ${x.ruleId}: ${x.reason}`);
    return [...f, ...s].join('\n') || '(no findings, nothing skipped)';
  }

  async function expectOneConnectionPerHost(names: string[]): Promise<void> {
    for (const name of names) {
      expect(await lab.acceptedLogins(name), `SSH logins on ${name}`).toBe(loginsBefore.get(name)! + 1);
      // One batch shell per host: the cluster part on cp1 and the ARP capture on pve included.
      expect(await lab.shellStarts(name), `login shell starts on ${name}`).toBe(shellsBefore.get(name)! + 1);
    }
  }

  it('1. healthy: the VIP is answered by exactly one MAC, and nothing is wrong', async () => {
    const o = await collectAndAnalyze('healthy');
    expect(o.manifest.hosts.every((h) => h.reached), o.log).toBe(true);
    expect(o.manifest.arpProbes).toEqual([expect.objectContaining({ host: 'pve', interface: 'vmbr0', targets: [vip], tool: 'arping' })]);
    const arp = await arpFrames(o);
    expect(arp.requests.length).toBeGreaterThan(0);
    expect(arp.replyMacs).toEqual([MAC.w1]);
    // Real network facts arrived from the namespaces, not from this machine.
    expect(o.files.get('hosts/cp1/cmd/ss-listen.txt')!.toString()).toMatch(new RegExp(`${lab.host('cp1').address.replace(/\./g, '\\.')}:6443`));
    expect(o.files.get('hosts/w2/cmd/ping-gateway.txt')!.toString()).toContain(`gateway ${lab.gateway}`);
    expect(o.files.get('hosts/w1/cmd/hostname.txt')!.toString().trim()).toBe('w1');
    // kubelet's client certificate file on w1 and w2 holds the certificate and its private key (symlinked,
    // as kubelet keeps it): the certificate arrives, not one byte of the key, anywhere in the bundle.
    for (const w of ['w1', 'w2']) {
      const pki = path.join(REPO_ROOT, 'fixtures', 'hosts', 'netns-lab', '_files', w, 'var', 'lib', 'kubelet', 'pki');
      const both = await fs.readFile(path.join(pki, 'kubelet-client-2026-01-01-00-00-00.pem'), 'utf8');
      const cert = both.slice(0, both.indexOf('-----END CERTIFICATE-----') + '-----END CERTIFICATE-----\n'.length);
      const keyLines = both.slice(cert.length).split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
      expect(keyLines.length).toBeGreaterThan(0);
      const item = o.manifest.items.find((i) => i.path === `hosts/${w}/cmd/kubelet-client-cert.pem`);
      expect(item, o.log).toMatchObject({ status: 'ok', host: w });
      // Nothing for redaction to remove: the key was left on the host, not scrubbed here after the fact.
      expect(item!.redactions).toBeUndefined();
      expect(o.files.get(`hosts/${w}/cmd/kubelet-client-cert.pem`)!.toString()).toBe(cert);
      expect(o.files.get(`hosts/${w}/cmd/kubelet-serving-cert.pem`)!.toString()).toBe(await fs.readFile(path.join(pki, 'kubelet.crt'), 'utf8'));
      const everything = Buffer.concat([...o.files.values()]).toString('latin1');
      for (const line of keyLines) expect(everything.includes(line), `a line of ${w}'s kubelet key is in the bundle`).toBe(false);
      expect(everything.includes('PRIVATE KEY')).toBe(false);
    }
    const bad = o.report.findings.filter((f) => f.severity !== 'info');
    expect(bad, describeReport(o)).toEqual([]);
    for (const rule of ['arp-unanswered', 'arp-duplicate-reply', 'gateway-unreachable', 'control-plane-unreachable', 'metallb-pool-conflict']) {
      expect(o.report.passed.map((p) => p.ruleId), `${rule} judged and passed\n${describeReport(o)}`).toContain(rule);
    }
    await expectOneConnectionPerHost([...lab.hosts.keys()]);
  });

  it('2. arp-unanswered: the VIP is on no interface; the capture holds the probes and no reply', async () => {
    await lab.exec('w1', ['ip', 'addr', 'del', `${vip}/32`, 'dev', 'lo']);
    const o = await collectAndAnalyze('arp-unanswered');
    const arp = await arpFrames(o);
    expect(arp.requests.length).toBeGreaterThan(0);
    expect(arp.replyMacs).toEqual([]);
    const [f, ...more] = findings(o, 'arp-unanswered');
    expect(f, describeReport(o)).toBeDefined();
    expect(more).toEqual([]);
    expect(f!.summary).toContain(vip);
    expect(f!.evidence.map((e) => e.path)).toContain(CAPTURE);
    expect(findings(o, 'arp-duplicate-reply'), describeReport(o)).toEqual([]);
  });

  it('3. arp-duplicate-reply: two namespaces hold the VIP; two MACs answer', async () => {
    await lab.exec('w2', ['ip', 'addr', 'add', `${vip}/32`, 'dev', 'lo']);
    const o = await collectAndAnalyze('arp-duplicate-reply');
    const arp = await arpFrames(o);
    expect(arp.replyMacs).toEqual([MAC.w1, MAC.w2]);
    const [f, ...more] = findings(o, 'arp-duplicate-reply');
    expect(f, describeReport(o)).toBeDefined();
    expect(more).toEqual([]);
    expect(f!.summary).toContain(vip);
    expect(f!.summary.toLowerCase()).toContain(MAC.w1);
    expect(f!.summary.toLowerCase()).toContain(MAC.w2);
    expect(f!.evidence.map((e) => e.path)).toContain(CAPTURE);
    expect(findings(o, 'arp-unanswered'), describeReport(o)).toEqual([]);
  });

  it('4. metallb-pool-conflict: the recorded pool contains the hosts\' real addresses', async () => {
    const pools = path.join(lab.host('cp1').fixtureDir, 'kubectl', 'custom', 'ipaddresspools.metallb.io.json');
    await fs.copyFile(`${pools}.conflict`, pools);
    const o = await collectAndAnalyze('metallb-pool-conflict');
    const [f, ...more] = findings(o, 'metallb-pool-conflict');
    expect(f, describeReport(o)).toBeDefined();
    expect(more).toEqual([]);
    expect(f!.severity).toBe('critical');
    // cp1 (.11) is the first address of the range that is somebody's.
    expect(f!.summary).toContain(lab.host('cp1').address);
    const paths = f!.evidence.map((e) => e.path);
    expect(paths).toContain(POOLS);
    expect(paths.some((p) => p === 'cluster/nodes.json' || /^hosts\/(cp1|w1|w2)\/cmd\/ip-addr\.json$/.test(p) || p === 'manifest.json'), paths.join(', ')).toBe(true);
  });

  it.skipIf(nftSkip !== null)('5. control-plane-unreachable and gateway-unreachable: the worker\'s probes are blocked for real', async () => {
    const cp = lab.host('cp1').address;
    // ARP and IP to the gateway and the API server are dropped on w2 (a firewall gone wrong); SSH from
    // the admin's address still works, so the collection itself is complete.
    const rules = [
      'table arp lab {',
      '  chain out { type filter hook output priority 0; policy accept;',
      `    arp daddr ip { ${lab.gateway}, ${cp} } drop`,
      '  }',
      '}',
      'table ip lab {',
      '  chain out { type filter hook output priority 0; policy accept;',
      `    ip daddr { ${lab.gateway}, ${cp} } drop`,
      '  }',
      '}',
    ].join('\n');
    const file = path.join(lab.dir, 'block-w2.nft');
    await fs.writeFile(file, `${rules}\n`);
    await lab.exec('w2', ['nft', '-f', file]);
    const o = await collectAndAnalyze('worker-blocked');
    expect(o.manifest.hosts.every((h) => h.reached), o.log).toBe(true);
    expect(o.files.get('hosts/w2/cmd/tcp-apiserver.txt')!.toString()).toContain(`tcp ${cp}:6443 failed`);

    const gw = findings(o, 'gateway-unreachable');
    expect(gw.map((f) => f.scope.names), describeReport(o)).toEqual([['w2']]);
    expect(gw[0]!.evidence.map((e) => e.path)).toContain('hosts/w2/cmd/ping-gateway.txt');
    expect(gw[0]!.summary).toContain(lab.gateway);

    const cpu = findings(o, 'control-plane-unreachable');
    expect(cpu.length, describeReport(o)).toBeGreaterThan(0);
    expect(cpu.flatMap((f) => f.scope.names)).toContain('w2');
    expect(cpu.flatMap((f) => f.scope.names)).not.toContain('w1');
    expect(cpu.flatMap((f) => f.evidence.map((e) => e.path))).toContain('hosts/w2/cmd/tcp-apiserver.txt');
  });

  it('6. faults in collection: a host down, an unknown host key, no tcpdump — the rest is collected', async () => {
    await lab.exec('w2', ['ip', 'link', 'set', 'ens18', 'down']);
    await lab.hideCommand('pve', 'tcpdump');
    const knownHosts = path.join(lab.dir, 'known_hosts.without-w1');
    await lab.writeKnownHosts(knownHosts, ['pve', 'cp1', 'w2']);
    const o = await collectAndAnalyze('collection-faults', knownHosts);
    const host = (name: string) => o.manifest.hosts.find((h) => h.name === name)!;

    expect(host('w2')).toMatchObject({ reached: false });
    expect(host('w2').error, o.log).toBeTruthy();
    expect(host('w1')).toMatchObject({ reached: false });
    expect(host('w1').error).toContain('--accept-new-host-keys');
    expect(host('w1').hostKeyFingerprint).toMatch(/^SHA256:/);
    for (const name of ['w1', 'w2']) {
      const items = o.manifest.items.filter((i) => i.host === name);
      expect(items.length).toBeGreaterThan(0);
      expect(items.every((i) => i.status === 'skipped'), name).toBe(true);
      expect([...o.files.keys()].some((p) => p.startsWith(`hosts/${name}/cmd/`))).toBe(false);
    }

    const capture = o.manifest.items.find((i) => i.path === CAPTURE)!;
    expect(capture, o.log).toBeDefined();
    expect(capture.status).toBe('not-found');
    expect(capture.stderr).toContain('tcpdump');
    expect(o.files.has(CAPTURE)).toBe(false);

    // Everything else still came: pve's and cp1's commands and the cluster part.
    expect(host('pve').reached && host('cp1').reached).toBe(true);
    for (const p of ['hosts/pve/cmd/qm-list.txt', 'hosts/pve/cmd/bridge-link.json', 'hosts/cp1/cmd/ip-addr.json', 'hosts/cp1/cmd/tcp-apiserver.txt', 'cluster/nodes.json', POOLS]) {
      expect(o.files.has(p), p).toBe(true);
    }

    const skipped = new Map(o.report.skipped.map((s) => [s.ruleId, s]));
    for (const rule of ['arp-unanswered', 'arp-duplicate-reply']) {
      expect(skipped.get(rule), `${rule} skipped\n${describeReport(o)}`).toBeDefined();
      expect(skipped.get(rule)!.missing.join('\n')).toContain(CAPTURE);
    }
    const unreached = o.report.gaps.unreachedHosts.map((h) => h.host ?? h.name);
    expect(unreached.sort()).toEqual(['w1', 'w2']);
    // No rule claims a finding from a host it has no data for.
    for (const f of o.report.findings) expect(f.scope.names.filter((n) => n === 'w1' || n === 'w2'), describeReport(o)).toEqual([]);
    await expectOneConnectionPerHost(['pve', 'cp1']);
  });

  it('7. read-only: no host changes during a collection, and a write would have been seen', async () => {
    const names = [...lab.hosts.keys()];
    // Values that change by themselves (counters, random ids) are found by reading twice without collecting;
    // files that change in this machine's own /etc (the lower layer of every host's /etc) are not the lab's.
    const volatile = /^sysctl: (kernel\.random\.|kernel\.ns_last_pid|fs\.(dentry-state|file-nr|inode-nr|inode-state|aio-nr)|kernel\.pty\.nr|net\.netfilter\.nf_conntrack_count)/;
    const machineEtc = async (): Promise<HostSnapshot> => {
      const { stdout } = await run('sh', ['-c', "find /etc -xdev -printf '%p %y %m %s %T@\\n'"], { maxBuffer: 64 * 1024 * 1024 });
      return new Map(stdout.split('\n').filter((l) => l !== '').map((l) => [`files /etc: ${l.slice(0, l.indexOf(' '))}`, l.slice(l.indexOf(' ') + 1)]));
    };
    const noiseOf = (a: HostSnapshot, b: HostSnapshot): Set<string> => new Set([...a.keys(), ...b.keys()].filter((k) => volatile.test(k) || a.get(k) !== b.get(k)));
    const first = new Map<string, HostSnapshot>();
    const before = new Map<string, HostSnapshot>();
    for (const n of names) first.set(n, await lab.snapshot(n));
    for (const n of names) before.set(n, await lab.snapshot(n));
    const etcBefore = await machineEtc();
    expect(before.get('w1')!.size, 'a snapshot holds sysctls, links, routes and files').toBeGreaterThan(500);
    expect([...before.get('w1')!.keys()].some((k) => k.startsWith('hash /var/lib/kubelet: /var/lib/kubelet/pki/kubelet-client-2026'))).toBe(true);

    const o = await collectAndAnalyze('read-only');
    expect(o.manifest.hosts.every((h) => h.reached), o.log).toBe(true);
    // A file this machine's own /etc changed (other programs on it add users, rotate files) is not the lab's.
    const outside = new Set([...noiseOf(etcBefore, await machineEtc())].flatMap((k) => [k, k.replace(/^files /, 'hash ')]));
    for (const n of names) {
      const noise = new Set([...noiseOf(first.get(n)!, before.get(n)!), ...outside]);
      expect(snapshotChanges(before.get(n)!, await lab.snapshot(n), noise), `changes on ${n} during the collection`).toEqual([]);
    }

    // The proof can fail: one writing command over the same kind of SSH session is seen at once.
    const w1 = lab.host('w1');
    const conn = await connectSsh(
      { name: 'w1', address: w1.address, explicit: { user: 'root', port: 22, identityFile: lab.clientKeyPath, knownHosts: lab.knownHostsPath }, defaults: {}, jump: null },
      { acceptNewHostKeys: false, connectTimeoutMs: 10_000, sshConfigPath: null, env: { HOME: lab.home }, maxChannels: 2 },
    );
    const prior = await lab.snapshot('w1');
    try {
      const wrote = await conn.exec('echo test > /etc/labsnap-write-test && touch /var/lib/kubelet/config.yaml && sysctl -q -w net.ipv4.conf.ens18.arp_ignore=1', { timeoutMs: 10_000, maxBytes: 4096, sudo: false });
      expect(wrote.exitCode, wrote.stderr).toBe(0);
      const changes = snapshotChanges(prior, await lab.snapshot('w1'), noiseOf(first.get('w1')!, before.get('w1')!));
      expect(changes).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^new: files \/etc: \/etc\/labsnap-write-test /),
          expect.stringMatching(/^new: hash \/etc: \/etc\/labsnap-write-test /),
          expect.stringMatching(/^changed: files \/var\/lib\/kubelet: \/var\/lib\/kubelet\/config\.yaml: /),
          'changed: sysctl: net.ipv4.conf.ens18.arp_ignore: 0 -> 1',
        ]),
      );
    } finally {
      await conn.exec('rm -f /etc/labsnap-write-test; sysctl -q -w net.ipv4.conf.ens18.arp_ignore=0', { timeoutMs: 10_000, maxBytes: 4096, sudo: false });
      await conn.close();
    }
  });
});
