// Inputs for the importer tests, built from the real fixtures where possible.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { dump as dumpYaml } from 'js-yaml';
import { packageInfo } from '../../common/package-root.js';

export const ROOT = packageInfo().root;
export const SBCTL = join(ROOT, 'fixtures', 'real', 'sbctl-kubeadm', 'bundle');
export const K3S = join(ROOT, 'fixtures', 'real', 'troubleshoot-k3s', 'troubleshoot-k3s-baseline.tar.gz');
export const SOS_DIR = join(ROOT, 'fixtures', 'real', 'sos-debian', 'sosreport-vm-fixture-2026-12-06-wlzvqmr');
export const SOS_XZ = join(ROOT, 'test', 'import', 'data', 'sosreport-vm-fixture-2026-12-06-wlzvqmr.tar.xz');
export const HEALTHY = join(ROOT, 'fixtures', 'bundles', 'healthy-lab');

export async function writeTree(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, ...name.split('/'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

const VELERO_POD = 'velero-6996dd565b-xl44t';

/**
 * A `kubectl cluster-info dump` folder made of the real sbctl cluster's objects, in the dump's layout:
 * nodes.json, <ns>/pods.json and events.json, and the velero pod's logs.txt with kubectl's container
 * markers (the crash-looping container's log is the real one from the bundle).
 */
export async function clusterInfoDump(root: string, format: 'json' | 'yaml' = 'json'): Promise<void> {
  const read = (p: string) => readFile(join(SBCTL, 'cluster-resources', p), 'utf8');
  const conv = (text: string) => (format === 'json' ? text : dumpYaml(JSON.parse(text)));
  const velero = await readFile(join(SBCTL, 'cluster-resources', 'pods', 'logs', 'velero', VELERO_POD, 'velero.log'), 'utf8');
  const util = await readFile(join(SBCTL, 'cluster-resources', 'pods', 'logs', 'velero', VELERO_POD, 'replicated-kurl-util.log'), 'utf8');
  const marker = (edge: 'START' | 'END', c: string) => `==== ${edge} logs for container ${c} of pod velero/${VELERO_POD} ====\n`;
  await writeTree(root, {
    [`nodes.${format}`]: conv(await read('nodes.json')),
    [`velero/pods.${format}`]: conv(await read('pods/velero.json')),
    [`velero/events.${format}`]: conv(await read('events/velero.json')),
    [`velero/services.${format}`]: conv(await read('services/velero.json')),
    [`velero/deployments.${format}`]: conv(await read('deployments/velero.json')),
    [`velero/replicationcontrollers.${format}`]: conv('{"kind":"ReplicationControllerList","apiVersion":"v1","items":[]}'),
    [`kube-system/pods.${format}`]: conv(await read('pods/kube-system.json')),
    [`velero/${VELERO_POD}/logs.txt`]: `${marker('START', 'replicated-kurl-util')}${util}${marker('END', 'replicated-kurl-util')}${marker('START', 'velero')}${velero}${marker('END', 'velero')}`,
  });
}
