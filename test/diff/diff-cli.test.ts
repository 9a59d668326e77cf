// `labsnap diff` through the built CLI: formats, languages, --output, exit codes, and the HTML page
// rendered by a real browser (Debian's chromium, headless) with nothing fetched from anywhere.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageInfo } from '../../common/package-root.js';

const ROOT = packageInfo().root;
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const HEALTHY = path.join('fixtures', 'bundles', 'healthy-lab');
const SWAP = path.join('fixtures', 'bundles', 'swap-after-reboot');
const VLAN = path.join('fixtures', 'bundles', 'worker-vlan-not-allowed');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = { ...process.env };
  for (const k of ['LANG', 'LC_ALL', 'LC_MESSAGES', 'NO_COLOR']) delete base[k];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'labsnap-diff-cli-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('labsnap diff CLI', () => {
  it('text: the planted change first, and exit 1 for a new finding at --fail-on', async () => {
    const r = await run(['diff', HEALTHY, VLAN]);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const first = lines.findIndex((l) => l.startsWith('== What changed, likeliest cause first'));
    expect(lines[first + 1]).toMatch(/^ {3}1\. pve1 guest VM 103 net0: .*tag=10.* -> .*tag=20.*\(related to: pve-vlan-not-allowed\)$/);
    expect(r.stdout).toContain('[CRITICAL] pve-vlan-not-allowed: VM 103 (w2) net0 on vmbr0 (pve1)');
    expect((await run(['diff', HEALTHY, VLAN, '--fail-on', 'never'])).code).toBe(0);
    // --fail-on at the appeared finding's own severity fails; reversed, nothing appears and nothing fails.
    const swap = JSON.parse((await run(['diff', HEALTHY, SWAP, '--format', 'json', '--fail-on', 'never'])).stdout) as { findings: { appeared: { severity: string }[] } };
    const sev = swap.findings.appeared[0]!.severity;
    expect((await run(['diff', HEALTHY, SWAP, '--fail-on', sev])).code).toBe(1);
    expect((await run(['diff', SWAP, HEALTHY, '--fail-on', 'info'])).code).toBe(0);
  });

  it('the same bundle twice: nothing changed, exit 0', async () => {
    const r = await run(['diff', HEALTHY, HEALTHY, '--fail-on', 'info']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Nothing changed between the two bundles.');
  });

  it('the other way round, the findings are resolved', async () => {
    const r = await run(['diff', SWAP, HEALTHY, '--format', 'json']);
    const d = JSON.parse(r.stdout) as { findings: { appeared: unknown[]; resolved: { ruleId: string }[] }; changes: { title: string; related: string[] }[] };
    expect(d.findings.appeared).toEqual([]);
    expect(d.findings.resolved.map((f) => f.ruleId)).toEqual(['swap-enabled']);
    expect(d.changes[0]!.title).toMatch(/^w1 swap swap \(.*\): \/swap\.img .* -> off$/);
    expect(d.changes[0]!.related).toEqual(['swap-enabled']);
  });

  it('json, markdown and --lang ja', async () => {
    const json = JSON.parse((await run(['diff', HEALTHY, SWAP, '--format', 'json'])).stdout) as Record<string, any>;
    expect(json.diffVersion).toBe(1);
    expect(json.counts).toMatchObject({ appeared: 1, resolved: 0, hostFacts: 2 });
    expect(json.hostFacts[0]).toMatchObject({ host: 'w1', area: 'swap', old: 'off' });
    const mdown = (await run(['diff', HEALTHY, SWAP, '--format', 'markdown'])).stdout;
    expect(mdown).toMatch(/^# labsnap diff\n/);
    expect(mdown).toContain('## Host facts changed');
    expect(mdown).toContain('| w1 | swap | swap (swapon) | off | /swap.img (file, 2048 MiB) |');
    const ja = (await run(['diff', HEALTHY, SWAP], { LANG: 'ja_JP.UTF-8' })).stdout;
    expect(ja).toContain('== 変更点(原因の可能性が高い順)');
    expect(ja).toContain('== 新たに出た検出事項');
    expect((await run(['diff', HEALTHY, SWAP, '--lang', 'en'], { LANG: 'ja_JP.UTF-8' })).stdout).toContain('== Findings that appeared');
  });

  it('a bundle that cannot be read is a usage error naming it (exit 2)', async () => {
    const r = await run(['diff', HEALTHY, path.join(tmp, 'nope.tar.gz')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.tar.gz');
  });

  it.skipIf(!CHROMIUM)('html: one self-contained page, side by side, rendered by chromium', async () => {
    const out = path.join(tmp, 'diff.html');
    const r = await run(['diff', HEALTHY, VLAN, '--format', 'html', '--output', out, '--fail-on', 'never']);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).toContain("default-src 'none'");
    const dom = spawnSync(
      CHROMIUM!,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${path.join(tmp, 'chromium')}`, '--dump-dom', `file://${out}`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(dom.status, dom.stderr).toBe(0);
    for (const id of ['summary', 'changes', 'appeared', 'resolved', 'persisting', 'host-facts', 'objects', 'logs', 'collection']) expect(dom.stdout).toContain(`id="${id}"`);
    // Side by side: the first ranked change has its old value in one cell and its new value in the next.
    expect(dom.stdout).toMatch(/<td class="old">virtio=bc:24:11:e8:06:f4 bridge=vmbr0 tag=10 firewall=1<\/td><td class="new">virtio=bc:24:11:e8:06:f4 bridge=vmbr0 tag=20 firewall=1<\/td>/);
  });
});
