/**
 * The start-up code the four example servers (Express, Koa, Fastify, node:http) share, so they
 * read the same environment the same way (contract section 5): `readConfig` and its
 * `StartupError`, `exitOnStartupError` (`cannot start: ...`, exit code 1), `openConfiguredStore`
 * (PostgreSQL or the keys file) and `rateLimiterFor` (`KEYSCOPE_RATE_LIMIT`). Each example keeps
 * its own `server.ts` for what is framework-specific: listening and shutting down.
 */
export {
  type ConfiguredStore,
  type OpenConfiguredStoreOptions,
  openConfiguredStore,
} from './open-configured-store.js';
export { rateLimiterFor } from './rate-limiter-for.js';
export { type RateLimitConfig, readConfig, type ServerConfig } from './read-config.js';
export { exitOnStartupError, StartupError } from './startup-error.js';
