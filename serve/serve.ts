// `labsnap serve BUNDLE`: index the bundle, start the read-only API on loopback, write a kubeconfig
// that points at it; stop() closes the server and removes the kubeconfig (and its temp folder).
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dump } from 'js-yaml';
import { openBundle } from '../bundle/reader.js';
import { UsageError } from '../common/errors.js';
import { indexBundle, type BundleIndex } from './bundle-index.js';
import { startApi, type ServeOptions } from './server.js';

export interface ServeRequest extends ServeOptions {
  bundle: string;
  /** Where to write the kubeconfig; default a new folder under the system temp dir. */
  kubeconfig?: string;
}

export interface Serving {
  url: string;
  kubeconfig: string;
  context: string;
  index: BundleIndex;
  stop(): Promise<void>;
}

export function kubeconfigText(url: string, context: string, namespace?: string): string {
  return dump(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: context, cluster: { server: url } }],
      users: [{ name: context, user: {} }],
      contexts: [{ name: context, context: { cluster: context, user: context, ...(namespace ? { namespace } : {}) } }],
      'current-context': context,
      preferences: {},
    },
    { lineWidth: -1 },
  );
}

export async function startServe(req: ServeRequest): Promise<Serving> {
  if (req.kubeconfig !== undefined && existsSync(req.kubeconfig)) {
    throw new UsageError(`--kubeconfig ${req.kubeconfig} already exists; serve writes a new file and removes it when it stops, so name one that does not exist`);
  }
  const bundle = await openBundle(req.bundle);
  const index = await indexBundle(bundle);
  const api = await startApi(index, req);
  let tempDir: string | undefined;
  let kubeconfig: string;
  const context = `labsnap-${bundle.rootName}`;
  try {
    if (req.kubeconfig !== undefined) kubeconfig = req.kubeconfig;
    else {
      tempDir = mkdtempSync(join(tmpdir(), 'labsnap-serve-'));
      kubeconfig = join(tempDir, 'kubeconfig');
    }
    writeFileSync(kubeconfig, kubeconfigText(api.url, context), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    await api.close();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`cannot write the kubeconfig: folder ${dirname(req.kubeconfig ?? '')} does not exist`);
    throw err;
  }
  let stopped = false;
  return {
    url: api.url,
    kubeconfig,
    context,
    index,
    async stop() {
      if (stopped) return;
      stopped = true;
      await api.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
      else rmSync(kubeconfig, { force: true });
    },
  };
}
