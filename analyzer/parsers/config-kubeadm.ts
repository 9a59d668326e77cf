// kubeadm configuration: the ClusterConfiguration stored in the `kubeadm-config` ConfigMap
// (`data.ClusterConfiguration`), or a multi-document `kubeadm init --config` file with InitConfiguration,
// ClusterConfiguration, JoinConfiguration, KubeletConfiguration and KubeProxyConfiguration, API versions
// v1beta2 to v1beta4 (the fields read here kept their place across them).
import { ParseError, splitLines, type ParseContext } from './common.js';
import {
  booleanAt,
  kubeletConfigFrom,
  loadYamlDocument,
  stringAt,
  stringsAt,
  valueAt,
  type KubeletConfig,
  type LineOf,
} from './config-kubelet.js';

export interface KubeadmClusterConfiguration {
  apiVersion: string | undefined;
  /** Line of the document's first line. */
  line: number;
  controlPlaneEndpoint: string | undefined;
  kubernetesVersion: string | undefined;
  clusterName: string | undefined;
  imageRepository: string | undefined;
  networking: {
    /** As written; dual-stack clusters list two CIDRs separated by a comma. */
    podSubnet: string | undefined;
    serviceSubnet: string | undefined;
    dnsDomain: string | undefined;
  };
  certSANs: string[];
  lines: Partial<Record<'controlPlaneEndpoint' | 'kubernetesVersion' | 'podSubnet' | 'serviceSubnet' | 'dnsDomain' | 'certSANs', number>>;
}

export interface KubeadmInitConfiguration {
  apiVersion: string | undefined;
  line: number;
  advertiseAddress: string | undefined;
  bindPort: number | undefined;
  nodeName: string | undefined;
  criSocket: string | undefined;
  ignorePreflightErrors: string[];
}

export interface KubeadmJoinConfiguration {
  apiVersion: string | undefined;
  line: number;
  apiServerEndpoint: string | undefined;
  /** The bootstrap token's id; the secret half is never kept. */
  tokenId: string | undefined;
  caCertHashes: string[];
  unsafeSkipCAVerification: boolean | undefined;
  nodeName: string | undefined;
  criSocket: string | undefined;
  controlPlane: boolean;
}

export interface KubeProxyConfig {
  line: number;
  /** `iptables`, `ipvs`, `nftables`; empty or undefined means iptables on Linux. */
  mode: string | undefined;
  /** `ipvs.strictARP`, needed by MetalLB L2 when mode is ipvs. */
  strictARP: boolean | undefined;
  clusterCIDR: string | undefined;
  lines: Partial<Record<'mode' | 'strictARP' | 'clusterCIDR', number>>;
}

export interface KubeadmConfigDocument {
  apiVersion: string | undefined;
  kind: string | undefined;
  line: number;
}

export interface KubeadmConfig {
  documents: KubeadmConfigDocument[];
  clusterConfiguration?: KubeadmClusterConfiguration;
  initConfiguration?: KubeadmInitConfiguration;
  joinConfiguration?: KubeadmJoinConfiguration;
  kubeProxy?: KubeProxyConfig;
  kubelet?: KubeletConfig & { line: number };
}

function linesFor<K extends string>(root: unknown, lineOf: LineOf, pointers: Record<K, string>): Partial<Record<K, number>> {
  const lines: Partial<Record<K, number>> = {};
  for (const [name, pointer] of Object.entries(pointers) as [K, string][]) {
    if (valueAt(root, pointer) === undefined) continue;
    const line = lineOf(pointer);
    if (line !== undefined) lines[name] = line;
  }
  return lines;
}

function clusterConfiguration(root: unknown, lineOf: LineOf, line: number): KubeadmClusterConfiguration {
  return {
    apiVersion: stringAt(root, '/apiVersion'),
    line,
    controlPlaneEndpoint: stringAt(root, '/controlPlaneEndpoint'),
    kubernetesVersion: stringAt(root, '/kubernetesVersion'),
    clusterName: stringAt(root, '/clusterName'),
    imageRepository: stringAt(root, '/imageRepository'),
    networking: {
      podSubnet: stringAt(root, '/networking/podSubnet'),
      serviceSubnet: stringAt(root, '/networking/serviceSubnet'),
      dnsDomain: stringAt(root, '/networking/dnsDomain'),
    },
    certSANs: stringsAt(root, '/apiServer/certSANs'),
    lines: linesFor(root, lineOf, {
      controlPlaneEndpoint: '/controlPlaneEndpoint',
      kubernetesVersion: '/kubernetesVersion',
      podSubnet: '/networking/podSubnet',
      serviceSubnet: '/networking/serviceSubnet',
      dnsDomain: '/networking/dnsDomain',
      certSANs: '/apiServer/certSANs',
    }),
  };
}

