// `labsnap serve` driven by the real kubectl, the way a user runs it: the built CLI serves a scenario
// bundle on loopback, kubectl (the one on PATH; CI installs Debian's kubernetes-client where there is
// none) reads it through a temporary KUBECONFIG, and Ctrl-C (SIGINT) stops the server and removes the
// kubeconfig. Where versioned kubectl binaries sit beside the one on PATH (kubectl.1.29 … kubectl.1.33,
// as the Google Cloud SDK ships them), each is exercised too, so the supported range is covered.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageInfo } from '../../common/package-root.js';

const ROOT = packageInfo().root;
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const BUNDLE = path.join('fixtures', 'bundles', 'app-crashloop-and-bad-port');
const POD = 'api-6b7c8d9f5-x4k8n';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, name);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

const KUBECTL = onPath('kubectl');
if (!KUBECTL) console.log('test/serve/kubectl.test.ts: skipped, no kubectl on PATH (.ci/run installs Debian\'s kubernetes-client)');

/** kubectl.1.NN beside the kubectl on PATH, for NN in the supported range. */
function versioned(): { minor: number; bin: string }[] {
  if (!KUBECTL) return [];
  const dir = path.dirname(realpathSync(KUBECTL));
  return readdirSync(dir)
    .map((f) => ({ f, m: /^kubectl\.1\.(\d+)$/.exec(f) }))
    .filter((x) => x.m && Number(x.m[1]) >= 29 && Number(x.m[1]) <= 33)
    .map((x) => ({ minor: Number(x.m![1]), bin: path.join(dir, x.f) }))
    .sort((a, b) => a.minor - b.minor);
}

let tmp: string;
let server: ChildProcess;
let kubeconfig: string;
let serverStderr = '';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], bin = KUBECTL!): Promise<Run> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: tmp, KUBECONFIG: kubeconfig, KUBECACHEDIR: path.join(tmp, 'cache', path.basename(bin)) };
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env, encoding: 'utf8', timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** Rows of kubectl's table output, split at runs of 2+ spaces; header excluded. */
function rows(out: string): string[][] {
  return out
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s{2,}/));
}

function fixtureItems(kind: string): Record<string, any>[] {
  const out: Record<string, any>[] = [];
  const nsDir = path.join(ROOT, BUNDLE, 'cluster', 'namespaces');
  for (const ns of readdirSync(nsDir)) {
    const f = path.join(nsDir, ns, `${kind}.json`);
    if (existsSync(f)) out.push(...(JSON.parse(readFileSync(f, 'utf8')) as { items: Record<string, any>[] }).items);
  }
  return out;
}

