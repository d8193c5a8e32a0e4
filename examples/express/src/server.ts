/**
 * Starts the Express example: reads the environment, opens the key store (the keys file, followed
 * live, or the PostgreSQL store of `KEYSCOPE_STORE`, with `KEYSCOPE_MASTER_KEY`), listens, and
 * prints one line on stdout when ready: `listening on http://<host>:<port>`. After it, stdout
 * carries the audit log: one JSON line (pino) per authentication and per refusal, with the reason,
 * status, credential method, key id, HTTP method and client address, never a secret or a token.
 * The audit log never blocks serving: lines go through the shared bounded writer, so a stalled
 * stdout reader costs dropped (and counted) lines, never answers. `KEYSCOPE_RATE_LIMIT` turns the
 * failed-attempt limiter on; the client timeouts and the log buffer come from `readServerLimits`.
 * A setting, keys file or database it cannot start with ends the process with a non-zero code
 * and the reason on stderr. SIGTERM and SIGINT close the server gracefully, flush the audit log
 * and exit with code 0.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createAuthenticator, type WritableKeyStore } from '@keyscope/core';
import {
  applyServerTimeouts,
  closeHttpServer,
  createLogWriter,
  exitOnSignals,
  exitOnStartupError,
  openConfiguredStore,
  rateLimiterFor,
  readConfig,
  readServerLimits,
  type ServerConfig,
  type ServerLimits,
} from '@keyscope/example-shared';
import { pino } from 'pino';
import { createApp } from './app.js';

const DEMO_KEYS_FILE = fileURLToPath(new URL('../keys.demo.json', import.meta.url));

// KEYSCOPE_DASHBOARD=1 (off by default): the @keyscope/dashboard router at /keyscope, which
// writes to the store, so the keys file is then opened writable.
const withDashboard = process.env.KEYSCOPE_DASHBOARD === '1';

let config: ServerConfig;
let limits: ServerLimits;
try {
  config = readConfig(process.env, DEMO_KEYS_FILE);
  limits = readServerLimits(process.env);
} catch (error) {
  exitOnStartupError(error);
}
// The keys file or the PostgreSQL store; one that cannot serve ends the process (exit code 1).
const store = await openConfiguredStore(config, { writable: withDashboard });

// Audit log: JSON lines on stdout through a bounded, asynchronous writer, flushed on exit.
const log = createLogWriter({ maxBufferedBytes: limits.logBufferBytes });
const audit = pino({ base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, log);
// The adapter hands core the client address (the socket's peer) with every request.
const authenticator = createAuthenticator({
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
const app = createApp({ authenticator });
const server = createServer(withDashboard ? await mountDashboard() : app);
applyServerTimeouts(server, limits);

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

// The store closes once the requests in flight are answered (a database store needs its pool);
// then the audit log is flushed.
exitOnSignals({ close: () => closeHttpServer(server).then(() => store.close()), log });
