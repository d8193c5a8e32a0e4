/**
 * Starts the Koa example: reads the environment, opens the key store (the keys file, followed live,
 * or the PostgreSQL store of `KEYSCOPE_STORE`, with `KEYSCOPE_MASTER_KEY`), listens, and prints
 * exactly one line on stdout when ready: `listening on http://<host>:<port>`. `KEYSCOPE_RATE_LIMIT`
 * turns the failed-attempt limiter on. A setting, keys file or database it cannot start with ends
 * the process with a non-zero code and the reason on stderr. SIGTERM and SIGINT close the server
 * gracefully.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Authenticator, type AuthRequest, createAuthenticator } from '@keyscope/core';
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

// The Koa adapter does not hand the client address to core yet: carry it from the socket.
const clientAddress = new AsyncLocalStorage<string | undefined>();
const withAddress = (request: AuthRequest = {}): AuthRequest => ({
  ...request,
  address: request.address ?? clientAddress.getStore(),
});
const core = createAuthenticator({
  store,
  rateLimiter: rateLimiterFor(config),
});
const authenticator: Authenticator = {
  store: core.store,
  realm: core.realm,
  authenticate: (request) => core.authenticate(withAddress(request)),
  authenticateOptional: (request) => core.authenticateOptional(withAddress(request)),
  authorize: (auth, scope, resource, request) =>
    core.authorize(auth, scope, resource, withAddress(request)),
};
const handle = createApp({ authenticator }).callback();
const server = createServer((req, res) => {
  clientAddress.run(req.socket.remoteAddress, () => handle(req, res));
});

server.once('error', (error: NodeJS.ErrnoException) => {
  console.error(`cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`);
  void Promise.resolve(store.close()).finally(() => process.exit(1));
});

server.listen({ port: config.port, host: config.host }, () => {
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`listening on http://${host}:${port}`);
});

let stopping = false;
function shutdown(): void {
  if (stopping) return;
  stopping = true;
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
