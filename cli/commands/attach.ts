// `labsnap attach BUNDLE [HOST:]FILE...`: adds files (a failed `kubeadm init` log, a screenshot's text) to a
// bundle collected earlier, recorded in its manifest, optionally as belonging to one host.
import type { Argv } from 'yargs';
import { attachToBundle } from '../../collector/attach.js';
import type { CliContext } from '../context.js';

export function registerAttach(parser: Argv, ctx: CliContext): void {
  parser.command(
    'attach <bundle> <files..>',
    'Add files to an existing bundle under attachments/ (HOST:FILE ties one to a host)',
    (y) =>
      y
        .positional('bundle', { type: 'string', demandOption: true, describe: 'A .tar.gz bundle; replaced by the new one once it is complete' })
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'FILE or HOST:FILE (HOST: a host of the bundle)' })
        .option('out', { type: 'string', describe: 'Write the new bundle here and leave BUNDLE unchanged' }),
    async (a) => {
      const result = await attachToBundle({ bundle: a.bundle, files: (a.files ?? []).map(String), out: a.out ?? null, cwd: ctx.cwd });
      for (const item of result.added) {
        const who = item.host ? ` (host ${item.host}${item.hostAttribution === 'inferred' ? `, inferred: ${item.hostAttributionReason}` : ''})` : '';
        ctx.stdout.write(`added ${item.path}${who}\n`);
      }
      ctx.stdout.write(`bundle: ${result.bundle.path} (${result.bundle.bytes} bytes)\n`);
    },
  );
}
