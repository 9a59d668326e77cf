import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOST_CMD, HOST_FILE, bundlePath } from '../../bundle/layout.js';
import { captureItem, probeCommand } from '../../collector/arp.js';
import { Kubectl, arpTargets, planLog, planNamespace, selectLogs } from '../../collector/kube.js';
import { KUBELET_CLIENT_CERT, certificateBlocksCommand, describeItem, expandListing, fileCommand, planHost, tcpApiServerCommand, type PlannedDir } from '../../collector/plan.js';
import { shq } from '../../collector/shell.js';

const ctx = { sinceSeconds: 86400, controlPlaneAddresses: ['192.168.10.11'] };

function sh(script: string): string {
  return execFileSync('sh', ['-c', script], { encoding: 'buffer' }).toString('utf8');
}

describe('shq', () => {
  it('round-trips any string through a real sh', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !s.includes('\0')), (value) => {
        expect(sh(`printf %s ${shq(value)}`)).toBe(value);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps hostile names inert', () => {
    for (const value of [`'; rm -rf / #`, '$(id)', '`id`', '"; echo pwned', "a'b'c", '\n\tx', '-n', '*']) {
      expect(sh(`printf %s ${shq(value)}`)).toBe(value);
    }
  });
});

describe('host plan by role', () => {
  const paths = (roles: Parameters<typeof planHost>[1]) => planHost('h', roles, ctx).map((i) => i.path);

  it('collects the identity, network and kernel basics on every host', () => {
    const p = paths([]);
    for (const name of ['hostname.txt', 'clock.txt', 'ip-link.json', 'bridge-vlan.json', 'sysctl.txt', 'journal-kernel.log', 'ping-gateway.txt'] as const) {
      expect(p).toContain(bundlePath.hostCmd('h', name));
    }
    expect(p).toContain(bundlePath.hostFile('h', '/etc/machine-id'));
    expect(p).not.toContain(bundlePath.hostCmd('h', HOST_CMD.journalKubelet));
  });

  it('adds kubelet/containerd for nodes, kubeadm and pki for control planes, pve for proxmox', () => {
    const worker = paths(['worker']);
    expect(worker).toContain(bundlePath.hostCmd('h', 'journal-kubelet.log'));
    expect(worker).toContain(bundlePath.hostCmd('h', 'tcp-apiserver.txt'));
    expect(worker).not.toContain(bundlePath.hostCmd('h', 'kubeadm-token-list.txt'));
    const cp = paths(['control-plane']);
    expect(cp).toContain(bundlePath.hostCmd('h', 'kubeadm-certs-check-expiration.txt'));
    expect(cp).toContain(bundlePath.hostFile('h', '/etc/kubernetes/pki'));
    const pve = paths(['proxmox']);
    expect(pve).toContain(bundlePath.hostCmd('h', 'qm-list.txt'));
    expect(pve).toContain(bundlePath.hostFile('h', '/etc/pve/qemu-server'));
    expect(pve).toContain(bundlePath.hostFile('h', HOST_FILE.pveFirewallLog));
    expect(worker).not.toContain(bundlePath.hostFile('h', HOST_FILE.pveFirewallLog));
    expect(pve).not.toContain(bundlePath.hostCmd('h', 'journal-kubelet.log'));
    const all = paths(['control-plane', 'worker', 'proxmox']);
    expect(new Set(all).size).toBe(all.length);
  });

  it('caps journals by time and lines, without a pager, with precise timestamps', () => {
    const j = planHost('h', ['worker'], ctx).find((i) => i.path.endsWith('journal-kubelet.log'));
    expect(j && describeItem(j)).toBe('journalctl -u kubelet --since=-86400s -n 50000 --no-pager -o short-iso-precise');
  });

  it('copies the pve-firewall packet log on proxmox hosts as a file item, read as root', () => {
    const log = planHost('h', ['proxmox'], ctx).find((i) => i.path === bundlePath.hostFile('h', HOST_FILE.pveFirewallLog));
    expect(log).toMatchObject({ type: 'file', file: '/var/log/pve-firewall.log', privileged: true });
  });

  it('runs only read-only commands', () => {
    const text = planHost('h', ['control-plane', 'worker', 'proxmox'], ctx).map(describeItem).join('\n');
    expect(text).not.toMatch(/\b(rm|modprobe|insmod|restart|reboot|tee|mkdir|touch|kubeadm (init|join|reset)|token create)\b|>\s*\/(?!dev\/null)/);
  });

  it('reads certificates but never private keys', () => {
    const pki = planHost('h', ['control-plane'], ctx).find((i) => i.path.endsWith('/etc/kubernetes/pki')) as PlannedDir;
    expect(pki.name).toBe('*.crt');
    expect(() => fileCommand('/etc/kubernetes/pki/ca.key')).toThrow(/private key/);
    const listing = Buffer.from(['/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/pki/sa.key', '/etc/kubernetes/pki/../../shadow', '/elsewhere/x.crt', ''].join('\0'));
    const { files, refused } = expandListing(pki, 'h', listing);
    expect(files.map((f) => f.file)).toEqual(['/etc/kubernetes/pki/ca.crt']);
    expect(refused).toHaveLength(3);
  });

  it('quotes control-plane addresses in the API server probe', () => {
    const evil = `1.2.3.4'; touch /tmp/pwned; '`;
    expect(tcpApiServerCommand([evil])).toContain(`probe ${shq(evil)} 6443`);
  });

  it('masks bootstrap token secrets on the host', () => {
    const cmd = planHost('h', ['control-plane'], ctx).find((i) => i.path.endsWith('kubeadm-token-list.txt'))!;
    const fakeKubeadm = `kubeadm() { echo 'TOKEN                     TTL'; echo 'abcdef.0123456789abcdef   23h'; }; `;
    const out = sh(fakeKubeadm + describeItem(cmd));
    expect(out).toContain('abcdef.<secret not collected>');
    expect(out).not.toContain('0123456789abcdef');
  });
});

