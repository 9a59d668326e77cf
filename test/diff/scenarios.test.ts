// `labsnap diff` on the shipped fixtures: the healthy lab against every scenario planted in it must name
// the planted change first; the same bundle against itself, and against a copy where only churn moved,
// must show no change; and the findings that appear must be the ones the scenario expects.
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules, type RulePack } from '../../analyzer/engine/load-rules.js';
import { diffSides, readSide } from '../../analyzer/diff/load.js';
import { openBundle } from '../../bundle/reader.js';

const BUNDLES = path.join('fixtures', 'bundles');
const HEALTHY = path.join(BUNDLES, 'healthy-lab');
const SCENARIOS = readdirSync(path.join('fixtures', 'scenarios'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

/**
 * What each scenario plants (read from fixtures/scenarios/<name>.ts), as the first line of the diff
 * must name it. Where a scenario plants two faults or a fault and its trigger, either may come first.
 */
const FIRST: Record<string, RegExp> = {
  'app-crashloop-and-bad-port': /^(pods demo\/api-6b7c8d9f5-x4k8n added|services demo\/web: \/spec\/ports\[name=http\]\/targetPort http -> 8080)/,
  'br-netfilter-after-reboot': /^w2 (sysctl (net\.ipv4\.ip_forward: 1 -> 0|net\.bridge\.bridge-nf-call-\w+: 1 -> \(none\))|module br_netfilter: loaded -> \(none\))/,
  'calico-autodetect-docker0': /^w2 address docker0: \(none\) -> 172\.17\.0\.1\/16/,
  'calico-default-pool': /^ippools\.crd\.projectcalico\.org default-ipv4-ippool: \/spec\/cidr 10\.244\.0\.0\/16 -> 192\.168\.0\.0\/16/,
  'certs-expired-after-a-year': /^cp1 certificate .* expires: 2027-03-02T09:19:00\.000Z -> 2026-11-20T09:19:00\.000Z/,
  'certs-expiring-soon': /^cp1 certificate .* expires: 2027-03-02T09:19:00\.000Z -> 2026-12-10T09:19:00\.000Z/,
  'cgroup-driver-mismatch-cp1': /^cp1 containerd (config dump|config\.toml): SystemdCgroup: true -> false/,
  'clock-skew-and-liveness-crashloop': /^(w2 clock (NTP|offset)|pods demo\/web-6d4cf56db6-9w4dn: \/spec\/containers\[name=nginx\]\/livenessProbe)/,
  'cloned-worker-template': /^w2 identity (machine-id|product_uuid): /,
  'containerd-cri-disabled-w2': /^w2 containerd (config dump|config\.toml): (CRI: enabled -> disabled|disabled_plugins: \(none\) -> cri)/,
  'containerd-stopped': /^w1 service containerd\.service: active \(running\) -> failed/,
  'firewall-ipfilter-metallb-vip': /^pve1 firewall firewall \/etc\/pve\/firewall\/102\.fw option ipfilter: 0 -> 1/,
  'image-pull-failures': /^pods demo\/(api|backup|worker)-\w+-\w+ added/,
  'ingress-host-and-backend': /^ingresses demo\/docs added/,
  'ingress-wrong-class': /^ingresses demo\/web: \/spec\/ingressClassName nginx -> traefik/,
  'jumbo-frames-not-applied': /^(pve1 interfaces \/etc\/network\/interfaces\.new: |w1 link ens18: mtu 1500 .* -> mtu 9000)/,
  'kubeadm-init-rerun': /^attachment kubeadm-init-cp1\.txt: \(none\) -> attached/,
  'local-path-disk-full': /^(persistentvolumeclaims demo\/data-db-0 added|new log pattern .*no space left on device)/,
  'metallb-all-nodes-excluded': /^nodes w[12]: \/metadata\/labels\/node\.kubernetes\.io~1exclude-from-external-load-balancers \(none\) -> /,
  'metallb-no-pool-after-upgrade': /^(ipaddresspools\.metallb\.io metallb-system\/lab-pool removed|l2advertisements\.metallb\.io metallb-system\/lab-l2 removed|configmaps metallb-system\/config added|services demo\/web-lb added)/,
  'metallb-pool-exhausted': /^(ipaddresspools\.metallb\.io metallb-system\/lab-pool: \/spec\/addresses|services demo\/grafana added)/,
  'metallb-vip-taken-by-nas': /^pve1 arp who answers 192\.168\.10\.240 \(arp-vmbr0\.pcap\): bc:24:11:c2:57:3b -> 3c:22:fb:9a:41:07, bc:24:11:c2:57:3b/,
  'pvc-pending-storage': /^(storageclasses local-path: \/metadata\/annotations\/storageclass\.kubernetes\.io~1is-default-class true -> \(none\)|persistentvolumeclaims demo\/(media|cache-data) added)/,
  'stale-join-command': /^attachment join-w3\.txt: \(none\) -> attached/,
  'storage-bridge-no-carrier': /^pve1 (guest VM 102 net1: \(none\) -> .*bridge=vmbr1|interfaces \/etc\/network\/interfaces: iface vmbr1 )/,
  'swap-after-reboot': /^w1 swap swap \((swapon|\/proc\/swaps)\): off -> \/swap\.img/,
  'w2-api-unreachable': /^w2 probe TCP 192\.168\.10\.11:6443: open -> no-route/,
  'worker-vlan-not-allowed': /^pve1 (guest VM 103 net0: .*tag=10.* -> .*tag=20|interfaces \/etc\/network\/interfaces: iface vmbr0 bridge-vids: 2-4094 -> 10 30)/,
};

let pack: RulePack;
let healthy: Awaited<ReturnType<typeof readSide>>;
let tmp: string;

beforeAll(async () => {
  pack = await loadRules([]);
  healthy = await readSide(await openBundle(HEALTHY), pack, 'en', 'healthy-lab');
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'labsnap-diff-'));
});

afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function against(dir: string, name = path.basename(dir)) {
  const side = await readSide(await openBundle(dir), pack, 'en', name);
  return diffSides(healthy, side, 'en', false);
}

describe('labsnap diff: healthy lab vs each scenario', () => {
  it('covers every scenario', () => {
    expect(Object.keys(FIRST).sort()).toEqual(SCENARIOS);
  });

  for (const name of SCENARIOS) {
    it(`${name}: names the planted change first`, async () => {
      const diff = await against(path.join(BUNDLES, name));
      const expected = load(readFileSync(path.join(BUNDLES, name, 'expected.yaml'), 'utf8')) as { fires: { rule: string }[] };
      const appeared = new Set(diff.findings.appeared.map((f) => f.ruleId));
      for (const f of expected.fires) expect(appeared, `finding ${f.rule} should appear`).toContain(f.rule);
      expect(diff.findings.resolved).toEqual([]);
      expect(diff.changes.length).toBeGreaterThan(0);
      const first = diff.changes[0]!;
      expect(first.title, diff.changes.slice(0, 5).map((c) => c.title).join('\n')).toMatch(FIRST[name]!);
      expect(first.related.length).toBeGreaterThan(0);
    }, 120_000);
  }
});

describe('labsnap diff: what is not a change', () => {
  it('a bundle against itself shows nothing', async () => {
    const diff = await against(HEALTHY);
    expect(diff.changes).toEqual([]);
    expect(diff.findings.appeared).toEqual([]);
    expect(diff.findings.persisting).toEqual([]);
    expect(diff.counts).toMatchObject({ hostFacts: 0, objectsAdded: 0, objectsRemoved: 0, objectsChanged: 0, logPatterns: 0, collection: 0 });
  });

  it('churn (resourceVersions, heartbeats, restart counts, container ids, a counter sysctl) is left out unless asked for', async () => {
    const copy = path.join(tmp, 'churned');
    await fs.cp(HEALTHY, copy, { recursive: true });
    const edit = async (rel: string, fn: (list: { items: Record<string, any>[] }) => void) => {
      const p = path.join(copy, rel);
      const list = JSON.parse(await fs.readFile(p, 'utf8')) as { items: Record<string, any>[] };
      fn(list);
      await fs.writeFile(p, JSON.stringify(list, null, 4));
    };
    await edit('cluster/nodes.json', (l) => {
      for (const n of l.items) {
        n.metadata.resourceVersion = '9999999';
        for (const c of n.status.conditions) c.lastHeartbeatTime = '2026-11-28T10:00:00Z';
      }
    });
    await edit('cluster/namespaces/kube-system/pods.json', (l) => {
      for (const p of l.items) {
        p.metadata.resourceVersion = '9999999';
        for (const c of p.status.containerStatuses ?? []) {
          c.restartCount = (c.restartCount ?? 0) + 3;
          c.containerID = 'containerd://0123456789abcdef';
        }
      }
    });
    const sysctl = path.join(copy, 'hosts/w1/cmd/sysctl.txt');
    await fs.appendFile(sysctl, 'fs.file-nr = 99999\t0\t9223372036854775807\nkernel.random.boot_id = 3f1c2a9e-0b7d-4e55-8c21-6d9f0a1b2c3d\n');
    const side = await readSide(await openBundle(copy), pack, 'en', 'churned');
    const quiet = diffSides(healthy, side, 'en', false);
    expect(quiet.changes).toEqual([]);
    const loud = diffSides(healthy, side, 'en', true);
    const paths = loud.objects.flatMap((o) => o.fields.map((f) => f.path));
    expect(paths).toContain('/metadata/resourceVersion');
    expect(paths.some((p) => p.endsWith('/lastHeartbeatTime'))).toBe(true);
    expect(paths.some((p) => p.endsWith('/restartCount'))).toBe(true);
    expect(loud.hostFacts.map((f) => f.key)).toEqual(expect.arrayContaining(['fs.file-nr', 'kernel.random.boot_id']));
  });

  it('reads a .tar.gz the same as the folder it was made from', async () => {
    const root = 'labsnap-homelab-20261127T100000Z';
    const staged = path.join(tmp, 'staged');
    await fs.cp(path.join(BUNDLES, 'swap-after-reboot'), path.join(staged, root), { recursive: true });
    const archive = path.join(tmp, `${root}.tar.gz`);
    await tar.c({ gzip: true, file: archive, cwd: staged, portable: true }, [root]);
    const fromDir = await against(path.join(BUNDLES, 'swap-after-reboot'), 'x');
    const fromTar = await against(archive, 'x');
    expect(existsSync(archive)).toBe(true);
    expect(fromTar.changes).toEqual(fromDir.changes);
    expect(fromTar.findings).toEqual(fromDir.findings);
  });
});
