// Typed errors that commands throw; only cli/ turns them into messages and exit codes.

export abstract class LabsnapError extends Error {
  abstract readonly exitCode: number;
}

/** Bad flags or arguments, a bad inventory or rule file: the user can fix the input. Exit 2. */
export class UsageError extends LabsnapError {
  override name = 'UsageError';
  readonly exitCode = 2;
}

/** Input that cannot be read or trusted (unreadable, hostile or invalid bundle). Exit 2. */
export class InputError extends LabsnapError {
  override name = 'InputError';
  readonly exitCode = 2;
}

/** A promise of ours was broken: a bug. Exit 3, with a hint to report it. */
export class InternalError extends LabsnapError {
  override name = 'InternalError';
  readonly exitCode = 3;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
