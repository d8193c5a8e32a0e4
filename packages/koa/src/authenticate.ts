/**
 * `authenticate()`: the Koa middleware that authenticates every request it sees, puts the
 * caller's `AuthContext` on `ctx.state.auth` and awaits `next()`; a refused request is answered at
 * once (or thrown to Koa's error handling, with `passErrors: true`) and never reaches the route.
 */
import {
  type AuthContext,
  type AuthenticateOptions,
  authenticateRequest,
  resolveAuthenticator,
} from '@keyscope/core';
import type { Middleware } from 'koa';
import { access, answer } from './internal/glue.js';

/**
 * Options of {@link authenticate}: an `authenticator` (or the options to create one: `store`,
 * `realm`, ...), `optional`, and `passErrors`.
 *
 * @example
 * ```ts
 * const options: KoaAuthenticateOptions = { authenticator, optional: true, passErrors: true };
 * ```
 */
export type KoaAuthenticateOptions = AuthenticateOptions & {
  /**
   * Throw refusals instead of answering them (default `false`), for Koa's error handling: the
   * `AuthError` carries `status`, `expose: true` and `headers` (its `WWW-Authenticate`), which
   * Koa's default handler answers with (in plain text, unlogged), and `toBody()` for an app's own
   * error middleware. The same option as in `@keyscope/express`.
   */
  readonly passErrors?: boolean;
};

/**
 * Koa middleware: authenticates the request (HTTP Basic API key or Bearer JWT), sets
 * `ctx.state.auth`, awaits `next()`. A refusal is answered with its status, `WWW-Authenticate`
 * header and JSON body (`{"errors":[{"code","title"}]}`) and `next` is never called. With
 * `optional: true`, a request without any `Authorization` field passes with `ctx.state.auth`
 * `undefined` (whatever another middleware put there is not left behind); a bad one is still
 * refused. Errors other than refusals are thrown to Koa.
 *
 * @throws {ConfigurationError} at set-up, when the options are invalid (no store...).
 * @example
 * ```ts
 * import Koa from 'koa';
 * import { authenticate, createMemoryStore } from '@keyscope/koa';
 *
 * const app = new Koa();
 * app.use(authenticate({ store: createMemoryStore(keysDocument) }));
 * app.use((ctx) => { ctx.body = { keyId: ctx.state.auth?.keyId }; });
 * ```
 */
export function authenticate(options: KoaAuthenticateOptions): Middleware {
  const authenticator = resolveAuthenticator(options);
  const optional = options.optional === true;
  const pass = options.passErrors === true;
  return async function keyscopeAuthenticate(ctx, next) {
    let auth: AuthContext | undefined;
    try {
      auth = await authenticateRequest(authenticator, ctx, access.request(ctx), optional);
    } catch (error) {
      return answer(ctx, error, pass);
    }
    ctx.state.auth = auth; // undefined too: nothing another middleware put there stays
    await next();
  };
}
