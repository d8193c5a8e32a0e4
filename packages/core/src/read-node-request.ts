/**
 * Reads the neutral `AuthRequest` out of a request of Node's `http` module, the one every Node
 * framework (Express, Koa, Fastify, plain `http.createServer`) hands over in some form. It passes
 * every raw `Authorization` value, so that a request with two of them is refused (400), never
 * answered with the first one: `req.headers.authorization` would drop the others.
 */
import type { AuthRequest } from './types.js';

/**
 * The parts of Node's `IncomingMessage` that {@link readNodeRequest} reads. Express's `req`,
 * Koa's `ctx.req`, Fastify's `request.raw` and `http.createServer`'s `req` all fit.
 *
 * @example
 * ```ts
 * const req: NodeRequestLike = { rawHeaders: ['Authorization', 'Basic YTpi'], method: 'GET' };
 * ```
 */
export interface NodeRequestLike {
  /** Every value of each header field, by lower-case name (Node >= 18.3). */
  readonly headersDistinct?: { readonly [name: string]: readonly string[] | undefined } | undefined;
  /** The header fields as received: name, value, name, value... */
  readonly rawHeaders: readonly string[];
  readonly method?: string | undefined;
  readonly socket?: { readonly remoteAddress?: string | undefined } | null | undefined;
}

/**
 * The `AuthRequest` of a Node request: every raw `Authorization` value (from `headersDistinct`,
 * or from `rawHeaders` where a fake request, such as Fastify's `inject`, has no
 * `headersDistinct`), the method, and the client's `address` (`req.socket.remoteAddress`; behind
 * a proxy, pass your own address instead).
 *
 * @example
 * ```ts
 * const auth = await authenticator.authenticate(readNodeRequest(req));
 * ```
 */
export function readNodeRequest(req: NodeRequestLike): AuthRequest {
  const { headersDistinct, rawHeaders: raw = [], method, socket } = req;
  const authorization = headersDistinct
    ? headersDistinct.authorization
    : raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === 'authorization');
  return {
    authorization: authorization?.length === 0 ? undefined : authorization,
    method,
    address: socket?.remoteAddress,
  };
}
