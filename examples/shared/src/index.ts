/**
 * The start-up and operating code the four example servers (Express, Koa, Fastify, node:http)
 * share, so they read the same environment the same way (contract section 5) and behave the same
 * when their surroundings misbehave: `readConfig` and its `StartupError`, `exitOnStartupError`
 * (`cannot start: ...`, exit code 1), `openConfiguredStore` (PostgreSQL or the keys file),
 * `rateLimiterFor` (`KEYSCOPE_RATE_LIMIT`), `readServerLimits` and `applyServerTimeouts` (client
 * timeouts, log buffer), `createLogWriter` (logging that never blocks serving), `closeHttpServer`
 * and `exitOnSignals` (graceful exit 0 on SIGTERM and SIGINT). Each example keeps its own
 * `server.ts` for what is framework-specific. The rest is for tests: `serverProcess` (the server
 * as a child process), `startPipedServer` (its stdout into a reader that can stall),
 * `startCommand` (the documented `pnpm` start command, in its own process group), and the raw
 * clients `holdConnection` and `startInFlightRequest`.
 */
export { applyServerTimeouts } from './apply-server-timeouts.js';
export { closeHttpServer } from './close-http-server.js';
export {
  createLogWriter,
  defaultDroppedLine,
  type LogWriter,
  type LogWriterOptions,
} from './create-log-writer.js';
export { type ExitOnSignalsOptions, exitOnSignals } from './exit-on-signals.js';
export {
  type ConnectionClosed,
  type HeldConnection,
  type HoldOptions,
  holdConnection,
} from './hold-connection.js';
export {
  type ConfiguredStore,
  type OpenConfiguredStoreOptions,
  openConfiguredStore,
} from './open-configured-store.js';
export {
  type PipedServer,
  type ReaderKind,
  startPipedServer,
} from './piped-server.js';
export { rateLimiterFor } from './rate-limiter-for.js';
export { type RateLimitConfig, readConfig, type ServerConfig } from './read-config.js';
export {
  DEFAULT_SERVER_LIMITS,
  readServerLimits,
  type ServerLimits,
} from './read-server-limits.js';
export { type CommandServer, startCommand } from './start-command.js';
export { type InFlightRequest, startInFlightRequest } from './start-in-flight-request.js';
export { exitOnStartupError, StartupError } from './startup-error.js';
