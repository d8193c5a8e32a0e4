/**
 * The Koa example API of the contract (section 5), built by `createApp` and exported so tests
 * drive it through supertest (`app.callback()`) without opening a port. Each protected route names
 * the scope it needs with `requireScope`, which authenticates the caller and checks the route's
 * `:appId`/`:userId` (from `@koa/router`) before the handler runs; the one POST route reads its JSON
 * body only after that check, so an unauthenticated request never has its body read. Refusals use
 * the contract's JSON body, and so do the API's own errors (unknown route, bad JSON body, a path
 * that is not valid percent-encoding) with their own codes.
 */
import {
  type AuthContext,
  type Authenticator,
  createAuthenticator,
  type GuardScope,
  isAuthError,
  type KeyStore,
  listReachableApps,
  toErrorResponse,
} from '@keyscope/core';
import { requireScope } from '@keyscope/koa';
import Router from '@koa/router';
import Koa, { type Context, type Middleware } from 'koa';
import { BodyError, readJsonBody } from './read-json-body.js';

/** The protected routes, as named to the `onHandle` hook. */
export type RouteName = 'whoami' | 'listApps' | 'getApp' | 'getUser' | 'postMessage';

/**
 * Options of {@link createApp}: where keys come from (a store, or an authenticator made with
 * `createAuthenticator`), and optional hooks.
 */
export type AppOptions = (
  | { readonly store: KeyStore; readonly authenticator?: undefined }
  | { readonly authenticator: Authenticator; readonly store?: undefined }
) & {
  /**
   * Called by every protected handler when it runs, with the caller's context. For metrics or
   * audit logs; the tests use it to prove that a refused request never reached its handler.
   */
  readonly onHandle?: (route: RouteName, auth: AuthContext) => void;
  /** Largest JSON body accepted, in bytes (default 100 KiB); larger bodies answer 413. */
  readonly bodyLimit?: number;
};

const apiError = (code: string, title: string) => ({ errors: [{ code, title }] });

/**
 * Builds the example API.
 *
 * @throws {ConfigurationError} when the store or authenticator is unusable.
 * @example
 * ```ts
 * import { openFileStore } from '@keyscope/core';
 * import { createApp } from './app.js';
 *
 * const app = createApp({ store: await openFileStore('keys.demo.json') });
 * app.listen(3000);
 * ```
 */
export function createApp(options: AppOptions): Koa {
  const authenticator = options.authenticator ?? createAuthenticator({ store: options.store });
  const handled = options.onHandle ?? (() => {});
  const bodyLimit = options.bodyLimit ?? 100 * 1024;
  const guard = (scope: GuardScope) => requireScope(scope, { authenticator });

  const router = new Router();

  router.get('/health', (ctx) => {
    ctx.body = { ok: true };
  });

  router.get('/v2/whoami', guard('any'), (ctx) => {
    const auth = contextOf(ctx);
    handled('whoami', auth);
    ctx.body = describe(auth);
  });

  router.get('/v2/apps', guard('account'), async (ctx) => {
    const auth = contextOf(ctx);
    handled('listApps', auth);
    // A store that cannot answer throws a 503, rendered by renderErrors.
    const apps = await listReachableApps(authenticator, auth);
    ctx.body = { apps: apps.map((id) => ({ id })) };
  });

  router.get('/v2/apps/:appId', guard('app'), (ctx) => {
    handled('getApp', contextOf(ctx));
    ctx.body = { app: { id: ctx.params.appId } };
  });

  router.get('/v2/apps/:appId/users/:userId', guard('appUser'), (ctx) => {
    handled('getUser', contextOf(ctx));
    ctx.body = { user: { id: ctx.params.userId, appId: ctx.params.appId } };
  });

  router.post('/v2/apps/:appId/users/:userId/messages', guard('appUser'), async (ctx) => {
    const auth = contextOf(ctx);
    const received = await readJsonBody(ctx, bodyLimit);
    handled('postMessage', auth);
    ctx.status = 201;
    ctx.body = { received };
  });

  const app = new Koa();
  app.use(renderErrors);
  app.use(refuseMalformedPaths);
  app.use(router.routes());
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = apiError('not_found', 'No such route');
  });
  return app;
}

/** The `whoami` body: the context's public fields, absent ones left out. */
function describe(auth: AuthContext): Record<string, unknown> {
  return {
    method: auth.method,
    keyId: auth.keyId,
    entity: { type: auth.entity.type, id: auth.entity.id },
    scope: auth.scope,
    ...(auth.appId === undefined ? {} : { appId: auth.appId }),
    ...(auth.userId === undefined ? {} : { userId: auth.userId }),
    ...(auth.accountId === undefined ? {} : { accountId: auth.accountId }),
  };
}

function contextOf(ctx: Context): AuthContext {
  // The guard before every protected handler has set it; a missing one is a wiring bug.
  const auth = ctx.state.auth;
  if (auth === undefined) throw new Error('route reached without an authentication context');
  return auth;
}

/**
 * A path that is not valid percent-encoding names no route: 400, as the other example servers
 * answer. (`@koa/router` would hand such a segment on undecoded, so `%E0%A4%A` would reach a
 * handler as a user id.) Thrown as an error with a 4xx `status`, the way frameworks report them.
 */
const refuseMalformedPaths: Middleware = async (ctx, next) => {
  try {
    decodeURIComponent(ctx.path);
  } catch {
    throw Object.assign(new URIError('malformed path'), { status: 400, expose: false });
  }
  await next();
};

/** The API's body for a 4xx error of Koa or of a middleware: a fixed title, never its message. */
function clientError(status: number) {
  if (status === 413)
    return { status, body: apiError('payload_too_large', 'The request body is too large') };
  return { status: 400, body: apiError('bad_request', 'Bad request') };
}

/**
 * The first middleware: renders what the rest throws. Body errors answer with their own status and
 * code; keyscope errors with the contract's answer (a JSON string, so that the type stays exactly
 * `application/json`); any other error with a 4xx `status` (a malformed path, `ctx.throw(400)`)
 * a 4xx with the API's body and a fixed title; anything else a 500 that reveals nothing (and goes
 * to the app's `error` event, which Koa logs).
 */
const renderErrors: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (error instanceof BodyError) {
      ctx.status = error.status;
      ctx.body = apiError(error.code, error.message);
      return;
    }
    const status: unknown = (error as { status?: unknown } | null)?.status;
    if (!isAuthError(error) && typeof status === 'number' && status >= 400 && status < 500) {
      const answer = clientError(status);
      ctx.status = answer.status;
      ctx.body = answer.body;
      return;
    }
    const answer = toErrorResponse(error);
    if (answer.status === 500) ctx.app.emit('error', error, ctx);
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = JSON.stringify(answer.body);
  }
};
