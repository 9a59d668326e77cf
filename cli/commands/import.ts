// `labsnap import INPUT --out bundle.tar.gz [--host NAME=sosreport.tar.xz ...]`: writes what another tool
// collected (troubleshoot.sh bundle, kubectl cluster-info dump, sos reports) as a labsnap bundle, redacted
// like a collection unless --no-redact, so it can be analyzed, redacted again, or kept as a regression case.
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { openCombined, parseHostInput } from '../../bundle/import/combine.js';
import { describeInput } from '../../bundle/import/kinds.js';
import { exists } from '../../bundle/writer.js';
import { UsageError } from '../../common/errors.js';
import { formatBytes } from '../../collector/inspect.js';
import { redactBundleFile } from '../../collector/redact/index.js';
import type { CliContext } from '../context.js';

export function registerImport(parser: Argv, ctx: CliContext): void {
  parser.command(
    'import [input]',
    'Convert a troubleshoot.sh bundle, a kubectl cluster-info dump or sos reports into a labsnap bundle',
    (y) =>
      y
        .positional('input', { type: 'string', describe: 'troubleshoot.sh bundle or cluster-info dump (archive or folder), or one sos report' })
        .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'The new bundle (.tar.gz); never overwritten' })
        .option('host', { type: 'string', array: true, default: [] as string[], describe: 'NAME=PATH: a sos report of host NAME (repeatable)' })
        .option('redact', { type: 'boolean', default: true, describe: 'Redact secrets as collect does (--no-redact to keep them)' }),
    async (a) => {
      const out = resolve(ctx.cwd, a.out);
      if (await exists(out)) throw new UsageError(`--out ${a.out}: the file exists; labsnap does not overwrite bundles`);
      const hosts = a.host.map(parseHostInput).map((h) => ({ ...h, path: resolve(ctx.cwd, h.path) }));
      const opened = await openCombined(a.input !== undefined ? resolve(ctx.cwd, a.input) : undefined, hosts);
      const result = await redactBundleFile(opened, out, { redact: a.redact, rules: null, pseudonymize: [], mapOut: null });
      const removed = Object.values(result.removed).reduce((n, v) => n + v, 0);
      const lines = [
        `Imported ${describeInput(result.manifest)} → ${a.out} (${formatBytes(result.bundle.bytes)}, ${result.bundle.entries} entries)`,
        `Hosts: ${result.manifest.hosts.map((h) => h.name).join(', ') || 'none'}; collected at ${result.manifest.collectedAt}`,
        a.redact ? `Redacted: ${removed} value(s)` : 'Not redacted (--no-redact): the bundle may hold secrets',
      ];
      for (const p of result.problems) lines.push(`  not imported: ${p.path}: ${p.problem}`);
      ctx.stderr.write(`${lines.join('\n')}\n`);
    },
  );
}
