// `labsnap serve BUNDLE`: a read-only Kubernetes API over a saved bundle, for kubectl. Runs until Ctrl-C
// (or SIGTERM), then closes the server and removes the kubeconfig it wrote.
import type { Argv } from 'yargs';
import { UsageError } from '../../common/errors.js';
import { startServe } from '../../serve/serve.js';
import type { CliContext } from '../context.js';

/** Quoted for a POSIX shell when it has to be, so the printed line can be pasted as is. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function registerServe(parser: Argv, ctx: CliContext): void {
  parser.command(
    'serve <bundle>',
    'Serve a saved bundle as a read-only Kubernetes API on localhost, for kubectl get/describe/logs',
    (y) =>
      y
        .positional('bundle', { type: 'string', demandOption: true, describe: 'bundle .tar.gz or extracted directory' })
        .option('port', { type: 'number', default: 0, describe: 'port to listen on (default: a free one)' })
        .option('address', { type: 'string', default: '127.0.0.1', describe: 'address to listen on (loopback unless --allow-remote)' })
        .option('allow-remote', { type: 'boolean', default: false, describe: 'allow a non-loopback --address (the API has no authentication)' })
        .option('kubeconfig', { type: 'string', describe: 'write the kubeconfig here (must not exist; default: a new temp folder)' })
        .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'log every request on stderr' }),
    async (args) => {
      if (!LOOPBACK.test(args.address) && !args['allow-remote']) {
        throw new UsageError(`--address ${args.address} is not a loopback address; the API has no authentication, so add --allow-remote if you really mean it`);
      }
      if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new UsageError(`--port ${args.port}: expected a port number 0-65535`);
      ctx.interruptNotice = '\nStopping the server and removing its kubeconfig\n';
      const serving = await startServe({
        bundle: args.bundle,
        host: args.address,
        port: args.port,
        ...(args.kubeconfig !== undefined ? { kubeconfig: args.kubeconfig } : {}),
        ...(args.verbose ? { log: (line: string) => ctx.stderr.write(`labsnap serve: ${line}\n`) } : {}),
      });
      const onTerm = () => void stop();
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const stop = async () => {
        process.off('SIGTERM', onTerm);
        await serving.stop();
        done();
      };
      process.once('SIGTERM', onTerm);
      if (ctx.signal.aborted) await stop();
      else ctx.signal.addEventListener('abort', () => void stop(), { once: true });
      const m = serving.index.bundle.manifest;
      for (const p of serving.index.problems) ctx.stderr.write(`labsnap: warning: ${p.path}: ${p.problem} (not served)\n`);
      ctx.stdout.write(
        `Serving ${serving.index.bundle.rootName} (cluster ${m.cluster}, collected ${m.collectedAt}) read-only at ${serving.url}\n` +
          `${serving.index.resources.reduce((n, r) => n + r.objects.length, 0)} objects of ${serving.index.resources.length} kinds, ${serving.index.logs.size} pod logs.\n\n` +
          `export KUBECONFIG=${shellWord(serving.kubeconfig)}\n` +
          `kubectl get pods -A\n\n` +
          `Ctrl-C stops the server and removes the kubeconfig.\n`,
      );
      await finished;
    },
  );
}
