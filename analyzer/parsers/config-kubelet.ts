// The kubelet's KubeletConfiguration (`/var/lib/kubelet/config.yaml`, or the `kubelet-config` ConfigMap's
// `kubelet` key, or a document of a kubeadm config file), with the line of each key for evidence.
import { loadYamlLocated, YamlSyntaxError, type LocatedYaml } from '../../common/yaml.js';
import { ParseError, type ParseContext } from './common.js';

export interface KubeletConfig {
  apiVersion: string | undefined;
  /** `systemd` or `cgroupfs`; undefined means the kubelet's default, cgroupfs. */
  cgroupDriver: string | undefined;
  /** undefined means the default, true: the kubelet refuses to start with swap on. */
  failSwapOn: boolean | undefined;
  /** `memorySwap.swapBehavior`: `NoSwap`, `LimitedSwap` (or the older `UnlimitedSwap`). */
  swapBehavior: string | undefined;
  clusterDNS: string[];
  clusterDomain: string | undefined;
  staticPodPath: string | undefined;
  containerRuntimeEndpoint: string | undefined;
  resolvConf: string | undefined;
  rotateCertificates: boolean | undefined;
  serverTLSBootstrap: boolean | undefined;
  /** `authentication.x509.clientCAFile`. */
  clientCAFile: string | undefined;
  featureGates: Record<string, boolean>;
  /** `evictionHard` / `evictionSoft` signals and thresholds (`memory.available: 100Mi`); empty when unset (kubelet's defaults apply). */
  evictionHard: Record<string, string>;
  evictionSoft: Record<string, string>;
  /** 1-based line of each key above that is present. */
  lines: Partial<Record<KubeletConfigField, number>>;
}

export type KubeletConfigField = Exclude<keyof KubeletConfig, 'lines'>;

const POINTERS: Record<KubeletConfigField, string> = {
  apiVersion: '/apiVersion',
  cgroupDriver: '/cgroupDriver',
  failSwapOn: '/failSwapOn',
  swapBehavior: '/memorySwap/swapBehavior',
  clusterDNS: '/clusterDNS',
  clusterDomain: '/clusterDomain',
  staticPodPath: '/staticPodPath',
  containerRuntimeEndpoint: '/containerRuntimeEndpoint',
  resolvConf: '/resolvConf',
  rotateCertificates: '/rotateCertificates',
  serverTLSBootstrap: '/serverTLSBootstrap',
  clientCAFile: '/authentication/x509/clientCAFile',
  featureGates: '/featureGates',
  evictionHard: '/evictionHard',
  evictionSoft: '/evictionSoft',
};

function stringMapAt(root: unknown, pointer: string): Record<string, string> {
  const value = valueAt(root, pointer);
  const out: Record<string, string> = {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  }
  return out;
}

export type LineOf = (pointer: string) => number | undefined;

/** Value at a JSON pointer of plain YAML data, or undefined. */
export function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const token of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, token)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

export function stringAt(root: unknown, pointer: string): string | undefined {
  const value = valueAt(root, pointer);
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

export function booleanAt(root: unknown, pointer: string): boolean | undefined {
  const value = valueAt(root, pointer);
  return typeof value === 'boolean' ? value : undefined;
}

export function stringsAt(root: unknown, pointer: string): string[] {
  const value = valueAt(root, pointer);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Reads the facts of a KubeletConfiguration already loaded from YAML; `lineOf` locates its keys. */
export function kubeletConfigFrom(root: unknown, lineOf: LineOf): KubeletConfig {
  const gates = valueAt(root, '/featureGates');
  const featureGates: Record<string, boolean> = {};
  if (typeof gates === 'object' && gates !== null) {
    for (const [gate, enabled] of Object.entries(gates)) if (typeof enabled === 'boolean') featureGates[gate] = enabled;
  }
  const config: KubeletConfig = {
    apiVersion: stringAt(root, POINTERS.apiVersion),
    cgroupDriver: stringAt(root, POINTERS.cgroupDriver),
    failSwapOn: booleanAt(root, POINTERS.failSwapOn),
    swapBehavior: stringAt(root, POINTERS.swapBehavior),
    clusterDNS: stringsAt(root, POINTERS.clusterDNS),
    clusterDomain: stringAt(root, POINTERS.clusterDomain),
    staticPodPath: stringAt(root, POINTERS.staticPodPath),
    containerRuntimeEndpoint: stringAt(root, POINTERS.containerRuntimeEndpoint),
    resolvConf: stringAt(root, POINTERS.resolvConf),
    rotateCertificates: booleanAt(root, POINTERS.rotateCertificates),
    serverTLSBootstrap: booleanAt(root, POINTERS.serverTLSBootstrap),
    clientCAFile: stringAt(root, POINTERS.clientCAFile),
    featureGates,
    evictionHard: stringMapAt(root, POINTERS.evictionHard),
    evictionSoft: stringMapAt(root, POINTERS.evictionSoft),
    lines: {},
  };
  for (const [field, pointer] of Object.entries(POINTERS) as [KubeletConfigField, string][]) {
    if (valueAt(root, pointer) === undefined) continue;
    const line = lineOf(pointer);
    if (line !== undefined) config.lines[field] = line;
  }
  return config;
}

/** Loads one YAML document, turning syntax errors into ParseError with the (offset) line. */
export function loadYamlDocument(text: string, ctx: ParseContext, lineOffset = 0): LocatedYaml {
  try {
    return loadYamlLocated(text, ctx.path);
  } catch (err) {
    if (err instanceof YamlSyntaxError) {
      throw new ParseError(`${ctx.path}: invalid YAML: ${err.reason}`, err.line !== undefined ? err.line + lineOffset : undefined);
    }
    throw err;
  }
}

/** Parses a KubeletConfiguration YAML file. */
export function parseKubeletConfig(text: string, ctx: ParseContext): KubeletConfig {
  const located = loadYamlDocument(text, ctx);
  const root = located.value;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw new ParseError(`${ctx.path}: not a KubeletConfiguration (not a YAML mapping)`);
  }
  const kind = valueAt(root, '/kind');
  if (kind !== undefined && kind !== 'KubeletConfiguration') {
    throw new ParseError(`${ctx.path}: kind is ${String(kind)}, not KubeletConfiguration`, located.lineOf('/kind'));
  }
  return kubeletConfigFrom(root, (pointer) => located.lineOf(pointer));
}
