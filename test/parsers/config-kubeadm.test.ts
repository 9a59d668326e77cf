import { describe, expect, it } from 'vitest';
import { parseKubeadmConfig } from '../../analyzer/parsers/config-kubeadm.js';
import { ParseError } from '../../analyzer/parsers/common.js';
import { checkNoBlowup, checkRobust, ctx } from './fuzz.js';

// data.ClusterConfiguration of the kubeadm-config ConfigMap written by kubeadm 1.29 (v1beta3).
const CONFIGMAP_DATA = `apiServer:
  certSANs:
  - k8s.lab.example
  - 192.168.10.10
  extraArgs:
    authorization-mode: Node,RBAC
  timeoutForControlPlane: 4m0s
apiVersion: kubeadm.k8s.io/v1beta3
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controlPlaneEndpoint: k8s.lab.example:6443
controllerManager: {}
dns: {}
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: v1.29.10
networking:
  dnsDomain: cluster.local
  podSubnet: 192.168.0.0/16
  serviceSubnet: 10.96.0.0/12
scheduler: {}
`;

// A kubeadm-init.yaml attachment (v1beta4, kubeadm 1.31) with kubelet and kube-proxy documents.
const INIT_FILE = `# kubeadm init --config kubeadm-init.yaml
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: 192.168.10.11
  bindPort: 6443
nodeRegistration:
  name: cp1
  criSocket: unix:///var/run/containerd/containerd.sock
  ignorePreflightErrors:
  - Swap
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.31.3
controlPlaneEndpoint: 192.168.10.10:6443
apiServer:
  certSANs: [192.168.10.10, cp1.lab.example]
  extraArgs:
  - name: authorization-mode
    value: Node,RBAC
networking:
  podSubnet: 10.244.0.0/16,fd00:10:244::/56
  serviceSubnet: 10.96.0.0/12
---
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
failSwapOn: false
---
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: ipvs
ipvs:
  strictARP: true
`;

const JOIN_FILE = `apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: 192.168.10.10:6443
    token: abcdef.0123456789abcdef
    caCertHashes:
    - sha256:2c990014c0e362ee98d26af22ef2d96853f1c53873f022120c39f1a1eb4c236b
nodeRegistration:
  name: worker1
`;

describe('parseKubeadmConfig', () => {
  it('reads the ClusterConfiguration stored in the kubeadm-config ConfigMap', () => {
    const config = parseKubeadmConfig(CONFIGMAP_DATA, ctx);
    expect(config.documents).toEqual([{ apiVersion: 'kubeadm.k8s.io/v1beta3', kind: 'ClusterConfiguration', line: 1 }]);
    expect(config.clusterConfiguration).toEqual({
      apiVersion: 'kubeadm.k8s.io/v1beta3', line: 1, controlPlaneEndpoint: 'k8s.lab.example:6443', kubernetesVersion: 'v1.29.10',
      clusterName: 'kubernetes', imageRepository: 'registry.k8s.io',
      networking: { podSubnet: '192.168.0.0/16', serviceSubnet: '10.96.0.0/12', dnsDomain: 'cluster.local' },
      certSANs: ['k8s.lab.example', '192.168.10.10'],
      lines: { controlPlaneEndpoint: 11, kubernetesVersion: 19, podSubnet: 22, serviceSubnet: 23, dnsDomain: 21, certSANs: 2 },
    });
    expect(config.kubeProxy).toBeUndefined();
  });

  it('reads every document of a multi-document init file with file line numbers', () => {
    const config = parseKubeadmConfig(INIT_FILE, ctx);
    expect(config.documents.map((document) => [document.kind, document.line])).toEqual([
      ['InitConfiguration', 2], ['ClusterConfiguration', 13], ['KubeletConfiguration', 26], ['KubeProxyConfiguration', 31],
    ]);
    expect(config.initConfiguration).toMatchObject({ advertiseAddress: '192.168.10.11', bindPort: 6443, nodeName: 'cp1', ignorePreflightErrors: ['Swap'] });
    expect(config.clusterConfiguration).toMatchObject({
      apiVersion: 'kubeadm.k8s.io/v1beta4', controlPlaneEndpoint: '192.168.10.10:6443', certSANs: ['192.168.10.10', 'cp1.lab.example'],
      networking: { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/12', dnsDomain: undefined },
      lines: { kubernetesVersion: 15, podSubnet: 23, certSANs: 18 },
    });
    expect(config.kubelet).toMatchObject({ cgroupDriver: 'cgroupfs', failSwapOn: false, line: 26, lines: { cgroupDriver: 28, failSwapOn: 29 } });
    expect(config.kubeProxy).toEqual({ line: 31, mode: 'ipvs', strictARP: true, clusterCIDR: undefined, lines: { mode: 33, strictARP: 35 } });
  });

  it('reads a JoinConfiguration without keeping the token secret', () => {
    const config = parseKubeadmConfig(JOIN_FILE, ctx);
    expect(config.joinConfiguration).toMatchObject({
      apiServerEndpoint: '192.168.10.10:6443', tokenId: 'abcdef', controlPlane: false, nodeName: 'worker1',
      caCertHashes: ['sha256:2c990014c0e362ee98d26af22ef2d96853f1c53873f022120c39f1a1eb4c236b'],
    });
    expect(JSON.stringify(config)).not.toContain('0123456789abcdef');
  });

  it('rejects YAML without kubeadm documents, and reports YAML errors at the file line', () => {
    expect(() => parseKubeadmConfig('apiVersion: v1\nkind: Pod\n', ctx)).toThrow(ParseError);
    let error: unknown;
    try {
      parseKubeadmConfig(`${INIT_FILE}---\nkind: ClusterConfiguration\nnetworking: [\n`, ctx);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).line).toBeGreaterThanOrEqual(36);
  });

  it('never crashes except with ParseError, in linear time', () => {
    checkRobust((text) => parseKubeadmConfig(text, ctx), [CONFIGMAP_DATA, INIT_FILE, JOIN_FILE], 200);
    checkNoBlowup((text) => parseKubeadmConfig(text, ctx), [`${'---\n'.repeat(20_000)}kind: ClusterConfiguration\n`]);
  });
});
