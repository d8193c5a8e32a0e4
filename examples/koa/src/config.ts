/**
 * Reads the example server's environment (contract section 5) into a checked configuration:
 * `PORT`, `HOST`, `KEYSCOPE_KEYS_FILE`, `KEYSCOPE_RATE_LIMIT` (the failed-attempt limiter, off
 * unless set) and `KEYSCOPE_STORE` (a `postgres://` URL: the PostgreSQL store instead of the keys
 * file, never repeated in a message since it may hold a password). Nothing here touches the
 * network or the file system.
 */
import { isPostgresUrl } from '@keyscope/postgres';

/** The checked configuration of the example server. */
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
  /**
   * The failed-attempt limiter read from `KEYSCOPE_RATE_LIMIT`, or `undefined` when it is unset:
   * then there is no limiter and every answer is the one of the contract's section 4.
   */
  readonly rateLimit: RateLimitConfig | undefined;
}

/**
 * `KEYSCOPE_RATE_LIMIT=<failures>/<window>[/<failures per address>]`: at most `<failures>` failed
 * attempts per key id and client address in each `<window>` (seconds, or with a unit: `90s`,
 * `15m`, `1h`, `min`), and at most `<failures per address>` (default ten times `<failures>`) per
 * client address whatever the key. `10/60` is ten failures per key and address per minute, 100
 * per address. Past a limit the server answers 429 `too_many_requests` with `Retry-After`.
 *
 * @example
 * ```ts
 * readConfig({ KEYSCOPE_RATE_LIMIT: '10/60' }, 'keys.json').rateLimit;
 * // { maxFailuresPerKeyAndAddress: 10, maxFailuresPerAddress: 100, windowMs: 60000 }
 * ```
 */
export interface RateLimitConfig {
  readonly maxFailuresPerKeyAndAddress: number;
  readonly maxFailuresPerAddress: number;
  readonly windowMs: number;
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
    ...(store === undefined ? {} : { store }),
    rateLimit: readRateLimit(nonEmpty(env.KEYSCOPE_RATE_LIMIT)),
  };
}

const RATE_LIMIT = /^(\d{1,9})\/(\d{0,9})(s|m|min|h)?(?:\/(\d{1,9}))?$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

function readRateLimit(value: string | undefined): RateLimitConfig | undefined {
  if (value === undefined) return undefined;
  const match = RATE_LIMIT.exec(value);
  const failures = Number(match?.[1]);
  const count = match?.[2] === '' ? 1 : Number(match?.[2]);
  const windowMs = count * (UNIT_MS[match?.[3] ?? 's'] as number);
  const perAddress = match?.[4] === undefined ? failures * 10 : Number(match[4]);
  if (match === null || (match[2] === '' && match[3] === undefined)) {
    throw new StartupError(
      `KEYSCOPE_RATE_LIMIT must be <failures>/<seconds>[/<failures per address>], e.g. 10/60, not "${value}"`,
    );
  }
  if (!(failures > 0 && windowMs > 0 && perAddress > 0 && Number.isSafeInteger(windowMs))) {
    throw new StartupError(`KEYSCOPE_RATE_LIMIT needs numbers above zero, not "${value}"`);
  }
  return { maxFailuresPerKeyAndAddress: failures, maxFailuresPerAddress: perAddress, windowMs };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
