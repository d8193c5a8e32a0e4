/**
 * `requireScope()`: the Express route guard. It allows the request only when the caller's scope
 * reaches the route's resource (by default `req.params.appId` / `req.params.userId`), or, with
 * `'any'`, any valid credential; it reuses what an earlier `authenticate()` found for this very
 * request (never a `req.auth` another library wrote) or authenticates on its own.
 */
import { createGuard, type GuardScope, type RequireScopeOptions } from '@keyscope/core';
import type { Request } from 'express';
import { access, answer } from './internal/glue.js';
import type { KeyscopeMiddleware } from './keyscope-middleware.js';

/**
 * Options of {@link requireScope}: where the route names its app and user (`appId`, `userId`),
 * the authenticator to use when no `authenticate()` ran before (`store` or `authenticator`), and
 * `passErrors`. Resolvers may return anything: only a string names a resource.
 *
 * @example
 * ```ts
 * const options: ExpressRequireScopeOptions = { appId: (req) => req.params.project, passErrors: true };
 * ```
 */
export type ExpressRequireScopeOptions = RequireScopeOptions<Request> & {
  /** Hand refusals to the app's error handler with `next(err)` instead of answering them. */
  readonly passErrors?: boolean;
};

/**
 * Express route guard: requires `scope` (`'appUser'`, `'app'` or `'account'`) on the route's app
 * and user, or `'any'` valid credential. Put it on the route itself, so that `req.params` is
 * filled. It reuses the caller an earlier `authenticate()` found for this request; otherwise it
 * authenticates the request (with the authenticator of an earlier optional `authenticate()`, or
 * its own `store`/`authenticator` option), and without any authenticator it fails closed with a
 * 500. It never trusts a `req.auth` that keyscope did not set for this request, and sets `req.auth`
 * to the caller it checked. A refusal is answered (401, 403, 503...) and the route never runs.
 * The middleware is generic, so that Express still infers `req.params` for the handlers after it.
 *
 * @throws {ConfigurationError} at set-up, for an unknown scope or invalid options.
 * @example
 * ```ts
 * app.get('/v2/apps/:appId', requireScope('app', { store }), (req, res) => {
 *   res.json({ app: { id: req.params.appId } }); // req.params: { appId: string }
 * });
 * app.get('/v2/projects/:id', requireScope('app', { store, appId: (req) => req.params.id }), handler);
 * ```
 */
export function requireScope(
  scope: GuardScope,
  options: ExpressRequireScopeOptions = {},
): KeyscopeMiddleware {
  const guard = createGuard(scope, access, options);
  const passErrors = options.passErrors === true;
  return function keyscopeRequireScope(req, res, next) {
    void guard(req as unknown as Request).then(
      () => next(),
      (error: unknown) => answer(error, res, next, passErrors),
    );
  };
}
