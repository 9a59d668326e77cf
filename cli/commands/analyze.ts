// `labsnap analyze BUNDLE`: argv → analyzePath → a rendered report on stdout or --output, exit code by --fail-on.
// BUNDLE may be another tool's output (troubleshoot.sh, cluster-info dump, sos report): it is imported on the fly.
import { writeFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { analyzePath, failsAt, type FailOn } from '../../analyzer/engine/run.js';
import type { Topology } from '../../analyzer/model/topology.js';
import { renderHtml } from '../../analyzer/report/render-html.js';
import { renderJson } from '../../analyzer/report/render-json.js';
import { renderJunit } from '../../analyzer/report/render-junit.js';
import { renderMarkdown } from '../../analyzer/report/render-markdown.js';
import { renderText } from '../../analyzer/report/render-text.js';
import type { Lang, Report, Severity } from '../../analyzer/report/types.js';
import type { CliContext } from '../context.js';

export type ReportFormat = 'text' | 'json' | 'markdown' | 'junit' | 'html';

/** ja_JP.UTF-8 and friends select Japanese; LC_ALL wins over LANG as in libc. */
export function langFromEnv(env: NodeJS.ProcessEnv): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^ja([_.@-]|$)/i.test(locale) ? 'ja' : 'en';
}

export function useColor(ctx: CliContext, toFile: boolean): boolean {
  if (toFile || ctx.env.NO_COLOR !== undefined && ctx.env.NO_COLOR !== '') return false;
  return ctx.stdout.isTTY === true;
}

export function renderReport(report: Report, format: ReportFormat, options: { color: boolean; failOn: FailOn; width?: number; topology?: Topology }): string {
  switch (format) {
    case 'html':
      return renderHtml(report, options.topology);
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'junit':
      return renderJunit(report, { failOn: options.failOn });
    default:
      return renderText(report, { color: options.color, ...(options.width ? { width: options.width } : {}) });
  }
}

export function registerAnalyze(parser: Argv, ctx: CliContext): void {
  parser.command(
    'analyze <bundle>',
    'Analyze a saved bundle offline and report what is wrong (a labsnap bundle, a troubleshoot.sh bundle, a kubectl cluster-info dump or a sos report)',
    (y) =>
      y
        .positional('bundle', { type: 'string', demandOption: true, describe: 'bundle .tar.gz/.tar.xz or folder; the kind is recognised by its content (docs/inputs.md)' })
        .option('format', { choices: ['text', 'json', 'markdown', 'junit', 'html'] as const, default: 'text' as const, describe: 'report format' })
        .option('output', { alias: 'o', type: 'string', describe: 'write the report to this file instead of stdout' })
        .option('lang', { choices: ['en', 'ja'] as const, describe: 'report language (default from LC_ALL/LANG)' })
        .option('rules', { type: 'string', array: true, default: [] as string[], describe: 'extra rule folders to load (repeatable)' })
        .option('only', { type: 'string', describe: 'run only these rule ids (comma-separated)' })
        .option('namespace', { alias: 'n', type: 'string', describe: 'keep only findings about this namespace' })
        .option('fail-on', { choices: ['critical', 'warning', 'info', 'never'] as const, default: 'critical' as const, describe: 'exit 1 when a finding at or above this severity exists' }),
    async (args) => {
      const lang = (args.lang as Lang | undefined) ?? langFromEnv(ctx.env);
      const only = args.only ? args.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
      const { report, warnings, topology } = await analyzePath({
        bundle: args.bundle,
        lang,
        rulesDirs: args.rules,
        ...(only ? { only } : {}),
        ...(args.namespace ? { namespace: args.namespace } : {}),
      });
      for (const w of warnings) ctx.stderr.write(`labsnap: warning: ${w}\n`);
      const failOn = args['fail-on'] as FailOn;
      const width = ctx.stdout.isTTY ? (ctx.stdout as { columns?: number }).columns : undefined;
      const text = renderReport(report, args.format as ReportFormat, { color: useColor(ctx, args.output !== undefined), failOn, topology, ...(width ? { width } : {}) });
      if (args.output) {
        writeFileSync(args.output, text);
        ctx.stderr.write(`labsnap: report written to ${args.output}\n`);
      } else ctx.stdout.write(text);
      ctx.exitCode = failsAt(report, failOn) ? 1 : 0;
    },
  );
}
