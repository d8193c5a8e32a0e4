/**
 * Starts the Fastify example: reads the environment, opens the key store (the keys file, followed
 * live, or the PostgreSQL store of `KEYSCOPE_STORE`, with `KEYSCOPE_MASTER_KEY`), listens, and
 * prints exactly one line on stdout when ready: `listening on http://<host>:<port>`.
 * `KEYSCOPE_RATE_LIMIT` turns the failed-attempt limiter on. The environment is read, and the store
 * opened, by `@keyscope/example-shared`, as in the other examples. A setting, keys file or database
 * it cannot start with ends the process with a non-zero code and the reason on stderr; server
 * errors are logged on stderr. The client timeouts come from `readServerLimits`, as Fastify
 * options. SIGTERM and SIGINT close the server gracefully (the requests in flight are answered)
 * and exit with code 0.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createAuthenticator } from '@keyscope/core';
import {
  closeHttpServer,
  exitOnSignals,
  exitOnStartupError,
  openConfiguredStore,
  rateLimiterFor,
  readConfig,
  readServerLimits,
  type ServerConfig,
  type ServerLimits,
} from '@keyscope/example-shared';
import { createApp } from './app.js';

const DEMO_KEYS_FILE = fileURLToPath(new URL('../keys.demo.json', import.meta.url));

let config: ServerConfig;
let limits: ServerLimits;
try {
  config = readConfig(process.env, DEMO_KEYS_FILE);
  limits = readServerLimits(process.env);
} catch (error) {
  exitOnStartupError(error);
}
// The keys file or the PostgreSQL store; one that cannot serve ends the process (exit code 1).
const store = await openConfiguredStore(config);

// KEYSCOPE_RATE_LIMIT turns the failed-attempt limiter on (none when unset).
const authenticator = createAuthenticator({ store, rateLimiter: rateLimiterFor(config) });
const app = createApp({
  authenticator,
  logger: { level: 'error', stream: process.stderr },
  timeouts: limits,
});

// Registered before the listening line is printed: a SIGTERM sent as soon as it appears must find
// the handler (after it, it would end the process with the default action, not exit code 0).
// The store closes once the requests in flight are answered (a database store needs its pool).
exitOnSignals({
  close: () => closeHttpServer(app.server, () => app.close()).then(() => store.close()),
});

try {
  await app.listen({ port: config.port, host: config.host });
} catch (error) {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  console.error(`cannot listen on ${config.host}:${config.port}: ${reason}`);
  await store.close();
  process.exit(1);
}
const { port } = app.server.address() as AddressInfo;
const host = config.host.includes(':') ? `[${config.host}]` : config.host;
console.log(`listening on http://${host}:${port}`);
