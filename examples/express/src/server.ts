/**
 * Starts the Express example: reads the environment, opens the key store (the keys file, followed
 * live, or the PostgreSQL store of `KEYSCOPE_STORE`, with `KEYSCOPE_MASTER_KEY`), listens, and
 * prints one line on stdout when ready: `listening on http://<host>:<port>`. After it, stdout
 * carries the audit log: one JSON line (pino) per authentication and per refusal, with the reason,
 * status, credential method, key id, HTTP method and client address, never a secret or a token.
 * `KEYSCOPE_RATE_LIMIT` turns the failed-attempt limiter on. A setting, keys file or database it
 * cannot start with ends the process with a non-zero code and the reason on stderr. SIGTERM and
 * SIGINT close the server gracefully.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type Authenticator,
  type AuthRequest,
  createAuthenticator,
  type WritableKeyStore,
} from '@keyscope/core';
import {
  exitOnStartupError,
  openConfiguredStore,
  rateLimiterFor,
  readConfig,
  type ServerConfig,
} from '@keyscope/example-shared';
import { pino } from 'pino';
import { createApp } from './app.js';

const DEMO_KEYS_FILE = fileURLToPath(new URL('../keys.demo.json', import.meta.url));

// KEYSCOPE_DASHBOARD=1 (off by default): the @keyscope/dashboard router at /keyscope, which
// writes to the store, so the keys file is then opened writable.
const withDashboard = process.env.KEYSCOPE_DASHBOARD === '1';

let config: ServerConfig;
try {
  config = readConfig(process.env, DEMO_KEYS_FILE);
} catch (error) {
  exitOnStartupError(error);
}
// The keys file or the PostgreSQL store; one that cannot serve ends the process (exit code 1).
const store = await openConfiguredStore(config, { writable: withDashboard });

// Audit log: synchronous JSON lines on stdout, so none is lost when the process exits.
const audit = pino(
  { base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
  pino.destination({ dest: 1, sync: true }),
);
// The Express adapter does not hand the client address to core yet: carry it from the socket.
const clientAddress = new AsyncLocalStorage<string | undefined>();
const withAddress = (request: AuthRequest = {}): AuthRequest => ({
  ...request,
  address: request.address ?? clientAddress.getStore(),
});
const core = createAuthenticator({
  store,
  rateLimiter: rateLimiterFor(config),
  onAuthenticated: (auth, request) =>
    audit.info(
      {
        event: 'authenticated',
        method: auth.method,
        keyId: auth.keyId,
        scope: auth.scope,
        httpMethod: request.method,
        address: request.address,
      },
      'authenticated',
    ),
  onRejected: (event, request) =>
    audit.warn(
      {
        event: 'rejected',
        reason: event.reason,
        status: event.status,
        method: event.method,
        keyId: event.keyId,
        httpMethod: request.method,
        address: request.address,
      },
      'refused',
    ),
});
const authenticator: Authenticator = {
  store: core.store,
  realm: core.realm,
  authenticate: (request) => core.authenticate(withAddress(request)),
  authenticateOptional: (request) => core.authenticateOptional(withAddress(request)),
  authorize: (auth, scope, resource, request) =>
    core.authorize(auth, scope, resource, withAddress(request)),
};
const app = createApp({ authenticator });
const site = withDashboard ? await mountDashboard() : app;
const server = createServer((req, res) => {
  clientAddress.run(req.socket.remoteAddress, () => site(req, res));
});

/** The API behind the dashboard at /keyscope; the dashboard's audit events go to the audit log. */
async function mountDashboard(): Promise<RequestListener> {
  const [{ default: express }, { dashboard }] = await Promise.all([
    import('express'),
    import('@keyscope/dashboard'),
  ]);
  const outer = express().disable('x-powered-by');
  outer.use(
    '/keyscope',
    dashboard({
      store: store as WritableKeyStore,
      onEvent: (event) => audit.info({ event: 'dashboard', ...event }, event.action),
    }),
  );
  return outer.use(app);
}

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
