/**
 * The Koa example API of the contract (section 5), built by `createApp` and exported so tests
 * drive it through supertest (`app.callback()`) without opening a port. Each protected route names
 * the scope it needs with `requireScope`, which authenticates the caller and checks the route's
 * `:appId`/`:userId` (from `@koa/router`) before the handler runs; the one POST route reads its JSON
 * body only after that check, so an unauthenticated request never has its body read. Refusals use
 * the contract's JSON body, and so do the API's own errors (unknown route, bad JSON body).
 */
import {
  type AuthContext,
  type Authenticator,
  createAuthenticator,
  type KeyStore,
  StoreUnavailableError,
  toErrorResponse,
} from '@keyscope/core';
import { authenticate, requireScope } from '@keyscope/koa';
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
  const guard = (scope: 'appUser' | 'app' | 'account') => requireScope(scope, { authenticator });

  const router = new Router();

  router.get('/health', (ctx) => {
    ctx.body = { ok: true };
  });

  router.get('/v2/whoami', authenticate({ authenticator }), (ctx) => {
    const auth = contextOf(ctx);
    handled('whoami', auth);
    ctx.body = describe(auth);
  });

  router.get('/v2/apps', guard('account'), async (ctx) => {
    const auth = contextOf(ctx);
    handled('listApps', auth);
    let apps: readonly string[];
    try {
      apps = await authenticator.store.appsFor(auth.entity);
    } catch (cause) {
      throw new StoreUnavailableError({
        reason: 'store_unavailable',
        method: auth.method,
        keyId: auth.keyId,
        cause,
      });
    }
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
 * The first middleware: renders what the rest throws. Body errors answer with their own status and
 * code, keyscope errors with the contract's answer, anything else a 500 that reveals nothing (and
 * goes to the app's `error` event, which Koa logs).
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
    const answer = toErrorResponse(error);
    if (answer.status === 500) ctx.app.emit('error', error, ctx);
    ctx.status = answer.status;
    ctx.set(answer.headers);
    ctx.body = answer.body;
  }
};
