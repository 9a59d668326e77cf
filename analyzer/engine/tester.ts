// Two ways to prove rules: the case table beside each rule (inline mini-bundles that must fire / must
// stay silent), and regression cases (a saved bundle with expected.yaml beside it).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import fg from 'fast-glob';
import { classifyPath, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION } from '../../bundle/layout.js';
import type { HostRecord, HostRole, ItemKind, ItemRecord, Manifest } from '../../bundle/manifest.js';
import { openInput } from '../../bundle/import/open.js';
import { openMemoryBundle } from '../../bundle/reader.js';
import { UsageError } from '../../common/errors.js';
import { packageInfo } from '../../common/package-root.js';
import { formatProblem, validateAgainst } from '../../common/schema.js';
import { loadYamlLocated, YamlSyntaxError } from '../../common/yaml.js';
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
  /** Other rules of the pack run beside this one, so the explains relation between them is evaluated. */
  with?: string[];
  /** Rules of `with` that must fire too (a case about a relation proves nothing if its cause is silent). */
  alsoFire?: string[];
  /** Fire cases: every finding of this rule is a consequence of a finding of this rule. */
  explainedBy?: string;
  /** Fire cases: the rule fired, and a finding of this rule withdrew every finding. */
  withdrawnBy?: string;
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
  return findings.length === 0
    ? 'no finding'
    : findings.map((f) => `${f.severity} ${f.scope.level}:${f.scope.names.join(',')}: ${f.summary}${f.causedBy ? ` (caused by ${f.causedBy.map((r) => r.ruleId).join(', ')})` : ''}`).join('\n      ');
}

export function loadCaseTable(rule: LoadedRule, ruleDir: string): CaseTable {
  const file = join(ruleDir, 'cases.yaml');
  if (!existsSync(file)) throw new UsageError(`${rule.meta.id}: no cases.yaml beside rule.yaml (a rule needs must-fire and must-stay-silent cases)`);
  let located;
  try {
    located = loadYamlLocated(readFileSync(file, 'utf8'), file);
  } catch (err) {
    // A typo in a case table is the author's to fix, not a labsnap bug.
    if (err instanceof YamlSyntaxError) throw new UsageError(err.message);
    throw err;
  }
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
    const alongside = new Set(c.with ?? []);
    for (const [field, ids] of [['explainedBy', c.explainedBy === undefined ? [] : [c.explainedBy]], ['withdrawnBy', c.withdrawnBy === undefined ? [] : [c.withdrawnBy]], ['alsoFire', c.alsoFire ?? []]] as const) {
      const outside = ids.filter((id) => !alongside.has(id));
      if (outside.length > 0) throw new UsageError(`${file}: case "${c.name}": ${field} names ${outside.join(', ')}, which is not in its \`with\` list`);
    }
    if (c.explainedBy !== undefined && c.withdrawnBy !== undefined) throw new UsageError(`${file}: case "${c.name}": a finding is either explained or withdrawn, not both`);
  }
  for (const c of [...table.silent, ...(table.skip ?? [])]) {
    if (c.explainedBy !== undefined || c.withdrawnBy !== undefined) throw new UsageError(`${file}: case "${c.name}": explainedBy and withdrawnBy belong to fire (or todo) cases`);
  }
  return table;
}

