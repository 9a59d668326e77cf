// The API `labsnap serve` offers, over HTTP in-process: discovery, lists with selectors and paging,
// Tables, logs read from a .tar.gz on demand, writes refused with a metav1.Status, and the kubeconfig
// lifecycle. What kubectl makes of it is in kubectl.test.ts.
import { existsSync, promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, type Serving } from '../../serve/serve.js';

const BUNDLE = path.join('fixtures', 'bundles', 'app-crashloop-and-bad-port');
const TAR_ROOT = 'labsnap-homelab-20261127T100000Z';
const POD = 'api-6b7c8d9f5-x4k8n';

type Obj = Record<string, any>;

let tmp: string;
let dir: Serving;
let tgz: Serving;

async function get(s: Serving, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${s.url}${p}`, { headers });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

function podsInFixture(): Obj[] {
  const out: Obj[] = [];
  const nsDir = path.join(BUNDLE, 'cluster', 'namespaces');
  for (const ns of readdirSync(nsDir)) {
    const f = path.join(nsDir, ns, 'pods.json');
    if (existsSync(f)) out.push(...(JSON.parse(readFileSync(f, 'utf8')) as { items: Obj[] }).items);
  }
  return out;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'labsnap-serve-api-'));
  const staged = path.join(tmp, 'staged');
  await fs.cp(BUNDLE, path.join(staged, TAR_ROOT), { recursive: true });
  const archive = path.join(tmp, `${TAR_ROOT}.tar.gz`);
  await tar.c({ gzip: true, file: archive, cwd: staged, portable: true }, [TAR_ROOT]);
  dir = await startServe({ bundle: BUNDLE });
  tgz = await startServe({ bundle: archive, kubeconfig: path.join(tmp, 'kc.yaml') });
});

afterAll(async () => {
  await dir?.stop();
  await tgz?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('labsnap serve API', () => {
  it('listens on loopback and writes a kubeconfig that points at it', () => {
    expect(dir.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const kc = load(readFileSync(dir.kubeconfig, 'utf8')) as Obj;
    expect(kc['current-context']).toBe(dir.context);
    expect(kc.clusters[0].cluster.server).toBe(dir.url);
    expect(path.dirname(dir.kubeconfig).startsWith(os.tmpdir())).toBe(true);
    expect((statSync(dir.kubeconfig).mode & 0o777).toString(8)).toBe('600');
    expect(tgz.kubeconfig).toBe(path.join(tmp, 'kc.yaml'));
  });

  it('offers discovery for the core group and every group in the bundle', async () => {
    const api = await get(dir, '/api');
    expect(api.body).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    const apis = await get(dir, '/apis');
    const names = (apis.body.groups as Obj[]).map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['apps', 'discovery.k8s.io', 'networking.k8s.io', 'storage.k8s.io', 'metallb.io', 'crd.projectcalico.org', 'operator.tigera.io']));
    const core = await get(dir, '/api/v1');
    const pods = (core.body.resources as Obj[]).find((r) => r.name === 'pods');
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true, verbs: ['get', 'list', 'watch'], shortNames: ['po'] });
    expect((core.body.resources as Obj[]).some((r) => r.name === 'pods/log')).toBe(true);
    const metallb = await get(dir, '/apis/metallb.io/v1beta1');
    expect((metallb.body.resources as Obj[]).find((r) => r.name === 'ipaddresspools')).toMatchObject({ kind: 'IPAddressPool', namespaced: true });
    const calico = await get(dir, '/apis/crd.projectcalico.org/v1');
    expect((calico.body.resources as Obj[]).find((r) => r.name === 'ippools')).toMatchObject({ kind: 'IPPool', namespaced: false });
    expect((await get(dir, '/version')).body.gitVersion).toBe('v1.31.4');
  });

  it('lists every pod of the bundle, across namespaces and page by page', async () => {
    const want = podsInFixture().map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();
    const all = await get(dir, '/api/v1/pods');
    expect(all.body.kind).toBe('PodList');
    expect((all.body.items as Obj[]).map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort()).toEqual(want);
    const paged: string[] = [];
    let token = '';
    for (let i = 0; i < 50; i++) {
      const page = await get(dir, `/api/v1/pods?limit=7${token ? `&continue=${token}` : ''}`);
      expect((page.body.items as Obj[]).length).toBeLessThanOrEqual(7);
      paged.push(...(page.body.items as Obj[]).map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
      token = page.body.metadata.continue ?? '';
      if (!token) break;
    }
    expect(paged.sort()).toEqual(want);
  });

  it('filters by namespace, label and field selectors as the API server does', async () => {
    const demo = await get(dir, '/api/v1/namespaces/demo/pods');
    expect((demo.body.items as Obj[]).every((p) => p.metadata.namespace === 'demo')).toBe(true);
    const calico = await get(dir, `/api/v1/pods?labelSelector=${encodeURIComponent('k8s-app=calico-node')}`);
    expect((calico.body.items as Obj[]).map((p) => p.spec.nodeName).sort()).toEqual(['cp1', 'w1', 'w2']);
    const onW1 = await get(dir, `/api/v1/pods?labelSelector=${encodeURIComponent('k8s-app in (calico-node)')}&fieldSelector=${encodeURIComponent('spec.nodeName=w1')}`);
    expect((onW1.body.items as Obj[]).map((p) => p.spec.nodeName)).toEqual(['w1']);
    const events = await get(dir, `/api/v1/namespaces/demo/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${POD},type=Warning`)}`);
    expect((events.body.items as Obj[]).length).toBeGreaterThan(0);
    expect((events.body.items as Obj[]).every((e) => e.type === 'Warning' && e.involvedObject.name === POD)).toBe(true);
    const bad = await get(dir, `/api/v1/pods?fieldSelector=spec.image%3Dx`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    const badLabel = await get(dir, `/api/v1/pods?labelSelector=${encodeURIComponent('a in (b')}`);
    expect(badLabel.status).toBe(400);
  });

  it('answers a missing object or resource with a NotFound Status', async () => {
    const missing = await get(dir, '/api/v1/namespaces/demo/pods/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'pods "nope" not found', details: { name: 'nope', kind: 'pods' } });
    expect((await get(dir, '/api/v1/secrets')).status).toBe(404);
    expect((await get(dir, '/api/v1/namespaces/demo/nodes')).status).toBe(404);
  });

  it('prints Tables with the columns kubectl shows, ages as of the collection time', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    const t = await get(dir, '/api/v1/namespaces/demo/pods', { accept });
    expect(t.body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect((t.body.columnDefinitions as Obj[]).map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
    ]);
    const row = (t.body.rows as Obj[]).find((r) => r.cells[0] === POD)!;
    expect(row.cells.slice(1, 5)).toEqual(['0/1', 'CrashLoopBackOff', '9 (2m48s ago)', '28m']);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', metadata: { name: POD, namespace: 'demo' } });
    const nodes = await get(dir, '/api/v1/nodes', { accept });
    expect((nodes.body.rows as Obj[]).map((r) => r.cells.slice(0, 3))).toEqual([
      ['cp1', 'Ready', 'control-plane'],
      ['w1', 'Ready', '<none>'],
      ['w2', 'Ready', '<none>'],
    ]);
    const one = await get(dir, '/apis/apps/v1/namespaces/demo/deployments/web', { accept });
    expect(one.body.rows[0].cells.slice(0, 4)).toEqual(['web', '1/1', 1, 1]);
  });

  it('streams logs from a .tar.gz on demand: current, previous, tail, timestamps', async () => {
    const base = `/api/v1/namespaces/demo/pods/${POD}/log`;
    const saved = readFileSync(path.join(BUNDLE, 'cluster', 'logs', 'demo', POD, 'api.log'), 'utf8');
    const previous = readFileSync(path.join(BUNDLE, 'cluster', 'logs', 'demo', POD, 'api.previous.log'), 'utf8');
    const strip = (t: string) => t.replace(/^\S+ /gm, '');
    expect((await get(tgz, base)).text).toBe(strip(saved));
    expect((await get(tgz, `${base}?previous=true&timestamps=true`)).text).toBe(previous);
    expect((await get(tgz, `${base}?container=api&tailLines=2`)).text).toBe(strip(saved).split('\n').slice(-3).join('\n'));
    const wrong = await get(tgz, `${base}?container=nginx`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe(`container nginx is not valid for pod ${POD}`);
    const noPrevious = await get(tgz, '/api/v1/namespaces/demo/pods/web-6d4cf56db6-9w4dn/log?previous=true');
    expect(noPrevious.status).toBe(400);
    expect(noPrevious.body.message).toBe('previous terminated container "nginx" in pod "web-6d4cf56db6-9w4dn" not found in this bundle (none was collected: the container had not restarted)');
  });

  it('refuses every write with a 405 Status that says why', async () => {
    for (const [method, p] of [
      ['DELETE', `/api/v1/namespaces/demo/pods/${POD}`],
      ['POST', '/api/v1/namespaces/demo/configmaps'],
      ['PATCH', '/apis/apps/v1/namespaces/demo/deployments/web/scale'],
      ['PUT', '/api/v1/nodes/w1'],
    ] as const) {
      const res = await fetch(`${dir.url}${p}`, { method, body: method === 'DELETE' ? null : '{}', headers: { 'content-type': 'application/json' } });
      expect(res.status, `${method} ${p}`).toBe(405);
      const body = (await res.json()) as Obj;
      expect(body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'MethodNotAllowed', code: 405 });
      expect(body.message).toContain('read-only');
    }
  });

  it('publishes an OpenAPI v3 document per group version', async () => {
    const root = await get(dir, '/openapi/v3');
    const rel = root.body.paths['apis/apps/v1'].serverRelativeURL as string;
    const doc = await get(dir, rel);
    expect(doc.body.components.schemas['apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    expect(doc.body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch.parameters[0].name).toBe('fieldValidation');
  });

  it('refuses to overwrite an existing --kubeconfig, and stop() removes what it wrote', async () => {
    const existing = path.join(tmp, 'existing');
    await fs.writeFile(existing, 'keep me');
    await expect(startServe({ bundle: BUNDLE, kubeconfig: existing })).rejects.toThrow(/already exists/);
    expect(readFileSync(existing, 'utf8')).toBe('keep me');
    const s = await startServe({ bundle: BUNDLE });
    expect(existsSync(s.kubeconfig)).toBe(true);
    await s.stop();
    expect(existsSync(s.kubeconfig)).toBe(false);
    expect(existsSync(path.dirname(s.kubeconfig))).toBe(false);
    await expect(fetch(`${s.url}/api`)).rejects.toThrow();
  });
});

describe('labsnap serve logs that were not collected', () => {
  it('says why, from the manifest', async () => {
    const s = await startServe({ bundle: path.join('fixtures', 'bundles', 'image-pull-failures') });
    try {
      const res = await get(s, '/api/v1/namespaces/demo/pods/api-5c8f7d9b64-q7w2p/log');
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(
        'container "api" in pod "api-5c8f7d9b64-q7w2p" has no log in this bundle (collecting it failed: Error from server (BadRequest): container "api" in pod "api-5c8f7d9b64-q7w2p" is waiting to start: trying and failing to pull image)',
      );
    } finally {
      await s.stop();
    }
  });
});
