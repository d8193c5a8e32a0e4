/**
 * `requireScope()`: the Koa route guard. It allows the request only when the caller's scope
 * reaches the route's resource (by default `ctx.params.appId` / `ctx.params.userId`, as set by
 * `@koa/router`), or, with `'any'`, any valid credential; it reuses what an earlier
 * `authenticate()` found for this very request (never a `ctx.state.auth` another middleware
 * wrote) or authenticates on its own.
 */
import { createGuard, type GuardScope, type RequireScopeOptions } from '@keyscope/core';
import type { Middleware, ParameterizedContext } from 'koa';
import { access, answer } from './internal/glue.js';

/**
 * Options of {@link requireScope}: where the route names its app and user (`appId`, `userId`),
 * the authenticator to use when no `authenticate()` ran before (`store` or `authenticator`), and
 * `passErrors`. Resolvers may return anything: only a string names a resource.
 *
 * @example
 * ```ts
 * const options: KoaRequireScopeOptions = { appId: (ctx) => ctx.params.project, passErrors: true };
 * ```
 */
export type KoaRequireScopeOptions = RequireScopeOptions<ParameterizedContext> & {
  /** Throw refusals to Koa's error handling instead of answering them (default `false`). */
  readonly passErrors?: boolean;
};

/**
 * Koa route guard: requires `scope` (`'appUser'`, `'app'` or `'account'`) on the route's app and
 * user, or `'any'` valid credential. Put it on the `@koa/router` route itself, so that
 * `ctx.params` is filled. It reuses the caller an earlier `authenticate()` found for this request;
 * otherwise it authenticates the request (with the authenticator of an earlier optional
 * `authenticate()`, or its own `store`/`authenticator` option), and without any authenticator it
 * throws a `ConfigurationError` (a 500), never a pass. It never trusts a `ctx.state.auth` that
 * keyscope did not set for this request, and sets `ctx.state.auth` to the caller it checked. A
 * refusal is answered and the route never runs.
 *
 * @throws {ConfigurationError} at set-up, for an unknown scope or invalid options.
 * @example
 * ```ts
 * router.get('/v2/apps/:appId', requireScope('app', { store }), (ctx) => {
 *   ctx.body = { app: { id: ctx.params.appId } };
 * });
 * ```
 */
export function requireScope(scope: GuardScope, options: KoaRequireScopeOptions = {}): Middleware {
  const guard = createGuard(scope, access, options);
  const pass = options.passErrors === true;
  return async function keyscopeRequireScope(ctx, next) {
    try {
      await guard(ctx);
    } catch (error) {
      return answer(ctx, error, pass);
    }
    await next();
  };
}
