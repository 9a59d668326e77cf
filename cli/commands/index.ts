// Every command the CLI offers, registered in one place.
import type { Argv } from 'yargs';
import type { CliContext } from '../context.js';
import { registerAnalyze } from './analyze.js';
import { registerAttach } from './attach.js';
import { registerCollect } from './collect.js';
import { registerImport } from './import.js';
import { registerDiff } from './diff.js';
import { registerInspect } from './inspect.js';
import { registerRedact } from './redact.js';
import { registerRules } from './rules.js';
import { registerServe } from './serve.js';

export function registerCommands(parser: Argv, ctx: CliContext): void {
  registerAnalyze(parser, ctx);
  registerRules(parser, ctx);
  registerCollect(parser, ctx);
  registerInspect(parser, ctx);
  registerRedact(parser, ctx);
  registerAttach(parser, ctx);
  registerImport(parser, ctx);
  registerServe(parser, ctx);
  registerDiff(parser, ctx);
}
