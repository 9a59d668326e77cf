// The topology the HTML report draws comes from the model's joins: VM ↔ node by MAC, bridges and their
// VLAN settings from /etc/network/interfaces, system pods per node, LoadBalancer IPs with the MACs that
// answered ARP for them (a foreign MAC stays unnamed), and findings land on the elements they name.
import { describe, expect, it } from 'vitest';
import { findingTargets } from '../../../analyzer/report/html/topology-svg.js';
import { analyzeDir, EXAMPLE_LAB } from './lab.js';

describe('topology', () => {
  it('joins Proxmox host, bridge, VMs, nodes and system pods of the example lab', async () => {
    const { topology } = await analyzeDir(EXAMPLE_LAB);
    expect(topology.pveHosts.map((p) => p.name)).toEqual(['pve1']);
    const pve = topology.pveHosts[0]!;
    expect(pve.bridges).toEqual([{ name: 'vmbr0', vlanAware: true, vids: '2-4094', ports: ['enp3s0'] }]);
    expect(pve.vms.map((v) => [v.vmid, v.name, v.host, v.nics[0]?.tag, v.nics[0]?.firewall, v.nics[0]?.port])).toEqual([
      [101, 'cp1', 'cp1', 10, true, 'fwpr101p0'],
      [102, 'w1', 'w1', 10, true, 'fwpr102p0'],
      [103, 'w2', 'w2', 10, true, 'fwpr103p0'],
    ]);
    expect(topology.machines.map((m) => [m.id, m.node?.ready, m.vm?.vmid])).toEqual([
      ['cp1', 'True', 101],
      ['w1', 'True', 102],
      ['w2', 'False', 103],
    ]);
    const w2Pods = topology.machines.find((m) => m.id === 'w2')!.pods;
    expect(w2Pods.find((p) => p.name === 'calico-node-b96w2')).toMatchObject({ namespace: 'calico-system', ready: false, status: 'Init:ImagePullBackOff' });
  });

  it('names the MAC that answered ARP for a LoadBalancer IP, and leaves a foreign one unnamed', async () => {
    const example = await analyzeDir(EXAMPLE_LAB);
    expect(example.topology.loadBalancers).toEqual([
      {
        namespace: 'ingress-nginx',
        name: 'ingress-nginx-controller',
        pending: false,
        ips: [{ ip: '192.168.10.240', seen: true, answeredBy: [{ mac: 'bc:24:11:c2:57:3b', count: 3, owner: 'w1 (ens18)', machine: 'w1' }] }],
      },
    ]);
    const nas = await analyzeDir('fixtures/bundles/metallb-vip-taken-by-nas');
    expect(nas.topology.loadBalancers[0]!.ips[0]!.answeredBy).toEqual([
      { mac: '3c:22:fb:9a:41:07', count: 1 },
      { mac: 'bc:24:11:c2:57:3b', count: 3, owner: 'w1 (ens18)', machine: 'w1' },
    ]);
  });

  it('puts a VLAN finding on the VM and its bridge port, and node findings on the node', async () => {
    const { report, topology } = await analyzeDir('fixtures/bundles/worker-vlan-not-allowed');
    const targets = findingTargets(report, topology);
    const idOf = (rule: string) => report.findings.findIndex((f) => f.ruleId === rule);
    const on = (element: string) => (targets.get(element) ?? []).map((i) => report.findings[i]!.ruleId).sort();
    expect(idOf('pve-vlan-not-allowed')).toBeGreaterThanOrEqual(0);
    expect(on('vm:pve1/103')).toContain('pve-vlan-not-allowed');
    expect(on('port:pve1/103/net0')).toContain('pve-vlan-not-allowed');
    expect(on('node:w2')).toContain('node-not-ready');
    expect(on('vm:pve1/102')).toEqual([]);
    expect(on('pve:pve1')).toEqual([]);
  });

  it('puts a missing bridge uplink on the bridge', async () => {
    const { report, topology } = await analyzeDir('fixtures/bundles/storage-bridge-no-carrier');
    const targets = findingTargets(report, topology);
    const rules = (targets.get('br:pve1/vmbr1') ?? []).map((i) => report.findings[i]!.ruleId);
    expect(rules).toEqual(['pve-bridge-port-missing']);
  });
});
