/**
 * The graceful close of a Node HTTP server, as the Express, Koa and node:http examples do it on
 * SIGTERM and SIGINT: stop accepting connections, close the idle keep-alive ones at once, and let
 * the requests in flight be answered (their connections close after their response).
 */
import type { Server } from 'node:http';

/**
 * Stops `server` listening and resolves once every connection has closed: idle keep-alive
 * connections are closed at once, connections with a request in flight when it is answered.
 * A server that was not listening resolves at once.
 *
 * @example
 * ```ts
 * process.once('SIGTERM', () => void closeHttpServer(server).then(() => process.exit(0)));
 * ```
 */
export function closeHttpServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    // The only error here is "not running": nothing left to close.
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
