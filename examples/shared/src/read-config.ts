/**
 * Reads the example servers' environment (contract section 5) into a checked configuration, the
 * same for all four examples: `PORT` (default 3000), `HOST` (default 127.0.0.1),
 * `KEYSCOPE_KEYS_FILE` (default: the example's demo keys file), `KEYSCOPE_RATE_LIMIT` (the
 * failed-attempt limiter, off unless set) and `KEYSCOPE_STORE` (a `postgres://` URL: the
 * PostgreSQL store instead of the keys file, never repeated in a message since it may hold a
 * password). Nothing here touches the network or the file system.
 */
import { isPostgresUrl } from '@keyscope/postgres';
import { nonEmpty } from './internal/non-empty.js';
import { type RateLimitConfig, readRateLimit } from './internal/read-rate-limit.js';
import { StartupError } from './startup-error.js';

export type { RateLimitConfig } from './internal/read-rate-limit.js';

/**
 * The checked configuration of an example server.
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
   * Whether `keysFile` is the example's own demo keys file (`KEYSCOPE_KEYS_FILE` unset). Its
   * secrets are published in the repository, so a mode that lets others read it reveals nothing:
   * the server does not warn about it (it does for any other keys file).
   */
  readonly demoKeysFile: boolean;
  /**
   * `KEYSCOPE_STORE`: a `postgres://` URL of the PostgreSQL store to serve instead of the keys file
   * (its master keys come from `KEYSCOPE_MASTER_KEY`); absent when unset. May hold a password.
   */
  readonly store?: string;
  /**
   * The failed-attempt limiter read from `KEYSCOPE_RATE_LIMIT`, or `undefined` when it is unset:
   * then there is no limiter and every answer is the one of the contract's section 4.
   */
  readonly rateLimit: RateLimitConfig | undefined;
}

/**
 * Reads and checks the environment.
 *
 * @param env - the environment, usually `process.env`
 * @param defaultKeysFile - the keys file used when `KEYSCOPE_KEYS_FILE` is unset
 * @throws {StartupError} when `PORT` is not a port number, `KEYSCOPE_RATE_LIMIT` does not
 * follow its format, or `KEYSCOPE_STORE` is set but is not a `postgres://` URL.
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
    demoKeysFile: nonEmpty(env.KEYSCOPE_KEYS_FILE) === undefined,
    ...(store === undefined ? {} : { store }),
    rateLimit: readRateLimit(nonEmpty(env.KEYSCOPE_RATE_LIMIT)),
  };
}
