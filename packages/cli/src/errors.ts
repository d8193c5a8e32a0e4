/**
 * How the CLI fails: `UsageError` for a command line it cannot run (exit 1), and the mapping of
 * every error to an exit code and a stable code for `--json`: usage and validation errors
 * (`UsageError`, core's `LifecycleError`s such as `KeyNotFoundError`, and `ConfigurationError`: no
 * master key, a database schema not migrated) exit 1; store errors (core's `StoreError`s and
 * `KeysFileError`: unreadable, corrupt, locked, a database that cannot be reached) and anything
 * unexpected exit 2.
 */
import { ConfigurationError, KeysFileError, LifecycleError, StoreError } from '@keyscope/core';

/** The exit codes of `keyscope`. */
export const EXIT = Object.freeze({ ok: 0, usage: 1, store: 2 });

/**
 * A command line the CLI cannot run: an unknown command or option, a missing or malformed value.
 *
 * @example
 * ```ts
 * throw new UsageError('keys revoke needs a <keyId>');
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'ERR_USAGE';
}

/** The exit code for an error. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof StoreError || error instanceof KeysFileError) return EXIT.store;
  if (
    error instanceof UsageError ||
    error instanceof LifecycleError ||
    error instanceof ConfigurationError
  ) {
    return EXIT.usage;
  }
  return EXIT.store;
}

/** The stable code reported with `--json`. */
export function errorCode(error: unknown): string {
  if (error instanceof UsageError || error instanceof LifecycleError) return error.code;
  if (error instanceof KeysFileError) return 'ERR_KEYS_FILE';
  if (error instanceof ConfigurationError) return 'ERR_CONFIGURATION';
  return 'ERR_INTERNAL';
}

/** The error's message on one line. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}
