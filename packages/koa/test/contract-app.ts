/**
 * Builds a Koa app (2 or 3) serving the contract's routes from the test-kit through `@koa/router`,
 * guarded by this package, in one of two mounting styles: `chain` (one `authenticate()` on `/v2`,
 * then bare `requireScope(scope)` guards reusing its authenticator) or `standalone` (each route
 * carries its own `authenticate({ store })` or `requireScope(scope, { store })`).
 */

import {
  authenticate,
  createAuthenticator,
  type KeyStore,
  requireScope,
  toErrorResponse,
} from '@keyscope/koa';
import { defineContractRoutes, type Probe, readJsonBody } from '@keyscope/test-kit';
import Router from '@koa/router';
import type Koa from 'koa';
import type { Middleware } from 'koa';

/** The Koa class under test: `koa` (3) or `koa2`. */
export type KoaClass = typeof Koa;

/** How the guards are mounted. */
export type MountStyle = 'chain' | 'standalone';

/** Renders any error thrown below it the way core says (the test apps' error middleware). */
export const renderErrors: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    const { status, headers, body } = toErrorResponse(error);
    ctx.status = status;
    ctx.set(headers);
    ctx.body = JSON.stringify(body); // an object body would make Koa 2 add a charset
  }
};

/**
 * The contract app, on `store`, reporting handler runs to `probe`.
 *
 * @example
 * ```ts
 * runCaseTable('koa 3', (store, probe) => contractApp(Koa, store, probe, 'chain').callback());
 * ```
 */
export function contractApp(
  Framework: KoaClass,
  store: KeyStore,
  probe: Probe,
  style: MountStyle,
): Koa {
  const app = new Framework();
  app.use(renderErrors);
  const router = new Router();
  if (style === 'chain') {
    router.use('/v2', authenticate({ authenticator: createAuthenticator({ store }) }));
  }
  for (const route of defineContractRoutes({ store, probe })) {
    const guards: Middleware[] = [];
    if (route.guard === 'authenticated' && style === 'standalone') {
      guards.push(authenticate({ store }));
    }
    if (route.guard !== 'none' && route.guard !== 'authenticated') {
      guards.push(
        style === 'chain' ? requireScope(route.guard) : requireScope(route.guard, { store }),
      );
    }
    const method = route.method === 'GET' ? 'get' : 'post';
    router[method](route.path, ...guards, async (ctx) => {
      const body = route.readsBody ? await readJsonBody(ctx.req) : undefined;
      const { appId, userId } = ctx.params;
      const answer = await route.handle({ auth: ctx.state.auth, params: { appId, userId }, body });
      ctx.status = answer.status;
      ctx.body = answer.body;
    });
  }
  app.use(router.routes());
  return app;
}
