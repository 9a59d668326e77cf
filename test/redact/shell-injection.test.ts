// Names from the inventory and the cluster reach remote shells only quoted or validated. Every command
// builder is fed hostile names and the command it builds is run by a real `sh`, with stand-ins for the
// tools that print the arguments they received: the names must arrive as exactly one argument each,
// and nothing else may run (a canary file must never appear).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LayoutError } from '../../bundle/layout.js';
import { captureItem, probeCommand } from '../../collector/arp.js';
import { Kubectl, planDescribeNode, planLog, planNamespace } from '../../collector/kube.js';
import { fileCommand, listCommand, shPath, tcpApiServerCommand, type PlannedDir } from '../../collector/plan.js';
import { shq } from '../../collector/shell.js';

const dir = mkdtempSync(join(tmpdir(), 'labsnap-shell-'));
const bin = join(dir, 'bin');
const canary = join(dir, 'CANARY');
execFileSync('mkdir', ['-p', bin]);
const TOOLS = ['kubectl', 'cat', 'find', 'timeout', 'tcpdump', 'arping', 'ping', 'nc'];
for (const tool of TOOLS) {
  // \001 starts a call, \0 ends each argument: any byte a name may hold survives the trip.
  writeFileSync(join(bin, tool), `#!/bin/sh\nprintf '\\001%s\\0' ${tool}; printf '%s\\0' "$@"\n`);
  chmodSync(join(bin, tool), 0o755);
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a built command line with only the stand-ins on PATH; returns each tool's argv. */
function run(command: string): string[][] {
  execFileSync('/bin/sh', ['-n', '-c', command]);
  const out = execFileSync('/bin/sh', ['-c', command], { cwd: dir, env: { PATH: bin, HOME: dir, CANARY: canary }, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8');
  const calls = out
    .split('\x01')
    .slice(1)
    .map((call) => call.split('\0').slice(0, -1));
  return calls;
}

const hostile = fc.constantFrom('$(touch "$CANARY")', '`touch "$CANARY"`', '; touch "$CANARY"', "'; touch \"$CANARY\"; '", '\ntouch "$CANARY"\n', '&& touch "$CANARY"', '| touch "$CANARY"', '$CANARY', '"', "'", '\\', '*', '~', '-rf', '--', ' ', 'ノード', 'é', '🙂', '\t');
const name = fc.array(fc.oneof(hostile, fc.string({ unit: 'grapheme', maxLength: 6 })), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')).filter((s) => !s.includes('\0'));

function safely<T>(build: () => T): T | null {
  try {
    return build();
  } catch (err) {
    // Refusing a name is a fine answer; running it is not.
    if (err instanceof LayoutError || (err instanceof Error && /invalid|NUL/.test(err.message))) return null;
    throw err;
  }
}

describe('no shell injection through names', () => {
  it('shq keeps any string one word, exactly', () => {
    fc.assert(
      fc.property(name, (s) => {
        const calls = run(`cat ${shq(s)}`);
        expect(calls).toEqual([['cat', s]]);
        expect(existsSync(canary)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('kubectl items (namespaces, pods, containers, nodes, kubeconfig paths) pass names as single arguments', () => {
    fc.assert(
      fc.property(name, name, name, name, (ns, pod, container, kubeconfig) => {
        const k = new Kubectl(kubeconfig.startsWith('~') ? `~/${kubeconfig}` : kubeconfig, false);
        const items = [safely(() => planLog(k, ns, pod, container, true, 60)), safely(() => planDescribeNode(k, pod)), ...(safely(() => planNamespace(k, ns)) ?? [])];
        for (const item of items) {
          if (item === null) continue;
          const [call] = run(item.command);
          expect(call![0]).toBe('kubectl');
          expect(call![1]).toBe(`--kubeconfig=${kubeconfig.startsWith('~') ? `${dir}/${kubeconfig}` : kubeconfig}`);
          expect(call!.slice(3).filter((a) => a === ns || a === pod || a === container).length).toBeGreaterThan(0);
        }
        const log = items[0];
        if (log) expect(run(log.command)[0]!.slice(3, 8)).toEqual(['logs', '-n', ns, pod, '-c']);
        expect(existsSync(canary)).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('file reads and folder listings quote the path', () => {
    fc.assert(
      fc.property(name, name, (file, pattern) => {
        const path = `/etc/${file}`;
        const cat = safely(() => fileCommand(path));
        if (cat) expect(run(cat)).toEqual([['cat', '--', path]]);
        const item: PlannedDir = { type: 'dir', path: 'hosts/h/files/etc', dir: path, name: pattern, minDepth: 1, maxDepth: 1, privileged: false };
        expect(run(listCommand(item))).toEqual([['find', '-H', path, '-mindepth', '1', '-maxdepth', '1', '-type', 'f', '-name', pattern, '-print0']]);
        expect(run(`cat ${shPath(`~/${file}`)}`)).toEqual([['cat', `${dir}/${file}`]]);
        expect(existsSync(canary)).toBe(false);
      }),
      { numRuns: 80 },
    );
  });

  it('ARP capture and probes accept only valid interfaces and IPv4 targets', () => {
    fc.assert(
      fc.property(name, fc.array(fc.oneof(name, fc.ipV4()), { maxLength: 3 }), (iface, targets) => {
        const capture = safely(() => captureItem('h', iface, 1));
        if (capture) expect(run(capture.command)[0]).toEqual(['timeout', '1', 'tcpdump', '-i', iface, '-U', '-n', '-w', '-', 'arp']);
        const probe = safely(() => probeCommand(iface, targets));
        if (probe) {
          const calls = run(probe);
          expect(calls.every((c) => c[0] === 'arping' && c.includes(iface))).toBe(true);
          expect(calls.map((c) => c[c.length - 1]).sort()).toEqual([...targets].sort());
        }
        expect(existsSync(canary)).toBe(false);
      }),
      { numRuns: 80 },
    );
  });

  it('API server probes quote inventory addresses', () => {
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 3 }), (addresses) => {
        // nc's output is captured by the probe function; what it reports back names each address as received.
        const out = execFileSync('/bin/sh', ['-c', tcpApiServerCommand(addresses)], { cwd: dir, env: { PATH: bin, HOME: dir, CANARY: canary } }).toString('utf8');
        const expected = addresses.map((a) => `tcp ${a}:6443 open\n`).join('');
        expect(out.slice(out.indexOf('tcp '))).toBe(expected);
        expect(existsSync(canary)).toBe(false);
      }),
      { numRuns: 40 },
    );
  });
});
