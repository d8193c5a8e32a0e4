/**
 * Puts the example servers' client timeouts (read by `readServerLimits`) on a Node HTTP server
 * before it listens, so that a client that connects and sends nothing, sends its headers a byte
 * at a time (slowloris), or keeps an idle keep-alive connection open, is disconnected within a
 * bound instead of Node's minute and more. The Express, Koa and node:http examples call it on
 * their `http.Server`; the Fastify example passes the same values as Fastify options.
 */
import type { Server } from 'node:http';
import type { ServerLimits } from './read-server-limits.js';

/**
 * Sets `headersTimeout`, `requestTimeout`, `keepAliveTimeout` and `connectionsCheckingInterval`
 * on `server`. Call it before `listen()`: Node starts checking the timeouts when the server starts
 * listening, at the interval set then. A connection past its timeout gets `408 Request Timeout`
 * and is closed.
 *
 * @example
 * ```ts
 * const server = createServer(app);
 * applyServerTimeouts(server, readServerLimits(process.env));
 * server.listen(3000);
 * ```
 */
export function applyServerTimeouts(
  server: Server,
  limits: Pick<
    ServerLimits,
    'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout' | 'connectionsCheckingInterval'
  >,
): void {
  server.headersTimeout = limits.headersTimeout;
  server.requestTimeout = limits.requestTimeout;
  server.keepAliveTimeout = limits.keepAliveTimeout;
  // Not in @types/node 20's Server type, but read by Node 18.12+ when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    limits.connectionsCheckingInterval;
}
