import { describe, expect, it } from 'vitest';
import { parseKubeletConfig } from '../../analyzer/parsers/config-kubelet.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

// /var/lib/kubelet/config.yaml as kubeadm 1.31 writes it, with swap allowed.
const CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
failSwapOn: false
featureGates:
  NodeSwap: true
kind: KubeletConfiguration
memorySwap:
  swapBehavior: LimitedSwap
resolvConf: /run/systemd/resolve/resolv.conf
rotateCertificates: true
staticPodPath: /etc/kubernetes/manifests
`;

describe('parseKubeletConfig', () => {
  it('reads eviction thresholds, empty when kubelet defaults apply', () => {
    const config = parseKubeletConfig(`${CONFIG}evictionHard:\n  memory.available: 200Mi\n  nodefs.available: "5%"\nevictionSoft:\n  memory.available: 500Mi\n`, ctx);
    expect(config.evictionHard).toEqual({ 'memory.available': '200Mi', 'nodefs.available': '5%' });
    expect(config.evictionSoft).toEqual({ 'memory.available': '500Mi' });
    expect(config.lines.evictionHard).toBe(27);
    expect(parseKubeletConfig(CONFIG, ctx).evictionHard).toEqual({});
  });

  it('reads the fields rules use, with the line of each key', () => {
    const config = parseKubeletConfig(CONFIG, ctx);
    expect(config).toMatchObject({
      apiVersion: 'kubelet.config.k8s.io/v1beta1', cgroupDriver: 'systemd', failSwapOn: false, swapBehavior: 'LimitedSwap',
      clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', staticPodPath: '/etc/kubernetes/manifests',
      containerRuntimeEndpoint: '', resolvConf: '/run/systemd/resolve/resolv.conf', rotateCertificates: true,
      serverTLSBootstrap: undefined, clientCAFile: '/etc/kubernetes/pki/ca.crt', featureGates: { NodeSwap: true },
    });
    expect(config.lines).toEqual({
      apiVersion: 1, clientCAFile: 9, cgroupDriver: 12, clusterDNS: 13, clusterDomain: 15, containerRuntimeEndpoint: 16,
      failSwapOn: 18, featureGates: 19, swapBehavior: 23, resolvConf: 24, rotateCertificates: 25, staticPodPath: 26,
    });
  });

  it('leaves defaults undefined rather than guessing them', () => {
    const config = parseKubeletConfig('apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n', ctx);
    expect(config.cgroupDriver).toBeUndefined();
    expect(config.failSwapOn).toBeUndefined();
    expect(config.lines).toEqual({ apiVersion: 1 });
  });

  it('rejects other kinds, non-mappings and invalid YAML (with its line)', () => {
    expect(() => parseKubeletConfig('apiVersion: v1\nkind: ConfigMap\n', ctx)).toThrow(ParseError);
    expect(() => parseKubeletConfig('- a\n- b\n', ctx)).toThrow(ParseError);
    let error: unknown;
    try {
      parseKubeletConfig('kind: KubeletConfiguration\ncgroupDriver: [systemd\nfailSwapOn: true\n', ctx);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).line).toBeGreaterThanOrEqual(2);
  });

  it('never crashes except with ParseError, in linear time', () => {
    checkRobust((text) => parseKubeletConfig(text, ctx), [CONFIG], 200);
    checkNoBlowup((text) => parseKubeletConfig(text, ctx), [`a: ${'['.repeat(2_000)}`, `${'a:\n  '.repeat(2_000)}b`]);
  });
});
