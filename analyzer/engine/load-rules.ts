// Loads rule folders (the built-in pack and users' --rules directories): validates each rule.yaml
// against schemas/rule.schema.json, checks what a schema cannot (id = folder name, regexes compile,
// fact collections exist, check module exports `check`), and imports check modules.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fg from 'fast-glob';
import { UsageError } from '../../common/errors.js';
import { packageInfo } from '../../common/package-root.js';
import { formatProblem, validateAgainst, type SchemaProblem } from '../../common/schema.js';
import { loadYamlLocated, YamlSyntaxError, type LocatedYaml } from '../../common/yaml.js';
import ruleSchema from '../../schemas/rule.schema.json' with { type: 'json' };
import { collection, collectionNames } from './collections/index.js';
import type { CheckFunction, LoadedRule, Relation, RuleMeta } from './types.js';
import { compareText } from '../../common/compare.js';

export const BUILTIN_PACK = 'builtin';

export class RuleLoadError extends UsageError {
  override name = 'RuleLoadError';
  constructor(readonly problems: SchemaProblem[]) {
    super(`invalid rule file${problems.length > 1 ? 's' : ''}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
  }
}

export function builtinRulesDir(): string {
  return join(packageInfo().root, 'analyzer', 'rules');
}

function checkRegex(source: string, file: string, pointer: string, located: LocatedYaml, problems: SchemaProblem[]): void {
  try {
    new RegExp(source);
    if (/\\k<[A-Za-z_]/.test(source)) throw new Error('named back-references are not supported');
  } catch (err) {
    const line = located.lineOf(pointer);
    problems.push({ file, pointer, message: `invalid regular expression: ${(err as Error).message}`, ...(line !== undefined ? { line } : {}) });
  }
}

const CJK = '\\u3040-\\u30ff\\u3400-\\u9fff\\uff01-\\uff5e';
const FOLDED_SPACE = new RegExp(`(?<=[${CJK}\\u3001\\u3002\\uff09\\u300d\\u300f]) (?=[${CJK}])|(?<=[\\u3001\\u3002\\uff09\\u300d\\u300f]) `, 'g');

/**
 * YAML folded scalars (`>-`) join lines with a space, which Japanese does not use between words; the
 * space is dropped where it stands after Japanese punctuation or between two Japanese characters.
 */
export function unfoldJapanese(text: string): string {
  return text.replace(FOLDED_SPACE, '');
}

function normalizeTexts(meta: RuleMeta): void {
  for (const key of ['title', 'symptom', 'cause', 'fix', 'summary'] as const) meta[key].ja = unfoldJapanese(meta[key].ja);
}

/** Validation a schema cannot express. */
function semanticProblems(meta: RuleMeta, file: string, folder: string, located: LocatedYaml): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const at = (pointer: string, message: string) => {
    const line = located.lineOf(pointer);
    problems.push({ file, pointer, message, ...(line !== undefined ? { line } : {}) });
  };
  if (meta.id !== folder) at('/id', `must equal the rule's folder name (${folder})`);
  if ((meta.when === undefined) === (meta.check === undefined)) at('', 'needs exactly one of `when` (declarative logic) or `check` (a module)');
  for (const [name, spec] of Object.entries(meta.patterns ?? {})) {
    if (/^when\d+$/.test(name)) at(`/patterns/${name}`, 'names of the form whenN are reserved for inline matchers');
    checkRegex(spec.regex, file, `/patterns/${name}/regex`, located, problems);
    if (spec.pods !== undefined) checkRegex(spec.pods, file, `/patterns/${name}/pods`, located, problems);
  }
  for (const side of ['explains', 'explainedBy'] as const) {
    meta[side]?.forEach((r, i) => {
      if (r.rule === meta.id) at(`/${side}/${i}/rule`, 'a rule cannot explain itself');
      if (r.kinds !== undefined && r.on !== 'object') at(`/${side}/${i}/kinds`, 'kinds only applies with on: object');
      for (const [role, where] of Object.entries(r.when ?? {})) {
        for (const [field, cond] of Object.entries(where ?? {})) {
          if (cond.matches !== undefined) checkRegex(cond.matches, file, `/${side}/${i}/when/${role}/${field}/matches`, located, problems);
        }
      }
    });
  }
  meta.when?.any.forEach((m, i) => {
    if ('fact' in m) {
      if (!collection(m.fact)) at(`/when/any/${i}/fact`, `unknown fact collection; known: ${collectionNames().join(', ')}`);
      for (const [field, cond] of Object.entries(m.where ?? {})) {
        if (cond.matches !== undefined) checkRegex(cond.matches, file, `/when/any/${i}/where/${field}/matches`, located, problems);
      }
    } else {
      checkRegex(m.log.regex, file, `/when/any/${i}/log/regex`, located, problems);
    }
  });
  return problems;
}

async function importCheck(ruleDir: string, checkFile: string, pack: string, packRoot: string): Promise<CheckFunction> {
  let modulePath = join(ruleDir, checkFile);
  const info = packageInfo();
  if (pack === BUILTIN_PACK && !info.fromSource && checkFile.endsWith('.ts')) {
    // Built-in checks are compiled next to the rest of labsnap under dist/.
    modulePath = join(info.root, 'dist', 'analyzer', 'rules', relative(packRoot, ruleDir), checkFile.replace(/\.ts$/, '.js'));
  }
  if (!existsSync(modulePath)) throw new Error(`check module ${modulePath} does not exist`);
  const mod = (await import(pathToFileURL(modulePath).href)) as { check?: unknown };
  if (typeof mod.check !== 'function') throw new Error(`${checkFile} does not export a function named check`);
  return mod.check as CheckFunction;
}

/** Loads one rule folder; problems are collected rather than thrown so one run reports them all. */
async function loadRuleFolder(ruleYaml: string, pack: string, packRoot: string, problems: SchemaProblem[]): Promise<LoadedRule | undefined> {
  const ruleDir = dirname(ruleYaml);
  const file = pack === BUILTIN_PACK ? relative(packageInfo().root, ruleYaml) : ruleYaml;
  const text = readFileSync(ruleYaml, 'utf8');
  let located: LocatedYaml;
  try {
    located = loadYamlLocated(text, file);
  } catch (err) {
    if (err instanceof YamlSyntaxError) {
      problems.push({ file, pointer: '', message: err.reason, ...(err.line !== undefined ? { line: err.line } : {}) });
      return undefined;
    }
    throw err;
  }
  const schemaProblems = validateAgainst(ruleSchema, located.value, file, located);
  if (schemaProblems.length > 0) {
    problems.push(...schemaProblems);
    return undefined;
  }
  const meta = located.value as RuleMeta;
  normalizeTexts(meta);
  const semantic = semanticProblems(meta, file, basename(ruleDir), located);
  if (semantic.length > 0) {
    problems.push(...semantic);
    return undefined;
  }
  let digestInput = text;
  let check: CheckFunction | undefined;
  if (meta.check) {
    try {
      check = await importCheck(ruleDir, meta.check, pack, packRoot);
      digestInput += readFileSync(join(ruleDir, meta.check), 'utf8');
    } catch (err) {
      problems.push({ file, pointer: '/check', message: (err as Error).message, ...(located.lineOf('/check') !== undefined ? { line: located.lineOf('/check')! } : {}) });
      return undefined;
    }
  }
  const cases = join(ruleDir, 'cases.yaml');
  if (existsSync(cases)) digestInput += readFileSync(cases, 'utf8');
  return { meta, dir: relative(packRoot, ruleDir), pack, digestInput, ...(check ? { check } : {}) };
}

export interface RulePack {
  rules: LoadedRule[];
  /** Every explains/explainedBy declaration of the pack, as cause → consequence. */
  relations: Relation[];
  version: string;
  /** sha256 over every rule's files, so a report says exactly which rules produced it. */
  hash: string;
}

export async function loadRules(userDirs: string[] = [], options: { builtin?: boolean } = {}): Promise<RulePack> {
  const packs: { pack: string; root: string }[] = [];
  if (options.builtin !== false) packs.push({ pack: BUILTIN_PACK, root: builtinRulesDir() });
  for (const dir of userDirs) {
    const root = resolve(dir);
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`--rules ${dir}: not a directory`);
    packs.push({ pack: dir, root });
  }
  const problems: SchemaProblem[] = [];
  const rules: LoadedRule[] = [];
  for (const { pack, root } of packs) {
    const files = (await fg('**/rule.yaml', { cwd: root, absolute: true, followSymbolicLinks: false })).sort();
    if (files.length === 0 && pack !== BUILTIN_PACK) throw new UsageError(`--rules ${pack}: no rule.yaml found below it`);
    for (const f of files) {
      const rule = await loadRuleFolder(f, pack, root, problems);
      if (rule) rules.push(rule);
    }
  }
  const byId = new Map<string, LoadedRule>();
  for (const r of rules) {
    const other = byId.get(r.meta.id);
    if (other) problems.push({ file: join(r.pack, r.dir, 'rule.yaml'), pointer: '/id', message: `duplicate rule id ${r.meta.id} (also in ${join(other.pack, other.dir)})` });
    byId.set(r.meta.id, r);
  }
  const relations = packRelations(rules, options.builtin !== false, problems);
  if (problems.length > 0) throw new RuleLoadError(problems);
  rules.sort((a, b) => compareText(a.meta.id, b.meta.id));
  const hash = createHash('sha256');
  for (const r of rules) hash.update(`${r.meta.id}\u0000${r.digestInput}\u0000`);
  return { rules, relations, version: packageInfo().version, hash: hash.digest('hex') };
}

/**
 * Both directions of the relation in one list. An unknown rule id is an error once the built-in pack is
 * loaded (a --rules pack validated alone may name built-in rules), and so is a cycle: a finding must have
 * a root cause to be listed under.
 */
function packRelations(rules: LoadedRule[], complete: boolean, problems: SchemaProblem[]): Relation[] {
  const ids = new Set(rules.map((r) => r.meta.id));
  const relations: Relation[] = [];
  const fileOf = (r: LoadedRule) => (r.pack === BUILTIN_PACK ? join('analyzer', 'rules', r.dir, 'rule.yaml') : join(r.pack, r.dir, 'rule.yaml'));
  for (const r of rules) {
    const file = fileOf(r);
    for (const side of ['explains', 'explainedBy'] as const) {
      r.meta[side]?.forEach((spec, i) => {
        if (complete && !ids.has(spec.rule)) {
          problems.push({ file, pointer: `/${side}/${i}/rule`, message: `unknown rule id ${spec.rule} (see \`labsnap rules list\`)` });
          return;
        }
        const [cause, consequence] = side === 'explains' ? [r.meta.id, spec.rule] : [spec.rule, r.meta.id];
        relations.push({ cause, consequence, on: spec.on, ...(spec.kinds ? { kinds: spec.kinds } : {}), ...(spec.when ? { when: spec.when } : {}), ...(spec.withdraw ? { withdraw: spec.withdraw } : {}), declaredBy: r.meta.id });
      });
    }
  }
  const cycle = findCycle(relations);
  if (cycle) {
    const first = relations.find((x) => x.cause === cycle[0] && x.consequence === cycle[1])!;
    const declaring = rules.find((x) => x.meta.id === first.declaredBy)!;
    problems.push({ file: fileOf(declaring), pointer: first.declaredBy === first.cause ? '/explains' : '/explainedBy', message: `the explains relation has a cycle (${cycle.join(' explains ')}): every chain of causes must end in a root cause` });
  }
  return relations.sort((a, b) => compareText(a.cause, b.cause) || compareText(a.consequence, b.consequence));
}

function findCycle(relations: Relation[]): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const r of relations) next.set(r.cause, [...(next.get(r.cause) ?? []), r.consequence]);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const n of [...(next.get(id) ?? [])].sort(compareText)) {
      const found = visit(n);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of [...next.keys()].sort(compareText)) {
    const found = visit(id);
    if (found) return found;
  }
  return undefined;
}
