// What each kind of input is called and which labsnap paths it can ever fill. The analyzer's artifact
// index uses this to say "not in a troubleshoot.sh bundle" (the tool never collects it) rather than
// "not collected" (it could have, but this input does not hold it): parsers and rules stay unaware of
// which tool wrote the input.

export type InputKind = 'labsnap' | 'troubleshoot' | 'cluster-info-dump' | 'sosreport';
export type ImportedKind = Exclude<InputKind, 'labsnap'>;

export const INPUT_KIND_NAMES: Record<InputKind, string> = {
  labsnap: 'labsnap bundle',
  troubleshoot: 'troubleshoot.sh bundle',
  'cluster-info-dump': 'kubectl cluster-info dump',
  sosreport: 'sos report',
};

/** The input a manifest describes, for the report: `labsnap bundle`, or each imported input by kind and name. */
export function describeInput(manifest: { imported?: { kind: ImportedKind; input: string; hosts: string[]; cluster: boolean }[] }): string {
  const imported = manifest.imported ?? [];
  if (imported.length === 0) return INPUT_KIND_NAMES.labsnap;
  return imported
    .map((i) => `${INPUT_KIND_NAMES[i.kind]} ${i.input}${!i.cluster && i.hosts.length > 0 ? ` (host ${i.hosts.join(', ')})` : ''}`)
    .join(' + ');
}

import { COMMAND_TARGETS } from './commands.js';
import { pathPatternRegex } from '../../common/path-pattern.js';

const COMMANDS = [...new Set(COMMAND_TARGETS.map((t) => ('cmd' in t ? `hosts/*/cmd/${t.cmd}` : `hosts/*/files${t.file}`)))];

const NAMESPACED = 'cluster/namespaces/*/';

/**
 * Paths each importer can produce (`*` within a segment, `**` across). Anything else is a path the tool
 * that wrote the input never collects.
 */
export const CAN_CONTAIN: Record<ImportedKind, string[]> = {
  troubleshoot: [
    'cluster/version.json',
    'cluster/nodes.json',
    'cluster/namespaces.json',
    'cluster/storageclasses.json',
    'cluster/persistentvolumes.json',
    ...['pods', 'events', 'services', 'endpoints', 'endpointslices', 'ingresses', 'persistentvolumeclaims', 'deployments', 'replicasets', 'daemonsets', 'statefulsets', 'configmaps', 'jobs'].map((k) => `${NAMESPACED}${k}.json`),
    'cluster/custom/*.json',
    'cluster/logs/**',
    // Host collectors (and the in-cluster sysctl collector) when the spec asked for them.
    // run-host and journald collectors: the commands labsnap can read, mapped by the command line.
    ...COMMANDS,
  ],
  'cluster-info-dump': [
    'cluster/nodes.json',
    ...['pods', 'events', 'services', 'endpoints', 'deployments', 'replicasets', 'daemonsets', 'statefulsets'].map((k) => `${NAMESPACED}${k}.json`),
    'cluster/logs/**',
  ],
  sosreport: [
    // sos_commands/ outputs, by the command their file name encodes; /proc/uptime and os-release copies.
    ...COMMANDS,
    'hosts/*/cmd/uptime.txt',
    'hosts/*/cmd/os-release.txt',
    // `ip -d address` text, converted to the `ip -j` link and address JSON.
    'hosts/*/cmd/ip-link.json',
    'hosts/*/cmd/ip-addr.json',
    // Copied files: what the labsnap collector copies, at the same host paths.
    'hosts/*/files/etc/**',
    'hosts/*/files/proc/swaps',
    'hosts/*/files/sys/class/dmi/id/product_uuid',
    'hosts/*/files/var/lib/kubelet/config.yaml',
    'hosts/*/files/var/log/**',
  ],
};

/** Whether an input of this kind can ever hold `path` (a rule's pattern counts by its literal text: its `*` matches ours). */
export function canContain(kind: ImportedKind, path: string): boolean {
  return CAN_CONTAIN[kind].some((p) => pathPatternRegex(p).test(path));
}
