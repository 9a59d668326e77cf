// `labsnap diff` through the built CLI: formats, languages, --output, exit codes, and the HTML page
// rendered by a real browser (Debian's chromium, headless) with nothing fetched from anywhere.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffFailsAt } from '../../analyzer/diff/diff.js';
import { diffPaths } from '../../analyzer/diff/load.js';
import { renderDiff } from '../../cli/commands/diff.js';
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
  }, 180_000);

  it('a bundle that cannot be read is a usage error naming it (exit 2)', async () => {
    const r = await run(['diff', HEALTHY, path.join(tmp, 'nope.tar.gz')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.tar.gz');
  }, 180_000);

  it.skipIf(!CHROMIUM)('html: one self-contained page, side by side, rendered by chromium; Japanese from LANG', async () => {
    const out = path.join(tmp, 'diff.html');
    const r = await run(['diff', HEALTHY, VLAN, '--format', 'html', '--output', out, '--fail-on', 'never'], { LANG: 'ja_JP.UTF-8' });
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain('変更点(原因の可能性が高い順)');
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
  }, 180_000);
});

describe('labsnap diff reports (in process)', () => {
  it('json, markdown and text in en and ja; --fail-on on what appeared', async () => {
    const { diff } = await diffPaths({ old: HEALTHY, new: SWAP, lang: 'en', rulesDirs: [], includeChurn: false });
    const json = JSON.parse(renderDiff(diff, 'json')) as Record<string, any>;
    expect(json.diffVersion).toBe(1);
    expect(json.counts).toMatchObject({ appeared: 1, resolved: 0, hostFacts: 2 });
    expect(json.hostFacts[0]).toMatchObject({ host: 'w1', area: 'swap', old: 'off' });
    const mdown = renderDiff(diff, 'markdown');
    expect(mdown).toMatch(/^# labsnap diff\n/);
    expect(mdown).toContain('## Host facts changed');
    expect(mdown).toContain('| w1 | swap | swap (swapon) | off | /swap.img (file, 2048 MiB) |');
    expect(renderDiff(diff, 'text')).toContain('== Findings that appeared');
    const sev = diff.findings.appeared[0]!.severity;
    expect(diffFailsAt(diff, sev)).toBe(true);
    expect(diffFailsAt(diff, 'never')).toBe(false);
    const ja = (await diffPaths({ old: HEALTHY, new: SWAP, lang: 'ja', rulesDirs: [], includeChurn: false })).diff;
    const text = renderDiff(ja, 'text');
    expect(text).toContain('== 変更点(原因の可能性が高い順)');
    expect(text).toContain('== 新たに出た検出事項');
  });

  it('the same bundle twice: nothing changed; the other way round, the findings are resolved', async () => {
    const same = (await diffPaths({ old: HEALTHY, new: HEALTHY, lang: 'en', rulesDirs: [], includeChurn: false })).diff;
    expect(renderDiff(same, 'text')).toContain('Nothing changed between the two bundles.');
    expect(diffFailsAt(same, 'info')).toBe(false);
    const back = (await diffPaths({ old: SWAP, new: HEALTHY, lang: 'en', rulesDirs: [], includeChurn: false })).diff;
    expect(back.findings.appeared).toEqual([]);
    expect(back.findings.resolved.map((f) => f.ruleId)).toEqual(['swap-enabled']);
    expect(back.changes[0]!.title).toMatch(/^w1 swap swap \(.*\): \/swap\.img .* -> off$/);
    expect(back.changes[0]!.related).toEqual(['swap-enabled']);
    expect(diffFailsAt(back, 'info')).toBe(false);
  });
});