describe('cluster plan', () => {
  const k = new Kubectl('~/.kube/config', false);

  it('quotes namespaces, pods and containers from the cluster', () => {
    const evil = `x'; rm -rf ~ #`;
    const item = planLog(new Kubectl('/etc/kubernetes/admin.conf', true), 'default', 'pod', evil, true, 3600);
    expect(item.command).toContain(shq(evil));
    expect(item.command).toContain('--previous');
    expect(item.privileged).toBe(true);
    expect(k.line(['get', 'pods'])).toMatch(/^kubectl --kubeconfig="\$HOME"\/'\.kube\/config' /);
  });

  it('collects configmaps only in system namespaces and never secrets', () => {
    const sys = planNamespace(k, 'kube-system').map((i) => i.path);
    expect(sys).toContain('cluster/namespaces/kube-system/configmaps.json');
    const app = planNamespace(k, 'shop').map((i) => i.path);
    expect(app).not.toContain('cluster/namespaces/shop/configmaps.json');
    expect([...sys, ...app].join()).not.toMatch(/secret/i);
  });

  it('collects the Jobs of every namespace (job-failed reads their Failed condition)', () => {
    for (const ns of ['kube-system', 'shop']) {
      const item = planNamespace(k, ns).find((i) => i.path === `cluster/namespaces/${ns}/jobs.json`);
      expect(item?.command).toContain(` 'get' 'jobs' '-n' '${ns}' '-o' 'json'`);
      expect(item?.kind).toBe('kube');
    }
  });

  it('selects logs: all system containers, unhealthy pods elsewhere, previous only after a restart', () => {
    const pods = {
      items: [
        { metadata: { name: 'ok' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', restartCount: 0 }] } },
        { metadata: { name: 'crash' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }], containerStatuses: [{ name: 'c', restartCount: 4 }] } },
        { metadata: { name: 'done' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Succeeded', conditions: [{ type: 'Ready', status: 'False' }] } },
      ],
    };
    expect(selectLogs(pods, false)).toEqual([
      { pod: 'crash', container: 'c', previous: false },
      { pod: 'crash', container: 'c', previous: true },
    ]);
    expect(selectLogs(pods, true).map((l) => l.pod)).toEqual(['ok', 'crash', 'crash', 'done']);
  });

  it('finds LoadBalancer addresses to probe, ignoring anything that is not an IPv4 address', () => {
    const services = [
      {
        items: [
          { spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '192.168.10.240' }] } } },
          { metadata: { annotations: { 'metallb.universe.tf/loadBalancerIPs': '192.168.10.241,$(reboot)' } }, spec: { type: 'LoadBalancer' } },
          { spec: { type: 'ClusterIP', loadBalancerIP: '10.0.0.1' } },
        ],
      },
    ];
    const pools = { items: [{ spec: { addresses: ['192.168.10.250/32', '192.168.10.0/24'] } }] };
    expect(arpTargets(services, pools)).toEqual(['192.168.10.240', '192.168.10.241', '192.168.10.250']);
  });

  it('builds the ARP capture and probes from validated values', () => {
    const c = captureItem('pve1', 'vmbr0', 10);
    expect(c.command).toBe(`timeout 10 tcpdump -i 'vmbr0' -U -n -w - arp`);
    expect(c.path).toBe('hosts/pve1/capture/arp-vmbr0.pcap');
    expect(() => captureItem('pve1', 'eth0;reboot', 10)).toThrow(/invalid interface/);
    expect(() => probeCommand('vmbr0', ['1.2.3.4; reboot'])).toThrow(/invalid IPv4/);
    expect(probeCommand('vmbr0', ['192.168.10.240'])).toContain(`arping -c 3 -I 'vmbr0' "$ip"`);
  });
});

