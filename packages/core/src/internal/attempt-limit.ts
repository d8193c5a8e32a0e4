/**
 * How the authenticator drives a `RateLimiter`: it names the attempt (method, the key id presented,
 * the client address) from the parsed credentials without verifying anything, asks the limiter
 * before verification (a refusal is a 429 with `Retry-After`), and reports the outcome after it.
 * Every limiter failure fails closed, as a 503; the limiter never sees a secret or a token.
 */
import { decodeProtectedHeader } from 'jose';
import type { Refusals } from '../challenge.js';
import { AuthError, ConfigurationError, RateLimitedError } from '../errors.js';
import type { ParsedAuthorization } from '../parse-authorization.js';
import type { RateLimitAttempt, RateLimiter } from '../rate-limit.js';
import type { AuthRequest } from '../types.js';

/** The limiter steps of one authenticator. */
export interface AttemptLimit {
  /** Names the attempt and asks the limiter. @throws {RateLimitedError | StoreUnavailableError} */
  admit(
    parsed: Exclude<ParsedAuthorization, { scheme: 'none' }>,
    request: AuthRequest,
  ): Promise<RateLimitAttempt>;
  /** Counts a refused credential (401s only). @throws {StoreUnavailableError} */
  failed(attempt: RateLimitAttempt, error: unknown): Promise<void>;
  /** Reports a success; errors are ignored. */
  succeeded(attempt: RateLimitAttempt): Promise<void>;
}

/**
 * Checks a limiter once and returns its steps, or `undefined` when there is no limiter.
 *
 * @throws {ConfigurationError} when `limiter` lacks `check` or `recordFailure`.
 */
export function createAttemptLimit(
  limiter: RateLimiter | undefined,
  refusals: Refusals,
): AttemptLimit | undefined {
  if (limiter === undefined) return undefined;
  if (
    typeof limiter?.check !== 'function' ||
    typeof limiter.recordFailure !== 'function' ||
    (limiter.recordSuccess !== undefined && typeof limiter.recordSuccess !== 'function')
  ) {
    throw new ConfigurationError('rateLimiter must implement check() and recordFailure()');
  }
  const unavailable = (attempt: RateLimitAttempt, cause: unknown) =>
    refusals.unavailable(attempt.method, { keyId: attempt.keyId, cause });

  return {
    async admit(parsed, request) {
      const method = parsed.scheme === 'basic' ? 'basic' : 'jwt';
      const keyId = parsed.scheme === 'basic' ? parsed.keyId : presentedKid(parsed.token);
      const address = typeof request?.address === 'string' ? request.address : undefined;
      const attempt: RateLimitAttempt = { keyId, address, method };
      let decision: unknown;
      try {
        decision = await limiter.check(attempt);
      } catch (cause) {
        throw unavailable(attempt, cause);
      }
      const { allowed, retryAfter } = Object(decision) as {
        allowed?: unknown;
        retryAfter?: unknown;
      };
      if (allowed === true) return attempt;
      if (
        allowed === false &&
        typeof retryAfter === 'number' &&
        retryAfter >= 0 &&
        retryAfter < Infinity
      ) {
        throw new RateLimitedError({
          reason: 'rate_limited',
          method,
          keyId,
          headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfter))) },
        });
      }
      throw unavailable(attempt, new TypeError('rate limiter returned a malformed decision'));
    },
    async failed(attempt, error) {
      if (!(error instanceof AuthError && error.status === 401)) return;
      try {
        await limiter.recordFailure(attempt);
      } catch (cause) {
        throw unavailable(attempt, cause);
      }
    },
    async succeeded(attempt) {
      try {
        await limiter.recordSuccess?.(attempt);
      } catch {
        // The credential was valid; a missed reset only keeps a count until its window ends.
      }
    },
  };
}

/** The `kid` a token's header presents, unverified, if it is readable at all. */
function presentedKid(token: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === 'string' && kid !== '' ? kid : undefined;
  } catch {
    return undefined;
  }
}
