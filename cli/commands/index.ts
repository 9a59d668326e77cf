// Every command the CLI offers, registered in one place.
import type { Argv } from 'yargs';
import type { CliContext } from '../context.js';

export function registerCommands(parser: Argv, ctx: CliContext): void {
  void parser;
  void ctx;
}
