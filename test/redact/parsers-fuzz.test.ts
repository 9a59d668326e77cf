// One sweep over every parser in analyzer/parsers/: random text, and real fixture artifacts with random
// edits, never crash (a ParseError is the only allowed failure) and never take long. Samples come from
// the fixture bundles, so a parser meets the formats it will really see.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePemCertificates, parseJoinCommand } from '../../analyzer/parsers/cert-pem.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { parseContainerdConfig } from '../../analyzer/parsers/config-containerd.js';
import { parseKubeadmConfig } from '../../analyzer/parsers/config-kubeadm.js';
import { parseKubeletConfig } from '../../analyzer/parsers/config-kubelet.js';
import { parseAptHistory } from '../../analyzer/parsers/host-apt-history.js';
import { parseClock, parseHostname, parseMachineId, parseOsRelease, parseProductUuid, parseTimezone, parseUname, parseUptime } from '../../analyzer/parsers/host-identity.js';
import { parseLsmod } from '../../analyzer/parsers/host-lsmod.js';
import { parseSs } from '../../analyzer/parsers/host-ss.js';
import { parseSwap } from '../../analyzer/parsers/host-swap.js';
import { parseSysctl } from '../../analyzer/parsers/host-sysctl.js';
import { parseKubeList } from '../../analyzer/parsers/k8s-list.js';
import { parseCrictl } from '../../analyzer/parsers/kube-crictl.js';
import { parseDescribeNodes } from '../../analyzer/parsers/kube-describe-node.js';
import { parseKubeadmCertsCheck } from '../../analyzer/parsers/kube-kubeadm-certs.js';
import { parseKubeadmTokenList } from '../../analyzer/parsers/kube-kubeadm-tokens.js';
import { parseSystemctlStatus } from '../../analyzer/parsers/kube-systemctl.js';
import { isRuleLine, tableCells, tableColumns } from '../../analyzer/parsers/kube-table.js';
import { parseContainerdLog } from '../../analyzer/parsers/log-containerd.js';
import { parseJournal } from '../../analyzer/parsers/log-journald.js';
import { parseKlog } from '../../analyzer/parsers/log-klog.js';
import { parseKubeadmOutput } from '../../analyzer/parsers/log-kubeadm.js';
import { readGoQuoted, scanKeyValues } from '../../analyzer/parsers/log-logfmt.js';
import { parseIsoPrefix, parseWordyDate } from '../../analyzer/parsers/log-time.js';
import { parseBridgeLink, parseBridgeVlan } from '../../analyzer/parsers/net-bridge.js';
import { parseIpAddr, parseIpLink, parseIpNeigh, parseIpRoute } from '../../analyzer/parsers/net-ip.js';
import { parseJsonText } from '../../analyzer/parsers/net-json.js';
import { parsePing } from '../../analyzer/parsers/net-ping.js';
import { parseTcpProbe } from '../../analyzer/parsers/net-tcp-probe.js';
import { parsePcap } from '../../analyzer/parsers/pcap.js';
import { parseFirewallConfig, parseFirewallStatus } from '../../analyzer/parsers/pve-firewall.js';
import { parseGuestConfig, parseQmList } from '../../analyzer/parsers/pve-guest.js';
import { parseInterfaces, parseVlanIdList } from '../../analyzer/parsers/pve-interfaces.js';
import { parseTcpdumpText } from '../../analyzer/parsers/tcpdump-text.js';
import { checkRobust, ctx } from '../parsers/fuzz.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'bundles');
const files: string[] = [];
const walk = (d: string): void => {
  for (const n of readdirSync(d)) {
    const p = join(d, n);
    if (statSync(p).isDirectory()) walk(p);
    else files.push(relative(FIXTURES, p));
  }
};
walk(FIXTURES);

/** Up to three real artifacts whose path matches, plus a fallback so every parser has a sample. */
function samples(match: RegExp, fallback: string): string[] {
  const found = files.filter((f) => match.test(f)).slice(0, 3).map((f) => readFileSync(join(FIXTURES, f), 'utf8'));
  return [...found.map((s) => s.slice(0, 20_000)), fallback];
}

