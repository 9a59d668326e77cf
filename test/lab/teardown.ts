// Removes netns labs (test/lab/setup.ts): the processes started in their namespaces, the namespaces (and
// with them every veth and bridge), the root namespace's link and the lab's temp folder. Idempotent.
// Every lab's names carry its run id (`lsl` + 5 hex digits): namespaces `<id>-<host>`, root link `<id>`,
// folder `<tmp>/labsnap-lab-<id>`, so leftovers of a run that died are found by name and removed.
//
//   npx tsx test/lab/teardown.ts            removes every lab whose owner process is gone
//   npx tsx test/lab/teardown.ts --all      removes every lab, running or not
//   npx tsx test/lab/teardown.ts ID...      removes these labs
import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const LAB_ID = /^lsl[0-9a-f]{5}$/;
export const LAB_DIR_PREFIX = 'labsnap-lab-';

export function labDir(id: string): string {
  return path.join(os.tmpdir(), `${LAB_DIR_PREFIX}${id}`);
}

/** What a lab records about itself as soon as it starts creating things (read back by teardown). */
export interface LabState {
  id: string;
  /** Process that owns the lab; null for a lab started from the command line, which nothing owns. */
  ownerPid: number | null;
  subnet: string;
  namespaces: string[];
  rootLink: string;
  /** Processes started in the lab, by pid file (sshd writes its own) or pid. */
  pidFiles: string[];
  pids: number[];
}

export async function readState(id: string): Promise<LabState | null> {
  try {
    return JSON.parse(await fs.readFile(path.join(labDir(id), 'state.json'), 'utf8')) as LabState;
  } catch {
    return null;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function listNamespaces(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']).catch(() => ({ stdout: '' }));
  return stdout
    .split('\n')
    .map((l) => l.split(' ')[0]!.trim())
    .filter((n) => n !== '');
}

async function killAll(pids: number[]): Promise<void> {
  const live = [...new Set(pids)].filter((p) => p > 1 && p !== process.pid && processAlive(p));
  for (const p of live) process.kill(p, 'SIGTERM');
  const deadline = Date.now() + 3000;
  while (live.some(processAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const p of live.filter(processAlive)) process.kill(p, 'SIGKILL');
}

async function pidsOf(state: LabState | null, namespaces: string[]): Promise<number[]> {
  const pids = [...(state?.pids ?? [])];
  for (const file of state?.pidFiles ?? []) {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const pid = Number.parseInt(text.trim(), 10);
    if (Number.isInteger(pid)) pids.push(pid);
  }
  // Anything else still running inside the lab's namespaces was started by the lab (sessions, probes).
  for (const ns of namespaces) {
    const { stdout } = await run('ip', ['netns', 'pids', ns]).catch(() => ({ stdout: '' }));
    pids.push(...stdout.split('\n').filter((l) => l.trim() !== '').map(Number));
  }
  return pids;
}

/** Removes one lab completely; what is already gone is skipped. */
export async function teardownLab(id: string): Promise<void> {
  if (!LAB_ID.test(id)) throw new Error(`not a lab id: ${JSON.stringify(id)}`);
  const state = await readState(id);
  const namespaces = [...new Set([...(state?.namespaces ?? []), ...(await listNamespaces()).filter((n) => n.startsWith(`${id}-`))])];
  await killAll(await pidsOf(state, namespaces));
  for (const ns of namespaces) await run('ip', ['netns', 'del', ns]).catch(() => undefined);
  // The root link's peer lives in a lab namespace, so it is normally gone already.
  if (existsSync(`/sys/class/net/${id}`)) await run('ip', ['link', 'del', id]).catch(() => undefined);
  await fs.rm(labDir(id), { recursive: true, force: true });
}

/** Ids of every lab that left anything behind: namespaces, the root link or its folder. */
export async function findLabs(): Promise<string[]> {
  const ids = new Set<string>();
  for (const ns of await listNamespaces()) {
    const id = ns.split('-')[0]!;
    if (LAB_ID.test(id)) ids.add(id);
  }
  for (const link of await fs.readdir('/sys/class/net').catch(() => [] as string[])) if (LAB_ID.test(link)) ids.add(link);
  for (const entry of await fs.readdir(os.tmpdir()).catch(() => [] as string[])) {
    const id = entry.startsWith(LAB_DIR_PREFIX) ? entry.slice(LAB_DIR_PREFIX.length) : '';
    if (LAB_ID.test(id)) ids.add(id);
  }
  return [...ids].sort();
}

/** Removes the labs whose owner is gone (a killed test run, a command-line lab); returns their ids. */
export async function sweepLabs(options: { all?: boolean } = {}): Promise<string[]> {
  const removed: string[] = [];
  for (const id of await findLabs()) {
    const state = await readState(id);
    if (!options.all && state?.ownerPid != null && state.ownerPid !== process.pid && processAlive(state.ownerPid)) continue;
    await teardownLab(id);
    removed.push(id);
  }
  return removed;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const ids = args.filter((a) => a !== '--all');
  if (ids.length > 0) {
    for (const id of ids) await teardownLab(id);
    console.log(`removed ${ids.join(', ')}`);
  } else {
    const removed = await sweepLabs({ all: args.includes('--all') });
    console.log(removed.length > 0 ? `removed ${removed.join(', ')}` : 'no lab to remove');
  }
}
