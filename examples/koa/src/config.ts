/**
 * Reads the example server's environment (contract section 5) into a checked configuration:
 * `PORT`, `HOST`, `KEYSCOPE_KEYS_FILE`, and the two settings this build does not serve yet,
 * `KEYSCOPE_STORE` (refused with a clear message) and `KEYSCOPE_RATE_LIMIT` (read, then ignored).
 * Nothing here touches the network or the file system.
 */

/** The checked configuration of the example server. */
export interface ServerConfig {
  /** Port to listen on; `0` asks the system for a free one. */
  readonly port: number;
  /** Interface to listen on. */
  readonly host: string;
  /** The keys file to serve (resolved against the working directory). */
  readonly keysFile: string;
  /**
   * `KEYSCOPE_RATE_LIMIT` as given. Reserved: this build has no limiter yet, so it is ignored and
   * every answer is the one of the contract's section 4. The limiter plugs in here when it lands.
   */
  readonly rateLimit: string | undefined;
}

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
 * Reads and checks the environment.
 *
 * @param env - the environment, usually `process.env`
 * @param defaultKeysFile - the keys file used when `KEYSCOPE_KEYS_FILE` is unset
 * @throws {StartupError} when `PORT` is not a port number, or `KEYSCOPE_STORE` is set (the
 * PostgreSQL store is not available in this build).
 * @example
 * ```ts
 * const config = readConfig(process.env, 'keys.demo.json');
 * console.log(config.port); // 3000 unless PORT says otherwise
 * ```
 */
export function readConfig(env: NodeJS.ProcessEnv, defaultKeysFile: string): ServerConfig {
  if (nonEmpty(env.KEYSCOPE_STORE) !== undefined) {
    throw new StartupError(
      'KEYSCOPE_STORE is set, but the PostgreSQL store is not available in this build; ' +
        'unset KEYSCOPE_STORE to serve the keys file (KEYSCOPE_KEYS_FILE)',
    );
  }
  const rawPort = nonEmpty(env.PORT) ?? '3000';
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new StartupError(`PORT must be a port number from 0 to 65535, not "${rawPort}"`);
  }
  return {
    port,
    host: nonEmpty(env.HOST) ?? '127.0.0.1',
    keysFile: nonEmpty(env.KEYSCOPE_KEYS_FILE) ?? defaultKeysFile,
    rateLimit: nonEmpty(env.KEYSCOPE_RATE_LIMIT),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
