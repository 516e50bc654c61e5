/**
 * Every failure the user can act on is a MigrationError with a stable code, a one-line message that names the
 * file or server involved, an optional hint saying what to do, and the CLI exit code for that class of failure.
 * Exit codes are documented in docs/migration.md ("Exit codes"); keep the two in step.
 */
export const ErrorCodes = {
  // 2: the command line itself is wrong
  USAGE: 2,
  // 10–19: the SQLite source cannot be read completely
  SOURCE_NOT_FOUND: 10,
  SOURCE_IS_DIRECTORY: 11,
  SOURCE_NOT_SQLITE: 12,
  SOURCE_CORRUPT: 13,
  SOURCE_EMPTY: 14,
  SOURCE_ENCRYPTED: 15,
  SOURCE_TOO_LARGE: 16,
  SOURCE_UNCHECKPOINTED: 17,
  SOURCE_UNREADABLE: 18,
  /** sync: a table or view the plan reads was changed, dropped or renamed since the last sync. */
  SOURCE_SCHEMA_CHANGED: 19,
  // 20–29: the MongoDB target cannot be used
  TARGET_URL_INVALID: 20,
  TARGET_UNREACHABLE: 21,
  TARGET_AUTH_FAILED: 22,
  TARGET_DB_NAME_INVALID: 23,
  TARGET_NOT_EMPTY: 24,
  TARGET_REFUSED: 25,
  /** --apply-schema against a server without collection validators (FerretDB v1). */
  TARGET_NO_VALIDATORS: 26,
  /** The plan names a shard key but the server is not a mongos. */
  TARGET_NOT_SHARDED: 27,
  // 30–39: the plan or intermediate file is wrong
  PLAN_INVALID: 30,
  INPUT_FILE_INVALID: 31,
  /** --resume / --incremental / rollback found no run to continue from, or the source or plan changed since. */
  HISTORY_MISMATCH: 32,
  // 40–49: the run finished but not everything is right
  ROWS_FAILED: 40,
  VALIDATION_FAILED: 41,
  /** Some source rows are neither written, folded, refused nor skipped with a reason (report: accounting). */
  ROWS_UNACCOUNTED: 42,
  // 130: cancelled by the user (Ctrl+C / Cancel button), like a shell's SIGINT code
  CANCELLED: 130,
  INTERNAL: 1,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class MigrationError extends Error {
  readonly exitCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
    this.exitCode = ErrorCodes[code];
  }
}

export function isMigrationError(e: unknown): e is MigrationError {
  return e instanceof MigrationError;
}

/** Throws the standard cancellation error when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MigrationError('CANCELLED', 'Cancelled by the user.');
}
