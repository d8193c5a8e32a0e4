/**
 * The graceful close of a Node HTTP server, as the Express, Koa and node:http examples do it on
 * SIGTERM and SIGINT: stop accepting connections, answer the requests in flight, and close every
 * keep-alive connection as soon as it has nothing to do. Node's `server.close()` alone closes the
 * idle connections once, at the start: a connection busy at that moment stays open after its
 * answer, and a client that keeps sending on it is served until the process gives up waiting.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** How often idle connections are closed while the server drains. */
const SWEEP_MS = 50;

/**
 * Stops `server` listening and resolves once every connection has closed. Idle keep-alive
 * connections are closed at once; a request that arrives on a kept-alive connection from now on
 * is answered with `Connection: close`; a connection whose request was in flight is closed within
 * 50 ms of its answer. A server that was not listening resolves at once. A framework that closes
 * its server itself (Fastify's `app.close()`) passes that as `close`; the rest applies the same.
 *
 * @example
 * ```ts
 * process.once('SIGTERM', () => void closeHttpServer(server).then(() => process.exit(0)));
 * await closeHttpServer(app.server, () => app.close()); // Fastify
 * ```
 */
export async function closeHttpServer(server: Server, close?: () => Promise<void>): Promise<void> {
  server.prependListener('request', lastOnItsConnection);
  const sweep = setInterval(() => server.closeIdleConnections(), SWEEP_MS);
  // server.close()'s only error is "not running": nothing left to close.
  const closing = close ? close() : new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  try {
    await closing;
  } finally {
    clearInterval(sweep);
  }
}

/** A request that comes while the server drains is the last one on its connection. */
function lastOnItsConnection(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close');
}
