// Scale check on the netns lab (test/lab/): `labsnap collect` from 1, 4 and 16 real sshd hosts, wall time
// relative to the slowest host collected alone, and the SSH connections each host saw (sshd's own log).
// Needs root, iproute2, OpenSSH and tcpdump like the lab tests; without them it reports why and skips.
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
// Compiled to dist/bench/; the repository root is two levels up.
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliMain = join(repoRoot, 'dist', 'cli', 'main.js');
const SIZES = [1, 4, 16] as const;
/** Away from the tests' lab (198.18.0.0/24), so both can run at once. */
const SUBNET = '198.18.1';

type Row = [label: string, value: string];

interface LabInfo {
  id: string;
  dir: string;
  clientKeyPath: string;
  knownHostsPath: string;
  home: string;
  hosts: Array<{ name: string; address: string; logPath: string }>;
}

/** The lab scripts are TypeScript outside the build; tsx (a dev dependency) runs them. */
function labScript(script: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'lab', script), ...args], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
}

async function logins(host: LabInfo['hosts'][number]): Promise<number> {
  const log = await readFile(host.logPath, 'utf8').catch(() => '');
  return log.split('\n').filter((l) => /Accepted publickey for /.test(l)).length;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

async function collect(lab: LabInfo, hosts: LabInfo['hosts'], name: string, concurrency: number): Promise<{ ms: number; loginsPerHost: number[] }> {
  const inventory = join(lab.dir, `${name}.yaml`);
  await writeFile(
    inventory,
    [
      'cluster: scale',
      `defaults: { user: root, port: 22, identityFile: ${JSON.stringify(lab.clientKeyPath)}, knownHosts: ${JSON.stringify(lab.knownHostsPath)} }`,
      'hosts:',
      ...hosts.map((h) => `  - { name: ${h.name}, address: ${h.address}, roles: [worker] }`),
      '',
    ].join('\n'),
  );
  const out = join(lab.dir, `${name}.tar.gz`);
  await rm(out, { force: true });
  const before = await Promise.all(hosts.map(logins));
  const started = process.hrtime.bigint();
  const result = await run(process.execPath, [cliMain, 'collect', '--inventory', inventory, '--out', out, '--concurrency', String(concurrency)], {
    env: { PATH: process.env.PATH ?? '', HOME: lab.home, USER: 'root', LANG: 'C' },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { code?: number; stderr?: string }) => {
    throw new Error(`collect ${name} exited ${err.code}:\n${(err.stderr ?? '').slice(-3000)}`);
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // Items this kernel cannot give (lsmod, bridge vlan) are gaps on every host; an unreached host is not.
  const output = `${result.stdout}${result.stderr}`;
  if (!output.includes(`Hosts reached: ${hosts.length}/${hosts.length}`)) throw new Error(`collect ${name} did not reach every host:\n${output.slice(-3000)}`);
  const after = await Promise.all(hosts.map(logins));
  return { ms, loginsPerHost: after.map((n, i) => n - before[i]!) };
}

async function skipReason(): Promise<string | null> {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'needs root (network namespaces, sshd); run npm run bench as root';
  const check = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', "import { labSkipReason } from './test/lab/setup.ts'; console.log(labSkipReason() ?? '')"], { cwd: repoRoot }).catch(
    (err: { stderr?: string }) => ({ stdout: `cannot load test/lab/setup.ts: ${(err.stderr ?? '').trim().split('\n')[0]}` }),
  );
  return check.stdout.trim() || null;
}

export const labScale = {
  name: 'lab-scale',
  description: 'labsnap collect over SSH from 1, 4 and 16 netns lab hosts vs. the slowest host alone',
  async run(): Promise<Row[]> {
    const skip = await skipReason();
    if (skip) return [['skipped', skip]];
    const max = Math.max(...SIZES);
    const started = process.hrtime.bigint();
    const setup = await labScript('setup.ts', ['--workers', String(max), '--subnet', SUBNET, '--owner', String(process.pid), '--json']);
    const lab = JSON.parse(setup.stdout) as LabInfo;
    const setupMs = Number(process.hrtime.bigint() - started) / 1e6;
    try {
      const rows: Row[] = [['lab', `${max} worker namespaces on one bridge, one sshd each (set up in ${seconds(setupMs)})`]];
      const singles: Array<{ host: string; ms: number }> = [];
      const connections: number[] = [];
      for (const h of lab.hosts) {
        const r = await collect(lab, [h], `single-${h.name}`, 1);
        singles.push({ host: h.name, ms: r.ms });
        connections.push(...r.loginsPerHost);
      }
      const slowest = singles.reduce((a, b) => (b.ms > a.ms ? b : a));
      const fastest = singles.reduce((a, b) => (b.ms < a.ms ? b : a));
      rows.push(['each host alone', `${seconds(fastest.ms)} .. ${seconds(slowest.ms)} (slowest: ${slowest.host})`]);
      const runs: Array<[number, number]> = SIZES.map((n) => [n, n]);
      // The default --concurrency is 8: 16 hosts then go in two waves.
      runs.push([max, 8]);
      for (const [n, concurrency] of runs) {
        const r = await collect(lab, lab.hosts.slice(0, n), `hosts-${n}-c${concurrency}`, concurrency);
        connections.push(...r.loginsPerHost);
        rows.push([`${n} host${n === 1 ? '' : 's'}, --concurrency ${concurrency}`, `${seconds(r.ms)} = ${(r.ms / slowest.ms).toFixed(2)}x the slowest single host`]);
      }
      const wrong = connections.filter((c) => c !== 1);
      if (wrong.length > 0) throw new Error(`expected one SSH connection per host and run, sshd logged ${[...new Set(wrong)].join(', ')}`);
      rows.push(['SSH connections per host', `1 in each of the ${connections.length} host collections (sshd "Accepted publickey")`]);
      return rows;
    } finally {
      await labScript('teardown.ts', [lab.id]);
    }
  },
};
