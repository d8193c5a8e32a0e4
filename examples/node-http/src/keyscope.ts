/**
 * A keyscope adapter for plain `node:http`, written only against core's adapter kit: it wraps a
 * route handler so that the handler runs only for a caller with any valid credential
 * (`requireScope('any', ...)`) or allowed at a scope on the route's `:appId`/`:userId`, hands it
 * the `AuthContext`, and answers every refusal exactly as the contract says (status,
 * `WWW-Authenticate`, JSON body). Copy it into your own server; it is the whole adapter.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthContext,
  createGuard,
  type GuardAccess,
  type GuardScope,
  type RequireScopeOptions,
  readNodeRequest,
  toErrorResponse,
} from '@keyscope/core';

/** Route parameters, as the router found them. */
export type RouteParams = Readonly<Record<string, string | undefined>>;

/** What a protected handler gets besides `req` and `res`. */
export interface RouteContext {
  readonly auth: AuthContext;
  readonly params: RouteParams;
}

/** A handler as the router calls it. */
export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: RouteParams,
) => void | Promise<void>;

/** A handler that runs only once the caller is authenticated (and allowed). */
export type ProtectedHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  context: RouteContext,
) => void | Promise<void>;

/** What a guard reads: the request and its route parameters. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly params: RouteParams;
}

const access: GuardAccess<Exchange> = {
  // Every raw value: a second Authorization header is refused (400), never ignored.
  request: ({ req }) => readNodeRequest(req),
  resource: ({ params }) => params,
  // keyscope keeps its record of the request on `req`, so that two guards on one request share it.
  recordOn: ({ req }) => req,
};

/**
 * Answers an error as the contract says: an `AuthError` with its status, headers (with
 * `Content-Type: application/json`) and JSON body; anything else as a 500 `internal_error` that
 * reveals nothing. A response already started is cut off instead.
 *
 * @example
 * ```ts
 * sendError(res, new Error('boom')); // 500 {"errors":[{"code":"internal_error",...}]}
 * ```
 */
export function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, headers, body } = toErrorResponse(error);
  res.writeHead(status, headers).end(JSON.stringify(body));
}

/**
 * Runs `handler` only for a caller allowed at `scope` on the route's `:appId`/`:userId`, or, with
 * `'any'`, for any valid credential.
 *
 * @throws {ConfigurationError} at set-up for an unknown scope or invalid options.
 * @example
 * ```ts
 * router.get('/v2/whoami', requireScope('any', (_req, res, { auth }) => res.end(auth.keyId), { authenticator }));
 * router.get('/v2/apps/:appId', requireScope('app', (_req, res, { params }) => res.end(params.appId), { authenticator }));
 * ```
 */
export function requireScope(
  scope: GuardScope,
  handler: ProtectedHandler,
  options: RequireScopeOptions<Exchange>,
): RouteHandler {
  const check = createGuard(scope, access, options);
  return async function guarded(req, res, params) {
    let auth: AuthContext;
    try {
      auth = await check({ req, params });
    } catch (error) {
      return sendError(res, error);
    }
    await handler(req, res, { auth, params });
  };
}
