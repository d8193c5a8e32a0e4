/**
 * Reads the example server's environment (contract section 5) into a checked configuration:
 * `PORT` (default 3000), `HOST` (default 127.0.0.1), `KEYSCOPE_KEYS_FILE` (default: the demo keys
 * file), `KEYSCOPE_STORE` (a `postgres://` URL: the PostgreSQL store instead of the keys file,
 * never repeated in a message since it may hold a password) and `KEYSCOPE_RATE_LIMIT` (read, then
 * ignored: this build has no limiter). No I/O happens here.
 */
import { isPostgresUrl } from '@keyscope/postgres';

/**
 * The checked configuration of the example server.
 *
 * @example
 * ```ts
 * const { port, host } = readConfig(process.env, 'keys.demo.json');
 * ```
 */
export interface ServerConfig {
  /** Port to listen on; `0` asks the system for a free one. */
  readonly port: number;
  /** Interface to listen on. */
  readonly host: string;
  /** The keys file to serve (resolved against the working directory). */
  readonly keysFile: string;
  /**
   * `KEYSCOPE_STORE`: a `postgres://` URL of the PostgreSQL store to serve instead of the keys file
   * (its master keys come from `KEYSCOPE_MASTER_KEY`); absent when unset. May hold a password.
   */
  readonly store?: string;
  /** `KEYSCOPE_RATE_LIMIT` as given; this build has no limiter, so it is ignored. */
  readonly rateLimit: string | undefined;
}

/**
 * A setting the server cannot start with. The message never holds a secret (a `KEYSCOPE_STORE`
 * URL, which may carry a password, is never repeated).
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
 * @throws {StartupError} when `PORT` is not a port number, or `KEYSCOPE_STORE` is set but is not
 * a `postgres://` URL.
 * @example
 * ```ts
 * const config = readConfig(process.env, 'keys.demo.json');
 * console.log(config.port); // 3000 unless PORT says otherwise
 * ```
 */
export function readConfig(env: NodeJS.ProcessEnv, defaultKeysFile: string): ServerConfig {
  const store = nonEmpty(env.KEYSCOPE_STORE);
  // The URL may hold a password: never repeat it.
  if (store !== undefined && !isPostgresUrl(store)) {
    throw new StartupError('KEYSCOPE_STORE must be a postgres:// URL');
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
    ...(store === undefined ? {} : { store }),
    rateLimit: nonEmpty(env.KEYSCOPE_RATE_LIMIT),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
