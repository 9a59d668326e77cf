#!/usr/bin/env node
// The only place that reads argv, owns stdout/stderr and decides the process exit code.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { LabsnapError, UsageError, errorMessage } from '../common/errors.js';
import type { CliContext } from './context.js';
import { registerCommands } from './commands/index.js';

const BUG_HINT = 'This is a bug in labsnap. Please report it with the command you ran and this message.';

async function main(argv: string[]): Promise<number> {
  const abort = new AbortController();
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(ctx.interruptNotice ?? '\nInterrupted: finishing what was collected so far (Ctrl-C again to quit at once)\n');
    abort.abort();
  });
  const ctx: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    exitCode: 0,
    signal: abort.signal,
  };
  // `labsnap rules list | head`: the reader closing the pipe ends the output, not the program with a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ctx.exitCode);
    throw err;
  });
  const parser: Argv = yargs(argv)
    .scriptName('labsnap')
    .usage('$0 <command> [options]')
    .strict()
    .demandCommand(1, 'Name a command: collect, inspect, analyze, diff, serve, rules, redact, import, attach')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((message: string | undefined, err: Error | undefined) => {
      if (err) throw err;
      throw new UsageError(message ?? 'invalid command line');
    });
  registerCommands(parser, ctx);
  try {
    await parser.parseAsync();
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof LabsnapError) {
      process.stderr.write(`labsnap: ${err.message}\n`);
      if (err.exitCode === 3) process.stderr.write(`${BUG_HINT}\n`);
      return err.exitCode;
    }
    process.stderr.write(`labsnap: internal error: ${errorMessage(err)}\n`);
    if (err instanceof Error && err.stack && process.env.LABSNAP_DEBUG) process.stderr.write(`${err.stack}\n`);
    process.stderr.write(`${BUG_HINT}\n`);
    return 3;
  }
}

const code = await main(hideBin(process.argv));
// Let pending stdout writes flush (pipes are asynchronous) before the exit code is set.
process.exitCode = code;
