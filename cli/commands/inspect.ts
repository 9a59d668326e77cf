// `labsnap inspect BUNDLE`: hosts, items by status, sizes, and what is missing, as text or JSON.
import type { Argv } from 'yargs';
import { inspectBundle, renderInspect } from '../../collector/inspect.js';
import type { CliContext } from '../context.js';

export function registerInspect(parser: Argv, ctx: CliContext): void {
  parser.command(
    'inspect <bundle>',
    'Show what a bundle holds: hosts reached, items by status, sizes, failed items with their errors',
    (y) =>
      y
        .positional('bundle', { type: 'string', demandOption: true, describe: 'A .tar.gz bundle (or its extracted folder)' })
        .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Output format' }),
    async (a) => {
      const report = await inspectBundle(a.bundle);
      ctx.stdout.write(a.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderInspect(report));
    },
  );
}
