/**
 * Starts the Koa example: reads the environment, opens the key store (the keys file, followed live,
 * or the PostgreSQL store of `KEYSCOPE_STORE`, with `KEYSCOPE_MASTER_KEY`), listens, and prints
 * exactly one line on stdout when ready: `listening on http://<host>:<port>`. `KEYSCOPE_RATE_LIMIT`
 * turns the failed-attempt limiter on. A setting, keys file or database it cannot start with ends
 * the process with a non-zero code and the reason on stderr. The client timeouts come from
 * `readServerLimits`. SIGTERM and SIGINT close the server gracefully (the requests in flight are
 * answered) and exit with code 0.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createAuthenticator } from '@keyscope/core';
import {
  applyServerTimeouts,
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

// The adapter hands core the client address (the socket's peer) with every request.
const authenticator = createAuthenticator({ store, rateLimiter: rateLimiterFor(config) });
const server = createServer(createApp({ authenticator }).callback());
applyServerTimeouts(server, limits);

server.once('error', (error: NodeJS.ErrnoException) => {
  console.error(`cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`);
  void Promise.resolve(store.close()).finally(() => process.exit(1));
});

server.listen({ port: config.port, host: config.host }, () => {
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`listening on http://${host}:${port}`);
});

// The store closes once the requests in flight are answered (a database store needs its pool).
exitOnSignals({ close: () => closeHttpServer(server).then(() => store.close()) });
