// `labsnap analyze` end to end through the built CLI, the way a user or a CI job runs it: every case spawns
// `node dist/cli/main.js`, so argv parsing, the locale, the TTY check, --output and exit codes are all in
// the loop, on the shipped example-broken-lab and healthy-lab bundles.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fg from 'fast-glob';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../analyzer/engine/load-rules.js';
import type { Finding, Lang, Report } from '../../analyzer/report/types.js';
import { packageInfo } from '../../common/package-root.js';
import { validateAgainst } from '../../common/schema.js';
import { descendants, parseXml } from '../report/xml.js';

const ROOT = packageInfo().root;
const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');
const BROKEN = path.join('fixtures', 'bundles', 'example-broken-lab');
const HEALTHY = path.join('fixtures', 'bundles', 'healthy-lab');
const TAR_ROOT = 'labsnap-homelab-20261127T100000Z';
const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'report.schema.json'), 'utf8')) as object;

const LANGS: Lang[] = ['en', 'ja'];
const FORMATS = ['text', 'json', 'markdown', 'junit'] as const;
type Format = (typeof FORMATS)[number];
const SECTIONS: Record<Lang, string[]> = {
  en: ['Summary', 'Scope', 'Findings', 'Recent changes', 'Collection gaps', 'Skipped rules', 'Rules passed'],
  ja: ['概要', '影響範囲', '検出事項', '直近の変更', '収集できなかったもの', 'スキップしたルール', '問題のなかったルール'],
};
const ANSI = /\u001b\[/;
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

// Locale and colour variables of the machine running the tests must not leak into what is asserted.
const SCRUBBED_ENV = ['LANG', 'LC_ALL', 'LC_MESSAGES', 'NO_COLOR', 'FORCE_COLOR', 'LABSNAP_DEBUG'];

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of SCRUBBED_ENV) delete env[name];
  return { ...env, ...extra };
}

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env: childEnv(env), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

// Several tests look at the same report, so each distinct command line runs once.
const runs = new Map<string, Promise<CliRun>>();
function analyze(bundle: string, format: Format, lang: Lang, ...more: string[]): Promise<CliRun> {
  const args = ['analyze', bundle, '--format', format, '--lang', lang, ...more];
  const key = args.join('\u0000');
  let run = runs.get(key);
  if (!run) {
    run = throttled(() => runCli(args));
    runs.set(key, run);
  }
  return run;
}

