/**
 * `requireScope()`: the Koa route guard. It allows the request only when the caller's scope
 * reaches the route's resource (by default `ctx.params.appId` / `ctx.params.userId`, as set by
 * `@koa/router`), reusing the context of an earlier `authenticate()` or authenticating on its own.
 */
import {
  type AuthenticateOptions,
  createGuard,
  type GuardAccess,
  type Scope,
} from '@keyscope/core';
import type { Middleware, ParameterizedContext } from 'koa';
import { answer, toAuthRequest } from './internal/glue.js';

/**
 * Options of {@link requireScope}: where the route names its app and user (`appId`, `userId`),
 * the authenticator to use when no `authenticate()` ran before (`store` or `authenticator`), and
 * `throw`.
 */
export type KoaRequireScopeOptions = Partial<AuthenticateOptions> & {
  /** Where the route names its app (default `ctx.params.appId`). */
  readonly appId?: (ctx: ParameterizedContext) => string | undefined;
  /** Where the route names its user (default `ctx.params.userId`). */
  readonly userId?: (ctx: ParameterizedContext) => string | undefined;
  /** Throw refusals to Koa's error handling instead of answering them (default `false`). */
  readonly throw?: boolean;
};

const param = (value: unknown) => (typeof value === 'string' ? value : undefined);

const access: GuardAccess<ParameterizedContext> = {
  request: toAuthRequest,
  getContext: (ctx) => ctx.state.auth,
  setContext: (ctx, auth) => {
    ctx.state.auth = auth;
  },
  resource: ({ params }) => ({ appId: param(params?.appId), userId: param(params?.userId) }),
};

/**
 * Koa route guard: requires `scope` (`'appUser'`, `'app'` or `'account'`) on the route's app and
 * user. Put it on the `@koa/router` route itself, so that `ctx.params` is filled. It authenticates
 * the request when no context is there yet (with the authenticator of an earlier `authenticate()`,
 * or its own `store`/`authenticator` option); without any authenticator it throws a
 * `ConfigurationError` (a 500), never a pass. A refusal is answered and the route never runs.
 *
 * @throws {ConfigurationError} at set-up, for an unknown scope or invalid options.
 * @example
 * ```ts
 * router.get('/v2/apps/:appId', requireScope('app', { store }), (ctx) => {
 *   ctx.body = { app: { id: ctx.params.appId } };
 * });
 * ```
 */
export function requireScope(scope: Scope, options: KoaRequireScopeOptions = {}): Middleware {
  const guard = createGuard(scope, access, options);
  const rethrow = options.throw === true;
  return async function keyscopeRequireScope(ctx, next) {
    try {
      await guard(ctx);
    } catch (error) {
      return answer(ctx, error, rethrow);
    }
    await next();
  };
}