describe.skipIf(!KUBECTL)('kubectl against labsnap serve', () => {
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'labsnap-serve-kubectl-'));
    server = spawn(process.execPath, [CLI, 'serve', BUNDLE], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stderr!.on('data', (d: Buffer) => (serverStderr += d.toString()));
    kubeconfig = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^export KUBECONFIG=(.+)$/m.exec(out);
        if (m) resolve(m[1]!);
      });
      server.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${serverStderr}`)));
    });
  });

  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('writes its kubeconfig under the temp dir, pointing at loopback', () => {
    expect(kubeconfig.startsWith(os.tmpdir())).toBe(true);
    expect(readFileSync(kubeconfig, 'utf8')).toMatch(/server: http:\/\/127\.0\.0\.1:\d+/);
  });

  it('get pods -A lists every pod of the bundle with its status, and warns about nothing', async () => {
    const r = await kubectl(['get', 'pods', '-A']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    const got = rows(r.stdout).map((c) => `${c[0]}/${c[1]}`).sort();
    expect(got).toEqual(fixtureItems('pods').map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort());
    expect(rows(r.stdout).find((c) => c[1] === POD)).toEqual(['demo', POD, '0/1', 'CrashLoopBackOff', '9 (2m48s ago)', '28m']);
  });

  it('-n, -o wide, label and field selectors', async () => {
    const wide = await kubectl(['get', 'pods', '-n', 'demo', '-o', 'wide']);
    expect(wide.stderr).toBe('');
    expect(wide.stdout.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(rows(wide.stdout).map((c) => c[0]).sort()).toEqual(fixtureItems('pods').filter((p) => p.metadata.namespace === 'demo').map((p) => p.metadata.name).sort());
    const byLabel = await kubectl(['get', 'pods', '-A', '-l', 'k8s-app=calico-node', '-o', 'wide']);
    expect(rows(byLabel.stdout).map((c) => c[7]).sort()).toEqual(['cp1', 'w1', 'w2']);
    const both = await kubectl(['get', 'pods', '-A', '-l', 'k8s-app in (calico-node,kube-proxy)', '--field-selector', 'spec.nodeName=w1', '-o', 'name']);
    expect(both.stdout.trim().split('\n').length).toBe(2);
    const notRunning = await kubectl(['get', 'pods', '-A', '--field-selector', 'status.phase!=Running', '-o', 'name']);
    expect(notRunning.stdout.trim().split('\n').sort()).toEqual(
      fixtureItems('pods').filter((p) => p.status.phase !== 'Running').map((p) => `pod/${p.metadata.name}`).sort(),
    );
    const nodes = await kubectl(['get', 'nodes', '-o', 'wide']);
    expect(nodes.stdout.split('\n')[0]).toMatch(/INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/);
    expect(rows(nodes.stdout).map((c) => [c[0], c[1], c[5]])).toEqual([
      ['cp1', 'Ready', '192.168.10.11'],
      ['w1', 'Ready', '192.168.10.12'],
      ['w2', 'Ready', '192.168.10.13'],
    ]);
  });

  it('-o json and -o yaml give the objects as saved', async () => {
    const json = await kubectl(['get', 'svc', '-n', 'demo', '-o', 'json']);
    const list = JSON.parse(json.stdout) as { items: Record<string, any>[] };
    const saved = fixtureItems('services').filter((s) => s.metadata.namespace === 'demo');
    expect(list.items).toEqual(saved);
    const yaml = await kubectl(['get', 'deploy', 'web', '-n', 'demo', '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\n/);
    expect(yaml.stdout).toContain('name: web');
  });

  it('gets and describes every kind in the bundle', async () => {
    const kinds = (await kubectl(['api-resources', '-o', 'name'])).stdout.trim().split('\n');
    expect(kinds).toEqual(expect.arrayContaining(['pods', 'nodes', 'events', 'deployments.apps', 'ipaddresspools.metallb.io', 'ippools.crd.projectcalico.org', 'installations.operator.tigera.io']));
    for (const kind of kinds) {
      const got = await kubectl(['get', kind, '-A']);
      expect(got.code, `get ${kind}: ${got.stderr}`).toBe(0);
      const described = await kubectl(['describe', kind, '-A']);
      expect(described.code, `describe ${kind}: ${described.stderr}`).toBe(0);
      expect(described.stderr.replace(/^No resources found\n$/, ''), `describe ${kind}`).toBe('');
    }
    const pod = await kubectl(['describe', 'pod', '-n', 'demo', POD]);
    expect(pod.stdout).toMatch(/State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff/);
    expect(pod.stdout).toMatch(/Warning\s+BackOff/);
    const node = await kubectl(['describe', 'node', 'w1']);
    expect(node.stdout).toMatch(/Non-terminated Pods:\s+\(\d+ in total\)/);
  }, 300_000);

  it('logs: the current and the --previous container, without and with timestamps', async () => {
    const dir = path.join(ROOT, BUNDLE, 'cluster', 'logs', 'demo', POD);
    const strip = (t: string) => t.replace(/^\S+ /gm, '');
    const current = await kubectl(['logs', '-n', 'demo', POD]);
    expect(current.stderr).toBe('');
    expect(current.stdout).toBe(strip(readFileSync(path.join(dir, 'api.log'), 'utf8')));
    const previous = await kubectl(['logs', '-n', 'demo', POD, '--previous', '--timestamps']);
    expect(previous.stdout).toBe(readFileSync(path.join(dir, 'api.previous.log'), 'utf8'));
    expect(previous.stdout).not.toBe(current.stdout);
    const tail = await kubectl(['logs', '-n', 'kube-system', 'deploy/coredns', '--tail=1']);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toBe('linux/amd64, go1.21.11, a6338e9\n');
    const none = await kubectl(['logs', '-n', 'demo', 'deploy/web']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('has no log in this bundle (none was collected)');
  });

  it('refuses writes with a clear error', async () => {
    const del = await kubectl(['delete', 'pod', '-n', 'demo', POD]);
    expect(del.code).toBe(1);
    expect(del.stderr).toMatch(/^Error from server \(MethodNotAllowed\): labsnap serve is read-only/);
    const scale = await kubectl(['scale', 'deploy', 'web', '-n', 'demo', '--replicas=3']);
    expect(scale.code).toBe(1);
    expect(scale.stderr).toContain('MethodNotAllowed');
    const pods = await kubectl(['get', 'pods', '-n', 'demo', '-o', 'name']);
    expect(pods.stdout).toContain(`pod/${POD}`);
  });

  for (const { minor, bin } of versioned()) {
    it(`kubectl 1.${minor}: get, describe, logs --previous, selectors, a refused write`, async () => {
      const get = await kubectl(['get', 'pods', '-A', '-l', 'k8s-app=calico-node', '-o', 'wide'], bin);
      expect(get.stderr).toBe('');
      expect(rows(get.stdout).length).toBe(3);
      const desc = await kubectl(['describe', 'pod', '-n', 'demo', POD], bin);
      expect(desc.stderr).toBe('');
      expect(desc.stdout).toContain('CrashLoopBackOff');
      const logs = await kubectl(['logs', '-n', 'demo', POD, '--previous'], bin);
      expect(logs.stderr).toBe('');
      expect(logs.stdout).toContain('DATABASE_URL');
      const del = await kubectl(['delete', 'pod', '-n', 'demo', POD], bin);
      expect(del.stderr).toContain('MethodNotAllowed');
    }, 180_000);
  }

  // Last: it stops the server the other cases use.
  it('Ctrl-C stops serve cleanly and removes its kubeconfig', async () => {
    const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
    server.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(existsSync(kubeconfig)).toBe(false);
    expect(existsSync(path.dirname(kubeconfig))).toBe(false);
    expect(serverStderr).toContain('Stopping the server');
    const after = await kubectl(['get', 'pods', '-A', '--request-timeout=5s']);
    expect(after.code).not.toBe(0);
  });
});