export async function runCase(rule: LoadedRule, pack: RulePack, kind: CaseOutcome['kind'], c: RuleCase): Promise<CaseOutcome> {
  const base = { rule: rule.meta.id, kind, name: c.name };
  const alongside = (c.with ?? []).map((id) => pack.rules.find((r) => r.meta.id === id));
  const unknown = (c.with ?? []).filter((_, i) => alongside[i] === undefined);
  if (unknown.length > 0) return { ...base, ok: false, detail: `with: unknown rule id ${unknown.join(', ')}` };
  const manifest = caseManifest(c);
  const bundle = openMemoryBundle(c.files, manifest, `case-${rule.meta.id}`);
  const single: RulePack = { ...pack, rules: [rule, ...(alongside as LoadedRule[])] };
  const { report } = await analyzeBundle(bundle, single, { lang: 'en' });
  const mine = report.findings.filter((f) => f.ruleId === rule.meta.id);
  const withdrawn = report.withdrawn.filter((f) => f.ruleId === rule.meta.id);
  const skipped = report.skipped.find((s) => s.ruleId === rule.meta.id);
  if (kind === 'skip') return { ...base, ok: skipped !== undefined, detail: skipped ? '' : `expected the rule to be skipped, got ${describeFindings(mine)}` };
  if (skipped) {
    const detail = `rule was skipped: ${skipped.reason} (${skipped.missing.join('; ')})`;
    return kind === 'todo' ? { ...base, ok: true, detail: `known gap: ${detail}` } : { ...base, ok: false, detail };
  }
  const silentOthers = (c.alsoFire ?? []).filter((id) => !report.findings.some((f) => f.ruleId === id) && !report.withdrawn.some((f) => f.ruleId === id));
  const othersDetail = silentOthers.length > 0 ? `expected ${silentOthers.join(', ')} to fire alongside, but ${silentOthers.length > 1 ? 'they did' : 'it did'} not` : '';
  if (kind === 'silent') {
    const fired = [...mine, ...withdrawn];
    const details = [fired.length === 0 ? '' : `must stay silent but fired:\n      ${describeFindings(fired)}`, othersDetail].filter(Boolean);
    return { ...base, ok: details.length === 0, detail: details.join('; ') };
  }
  let problems: string[];
  if (c.withdrawnBy !== undefined) {
    const by = c.withdrawnBy;
    const missing = (c.names ?? []).filter((n) => !names(withdrawn, n));
    problems = [
      withdrawn.length === 0 ? `expected a finding withdrawn by ${by}, none was withdrawn` : '',
      withdrawn.some((f) => f.withdrawnBy.ruleId !== by) ? `withdrawn by ${[...new Set(withdrawn.map((f) => f.withdrawnBy.ruleId))].join(', ')} instead of ${by}` : '',
      mine.length > 0 ? `still reported:\n      ${describeFindings(mine)}` : '',
      missing.length > 0 ? `no withdrawn finding names ${missing.join(', ')}` : '',
      c.count !== undefined && c.count !== withdrawn.length ? `expected ${c.count} withdrawn findings, got ${withdrawn.length}` : '',
    ];
  } else {
    const missing = (c.names ?? []).filter((n) => !names(mine, n));
    const countOk = c.count === undefined || c.count === mine.length;
    const relation =
      c.explainedBy !== undefined
        ? mine.filter((f) => !f.causedBy?.some((ref) => ref.ruleId === c.explainedBy)).map((f) => `not explained by ${c.explainedBy}: ${f.summary}`)
        : c.with !== undefined
          ? mine.filter((f) => f.causedBy !== undefined).map((f) => `expected a root cause, but ${f.causedBy!.map((ref) => ref.ruleId).join(', ')} explains: ${f.summary}`)
          : [];
    problems =
      mine.length === 0
        ? [withdrawn.length > 0 ? `must fire but was withdrawn by ${withdrawn[0]!.withdrawnBy.ruleId}: ${withdrawn[0]!.reason}` : 'must fire but found nothing']
        : [
            missing.length > 0 ? `no finding names ${missing.join(', ')}` : '',
            countOk ? '' : `expected ${c.count} findings, got ${mine.length}`,
            ...relation,
            missing.length > 0 || !countOk || relation.length > 0 ? `got:\n      ${describeFindings(mine)}` : '',
          ];
  }
  const detailList = [...problems, othersDetail].filter(Boolean);
  const ok = detailList.length === 0;
  const detail = detailList.join('; ');
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
  /** Without explainedBy a finding must be a root cause; with it, a consequence of that rule. */
  fires?: { rule: string; names?: string | string[]; severity?: string; explainedBy?: string }[];
  withdrawn?: { rule: string; by: string; names?: string | string[] }[];
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
    // Inputs other tools wrote count too (a troubleshoot.sh or sos archive, a folder): the importer detects them.
    .filter((n) => /\.(tar\.gz|tgz|tar\.xz)$/.test(n) || statSync(join(dir, n)).isDirectory())
    .sort();
  if (candidates.length !== 1) throw new UsageError(`${expectedFile}: expected exactly one bundle (a .tar.gz or a folder with manifest.json) beside it, found ${candidates.length}`);
  return join(dir, candidates[0]!);
}

