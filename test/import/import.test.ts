// Inputs other tools wrote: detected by content, analyzed directly, imported into a labsnap bundle that
// analyzes the same, combined with sos reports, and redacted after import.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeBundle } from '../../analyzer/engine/analyze.js';
import { loadRules, type RulePack } from '../../analyzer/engine/load-rules.js';
import type { Report } from '../../analyzer/report/types.js';
import { openCombined, parseHostInput } from '../../bundle/import/combine.js';
import { openInput } from '../../bundle/import/open.js';
import { openBundle, type OpenedBundle } from '../../bundle/reader.js';
import { InputError } from '../../common/errors.js';
import { redactBundleFile } from '../../collector/redact/index.js';
import * as tar from 'tar';
import { clusterInfoDump, HEALTHY, K3S, ROOT, SBCTL, SOS_DIR, SOS_XZ, writeTree } from './helpers.js';

let pack: RulePack;
let tmp: string;
beforeAll(async () => {
  pack = await loadRules();
  tmp = await mkdtemp(join(tmpdir(), 'labsnap-import-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function analyze(bundle: OpenedBundle): Promise<Report> {
  const { report, warnings } = await analyzeBundle(bundle, pack, { lang: 'en' });
  expect(warnings).toEqual([]);
  return report;
}

/** What a report says, without the parts that name the file analyzed. */
function verdict(report: Report) {
  return {
    findings: report.findings.map((f) => ({ rule: f.ruleId, severity: f.severity, scope: f.scope, summary: f.summary, evidence: f.evidence.map((e) => e.path) })),
    skipped: report.skipped.map((s) => ({ rule: s.ruleId, reason: s.reason, missing: s.missing })),
    passed: report.passed.map((p) => p.ruleId),
    collectedAt: report.summary.collectedAt,
    hosts: report.summary.hosts,
  };
}

let counter = 0;
const fresh = (name: string) => join(tmp, `${counter++}-${name}`);

async function importTo(input: string | undefined, hosts: string[] = [], redact = false): Promise<string> {
  const out = fresh('imported.tar.gz');
  await redactBundleFile(await openCombined(input, hosts.map(parseHostInput)), out, { redact, rules: null, pseudonymize: [], mapOut: null });
  return out;
}

describe('detection by content', () => {
  it('a labsnap bundle folder is read natively', async () => {
    expect((await openInput(HEALTHY)).kind).toBe('labsnap');
  });

  it('troubleshoot.sh bundle as a folder (sbctl) and as a .tar.gz (k3s baseline)', async () => {
    const folder = await openInput(SBCTL);
    expect(folder.kind).toBe('troubleshoot');
    expect(folder.bundle.manifest.mode).toBe('imported');
    const archive = await openInput(K3S);
    expect(archive.kind).toBe('troubleshoot');
    expect(archive.bundle.kind).toBe('tar.gz');
  });

  it('a troubleshoot.sh archive under any file name (detection never looks at the name)', async () => {
    const renamed = fresh('attachment.bin');
    await copyFile(K3S, renamed);
    expect((await openInput(renamed)).kind).toBe('troubleshoot');
  });

  it('a host-only troubleshoot bundle (host/host-collectors/run-host, host/analysis.json) maps its commands', async () => {
    const archive = fresh('host-bundle.tar.gz');
    const dir = fresh('host-bundle');
    const root = 'support-bundle-2026-11-27T10_00_00';
    await writeTree(join(dir, root), {
      'host/analysis.json': '[]',
      'host/host-collectors/system/hostos_info.json': '{"name":"node-a","kernelVersion":"6.1.0","platform":"debian"}',
      'host/host-collectors/system/sysctl.json': '{"net.ipv4.ip_forward":"0","net.bridge.bridge-nf-call-iptables":"1"}',
      'host/host-collectors/run-host/swap.txt': 'NAME      TYPE SIZE USED PRIO\n/swap.img file 2147483648 0 -2\n',
      'host/host-collectors/run-host/swap-info.json': '{"command":"swapon","args":["--show","--bytes"],"exitCode":"0"}',
    });
    // Entry times are the collection time (a host-only bundle has no node heartbeats).
    await tar.create({ gzip: true, file: archive, cwd: dir, mtime: new Date('2026-11-27T10:00:00Z'), portable: true }, [root]);
    const opened = await openInput(archive);
    expect(opened.kind).toBe('troubleshoot');
    const report = await analyze(opened.bundle);
    expect(report.summary.hosts.reached).toEqual(['node-a']);
    const fired = report.findings.map((f) => `${f.ruleId}:${f.scope.names.join(',')}`).sort();
    expect(fired).toEqual(['ip-forward-disabled:node-a', 'swap-enabled:node-a']);
    expect(opened.bundle.manifest.items.find((i) => i.path === 'hosts/node-a/cmd/swapon.txt')?.source).toBe('host/host-collectors/run-host/swap.txt');
  });

  it('kubectl cluster-info dump folder, json and yaml', async () => {
    for (const format of ['json', 'yaml'] as const) {
      const dir = fresh(`dump-${format}`);
      await clusterInfoDump(dir, format);
      const opened = await openInput(dir);
      expect(opened.kind, format).toBe('cluster-info-dump');
      const report = await analyze(opened.bundle);
      expect(report.summary.bundle.input).toContain('kubectl cluster-info dump');
      // The pods are read (the rule runs); a dump has no previous logs, which this rule needs for its evidence.
      expect(report.passed.map((p) => p.ruleId), format).toContain('pod-crashloop-app-error');
      expect(report.passed.map((p) => p.ruleId), format).toContain('node-not-ready');
      // logs.txt is split per container along kubectl's markers.
      const logs = opened.bundle.manifest.items.filter((i) => i.path.startsWith('cluster/logs/')).map((i) => i.path).sort();
      expect(logs).toEqual(['cluster/logs/velero/velero-6996dd565b-xl44t/replicated-kurl-util.log', 'cluster/logs/velero/velero-6996dd565b-xl44t/velero.log']);
    }
  });

  it('sos report as a folder, as its parent folder and as a .tar.xz', async () => {
    for (const input of [SOS_DIR, join(ROOT, 'fixtures', 'real', 'sos-debian'), SOS_XZ]) {
      const opened = await openInput(input);
      expect(opened.kind, input).toBe('sosreport');
      expect(opened.bundle.manifest.hosts.map((h) => h.name)).toEqual(['vm']);
      expect(opened.bundle.manifest.collectedAt).toBe('2026-12-06T02:49:10.000Z');
    }
    const report = await analyze((await openInput(SOS_XZ)).bundle);
    expect(report.summary.bundle.input).toBe('sos report sosreport-vm-fixture-2026-12-06-wlzvqmr.tar.xz (host vm)');
  });

  it('an unknown folder is refused naming what it holds', async () => {
    const dir = fresh('holiday-photos');
    await writeTree(dir, { 'beach.jpg': 'x', 'notes/day1.txt': 'y' });
    await expect(openInput(dir)).rejects.toThrow(InputError);
    await expect(openInput(dir)).rejects.toThrow(/is not an input labsnap can read: it contains "beach\.jpg", "notes\/"; expected a labsnap bundle/);
  });

  it('the CLI exits 2 on an unknown folder and says what was found', () => {
    const dir = join(tmp, 'unknown-cli');
    spawnSync('mkdir', ['-p', join(dir, 'data')]);
    const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'analyze', dir], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/not an input labsnap can read: it contains "data\/"/);
  });
});

describe('import round trip: import → analyze gives what analyzing the input gives', () => {
  it.each([
    ['troubleshoot folder', SBCTL],
    ['troubleshoot .tar.gz', K3S],
    ['sos report .tar.xz', SOS_XZ],
  ])('%s', async (_name, input) => {
    const direct = verdict(await analyze((await openInput(input)).bundle));
    const out = await importTo(input);
    const imported = await openBundle(out);
    expect(imported.manifest.mode).toBe('imported');
    expect(verdict(await analyze(imported))).toEqual(direct);
  });

  it('cluster-info dump', async () => {
    const dir = fresh('dump');
    await clusterInfoDump(dir);
    const direct = verdict(await analyze((await openInput(dir)).bundle));
    expect(verdict(await analyze(await openBundle(await importTo(dir))))).toEqual(direct);
  });

  it('every item names its original path inside the input', async () => {
    const imported = await openBundle(await importTo(K3S));
    const byPath = new Map(imported.manifest.items.map((i) => [i.path, i.source]));
    expect(byPath.get('cluster/nodes.json')).toBe('cluster-resources/nodes.json');
    expect(byPath.get('cluster/namespaces/kube-system/persistentvolumeclaims.json')).toBe('cluster-resources/pvcs/kube-system.json');
    expect(byPath.get('cluster/namespaces/kube-system/jobs.json')).toBe('cluster-resources/jobs/kube-system.json');
    expect(byPath.get('cluster/version.json')).toBe('cluster-info/cluster_version.json');
    expect(byPath.get('hosts/primary-node/cmd/sysctl.txt')).toBe('sysctl/primary-node');
    expect(byPath.get('cluster/logs/default/run-pod-example/example.log')).toBe('cluster-resources/pods/logs/default/run-pod-example/example.log');
    expect(imported.manifest.imported).toEqual([{ kind: 'troubleshoot', input: 'troubleshoot-k3s-baseline.tar.gz', cluster: true, hosts: ['primary-node'] }]);
  });

  it('with redaction (the default of labsnap import) the findings stay the same', async () => {
    const direct = verdict(await analyze((await openInput(SBCTL)).bundle));
    const redacted = await openBundle(await importTo(SBCTL, [], true));
    expect(redacted.manifest.redaction?.enabled).toBe(true);
    expect(verdict(await analyze(redacted)).findings).toEqual(direct.findings);
  });
});

describe('several sos reports plus one cluster bundle', () => {
  it('import into one bundle with every host', async () => {
    const second = fresh('second-sos.tar.xz');
    await copyFile(SOS_XZ, second);
    const out = await importTo(K3S, [`vm1=${SOS_XZ}`, `vm2=${second}`]);
    const bundle = await openBundle(out);
    expect(bundle.manifest.hosts.map((h) => h.name)).toEqual(['primary-node', 'vm1', 'vm2']);
    expect(bundle.manifest.imported?.map((i) => `${i.kind}:${i.hosts.join(',')}`)).toEqual(['troubleshoot:primary-node', 'sosreport:vm1', 'sosreport:vm2']);
    // The cluster input's collection time is "now".
    expect(bundle.manifest.collectedAt).toBe('2025-12-10T17:27:10.000Z');
    const report = await analyze(bundle);
    expect(report.summary.bundle.input).toMatch(/^troubleshoot\.sh bundle troubleshoot-k3s-baseline\.tar\.gz \+ sos report sosreport-vm-fixture-2026-12-06-wlzvqmr\.tar\.xz \(host vm1\) \+ sos report \d+-second-sos\.tar\.xz \(host vm2\)$/);
    const items = bundle.manifest.items.map((i) => i.path);
    expect(items).toContain('hosts/vm1/cmd/sysctl.txt');
    expect(items).toContain('hosts/vm2/cmd/sysctl.txt');
  });

  it('refuses a --host that is not a sos report, and a name given twice', async () => {
    await expect(openCombined(undefined, [parseHostInput(`a=${K3S}`)])).rejects.toThrow(/expected a sos report/);
    await expect(openCombined(undefined, [parseHostInput(`a=${SOS_XZ}`), parseHostInput(`a=${SOS_XZ}`)])).rejects.toThrow(/named twice/);
    expect(() => parseHostInput('noequals')).toThrow(/NAME=PATH/);
    expect(() => parseHostInput('../x=y')).toThrow(/invalid host name/);
  });
});

describe('labsnap redact works on an imported bundle', () => {
  it('pseudonymizes host names of an import and the result still analyzes', async () => {
    const imported = await importTo(K3S, [`w1=${SOS_XZ}`]);
    const out = fresh('pseudo.tar.gz');
    const result = await redactBundleFile(await openBundle(imported), out, { redact: true, rules: null, pseudonymize: ['hostnames'], mapOut: null });
    expect(result.manifest.hosts.map((h) => h.name)).not.toContain('primary-node');
    expect(result.manifest.hosts.map((h) => h.name)).not.toContain('w1');
    expect(JSON.stringify(result.manifest.imported)).not.toMatch(/primary-node|"w1"/);
    const report = await analyze(await openBundle(out));
    expect(report.summary.hosts.reached).toHaveLength(2);
  });
});

describe('the CLI', () => {
  it('labsnap import writes a bundle that labsnap analyze reads', () => {
    const out = join(tmp, 'cli-import.tar.gz');
    const cli = join(ROOT, 'dist', 'cli', 'main.js');
    const run = spawnSync(process.execPath, [cli, 'import', SBCTL, '--out', out], { encoding: 'utf8' });
    expect(run.stderr).toMatch(/Imported troubleshoot\.sh bundle bundle → .*cli-import\.tar\.gz/);
    expect(run.status).toBe(0);
    const again = spawnSync(process.execPath, [cli, 'import', SBCTL, '--out', out], { encoding: 'utf8' });
    expect(again.status).toBe(2);
    const analyzed = spawnSync(process.execPath, [cli, 'analyze', out, '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8' });
    expect(analyzed.status).toBe(0);
    expect((JSON.parse(analyzed.stdout) as Report).findings.map((f) => f.ruleId)).toEqual(['pod-crashloop-app-error']);
  });
});



