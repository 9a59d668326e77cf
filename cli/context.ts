// What a CLI command gets from main: where to print, the environment, and where to leave its exit code.
import type { Writable } from 'node:stream';

export interface CliContext {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The command's exit code (0 unless set). Commands never call process.exit. */
  exitCode: number;
  /** Aborted on the first Ctrl-C; long-running commands finish what they can and stop. */
  signal: AbortSignal;
  /** What the first Ctrl-C prints, when a command sets it (default: the collector's message). */
  interruptNotice?: string;
}
