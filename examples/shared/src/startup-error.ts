/**
 * The error of a setting an example server cannot start with, and the one way the servers react
 * to start-up failures: `cannot start: <reason>` on stderr and exit code 1. The reasons never hold
 * a secret: a `KEYSCOPE_STORE` URL, which may carry a password, is never repeated.
 */
import { ConfigurationError, KeysFileError, StoreError } from '@keyscope/core';

/**
 * A setting the server cannot start with. The message is meant for the operator and never holds
 * a secret (a `KEYSCOPE_STORE` URL, which may carry a password, is never repeated).
 *
 * @example
 * ```ts
 * if (error instanceof StartupError) console.error(error.message);
 * ```
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * Ends the process the way every example server does when it cannot start: for a bad setting
 * (`StartupError`), keys file (`KeysFileError`), store configuration (`ConfigurationError`: a bad
 * master key...) or store (`StoreError`: a schema not migrated, a database that cannot be
 * reached), it prints `cannot start: <message>` on stderr and exits with code 1. Those messages
 * never repeat the `KEYSCOPE_STORE` URL.
 *
 * @throws the error itself, unchanged, when it is none of those (a bug, not a setting).
 * @example
 * ```ts
 * let config: ServerConfig;
 * try {
 *   config = readConfig(process.env, 'keys.demo.json');
 * } catch (error) {
 *   exitOnStartupError(error);
 * }
 * ```
 */
export function exitOnStartupError(error: unknown): never {
  if (
    error instanceof StartupError ||
    error instanceof KeysFileError ||
    error instanceof ConfigurationError ||
    error instanceof StoreError
  ) {
    console.error(`cannot start: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
