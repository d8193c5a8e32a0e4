/**
 * Internal: the parser of `KEYSCOPE_RATE_LIMIT=<failures>/<window>[/<failures per address>]`,
 * used by `readConfig`. It only checks and converts the text; the limiter itself is core's
 * `createMemoryRateLimiter` (see `rateLimiterFor`).
 */
import { StartupError } from '../startup-error.js';

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

const RATE_LIMIT = /^(\d{1,9})\/(\d{0,9})(s|m|min|h)?(?:\/(\d{1,9}))?$/;
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * Parses a trimmed `KEYSCOPE_RATE_LIMIT` value; `undefined` (unset) gives no limiter.
 *
 * @throws {StartupError} when the value does not follow the format or a number is zero.
 * @example
 * ```ts
 * readRateLimit('3/15m/20'); // { maxFailuresPerKeyAndAddress: 3, maxFailuresPerAddress: 20, windowMs: 900000 }
 * ```
 */
export function readRateLimit(value: string | undefined): RateLimitConfig | undefined {
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
