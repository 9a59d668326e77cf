// `labsnap diff OLD NEW`: argv → diffPaths → a rendered diff on stdout or --output, exit code by --fail-on
// applied to the findings that appeared.
import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { diffFailsAt, type DiffReport } from '../../analyzer/diff/diff.js';
import { diffPaths } from '../../analyzer/diff/load.js';
import { renderDiffHtml, renderDiffJson, renderDiffMarkdown, renderDiffText } from '../../analyzer/diff/render.js';
import type { FailOn } from '../../analyzer/engine/run.js';
import type { Lang } from '../../analyzer/report/types.js';
import type { CliContext } from '../context.js';
import { langFromEnv } from './analyze.js';

export type DiffFormat = 'text' | 'json' | 'markdown' | 'html';

export function renderDiff(diff: DiffReport, format: DiffFormat): string {
  switch (format) {
    case 'json':
      return renderDiffJson(diff);
    case 'markdown':
      return renderDiffMarkdown(diff);
    case 'html':
      return renderDiffHtml(diff);
    default:
      return renderDiffText(diff);
  }
}

export function registerDiff(parser: Argv, ctx: CliContext): void {
  parser.command(
    'diff <old> <new>',
    'What changed between two bundles of the same cluster: findings, objects, host facts, log warnings',
    (y) =>
      y
        .positional('old', { type: 'string', demandOption: true, describe: 'the earlier bundle (.tar.gz or extracted directory)' })
        .positional('new', { type: 'string', demandOption: true, describe: 'the later bundle' })
        .option('format', { choices: ['text', 'json', 'markdown', 'html'] as const, default: 'text' as const, describe: 'output format' })
        .option('output', { alias: 'o', type: 'string', describe: 'write the diff to this file instead of stdout' })
        .option('lang', { choices: ['en', 'ja'] as const, describe: 'language (default from LC_ALL/LANG)' })
        .option('rules', { type: 'string', array: true, default: [] as string[], describe: 'extra rule folders to load (repeatable)' })
        .option('include-churn', { type: 'boolean', default: false, describe: 'also compare resourceVersions, uids, timestamps, restart counts, heartbeats' })
        .option('fail-on', { choices: ['critical', 'warning', 'info', 'never'] as const, default: 'critical' as const, describe: 'exit 1 when a finding at or above this severity appeared' }),
    async (args) => {
      const lang = (args.lang as Lang | undefined) ?? langFromEnv(ctx.env);
      const { diff, warnings } = await diffPaths({ old: args.old, new: args.new, lang, rulesDirs: args.rules, includeChurn: args['include-churn'] });
      for (const w of warnings) ctx.stderr.write(`labsnap: warning: ${w}\n`);
      const text = renderDiff(diff, args.format as DiffFormat);
      if (args.output) {
        writeFileSync(args.output, text);
        ctx.stderr.write(`labsnap: diff written to ${args.output}\n`);
      } else ctx.stdout.write(text);
      ctx.exitCode = diffFailsAt(diff, args['fail-on'] as FailOn) ? 1 : 0;
    },
  );
}
