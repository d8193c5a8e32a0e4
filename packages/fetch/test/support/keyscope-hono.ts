/**
 * The Hono recipe of the README and docs/custom-adapters.md, verbatim, so that the documented code
 * is the tested code: two Hono middleware factories built from `@keyscope/fetch`. `keyscope`
 * authenticates any caller; `scope` lets through only callers allowed at a scope on the route's
 * `:appId`/`:userId`. Both put the `AuthContext` in `c.var.auth`, and a refusal is returned as the
 * contract's `Response`, so the route handler never runs.
 */
import {
  type AuthContext,
  type Authenticator,
  authenticate,
  requireScope,
  type Scope,
} from '@keyscope/fetch';
import type { Context, Next } from 'hono';
import { createMiddleware } from 'hono/factory';

/** What the middleware put in Hono's context. */
export type KeyscopeEnv = { Variables: { auth: AuthContext } };

/** Any valid credential; sets `c.var.auth`. */
export const keyscope = (authenticator: Authenticator) =>
  createMiddleware<KeyscopeEnv>(async (c, next) => {
    const result = await authenticate(c.req.raw, authenticator);
    if (!result.ok) return result.response;
    c.set('auth', result.auth);
    await next();
    return undefined;
  });

/** A caller allowed at `scope` on the route's `:appId`/`:userId`; sets `c.var.auth`. */
export const scope = (required: Scope, authenticator: Authenticator) => {
  const check = requireScope(
    required,
    async (_request, { auth }, c: Context<KeyscopeEnv>, next: Next) => {
      c.set('auth', auth);
      await next();
      return c.res;
    },
    { authenticator, params: (_request, c) => c.req.param() },
  );
  return createMiddleware<KeyscopeEnv>((c, next) => check(c.req.raw, c, next));
};
