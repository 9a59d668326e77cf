// Two ways to prove rules: the case table beside each rule (inline mini-bundles that must fire / must
// stay silent), and regression cases (a saved bundle with expected.yaml beside it).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import fg from 'fast-glob';
import { classifyPath, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION } from '../../bundle/layout.js';
import type { HostRecord, HostRole, ItemKind, ItemRecord, Manifest } from '../../bundle/manifest.js';
import { openBundle, openMemoryBundle } from '../../bundle/reader.js';
import { UsageError } from '../../common/errors.js';
import { packageInfo } from '../../common/package-root.js';
import { formatProblem, validateAgainst } from '../../common/schema.js';
import { loadYamlLocated } from '../../common/yaml.js';
import casesSchema from '../../schemas/cases.schema.json' with { type: 'json' };
import expectedSchema from '../../schemas/expected.schema.json' with { type: 'json' };
import type { Finding, Report } from '../report/types.js';
import { analyzeBundle } from './analyze.js';
import type { RulePack } from './load-rules.js';
import type { LoadedRule } from './types.js';
import { compareText } from '../../common/compare.js';

export interface RuleCase {
  name: string;
  cluster?: string;
  collectedAt?: string;
  hosts?: Record<string, HostRole[]>;
  unreached?: Record<string, string>;
  items?: (Partial<ItemRecord> & Pick<ItemRecord, 'path' | 'status'>)[];
  files: Record<string, string>;
  /** Bundle path → a file beside the case table (path relative to cases.yaml's folder): real objects kept once under fixtures/. */
  fromFiles?: Record<string, string>;
  names?: string[];
  count?: number;
}

export interface CaseTable {
  fire: RuleCase[];
  silent: RuleCase[];
  skip?: RuleCase[];
  todo?: RuleCase[];
}

export interface CaseOutcome {
  rule: string;
  kind: 'fire' | 'silent' | 'skip' | 'todo';
  name: string;
  ok: boolean;
  /** What went wrong, or for todo cases what happens today. */
  detail: string;
}

export const DEFAULT_CASE_TIME = '2026-11-27T10:00:00Z';

function kindOf(path: string): ItemKind {
  const ref = classifyPath(path);
  if (ref.area === 'host-cmd') return 'command';
  if (ref.area === 'host-capture') return 'capture';
  if (ref.area === 'attachment') return 'attachment';
  if (ref.area === 'host-file') return 'file';
  return 'kube';
}

