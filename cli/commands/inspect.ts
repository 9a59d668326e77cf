// `labsnap inspect BUNDLE`: hosts, items by status, sizes, and what is missing, as text or JSON.
import type { Argv } from 'yargs';
import { openBundle } from '../../bundle/reader.js';
import { inspectBundle, redactionReport, renderInspect, renderRedactions } from '../../collector/inspect.js';
import type { CliContext } from '../context.js';

export function registerInspect(parser: Argv, ctx: CliContext): void {
  parser.command(
    'inspect <bundle>',
    'Show what a bundle holds: hosts reached, items by status, sizes, failed items with their errors',
    (y) =>
      y
        .positional('bundle', { type: 'string', demandOption: true, describe: 'A .tar.gz bundle (or its extracted folder)' })
        .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Output format' })
        .option('redactions', { type: 'boolean', default: false, describe: 'Show what redaction removed, per item and redactor (counts only)' }),
    async (a) => {
      if (a.redactions) {
        const r = redactionReport((await openBundle(a.bundle)).manifest, a.bundle);
        ctx.stdout.write(a.format === 'json' ? `${JSON.stringify(r, null, 2)}\n` : renderRedactions(r));
        return;
      }
      const report = await inspectBundle(a.bundle);
      ctx.stdout.write(a.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderInspect(report));
    },
  );
}
