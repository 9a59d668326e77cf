// Scale check on the netns lab (test/lab/): `labsnap collect` from 1, 4 and 16 real sshd hosts, first with a
// login shell that starts at once, then with one that costs 200 ms per start (a slow ~/.bashrc); wall time
// relative to 1 host, what the slow shell adds, and the SSH connections and shell starts each host saw
// (sshd's log and the login shell's own log).
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
/** The slow login shell: what a ~/.bashrc loading pyenv or conda costs per start. */
const SLOW_SHELL_S = 0.2;
/** Away from the tests' lab (198.18.0.0/24), so both can run at once. */
const SUBNET = '198.18.1';

type Row = [label: string, value: string];

interface LabInfo {
  id: string;
  dir: string;
  clientKeyPath: string;
  knownHostsPath: string;
  home: string;
  hosts: Array<{ name: string; address: string; logPath: string; shellLog: string; shellDelayFile: string }>;
}

/** The lab scripts are TypeScript outside the build; tsx (a dev dependency) runs them. */
function labScript(script: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'lab', script), ...args], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
}

async function logins(host: LabInfo['hosts'][number]): Promise<number> {
  const log = await readFile(host.logPath, 'utf8').catch(() => '');
  return log.split('\n').filter((l) => /Accepted publickey for /.test(l)).length;
}

async function shellStarts(host: LabInfo['hosts'][number]): Promise<number> {
  const log = await readFile(host.shellLog, 'utf8').catch(() => '');
  return log.split('\n').filter((l) => l.startsWith('start ')).length;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

async function collect(lab: LabInfo, hosts: LabInfo['hosts'], name: string, concurrency: number): Promise<{ ms: number; loginsPerHost: number[]; shellsPerHost: number[] }> {
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
  const shellsBefore = await Promise.all(hosts.map(shellStarts));
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
  const shellsAfter = await Promise.all(hosts.map(shellStarts));
  return { ms, loginsPerHost: after.map((n, i) => n - before[i]!), shellsPerHost: shellsAfter.map((n, i) => n - shellsBefore[i]!) };
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
  description: 'labsnap collect over SSH from 1, 4 and 16 netns lab hosts, with a fast and a 200 ms login shell',
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
      const connections: number[] = [];
      const shells: number[] = [];
      const times = new Map<string, number>();
      for (const slow of [false, true]) {
        for (const h of lab.hosts) {
          if (slow) await writeFile(h.shellDelayFile, `${SLOW_SHELL_S}\n`);
          else await rm(h.shellDelayFile, { force: true });
        }
        const shell = slow ? `login shell +${SLOW_SHELL_S * 1000} ms` : 'fast login shell';
        for (const n of SIZES) {
          const r = await collect(lab, lab.hosts.slice(0, n), `hosts-${n}-${slow ? 'slow' : 'fast'}`, n);
          connections.push(...r.loginsPerHost);
          shells.push(...r.shellsPerHost);
          times.set(`${slow}-${n}`, r.ms);
          const one = times.get(`${slow}-1`)!;
          rows.push([`${n} host${n === 1 ? '' : 's'}, ${shell}`, `${seconds(r.ms)} = ${(r.ms / one).toFixed(2)}x 1 host${slow ? `; the slow shell added ${seconds(r.ms - times.get(`false-${n}`)!)}` : ''}`]);
        }
      }
      const wrong = connections.filter((c) => c !== 1);
      if (wrong.length > 0) throw new Error(`expected one SSH connection per host and run, sshd logged ${[...new Set(wrong)].join(', ')}`);
      rows.push(['SSH connections per host', `1 in each of the ${connections.length} host collections (sshd "Accepted publickey")`]);
      const extraShells = shells.filter((c) => c !== 1);
      rows.push(['login shell starts per host', extraShells.length === 0 ? `1 in each of the ${shells.length} host collections (the shell's own log)` : `not 1 in ${extraShells.length} of ${shells.length} host collections: ${[...new Set(extraShells)].join(', ')}`]);
      return rows;
    } finally {
      await labScript('teardown.ts', [lab.id]);
    }
  },
};
