// docs/rules.md and docs/rules.ja.md are generated from rule metadata, so they cannot drift from the
// rules; `labsnap rules docs --check` (run by the test suite) fails when they are stale.
import type { Lang } from '../report/types.js';
import type { RulePack } from './load-rules.js';
import type { Condition, LoadedRule, Relation } from './types.js';

const HEAD: Record<Lang, { title: string; intro: string; area: string; id: string; severity: string; titleCol: string; symptom: string; cause: string; fix: string; confirm: string; logic: string; declarative: string; check: string; refs: string; explains: string; explainedBy: string }> = {
  en: {
    title: 'labsnap rules',
    intro: 'Generated from the rule folders under `analyzer/rules/` by `labsnap rules docs --write`; do not edit by hand. Rule ids are a public contract: suppress and regression-test by id.',
    area: 'Area',
    id: 'Rule id',
    severity: 'Severity',
    titleCol: 'Title',
    symptom: 'Symptom',
    cause: 'Typical cause',
    fix: 'Minimal fix',
    confirm: 'Confirm with',
    logic: 'Logic',
    declarative: 'declarative (`when:` in rule.yaml)',
    check: 'check module',
    refs: 'References',
    explains: 'Explains',
    explainedBy: 'Explained by',
  },
  ja: {
    title: 'labsnap ルール一覧',
    intro: '`analyzer/rules/` 以下のルールフォルダから `labsnap rules docs --write` で生成しています。手で編集しないでください。ルール ID は公開された約束事です（抑止や回帰テストは ID で行います）。',
    area: '領域',
    id: 'ルール ID',
    severity: '重大度',
    titleCol: 'タイトル',
    symptom: '症状',
    cause: '典型原因',
    fix: '対処（最小）',
    confirm: '確認コマンド',
    logic: 'ロジック',
    declarative: '宣言的（rule.yaml の `when:`）',
    check: 'チェックモジュール',
    refs: '参照',
    explains: 'これが説明する検出',
    explainedBy: 'これを説明する検出',
  },
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const JOIN: Record<Lang, (r: Relation) => string> = {
  en: (r) => (r.on === 'subject' ? 'same subject' : r.on === 'node' ? 'same node' : `a shared ${r.kinds?.join('/') ?? ''} object`.replace('  ', ' ')),
  ja: (r) => (r.on === 'subject' ? '同じ対象' : r.on === 'node' ? '同じノード' : `共通の ${r.kinds?.join('/') ?? ''} オブジェクト`.replace('  ', ' ')),
};

function conditionText(field: string, c: Condition): string {
  const [op, value] = Object.entries(c)[0] ?? ['', ''];
  const symbol: Record<string, string> = { eq: '=', ne: '≠', gt: '>', gte: '≥', lt: '<', lte: '≤', in: 'in', notIn: 'not in', matches: '~', contains: 'contains', exists: 'exists' };
  return op === 'exists' ? `${field} ${value ? 'exists' : 'absent'}` : `${field} ${symbol[op] ?? op} ${JSON.stringify(value)}`;
}

/**
 * One relation as a line of text, seen from `side`: the other rule, how the two findings are joined, the
 * conditions and whether the consequence is withdrawn. Shared by the rule docs and `labsnap rules show`.
 */
export function describeRelation(r: Relation, side: 'cause' | 'consequence', lang: Lang, link: (id: string) => string = (id) => id): string {
  const ja = lang === 'ja';
  const other = side === 'cause' ? r.consequence : r.cause;
  const conds = [
    ...Object.entries(r.when?.cause ?? {}).map(([f, c]) => `${ja ? '原因の ' : 'cause '}${conditionText(f, c)}`),
    ...Object.entries(r.when?.consequence ?? {}).map(([f, c]) => `${ja ? '結果の ' : 'consequence '}${conditionText(f, c)}`),
  ];
  const parts = [JOIN[lang](r), ...(conds.length ? [`${ja ? '条件' : 'when'} ${conds.join(ja ? '、' : ', ')}`] : []), ...(r.withdraw ? [ja ? '取り下げ' : 'withdraws it'] : [])];
  return `${link(other)} (${parts.join(ja ? '、' : '; ')})${r.withdraw ? `: ${r.withdraw[lang]}` : ''}`;
}

function section(rule: LoadedRule, lang: Lang, relations: Relation[]): string[] {
  const h = HEAD[lang];
  const m = rule.meta;
  const link = (id: string) => `[\`${id}\`](#${id})`;
  const explains = relations.filter((r) => r.cause === m.id).map((r) => describeRelation(r, 'cause', lang, link));
  const explainedBy = relations.filter((r) => r.consequence === m.id).map((r) => describeRelation(r, 'consequence', lang, link));
  return [
    `### ${m.id}`,
    '',
    `**${m.title[lang]}** — ${m.severity}, ${m.area}`,
    '',
    `- ${h.symptom}: ${m.symptom[lang]}`,
    `- ${h.cause}: ${m.cause[lang]}`,
    `- ${h.fix}: ${m.fix[lang]}`,
    `- ${h.logic}: ${rule.check ? `${h.check} \`${m.check}\`` : h.declarative}`,
    ...(explains.length ? [`- ${h.explains}: ${explains.join('; ')}`] : []),
    ...(explainedBy.length ? [`- ${h.explainedBy}: ${explainedBy.join('; ')}`] : []),
    '',
    `${h.confirm}:`,
    '',
    '```sh',
    ...m.confirm,
    '```',
    ...(m.refs?.length ? ['', `${h.refs}:`, '', ...m.refs.map((r) => `- ${r}`)] : []),
    '',
  ];
}

export function renderRuleDocs(pack: RulePack, lang: Lang): string {
  const h = HEAD[lang];
  const rules = pack.rules.filter((r) => r.pack === 'builtin');
  const areas = [...new Set(rules.map((r) => r.meta.area))].sort();
  const lines = [`# ${h.title}`, '', h.intro, '', `| ${h.id} | ${h.area} | ${h.severity} | ${h.titleCol} |`, '| --- | --- | --- | --- |'];
  for (const r of rules) lines.push(`| [\`${r.meta.id}\`](#${r.meta.id}) | ${r.meta.area} | ${r.meta.severity} | ${cell(r.meta.title[lang])} |`);
  lines.push('');
  for (const area of areas) {
    lines.push(`## ${area}`, '');
    for (const r of rules.filter((x) => x.meta.area === area)) lines.push(...section(r, lang, pack.relations));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
