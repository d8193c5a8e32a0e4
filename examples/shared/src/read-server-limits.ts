/**
 * Reads the limits that keep an example server serving when its clients or its log reader
 * misbehave, the same for all four examples: how long a client may take to send its headers
 * (`KEYSCOPE_HEADERS_TIMEOUT_MS`, default 10 s) and its whole request
 * (`KEYSCOPE_REQUEST_TIMEOUT_MS`, default 30 s), how long an idle keep-alive connection stays
 * open (`KEYSCOPE_KEEP_ALIVE_TIMEOUT_MS`, default 5 s), and how many bytes of log lines may wait
 * for a stalled stdout reader before lines are dropped (`KEYSCOPE_LOG_BUFFER_BYTES`, default
 * 1 MiB). Node's own defaults (headers 60 s, checked every 30 s; Fastify: no request timeout and
 * 72 s keep-alive) hold an idle or slowloris connection for over a minute. Nothing here touches
 * the network.
 */
import { nonEmpty } from './internal/non-empty.js';
import { StartupError } from './startup-error.js';

/**
 * The checked limits of an example server (see {@link readServerLimits}).
 *
 * @example
 * ```ts
 * const { headersTimeout, logBufferBytes } = readServerLimits(process.env);
 * ```
 */
export interface ServerLimits {
  /** Most milliseconds from a connection's first byte (or its opening) to the end of the headers. */
  readonly headersTimeout: number;
  /** Most milliseconds to receive a whole request, body included. */
  readonly requestTimeout: number;
  /** Milliseconds an idle keep-alive connection stays open after a response. */
  readonly keepAliveTimeout: number;
  /**
   * How often Node checks the two timeouts above (its `connectionsCheckingInterval`, 30 s by
   * default): at most 1 s, so that a connection is closed within its timeout plus 1 s.
   */
  readonly connectionsCheckingInterval: number;
  /** Most bytes of log lines waiting for stdout's reader; lines beyond are dropped and counted. */
  readonly logBufferBytes: number;
}

/** The defaults: what a reviewer would choose for an API that answers in milliseconds. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
  logBufferBytes: 1024 * 1024,
};

/** The ranges accepted: timeouts from 1 ms to 1 h, the log buffer from 1 KiB to 1 GiB. */
const TIMEOUT: Range = { min: 1, max: 3_600_000 };
const LOG_BUFFER: Range = { min: 1024, max: 2 ** 30 };

interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * Reads and checks the limits from the environment; unset or blank variables keep the defaults.
 *
 * @param env - the environment, usually `process.env`
 * @throws {StartupError} when a value is not a whole number in its range (timeouts: 1 ms to 1 h;
 * log buffer: 1 KiB to 1 GiB), or the headers timeout exceeds the request timeout.
 * @example
 * ```ts
 * readServerLimits({ KEYSCOPE_HEADERS_TIMEOUT_MS: '500' }).headersTimeout; // 500
 * ```
 */
export function readServerLimits(env: NodeJS.ProcessEnv): ServerLimits {
  const defaults = DEFAULT_SERVER_LIMITS;
  const headersTimeout = whole(
    env,
    'KEYSCOPE_HEADERS_TIMEOUT_MS',
    defaults.headersTimeout,
    TIMEOUT,
  );
  const requestTimeout = whole(
    env,
    'KEYSCOPE_REQUEST_TIMEOUT_MS',
    defaults.requestTimeout,
    TIMEOUT,
  );
  if (headersTimeout > requestTimeout) {
    throw new StartupError(
      `KEYSCOPE_HEADERS_TIMEOUT_MS (${headersTimeout}) may not exceed KEYSCOPE_REQUEST_TIMEOUT_MS (${requestTimeout})`,
    );
  }
  return {
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: whole(
      env,
      'KEYSCOPE_KEEP_ALIVE_TIMEOUT_MS',
      defaults.keepAliveTimeout,
      TIMEOUT,
    ),
    connectionsCheckingInterval: Math.min(defaults.connectionsCheckingInterval, headersTimeout),
    logBufferBytes: whole(env, 'KEYSCOPE_LOG_BUFFER_BYTES', defaults.logBufferBytes, LOG_BUFFER),
  };
}

/** A whole number in `range`, or the default when the variable is unset or blank. */
function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, range: Range): number {
  const { min, max } = range;
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new StartupError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}
