// `labsnap redact BUNDLE --out OUT`: re-redacts a bundle (one collected with --no-redact, or to add the
// user's own rules), optionally pseudonymizing it; the result is a new bundle, the input is not touched.
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { openBundle } from '../../bundle/reader.js';
import { exists } from '../../bundle/writer.js';
import { UsageError } from '../../common/errors.js';
import { formatBytes } from '../../collector/inspect.js';
import { redactBundleFile } from '../../collector/redact/index.js';
import { parsePseudonymKinds } from '../../collector/redact/pseudonymize.js';
import { UserRules } from '../../collector/redact/user-rules.js';
import type { CliContext } from '../context.js';

export function registerRedact(parser: Argv, ctx: CliContext): void {
  parser.command(
    'redact <bundle>',
    'Write a redacted (and optionally pseudonymized) copy of a bundle',
    (y) =>
      y
        .positional('bundle', { type: 'string', demandOption: true, describe: 'A .tar.gz bundle (or its extracted folder)' })
        .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'The new bundle (.tar.gz); never overwritten' })
        .option('redact-rules', { type: 'string', describe: 'Extra redaction rules, YAML (schemas/redact-rules.schema.json)' })
        .option('pseudonymize', { type: 'string', describe: 'Replace these consistently: ips,macs,hostnames (any of them)' })
        .option('map-out', { type: 'string', describe: 'With --pseudonymize: write the pseudonym → original map here (mode 0600)' })
        .check((a) => {
          if (a['map-out'] !== undefined && a.pseudonymize === undefined) throw new UsageError('--map-out needs --pseudonymize');
          return true;
        }),
    async (a) => {
      const out = resolve(ctx.cwd, a.out);
      if (await exists(out)) throw new UsageError(`--out ${a.out}: the file exists; labsnap does not overwrite bundles`);
      const mapOut = a['map-out'] !== undefined ? resolve(ctx.cwd, a['map-out']) : null;
      if (mapOut !== null && (await exists(mapOut))) throw new UsageError(`--map-out ${a['map-out']}: the file exists; choose another name`);
      const rules = a['redact-rules'] !== undefined ? await UserRules.load(resolve(ctx.cwd, a['redact-rules']), a['redact-rules']) : null;
      const pseudonymize = a.pseudonymize !== undefined ? parsePseudonymKinds(a.pseudonymize) : [];
      const result = await redactBundleFile(await openBundle(resolve(ctx.cwd, a.bundle)), out, { redact: true, rules, pseudonymize, mapOut });
      const removed = Object.entries(result.removed);
      const total = removed.reduce((n, [, v]) => n + v, 0);
      const lines = [`Redacted ${a.bundle} → ${result.bundle.path} (${formatBytes(result.bundle.bytes)}, ${result.bundle.entries} entries)`];
      lines.push(`Removed by this pass: ${total} value(s)${total > 0 ? ` (${removed.map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`);
      if (pseudonymize.length > 0) lines.push(`Pseudonymized: ${pseudonymize.join(', ')}${mapOut ? `; map written to ${a['map-out']} (keep it private)` : ''}`);
      for (const p of result.problems) lines.push(`  not copied: ${p.path}: ${p.problem}`);
      ctx.stderr.write(`${lines.join('\n')}\n`);
    },
  );
}