const PARSERS: Array<[string, (t: string) => unknown, RegExp, string]> = [
  ['cert-pem', (t) => parsePemCertificates(t, ctx), /pki\/.*\.crt$/, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'],
  ['join-command', (t) => parseJoinCommand(t), /kubeadm-init|journal-kubelet\.log$/, 'kubeadm join 10.0.0.1:6443 --token abcdef.<redacted:bootstrap-token:00000000> --discovery-token-ca-cert-hash sha256:00\n'],
  ['containerd-config', (t) => parseContainerdConfig(t, ctx), /config\.toml$|config-dump\.toml$/, 'version = 2\n'],
  ['kubeadm-config', (t) => parseKubeadmConfig(t, ctx), /manifests\/kube-apiserver\.yaml$/, 'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n'],
  ['kubelet-config', (t) => parseKubeletConfig(t, ctx), /kubelet\/config\.yaml$/, 'kind: KubeletConfiguration\ncgroupDriver: systemd\n'],
  ['apt-history', (t) => parseAptHistory(t), /apt\/history\.log$/, 'Start-Date: 2026-11-27  09:00:00\nCommandline: apt upgrade\n'],
  ['os-release', (t) => parseOsRelease(t), /os-release\.txt$/, 'ID=debian\n'],
  ['uname', (t) => parseUname(t), /uname\.txt$/, 'Linux cp1 6.8.0 #1 SMP x86_64 GNU/Linux\n'],
  ['hostname', (t) => parseHostname(t), /hostname\.txt$/, 'cp1\n'],
  ['machine-id', (t) => parseMachineId(t), /machine-id$/, '0123456789abcdef0123456789abcdef\n'],
  ['product-uuid', (t) => parseProductUuid(t), /product_uuid$/, '5d0c2c8e-3f43-4a55-9f0e-5b2f1c7e9a10\n'],
  ['clock', (t) => parseClock(t, ctx), /clock\.txt$/, '1795773600.123456789\n'],
  ['timezone', (t) => parseTimezone(t), /timezone\.txt$/, 'Timezone=UTC\n'],
  ['uptime', (t) => parseUptime(t, ctx), /uptime\.txt$/, '1234.5 2345.6\n'],
  ['lsmod', (t) => parseLsmod(t), /lsmod\.txt$/, 'Module Size Used by\nbr_netfilter 32768 0\n'],
  ['ss', (t) => parseSs(t), /ss-listen\.txt$/, 'State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n'],
  ['swap', (t) => parseSwap(t), /swapon\.txt$|proc\/swaps$/, 'NAME TYPE SIZE USED PRIO\n'],
  ['sysctl', (t) => parseSysctl(t), /sysctl\.txt$/, 'net.ipv4.ip_forward = 1\n'],
  ['k8s-list', (t) => parseKubeList(t, ctx), /cluster\/nodes\.json$|pods\.json$/, '{"kind":"List","items":[]}'],
  ['crictl', (t) => parseCrictl(t, ctx), /crictl-(ps|pods)\.txt$/, 'CONTAINER IMAGE CREATED STATE NAME ATTEMPT POD ID POD\n'],
  ['describe-node', (t) => parseDescribeNodes(t, ctx), /describe\/nodes\//, 'Name: cp1\n'],
  ['kubeadm-certs', (t) => parseKubeadmCertsCheck(t, ctx), /kubeadm-certs-check-expiration\.txt$/, 'CERTIFICATE EXPIRES RESIDUAL TIME\n'],
  ['kubeadm-tokens', (t) => parseKubeadmTokenList(t, ctx), /kubeadm-token-list\.txt$/, 'TOKEN TTL EXPIRES USAGES DESCRIPTION EXTRA GROUPS\n'],
  ['systemctl', (t) => parseSystemctlStatus(t, ctx), /systemctl-.*\.txt$/, '● kubelet.service - kubelet\n     Active: active (running)\n'],
  ['kube-table', (t) => {
    const [head = '', ...rows] = t.split('\n');
    const cols = tableColumns(head);
    return rows.map((r) => (isRuleLine(r) ? null : tableCells(r, cols)));
  }, /qm-list\.txt$|crictl-ps\.txt$/, 'NAME   STATUS\nvm1    running\n'],
  ['containerd-log', (t) => parseContainerdLog(t, ctx), /journal-containerd\.log$/, 'time="2026-11-27T09:00:00Z" level=info msg="x"\n'],
  ['journald', (t) => parseJournal(t, ctx), /journal-(kubelet|kernel)\.log$/, '2026-11-27T09:00:00.000000+00:00 cp1 kubelet[1]: x\n'],
  ['klog', (t) => parseKlog(t, ctx), /cluster\/logs\/.*\.log$/, 'I1127 09:00:00.000000       1 main.go:1] x\n'],
  ['kubeadm-output', (t) => parseKubeadmOutput(t, ctx), /attachments\//, '[preflight] Running pre-flight checks\n'],
  ['logfmt', (t) => [scanKeyValues(t), readGoQuoted(t, t.indexOf('"') < 0 ? 0 : t.indexOf('"'))], /journal-containerd\.log$/, 'level=info msg="a \\"b\\""'],
  ['log-time', (t) => [parseIsoPrefix(t), parseWordyDate(t)], /journal-kubelet\.log$/, '2026-11-27T09:00:00Z'],
  ['bridge-link', (t) => parseBridgeLink(t), /bridge-link\.json$/, '[]'],
  ['bridge-vlan', (t) => parseBridgeVlan(t), /bridge-vlan\.json$/, '[]'],
  ['ip-link', (t) => parseIpLink(t), /ip-link\.json$/, '[]'],
  ['ip-addr', (t) => parseIpAddr(t), /ip-addr\.json$/, '[]'],
  ['ip-route', (t) => parseIpRoute(t), /ip-route\.json$/, '[]'],
  ['ip-neigh', (t) => parseIpNeigh(t), /ip-neigh\.json$/, '[]'],
  ['json', (t) => parseJsonText(t, 'test'), /version\.json$/, '{}'],
  ['ping', (t) => parsePing(t), /ping-gateway\.txt$/, 'gateway 192.168.10.1\n'],
  ['tcp-probe', (t) => parseTcpProbe(t), /tcp-apiserver\.txt$/, 'tcp 192.168.10.11:6443 open\n'],
  ['pve-firewall-status', (t) => parseFirewallStatus(t), /pve-firewall-status\.txt$/, 'Status: enabled/running\n'],
  ['pve-firewall-config', (t) => parseFirewallConfig(t), /\.fw$/, '[OPTIONS]\nenable: 1\n'],
  ['pve-guest', (t) => parseGuestConfig(t, ctx), /qemu-server\/.*\.conf$/, 'net0: virtio=BC:24:11:00:00:01,bridge=vmbr0\n'],
  ['qm-list', (t) => parseQmList(t), /qm-list\.txt$/, '      VMID NAME STATUS MEM(MB) BOOTDISK(GB) PID\n'],
  ['pve-interfaces', (t) => parseInterfaces(t), /network\/interfaces$/, 'auto vmbr0\niface vmbr0 inet static\n'],
  ['vlan-ids', (t) => parseVlanIdList(t), /network\/interfaces$/, '2-4094'],
  ['tcpdump-text', (t) => parseTcpdumpText(t), /tcpdump/, '09:00:00.000000 ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28\n'],
];

describe('every parser survives random and mutated input', () => {
  it.each(PARSERS.map(([name, parse, match, fallback]) => ({ name, parse, match, fallback })))('$name', ({ parse, match, fallback }) => {
    checkRobust(parse, samples(match, fallback), 120);
  });

  it('pcap: random bytes and mutated real captures', () => {
    const captures = files.filter((f) => f.endsWith('.pcap')).slice(0, 3).map((f) => readFileSync(join(FIXTURES, f)));
    const mutated = fc.tuple(fc.constantFrom(...captures), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 10 }), fc.nat()).map(([c, flips, cut]) => {
      const b = Buffer.from(c);
      for (const [at, v] of flips) b[at % b.length] = v;
      return b.subarray(0, cut % (b.length + 1));
    });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), (bytes) => {
        try {
          parsePcap(bytes);
        } catch (err) {
          if (!(err instanceof ParseError)) throw err;
        }
      }),
      { numRuns: 300 },
    );
  });
});