// Each run is a whole node process reading a bundle; more than two at a time only slows the others down on
// the small machines CI and homelab users have.
const PARALLEL = 2;
let active = 0;
const waiting: (() => void)[] = [];
async function throttled<T>(job: () => Promise<T>): Promise<T> {
  if (active >= PARALLEL) await new Promise<void>((resume) => waiting.push(resume));
  active++;
  try {
    return await job();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

/** Newest modification time of what `tsc -p .` compiles, to tell whether dist/ is stale. */
async function newestSource(): Promise<number> {
  const files = await fg(['{cli,common,bundle,collector,analyzer,bench}/**/*.ts', 'schemas/*.json', 'package.json', 'tsconfig.json'], {
    cwd: ROOT,
    absolute: true,
  });
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

async function ensureBuilt(): Promise<void> {
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= (await newestSource())) return;
  const build = spawnSync('npx', ['tsc', '-p', '.'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0 || !existsSync(CLI)) {
    throw new Error(`dist/cli/main.js is missing or older than the sources, and \`npx tsc -p .\` failed:\n${build.stdout}${build.stderr}`);
  }
}

const ruleIdsOf = (report: Report): string[] =>
  [...new Set([...report.findings.map((f) => f.ruleId), ...report.skipped.map((s) => s.ruleId), ...report.passed.map((p) => p.ruleId)])].sort();

function areaOf(report: Report, ruleId: string): string | undefined {
  return [...report.findings, ...report.skipped, ...report.passed].find((rule) => rule.ruleId === ruleId)?.area;
}

/** Rule id → area as the rule.yaml files say. */
let areas = new Map<string, string>();

function checkJson(stdout: string, lang: Lang): Report {
  const report = JSON.parse(stdout) as Report;
  expect(validateAgainst(schema, report, 'report.json')).toEqual([]);
  expect(report.lang).toBe(lang);
  expect(ruleIdsOf(report)).toEqual([...areas.keys()].sort());
  expect(report.summary.rulePack.rules).toBe(areas.size);
  for (const rule of [...report.findings, ...report.skipped, ...report.passed]) expect(rule.area, rule.ruleId).toBe(areas.get(rule.ruleId));
  const titles = [...report.findings, ...report.skipped, ...report.passed].map((rule) => rule.title);
  expect(titles.every((title) => JAPANESE.test(title))).toBe(lang === 'ja');
  return report;
}

function checkJunit(stdout: string, report: Report): void {
  const testcases = descendants(parseXml(stdout), 'testcase');
  expect(testcases.map((testcase) => testcase.attributes.name)).toEqual(ruleIdsOf(report));
  for (const testcase of testcases) {
    expect(testcase.attributes.classname).toBe(`labsnap.${areaOf(report, testcase.attributes.name ?? '') ?? '?'}`);
  }
}

function checkMarkdown(stdout: string, lang: Lang): void {
  const headings = stdout.split('\n').filter((line) => line.startsWith('## '));
  expect(headings).toEqual(SECTIONS[lang].map((section) => `## ${section}`));
}

function checkText(stdout: string, lang: Lang): void {
  const positions = SECTIONS[lang].map((section) => stdout.indexOf(`\n${section}\n`));
  expect(positions.every((position) => position > 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  expect(stdout).not.toMatch(ANSI);
}

function inNamespace(finding: Finding, namespace: string): boolean {
  return (finding.scope.level === 'namespace' && finding.scope.names.includes(namespace)) || finding.objects.some((o) => o.namespace === namespace);
}

let tmp = '';
beforeAll(async () => {
  await ensureBuilt();
  areas = new Map((await loadRules()).rules.map((rule) => [rule.meta.id, rule.meta.area]));
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'labsnap-analyze-cli-'));
}, 180_000);

afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe.each([
  [BROKEN, 1],
  [HEALTHY, 0],
])('labsnap analyze %s', (bundle, exitCode) => {
  it('writes all four formats in both languages', async () => {
    const outputs = await Promise.all(
      LANGS.flatMap((lang) => FORMATS.map(async (format) => ({ lang, format, run: await analyze(bundle, format, lang) }))),
    );
    for (const { lang, format, run } of outputs) {
      expect({ lang, format, code: run.code, stderr: run.stderr }).toEqual({ lang, format, code: exitCode, stderr: '' });
      expect(run.stdout.length).toBeGreaterThan(0);
    }
    for (const lang of LANGS) {
      const output = (format: Format): string => outputs.find((o) => o.lang === lang && o.format === format)?.run.stdout ?? '';
      const report = checkJson(output('json'), lang);
      checkJunit(output('junit'), report);
      checkMarkdown(output('markdown'), lang);
      checkText(output('text'), lang);
    }
  }, 120_000);

  it('gives byte-identical output for the same bundle twice', async () => {
    const again = await Promise.all(
      FORMATS.map(async (format, i) => {
        const lang = LANGS[i % LANGS.length] ?? 'en';
        const [first, second] = await Promise.all([analyze(bundle, format, lang), throttled(() => runCli(['analyze', bundle, '--format', format, '--lang', lang]))]);
        return { format, first: first.stdout, second: second.stdout };
      }),
    );
    for (const { format, first, second } of again) expect(second, format).toBe(first);
  }, 120_000);
});

describe('labsnap analyze on a .tar.gz of the bundle', () => {
  it('finds exactly what it finds in the directory; only the bundle name and sha256 differ', async () => {
    const staged = path.join(tmp, 'staged');
    await fs.cp(path.join(ROOT, BROKEN), path.join(staged, TAR_ROOT), { recursive: true });
    const archive = path.join(tmp, `${TAR_ROOT}.tar.gz`);
    await tar.c({ gzip: true, file: archive, cwd: staged, portable: true }, [TAR_ROOT]);

    const [fromDir, fromTar] = await Promise.all([analyze(BROKEN, 'json', 'en'), throttled(() => runCli(['analyze', archive, '--format', 'json', '--lang', 'en']))]);
    expect(fromTar.code).toBe(fromDir.code);
    const dirReport = JSON.parse(fromDir.stdout) as Report;
    const tarReport = JSON.parse(fromTar.stdout) as Report;
    expect(dirReport.summary.bundle).toMatchObject({ name: 'example-broken-lab', sha256: null });
    const sha256 = createHash('sha256').update(await fs.readFile(archive)).digest('hex');
    expect(tarReport.summary.bundle).toMatchObject({ name: `${TAR_ROOT}.tar.gz`, sha256 });
    expect(tarReport.findings.length).toBeGreaterThan(0);
    tarReport.summary.bundle.name = dirReport.summary.bundle.name;
    tarReport.summary.bundle.sha256 = dirReport.summary.bundle.sha256;
    expect(tarReport).toEqual(dirReport);
  }, 120_000);
});

describe('labsnap analyze exit codes', () => {
  it('exits 0 on the healthy lab and 1 on the broken lab at the default --fail-on critical', async () => {
    const [healthy, broken] = await Promise.all([throttled(() => runCli(['analyze', HEALTHY])), throttled(() => runCli(['analyze', BROKEN]))]);
    expect(healthy.code).toBe(0);
    expect(broken.code).toBe(1);
    const report = JSON.parse((await analyze(BROKEN, 'json', 'en')).stdout) as Report;
    expect(report.summary.counts.critical).toBeGreaterThan(0);
  }, 120_000);

  it('exits 0 on the broken lab with --fail-on never, and still reports its findings', async () => {
    const run = await analyze(BROKEN, 'text', 'en', '--fail-on', 'never');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[CRITICAL] cni-not-installed (node):');
  }, 120_000);

  it('exits 2 for a bundle path that does not exist', async () => {
    const run = await throttled(() => runCli(['analyze', path.join(tmp, 'no-such-bundle.tar.gz')]));
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('no-such-bundle.tar.gz');
  });

  it('exits 2 for a file that is not a bundle', async () => {
    const notes = path.join(tmp, 'notes.txt');
    await fs.writeFile(notes, 'kubectl get nodes said NotReady\n');
    const run = await throttled(() => runCli(['analyze', notes]));
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('is not a labsnap bundle');
  });

  it('exits 2 for an invalid --rules folder and names file, line and field', async () => {
    const rules = path.join(tmp, 'bad-rules');
    const ruleYaml = path.join(rules, 'my-rule', 'rule.yaml');
    await fs.mkdir(path.dirname(ruleYaml), { recursive: true });
    const text = (en: string) => `{ en: "${en}", ja: "${en}" }`;
    await fs.writeFile(
      ruleYaml,
      [
        'id: my-rule',
        'area: node',
        'severity: fatal',
        `title: ${text('t')}`,
        `symptom: ${text('s')}`,
        `cause: ${text('c')}`,
        `fix: ${text('f')}`,
        'confirm: [uptime]',
        `summary: ${text('x')}`,
        'when: { any: [{ fact: nodes }] }',
        '',
      ].join('\n'),
    );
    const run = await throttled(() => runCli(['analyze', HEALTHY, '--rules', rules]));
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain(`${ruleYaml}:3: severity: must be one of "critical", "warning", "info"`);
  });

  it('exits 2 for --only with an unknown rule id', async () => {
    const run = await throttled(() => runCli(['analyze', HEALTHY, '--only', 'no-such-rule']));
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('no-such-rule');
  });
});

describe('labsnap analyze options', () => {
  it('keeps only the findings about the namespace given with --namespace', async () => {
    const all = JSON.parse((await analyze(BROKEN, 'json', 'en')).stdout) as Report;
    const run = await analyze(BROKEN, 'json', 'en', '--namespace', 'demo');
    const demo = JSON.parse(run.stdout) as Report;
    expect(demo.findings.map((f) => f.ruleId)).toContain('service-no-endpoints');
    expect(demo.findings.every((f) => inNamespace(f, 'demo'))).toBe(true);
    expect(demo.findings).toEqual(all.findings.filter((f) => inNamespace(f, 'demo')));
    expect(demo.findings.length).toBeLessThan(all.findings.length);
  }, 120_000);

  it('writes the report to --output and prints nothing on stdout', async () => {
    const file = path.join(tmp, 'report.json');
    const [toFile, toStdout] = await Promise.all([
      throttled(() => runCli(['analyze', BROKEN, '--format', 'json', '--lang', 'en', '--output', file])),
      analyze(BROKEN, 'json', 'en'),
    ]);
    expect(toFile).toMatchObject({ code: 1, stdout: '' });
    expect(await fs.readFile(file, 'utf8')).toBe(toStdout.stdout);
  }, 120_000);

  it('takes the language from LANG when --lang is not given', async () => {
    const [ja, en] = await Promise.all([
      throttled(() => runCli(['analyze', HEALTHY, '--format', 'markdown'], { LANG: 'ja_JP.UTF-8' })),
      throttled(() => runCli(['analyze', HEALTHY, '--format', 'markdown'], { LANG: 'en_US.UTF-8' })),
    ]);
    expect(ja.stdout).toBe((await analyze(HEALTHY, 'markdown', 'ja')).stdout);
    expect(en.stdout).toBe((await analyze(HEALTHY, 'markdown', 'en')).stdout);
  }, 120_000);

  it('writes no ANSI codes to a pipe, with or without NO_COLOR', async () => {
    const [plain, noColor] = await Promise.all([
      throttled(() => runCli(['analyze', BROKEN])),
      throttled(() => runCli(['analyze', BROKEN], { NO_COLOR: '1' })),
    ]);
    expect(plain.stdout).toContain('[CRITICAL]');
    expect(plain.stdout).not.toMatch(ANSI);
    expect(noColor.stdout).toBe(plain.stdout);
  }, 120_000);

  // util-linux `script` gives the CLI a real terminal, the one case where colour is on unless NO_COLOR says no.
  const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!hasScript)('colours a terminal unless NO_COLOR is set', async () => {
    const command = `'${process.execPath.replace(/'/g, `'\\''`)}' dist/cli/main.js analyze ${HEALTHY}`;
    const inTerminal = (env: Record<string, string>) =>
      throttled(
        () =>
          new Promise<string>((resolve, reject) => {
            execFile('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: childEnv(env), encoding: 'utf8' }, (error, stdout) =>
              error ? reject(error) : resolve(stdout),
            );
          }),
      );
    const [coloured, noColor] = await Promise.all([inTerminal({}), inTerminal({ NO_COLOR: '1' })]);
    expect(coloured).toMatch(ANSI);
    expect(noColor).toContain('Rules passed');
    expect(noColor).not.toMatch(ANSI);
  }, 120_000);
  it('stops quietly when the reader of its output goes away (`labsnap rules list | head -1`)', () => {
    // A JSON report is longer than a pipe buffer, so the reader leaves while labsnap is still writing.
    const piped = spawnSync('sh', ['-c', `'${process.execPath.replace(/'/g, `'\\''`)}' dist/cli/main.js analyze ${BROKEN} --format json --fail-on never | head -c 10; '${process.execPath.replace(/'/g, `'\\''`)}' dist/cli/main.js rules list | head -1`], {
      cwd: ROOT,
      env: childEnv({}),
      encoding: 'utf8',
    });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toMatch(/^\{\n {2}"/);
    expect(piped.stdout).toContain('arp-duplicate-reply');
    expect(piped.stderr).not.toMatch(/internal error|EPIPE/);
  }, 120_000);
});
