/**
 * Turns the `KEYSCOPE_RATE_LIMIT` setting of an example server into core's in-memory limiter of
 * failed attempts, or into no limiter at all when the variable is unset, so that all four
 * examples honour the variable the same way.
 */
import { createMemoryRateLimiter, type MemoryRateLimiter } from '@keyscope/core';
import type { ServerConfig } from './read-config.js';

/**
 * The limiter for `createAuthenticator({ rateLimiter })`: `createMemoryRateLimiter` with the
 * configured limits, or `undefined` (no limiter) when `KEYSCOPE_RATE_LIMIT` is unset.
 *
 * @throws {ConfigurationError} never for a configuration made by `readConfig`, which checked the
 * numbers already.
 * @example
 * ```ts
 * const config = readConfig(process.env, 'keys.demo.json');
 * const authenticator = createAuthenticator({ store, rateLimiter: rateLimiterFor(config) });
 * ```
 */
export function rateLimiterFor(
  config: Pick<ServerConfig, 'rateLimit'>,
): MemoryRateLimiter | undefined {
  return config.rateLimit === undefined ? undefined : createMemoryRateLimiter(config.rateLimit);
}