describe('kubelet certificate extraction on the host', () => {
  // A kubelet-client-current.pem as kubelet writes it: the certificate, then its private key.
  const CERT = '-----BEGIN CERTIFICATE-----\nMIIBqzCCAVKgAwIBAgICEAMwCgYIKoZIzj0EAwIwFTETMBEGA1UEAwwKa3ViZXJu\nZXRlczAgFw0yNjAxMDEwMDAwMDBaGA8yMTI2MDEwMTAwMDAwMFowMDEVMBMGA1UE\nCgwMc3lzdGVtOm5vZGVzMRcwFQYDVQQDDA5zeXN0ZW06bm9kZTp3MTBZMBMGByqG\nSM49AgEGCCqGSM49AwEHA0IABDObo4Fo4d/ELV+r1AaWh2oawGTYXQ/ZLnITJwSP\n8xNsXZO2a+oWRr/ukaf53bgTfdLfRgDWNomnX51dseyubkCjdTBzMAwGA1UdEwEB\n/wQCMAAwDgYDVR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMB0GA1Ud\nDgQWBBSL6027nzVydkrllHxb03yBZ8Fq3TAfBgNVHSMEGDAWgBT6ah4P33UgBh6B\nO0V7LCrLFNQNfjAKBggqhkjOPQQDAgNHADBEAiBQcJ9zh/pchGBPz/O/b3OKqbN6\nhl7L///m4jF72qcX8AIgNUOb43axaYS3xKrUfiFubM08RBA/mq9EEhbbPnHe7Fk=\n-----END CERTIFICATE-----\n';
  const KEY = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgbqjwE+mS2L+gbBe2\n612ffQ0kyFg73ih+2+BGIkbfBeahRANCAAQzm6OBaOHfxC1fq9QGlodqGsBk2F0P\n2S5yEycEj/MTbF2TtmvqFka/7pGn+d24E33S30YA1jaJp1+dXbHsrm5A\n-----END PRIVATE KEY-----\n';
  const keyBody = KEY.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));

  function extract(content: string): { out: string; code: number } {
    const dir = mkdtempSync(join(tmpdir(), 'labsnap-cert-'));
    try {
      const file = join(dir, 'kubelet-client-2026-01-01-00-00-00.pem');
      writeFileSync(file, content);
      symlinkSync(file, join(dir, 'kubelet-client-current.pem'));
      const r = spawnSync('sh', ['-c', certificateBlocksCommand(join(dir, 'kubelet-client-current.pem'))], { encoding: 'utf8' });
      return { out: r.stdout, code: r.status ?? -1 };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  function expectNoKey(out: string): void {
    expect(out).not.toContain('PRIVATE KEY');
    for (const line of keyBody) expect(out).not.toContain(line);
  }

  it('keeps the certificate and no byte of the key, in either order, through the symlink', () => {
    for (const content of [CERT + KEY, KEY + CERT, `${CERT}\n${KEY}\n${CERT}`]) {
      const { out, code } = extract(content);
      expect(code).toBe(0);
      expect(out.startsWith(CERT)).toBe(true);
      expectNoKey(out);
    }
  });

  it('drops a certificate block that is cut off or has foreign lines, so a key after it never leaks', () => {
    const cut = CERT.split('\n').slice(0, 3).join('\n');
    for (const content of [`${cut}\n${KEY}`, CERT.replace('-----END CERTIFICATE-----', '') + KEY, CERT.replace(/\n/, `\n${keyBody[0]} x\n`) + KEY]) {
      const { out, code } = extract(content);
      expectNoKey(out);
      expect(code).toBe(3);
    }
  });

  it('reads Windows line ends and a chain of two certificates', () => {
    const { out, code } = extract((CERT + CERT + KEY).replace(/\n/g, '\r\n'));
    expect(code).toBe(0);
    expect(out).toBe(CERT + CERT);
  });

  it('is part of every Kubernetes node\'s plan, run with sudo, and of no other host', () => {
    for (const roles of [['worker'], ['control-plane']] as const) {
      const items = planHost('n1', roles, ctx).filter((i) => i.path === bundlePath.hostCmd('n1', HOST_CMD.kubeletClientCert) || i.path === bundlePath.hostCmd('n1', HOST_CMD.kubeletServingCert));
      expect(items.map((i) => i.type === 'command' && i.command.includes(KUBELET_CLIENT_CERT) ? 'client' : 'serving')).toEqual(['client', 'serving']);
      expect(items.every((i) => i.privileged)).toBe(true);
    }
    expect(planHost('pve', ['proxmox'], ctx).some((i) => i.path.endsWith('kubelet-client-cert.pem'))).toBe(false);
  });
});
