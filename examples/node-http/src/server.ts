/**
 * Starts the node:http example: reads the environment, opens the key store (the keys file, followed
 * live, or the PostgreSQL store of `KEYSCOPE_STORE`, with `KEYSCOPE_MASTER_KEY`), listens, and
 * prints exactly one line on stdout when ready: `listening on http://<host>:<port>`.
 * `KEYSCOPE_RATE_LIMIT` turns the failed-attempt limiter on. The environment is read, and the store
 * opened, by `@keyscope/example-shared`, as in the other examples. A setting, keys file or database
 * it cannot start with ends the process with a non-zero code and the reason on stderr. SIGTERM and
 * SIGINT close the server gracefully.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createAuthenticator } from '@keyscope/core';
import {
  exitOnStartupError,
  openConfiguredStore,
  rateLimiterFor,
  readConfig,
  type ServerConfig,
} from '@keyscope/example-shared';
import { createApp } from './app.js';

const DEMO_KEYS_FILE = fileURLToPath(new URL('../keys.demo.json', import.meta.url));

let config: ServerConfig;
try {
  config = readConfig(process.env, DEMO_KEYS_FILE);
} catch (error) {
  exitOnStartupError(error);
}
// The keys file or the PostgreSQL store; one that cannot serve ends the process (exit code 1).
const store = await openConfiguredStore(config);

// KEYSCOPE_RATE_LIMIT turns the failed-attempt limiter on (none when unset).
const authenticator = createAuthenticator({ store, rateLimiter: rateLimiterFor(config) });
const server = createApp({ authenticator });

server.once('error', (error: NodeJS.ErrnoException) => {
  console.error(`cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`);
  void Promise.resolve(store.close()).finally(() => process.exit(1));
});

server.listen({ port: config.port, host: config.host }, () => {
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`listening on http://${host}:${port}`);
});

function shutdown(): void {
  // The store closes once the requests in flight are answered (a database store needs its pool).
  server.close(() => {
    void Promise.resolve(store.close()).finally(() => process.exit(0));
  });
  server.closeIdleConnections();
  // Requests still running get a few seconds to finish.
  setTimeout(() => process.exit(0), 5000).unref();
}

process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
