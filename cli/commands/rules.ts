// `labsnap rules list|show|validate|test`.
import type { Argv } from 'yargs';
import { loadRules } from '../../analyzer/engine/load-rules.js';
import { describeRelation, renderRuleDocs } from '../../analyzer/engine/rule-docs.js';
import { ruleFolder, testRules } from '../../analyzer/engine/run.js';
import { packageInfo } from '../../common/package-root.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findRegressionCases, runRegressionCase } from '../../analyzer/engine/tester.js';
import type { Lang } from '../../analyzer/report/types.js';
import type { Relation } from '../../analyzer/engine/types.js';
import { UsageError } from '../../common/errors.js';
import type { CliContext } from '../context.js';
import { langFromEnv } from './analyze.js';

export function registerRules(parser: Argv, ctx: CliContext): void {
  parser.command('rules', 'List, show, validate and test rules', (y) =>
    y
      .command(
        'list',
        'List the rules (built-in and --rules folders)',
        (yy) =>
          yy
            .option('format', { choices: ['text', 'json'] as const, default: 'text' as const })
            .option('rules', { type: 'string', array: true, default: [] as string[] })
            .option('lang', { choices: ['en', 'ja'] as const }),
        async (args) => {
          const lang = (args.lang as Lang | undefined) ?? langFromEnv(ctx.env);
          const pack = await loadRules(args.rules);
          if (args.format === 'json') {
            const rows = pack.rules.map((r) => ({ id: r.meta.id, area: r.meta.area, severity: r.meta.severity, title: r.meta.title, pack: r.pack, logic: r.check ? 'check' : 'declarative' }));
            ctx.stdout.write(`${JSON.stringify({ version: pack.version, hash: pack.hash, rules: rows }, null, 2)}\n`);
            return;
          }
          const idWidth = Math.max(...pack.rules.map((r) => r.meta.id.length), 2);
          for (const r of pack.rules) ctx.stdout.write(`${r.meta.id.padEnd(idWidth)}  ${r.meta.severity.padEnd(8)}  ${r.meta.area.padEnd(8)}  ${r.meta.title[lang]}\n`);
          ctx.stdout.write(`${pack.rules.length} rules, pack ${pack.version} sha256:${pack.hash.slice(0, 12)}\n`);
        },
      )
      .command(
        'show <id>',
        'Show one rule: texts, confirm commands, logic',
        (yy) => yy.positional('id', { type: 'string', demandOption: true }).option('rules', { type: 'string', array: true, default: [] as string[] }).option('lang', { choices: ['en', 'ja'] as const }),
        async (args) => {
          const lang = (args.lang as Lang | undefined) ?? langFromEnv(ctx.env);
          const pack = await loadRules(args.rules);
          const rule = pack.rules.find((r) => r.meta.id === args.id);
          if (!rule) throw new UsageError(`no rule with id ${args.id} (see \`labsnap rules list\`)`);
          const m = rule.meta;
          const out = [
            `${m.id}  [${m.severity}]  ${m.title[lang]}`,
            '',
            `${lang === 'ja' ? '症状' : 'Symptom'}: ${m.symptom[lang]}`,
            `${lang === 'ja' ? '典型原因' : 'Cause'}: ${m.cause[lang]}`,
            `${lang === 'ja' ? '対処' : 'Fix'}: ${m.fix[lang]}`,
            `${lang === 'ja' ? '確認コマンド' : 'Confirm'}:`,
            ...m.confirm.map((c) => `  $ ${c}`),
            `${lang === 'ja' ? 'ロジック' : 'Logic'}: ${rule.check ? `check ${m.check}` : 'declarative (when:)'}`,
            ...relationLines(pack.relations.filter((r) => r.cause === m.id), 'cause', lang === 'ja' ? 'これが説明する検出' : 'Explains'),
            ...relationLines(pack.relations.filter((r) => r.consequence === m.id), 'consequence', lang === 'ja' ? 'これを説明する検出' : 'Explained by'),
            `${lang === 'ja' ? '場所' : 'Folder'}: ${rule.pack === 'builtin' ? `analyzer/rules/${rule.dir}` : ruleFolder(rule)}`,
            ...(m.refs?.length ? [`${lang === 'ja' ? '参照' : 'Refs'}:`, ...m.refs.map((r) => `  - ${r}`)] : []),
          ];
          ctx.stdout.write(`${out.join('\n')}\n`);
          function relationLines(list: Relation[], side: 'cause' | 'consequence', label: string): string[] {
            return list.length === 0 ? [] : [`${label}:`, ...list.map((r) => `  - ${describeRelation(r, side, lang)}`)];
          }
        },
      )
      .command(
        'validate <dirs..>',
        'Validate rule folders against the rule schema (errors name file, line and field)',
        (yy) => yy.positional('dirs', { type: 'string', array: true, demandOption: true }),
        async (args) => {
          const pack = await loadRules(args.dirs as string[], { builtin: false });
          ctx.stdout.write(`${pack.rules.length} rule${pack.rules.length === 1 ? '' : 's'} valid\n`);
        },
      )
      .command(
        'test [paths..]',
        'Run every rule\'s case table and the regression cases (expected.yaml beside a bundle) under the paths (default: fixtures/)',
        (yy) => yy.positional('paths', { type: 'string', array: true }).option('rules', { type: 'string', array: true, default: [] as string[] }),
        async (args) => {
          const paths = (args.paths as string[] | undefined)?.length ? (args.paths as string[]) : ['fixtures'];
          const outcomes = await testRules(args.rules, false);
          let failed = 0;
          for (const o of outcomes) {
            if (!o.ok) failed++;
            const mark = o.ok ? (o.kind === 'todo' ? 'todo' : 'pass') : 'FAIL';
            if (!o.ok || o.kind === 'todo') ctx.stdout.write(`${mark}  ${o.rule} [${o.kind}] ${o.name}${o.detail ? `\n      ${o.detail}` : ''}\n`);
          }
          ctx.stdout.write(`rule cases: ${outcomes.length - failed} passed, ${failed} failed\n`);
          const pack = await loadRules(args.rules);
          const cases = await findRegressionCases(paths);
          let regressionFailed = 0;
          for (const file of cases) {
            const r = await runRegressionCase(file, pack);
            if (!r.ok) regressionFailed++;
            ctx.stdout.write(`${r.ok ? 'pass' : 'FAIL'}  ${r.case}\n`);
            for (const line of r.diff) ctx.stdout.write(`      ${line}\n`);
            for (const note of r.notes) ctx.stdout.write(`      note: ${note}\n`);
          }
          ctx.stdout.write(`regression cases: ${cases.length - regressionFailed} passed, ${regressionFailed} failed\n`);
          ctx.exitCode = failed + regressionFailed > 0 ? 1 : 0;
        },
      )
      .command(
        'docs',
        'Print, write (--write) or check (--check) docs/rules.md and docs/rules.ja.md, generated from rule metadata',
        (yy) => yy.option('write', { type: 'boolean', default: false }).option('check', { type: 'boolean', default: false }).option('lang', { choices: ['en', 'ja'] as const }),
        async (args) => {
          const pack = await loadRules();
          const targets = [
            { lang: 'en' as const, file: join(packageInfo().root, 'docs', 'rules.md') },
            { lang: 'ja' as const, file: join(packageInfo().root, 'docs', 'rules.ja.md') },
          ];
          if (!args.write && !args.check) {
            ctx.stdout.write(renderRuleDocs(pack, (args.lang as Lang | undefined) ?? langFromEnv(ctx.env)));
            return;
          }
          const stale: string[] = [];
          for (const t of targets) {
            const text = renderRuleDocs(pack, t.lang);
            const current = existsSync(t.file) ? readFileSync(t.file, 'utf8') : undefined;
            if (current === text) continue;
            if (args.write) writeFileSync(t.file, text);
            else stale.push(t.file);
          }
          if (stale.length > 0) {
            ctx.stderr.write(`labsnap: stale rule docs: ${stale.join(', ')}; run \`npm run docs:rules\`\n`);
            ctx.exitCode = 1;
          }
        },
      )
      .demandCommand(1, 'Name a subcommand: list, show, validate, test, docs'),
  );
}