export function compareExpected(expected: Expected, report: Report): { diff: string[]; notes: string[] } {
  const diff: string[] = [];
  const notes: string[] = [];
  const todo = new Set(expected.todo ?? []);
  const list = (n: string | string[] | undefined) => (n === undefined ? [] : Array.isArray(n) ? n : [n]);
  for (const want of expected.fires ?? []) {
    const any = report.findings.filter((f) => f.ruleId === want.rule && (want.severity === undefined || f.severity === want.severity));
    const related = (f: Finding) => (want.explainedBy === undefined ? f.causedBy === undefined : f.causedBy?.some((r) => r.ruleId === want.explainedBy) === true);
    const found = any.filter(related);
    const as = want.explainedBy !== undefined ? ` explained by ${want.explainedBy}` : any.length > found.length ? ' as a root cause' : '';
    const wanted = list(want.names);
    const missingNames = wanted.filter((n) => !names(found, n));
    const fails = found.length === 0 || missingNames.length > 0;
    if (fails && todo.has(want.rule)) {
      notes.push(`todo ${want.rule}: still not firing as expected`);
      continue;
    }
    const describe = (f: Finding) => `+ ${f.ruleId} named ${f.scope.names.join(', ')}${f.causedBy ? ` (caused by ${f.causedBy.map((r) => r.ruleId).join(', ')})` : ''}: ${f.summary}`;
    if (found.length === 0) {
      const skip = report.skipped.find((s) => s.ruleId === want.rule);
      const gone = report.withdrawn.find((f) => f.ruleId === want.rule);
      diff.push(
        `- fires ${want.rule}${as}${wanted.length ? ` naming ${wanted.join(', ')}` : ''}`,
        ...(any.length > 0 ? any.map(describe) : [`+ ${skip ? `skipped: ${skip.reason}` : gone ? `withdrawn by ${gone.withdrawnBy.ruleId}: ${gone.reason}` : 'did not fire'}`]),
      );
    } else if (missingNames.length > 0) {
      diff.push(`- fires ${want.rule}${as} naming ${missingNames.join(', ')}`, ...any.map(describe));
    }
  }
  for (const want of expected.withdrawn ?? []) {
    const found = report.withdrawn.filter((f) => f.ruleId === want.rule && f.withdrawnBy.ruleId === want.by);
    const missingNames = list(want.names).filter((n) => !names(found, n));
    if (found.length === 0 || missingNames.length > 0) {
      const still = report.findings.filter((f) => f.ruleId === want.rule);
      diff.push(
        `- withdrawn ${want.rule} by ${want.by}${missingNames.length ? ` naming ${missingNames.join(', ')}` : ''}`,
        ...(still.length > 0 ? still.map((f) => `+ ${f.ruleId} reported: ${f.summary}`) : [`+ ${report.withdrawn.some((f) => f.ruleId === want.rule) ? 'withdrawn by another rule' : 'did not fire'}`]),
      );
    }
  }
  for (const id of expected.silent ?? []) {
    const found = [...report.findings, ...report.withdrawn].filter((f) => f.ruleId === id);
    if (found.length > 0) diff.push(`- silent ${id}`, ...found.map((f) => `+ ${f.ruleId} fired${'withdrawnBy' in f ? ' (withdrawn)' : ''}: ${f.summary}`));
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
  const unknown = [
    ...(expected.fires ?? []).flatMap((f) => [f.rule, ...(f.explainedBy ? [f.explainedBy] : [])]),
    ...(expected.withdrawn ?? []).flatMap((w) => [w.rule, w.by]),
    ...(expected.silent ?? []),
    ...(expected.skipped ?? []),
  ].filter((id) => !known.has(id));
  if (unknown.length > 0) throw new UsageError(`${expectedFile}: unknown rule id${unknown.length > 1 ? 's' : ''}: ${[...new Set(unknown)].join(', ')}`);
  const { bundle } = await openInput(bundleBeside(expectedFile));
  const { report } = await analyzeBundle(bundle, pack, { lang: 'en' });
  const { diff, notes } = compareExpected(expected, report);
  return { case: dirname(expectedFile), ok: diff.length === 0, diff, notes };
}