/** The manifest a real collection of exactly these files would have written. */
export function caseManifest(c: RuleCase): Manifest {
  const hostNames = new Set<string>(Object.keys(c.hosts ?? {}));
  for (const p of Object.keys(c.files)) {
    const h = /^hosts\/([^/]+)\//.exec(p)?.[1];
    if (h) hostNames.add(h);
  }
  for (const h of Object.keys(c.unreached ?? {})) hostNames.add(h);
  const hosts: HostRecord[] = [...hostNames].sort().map((name, i) => ({
    name,
    address: `192.0.2.${i + 10}`,
    roles: c.hosts?.[name] ?? ['worker'],
    reached: !(c.unreached && name in c.unreached),
    error: c.unreached?.[name] ?? null,
  }));
  const at = c.collectedAt ?? DEFAULT_CASE_TIME;
  const items = new Map<string, ItemRecord>();
  for (const [path, content] of Object.entries(c.files)) {
    items.set(path, { path, host: /^hosts\/([^/]+)\//.exec(path)?.[1] ?? null, kind: kindOf(path), source: path, status: 'ok', exitCode: 0, bytes: Buffer.byteLength(content), truncated: false });
  }
  for (const o of c.items ?? []) {
    const prior = items.get(o.path);
    items.set(o.path, { ...(prior ?? { path: o.path, host: /^hosts\/([^/]+)\//.exec(o.path)?.[1] ?? null, kind: kindOf(o.path), source: o.path, truncated: false }), ...o } as ItemRecord);
  }
  return {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    tool: { name: 'labsnap', version: packageInfo().version },
    cluster: c.cluster ?? 'homelab',
    collectedAt: at,
    finishedAt: at,
    commandLine: ['labsnap', 'rules', 'test'],
    mode: 'synthetic',
    hosts,
    items: [...items.values()].sort((a, b) => compareText(a.path, b.path)),
    interrupted: false,
  };
}

/** Everything a finding names: scope names, objects as name and namespace/name, and its summary. */
export function namedBy(f: Finding): string[] {
  return [...f.scope.names, ...f.objects.flatMap((o) => (o.namespace ? [o.name, `${o.namespace}/${o.name}`] : [o.name])), f.summary];
}

function names(findings: Finding[], wanted: string): boolean {
  return findings.some((f) => namedBy(f).some((n) => n === wanted || (n === f.summary && n.includes(wanted))));
}

function describeFindings(findings: Finding[]): string {
  return findings.length === 0 ? 'no finding' : findings.map((f) => `${f.severity} ${f.scope.level}:${f.scope.names.join(',')}: ${f.summary}`).join('\n      ');
}

export function loadCaseTable(rule: LoadedRule, ruleDir: string): CaseTable {
  const file = join(ruleDir, 'cases.yaml');
  if (!existsSync(file)) throw new UsageError(`${rule.meta.id}: no cases.yaml beside rule.yaml (a rule needs must-fire and must-stay-silent cases)`);
  const located = loadYamlLocated(readFileSync(file, 'utf8'), file);
  const problems = validateAgainst(casesSchema, located.value, relative(packageInfo().root, file) || file, located);
  if (problems.length > 0) throw new UsageError(`invalid case table:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  const table = located.value as CaseTable;
  const seen = new Set<string>();
  for (const c of [...table.fire, ...table.silent, ...(table.skip ?? []), ...(table.todo ?? [])]) {
    if (seen.has(c.name)) throw new UsageError(`${file}: duplicate case name "${c.name}"`);
    seen.add(c.name);
    c.files ??= {};
    for (const [bundleFile, source] of Object.entries(c.fromFiles ?? {})) {
      if (bundleFile in c.files) throw new UsageError(`${file}: case "${c.name}": ${bundleFile} is given both inline (files) and by reference (fromFiles)`);
      const full = resolve(ruleDir, source);
      if (!existsSync(full) || !statSync(full).isFile()) throw new UsageError(`${file}: case "${c.name}": fromFiles ${bundleFile}: ${source} is not a file (paths are relative to the folder of cases.yaml)`);
      c.files[bundleFile] = readFileSync(full, 'utf8');
    }
  }
  return table;
}

export async function runCase(rule: LoadedRule, pack: RulePack, kind: CaseOutcome['kind'], c: RuleCase): Promise<CaseOutcome> {
  const manifest = caseManifest(c);
  const bundle = openMemoryBundle(c.files, manifest, `case-${rule.meta.id}`);
  const single: RulePack = { ...pack, rules: [rule] };
  const { report } = await analyzeBundle(bundle, single, { lang: 'en' });
  const mine = report.findings.filter((f) => f.ruleId === rule.meta.id);
  const skipped = report.skipped.find((s) => s.ruleId === rule.meta.id);
  const base = { rule: rule.meta.id, kind, name: c.name };
  if (kind === 'skip') return { ...base, ok: skipped !== undefined, detail: skipped ? '' : `expected the rule to be skipped, got ${describeFindings(mine)}` };
  if (skipped) {
    const detail = `rule was skipped: ${skipped.reason} (${skipped.missing.join('; ')})`;
    return kind === 'todo' ? { ...base, ok: true, detail: `known gap: ${detail}` } : { ...base, ok: false, detail };
  }
  if (kind === 'silent') return { ...base, ok: mine.length === 0, detail: mine.length === 0 ? '' : `must stay silent but fired:\n      ${describeFindings(mine)}` };
  const missing = (c.names ?? []).filter((n) => !names(mine, n));
  const countOk = c.count === undefined || c.count === mine.length;
  const ok = mine.length > 0 && missing.length === 0 && countOk;
  const detail = ok
    ? ''
    : mine.length === 0
      ? 'must fire but found nothing'
      : [missing.length > 0 ? `no finding names ${missing.join(', ')}` : '', countOk ? '' : `expected ${c.count} findings, got ${mine.length}`, `got:\n      ${describeFindings(mine)}`].filter(Boolean).join('; ');
  if (kind === 'todo') return { ...base, ok: true, detail: ok ? 'todo case passes now: move it to fire' : `known gap: ${detail}` };
  return { ...base, ok, detail };
}

/** Runs a rule's whole case table; a table without both must-fire and must-stay-silent cases is refused. */
export async function testRule(rule: LoadedRule, pack: RulePack, ruleDir: string): Promise<CaseOutcome[]> {
  const table = loadCaseTable(rule, ruleDir);
  const out: CaseOutcome[] = [];
  for (const [kind, cases] of [['fire', table.fire], ['silent', table.silent], ['skip', table.skip ?? []], ['todo', table.todo ?? []]] as const) {
    for (const c of cases) out.push(await runCase(rule, pack, kind, c));
  }
  return out;
}

// ---- regression cases: saved bundles with expected.yaml ----

export interface Expected {
  fires?: { rule: string; names?: string | string[]; severity?: string }[];
  silent?: string[];
  skipped?: string[];
  todo?: string[];
}

export interface RegressionOutcome {
  /** The folder holding expected.yaml. */
  case: string;
  ok: boolean;
  /** Lines of a diff: `- expected` / `+ actual`. */
  diff: string[];
  notes: string[];
}

/** The bundle an expected.yaml describes: its own folder (a directory bundle) or the one archive or bundle folder beside it. */
function bundleBeside(expectedFile: string): string {
  const dir = dirname(expectedFile);
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  const candidates = readdirSync(dir)
    .filter((n) => /\.(tar\.gz|tgz)$/.test(n) || (statSync(join(dir, n)).isDirectory() && existsSync(join(dir, n, 'manifest.json'))))
    .sort();
  if (candidates.length !== 1) throw new UsageError(`${expectedFile}: expected exactly one bundle (a .tar.gz or a folder with manifest.json) beside it, found ${candidates.length}`);
  return join(dir, candidates[0]!);
}

export function compareExpected(expected: Expected, report: Report): { diff: string[]; notes: string[] } {
  const diff: string[] = [];
  const notes: string[] = [];
  const todo = new Set(expected.todo ?? []);
  for (const want of expected.fires ?? []) {
    const found = report.findings.filter((f) => f.ruleId === want.rule && (want.severity === undefined || f.severity === want.severity));
    const wanted = want.names === undefined ? [] : Array.isArray(want.names) ? want.names : [want.names];
    const missingNames = wanted.filter((n) => !names(found, n));
    const fails = found.length === 0 || missingNames.length > 0;
    if (fails && todo.has(want.rule)) {
      notes.push(`todo ${want.rule}: still not firing as expected`);
      continue;
    }
    if (found.length === 0) {
      const skip = report.skipped.find((s) => s.ruleId === want.rule);
      diff.push(`- fires ${want.rule}${wanted.length ? ` naming ${wanted.join(', ')}` : ''}`, `+ ${skip ? `skipped: ${skip.reason}` : 'did not fire'}`);
    } else if (missingNames.length > 0) {
      diff.push(`- fires ${want.rule} naming ${missingNames.join(', ')}`, ...found.map((f) => `+ ${f.ruleId} named ${f.scope.names.join(', ')}: ${f.summary}`));
    }
  }
  for (const id of expected.silent ?? []) {
    const found = report.findings.filter((f) => f.ruleId === id);
    if (found.length > 0) diff.push(`- silent ${id}`, ...found.map((f) => `+ ${f.ruleId} fired: ${f.summary}`));
  }
  for (const id of expected.skipped ?? []) {
    if (!report.skipped.some((s) => s.ruleId === id)) diff.push(`- skipped ${id}`, `+ ${report.findings.some((f) => f.ruleId === id) ? 'fired' : 'ran and passed'}`);
  }
  return { diff, notes };
}

export async function findRegressionCases(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new UsageError(`${p}: no such file or directory`);
    if (statSync(p).isFile()) {
      if (basename(p) !== 'expected.yaml') throw new UsageError(`${p}: give a folder, or an expected.yaml`);
      files.push(p);
    } else files.push(...(await fg('**/expected.yaml', { cwd: p, absolute: false, followSymbolicLinks: false })).map((f) => join(p, f)));
  }
  return [...new Set(files)].sort();
}

export async function runRegressionCase(expectedFile: string, pack: RulePack): Promise<RegressionOutcome> {
  const located = loadYamlLocated(readFileSync(expectedFile, 'utf8'), expectedFile);
  const problems = validateAgainst(expectedSchema, located.value ?? {}, expectedFile, located);
  if (problems.length > 0) throw new UsageError(`invalid expectations:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  const expected = (located.value ?? {}) as Expected;
  const known = new Set(pack.rules.map((r) => r.meta.id));
  const unknown = [...(expected.fires ?? []).map((f) => f.rule), ...(expected.silent ?? []), ...(expected.skipped ?? [])].filter((id) => !known.has(id));
  if (unknown.length > 0) throw new UsageError(`${expectedFile}: unknown rule id${unknown.length > 1 ? 's' : ''}: ${[...new Set(unknown)].join(', ')}`);
  const bundle = await openBundle(bundleBeside(expectedFile));
  const { report } = await analyzeBundle(bundle, pack, { lang: 'en' });
  const { diff, notes } = compareExpected(expected, report);
  return { case: dirname(expectedFile), ok: diff.length === 0, diff, notes };
}