function numberAt(root: unknown, pointer: string): number | undefined {
  const value = valueAt(root, pointer);
  return typeof value === 'number' ? value : undefined;
}

function tokenIdOf(token: string | undefined): string | undefined {
  return token === undefined ? undefined : token.split('.')[0];
}

interface YamlDocumentText {
  text: string;
  /** Lines before the document's first line in the whole file. */
  offset: number;
}

/** Splits a YAML stream at `---` separators, remembering where each document starts. */
function yamlDocuments(text: string): YamlDocumentText[] {
  const documents: YamlDocumentText[] = [];
  let current: string[] = [];
  let offset = 0;
  splitLines(text).forEach((line, index) => {
    if (/^---(?:\s|$)/.test(line) || line === '...') {
      documents.push({ text: current.join('\n'), offset });
      current = [line.slice(3).trim().startsWith('#') || line === '...' ? '' : line.slice(3)];
      offset = index;
    } else current.push(line);
  });
  documents.push({ text: current.join('\n'), offset });
  return documents.filter((document) => document.text.trim().length > 0);
}

const KNOWN_KINDS = new Set(['ClusterConfiguration', 'InitConfiguration', 'JoinConfiguration', 'KubeletConfiguration', 'KubeProxyConfiguration', 'ClusterStatus', 'ResetConfiguration', 'UpgradeConfiguration']);

/** Parses kubeadm configuration YAML (one ClusterConfiguration, or a multi-document config file). */
export function parseKubeadmConfig(text: string, ctx: ParseContext): KubeadmConfig {
  const result: KubeadmConfig = { documents: [] };
  for (const document of yamlDocuments(text)) {
    const located = loadYamlDocument(document.text, ctx, document.offset);
    const root = located.value;
    if (typeof root !== 'object' || root === null || Array.isArray(root)) continue;
    const lineOf: LineOf = (pointer) => {
      const line = located.lineOf(pointer);
      return line === undefined ? undefined : line + document.offset;
    };
    const line = (lineOf('') ?? 1);
    // A ClusterConfiguration copied without its header still has its unmistakable fields.
    const kind = stringAt(root, '/kind') ?? (valueAt(root, '/networking') !== undefined || valueAt(root, '/kubernetesVersion') !== undefined ? 'ClusterConfiguration' : undefined);
    result.documents.push({ apiVersion: stringAt(root, '/apiVersion'), kind, line });
    if (kind === 'ClusterConfiguration') result.clusterConfiguration = clusterConfiguration(root, lineOf, line);
    else if (kind === 'InitConfiguration') {
      result.initConfiguration = {
        apiVersion: stringAt(root, '/apiVersion'),
        line,
        advertiseAddress: stringAt(root, '/localAPIEndpoint/advertiseAddress'),
        bindPort: numberAt(root, '/localAPIEndpoint/bindPort'),
        nodeName: stringAt(root, '/nodeRegistration/name'),
        criSocket: stringAt(root, '/nodeRegistration/criSocket'),
        ignorePreflightErrors: stringsAt(root, '/nodeRegistration/ignorePreflightErrors'),
      };
    } else if (kind === 'JoinConfiguration') {
      result.joinConfiguration = {
        apiVersion: stringAt(root, '/apiVersion'),
        line,
        apiServerEndpoint: stringAt(root, '/discovery/bootstrapToken/apiServerEndpoint'),
        tokenId: tokenIdOf(stringAt(root, '/discovery/bootstrapToken/token') ?? stringAt(root, '/discovery/tlsBootstrapToken')),
        caCertHashes: stringsAt(root, '/discovery/bootstrapToken/caCertHashes'),
        unsafeSkipCAVerification: booleanAt(root, '/discovery/bootstrapToken/unsafeSkipCAVerification'),
        nodeName: stringAt(root, '/nodeRegistration/name'),
        criSocket: stringAt(root, '/nodeRegistration/criSocket'),
        controlPlane: valueAt(root, '/controlPlane') !== undefined && valueAt(root, '/controlPlane') !== null,
      };
    } else if (kind === 'KubeletConfiguration') {
      result.kubelet = { ...kubeletConfigFrom(root, lineOf), line };
    } else if (kind === 'KubeProxyConfiguration') {
      result.kubeProxy = {
        line,
        mode: stringAt(root, '/mode'),
        strictARP: booleanAt(root, '/ipvs/strictARP'),
        clusterCIDR: stringAt(root, '/clusterCIDR'),
        lines: linesFor(root, lineOf, { mode: '/mode', strictARP: '/ipvs/strictARP', clusterCIDR: '/clusterCIDR' }),
      };
    }
  }
  if (!result.documents.some((document) => document.kind !== undefined && KNOWN_KINDS.has(document.kind))) {
    throw new ParseError(`${ctx.path}: no kubeadm configuration document (ClusterConfiguration, InitConfiguration, ...)`);
  }
  return result;
}
