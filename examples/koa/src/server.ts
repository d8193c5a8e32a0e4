/**
 * Starts the Koa example: reads the environment, opens the keys file (followed live), listens,
 * and prints exactly one line on stdout when ready: `listening on http://<host>:<port>`.
 * `KEYSCOPE_RATE_LIMIT` turns the failed-attempt limiter on. A setting or keys file it cannot start
 * with ends the process with a non-zero code and the reason on stderr. SIGTERM and SIGINT close
 * the server gracefully.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type Authenticator,
  type AuthRequest,
  createAuthenticator,
  createMemoryRateLimiter,
  type FileKeyStore,
  KeysFileError,
  openFileStore,
} from '@keyscope/core';
import { createApp } from './app.js';
import { readConfig, StartupError } from './config.js';

const DEMO_KEYS_FILE = fileURLToPath(new URL('../keys.demo.json', import.meta.url));

let store: FileKeyStore;
let config: ReturnType<typeof readConfig>;
try {
  config = readConfig(process.env, DEMO_KEYS_FILE);
  store = await openFileStore(config.keysFile, {
    onReloadError: (error) =>
      console.error(`keys file change refused, keeping the last good copy: ${error.message}`),
  });
} catch (error) {
  if (error instanceof StartupError || error instanceof KeysFileError) {
    console.error(`cannot start: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

// The Koa adapter does not hand the client address to core yet: carry it from the socket.
const clientAddress = new AsyncLocalStorage<string | undefined>();
const withAddress = (request: AuthRequest = {}): AuthRequest => ({
  ...request,
  address: request.address ?? clientAddress.getStore(),
});
const core = createAuthenticator({
  store,
  ...(config.rateLimit && { rateLimiter: createMemoryRateLimiter(config.rateLimit) }),
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
  store.close();
  process.exit(1);
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
  store.close();
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // Requests still running get a few seconds to finish.
  setTimeout(() => process.exit(0), 5000).unref();
}

process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
