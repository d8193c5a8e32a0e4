/**
 * Test support: the contract's routes (from the test kit) on a Hono app guarded by the documented
 * recipe (`keyscope-hono.ts`), so Hono is tested as a consumer of `@keyscope/fetch`.
 */
import { createAuthenticator, type KeyStore, toResponse } from '@keyscope/fetch';
import { defineContractRoutes, type Probe } from '@keyscope/test-kit';
import { Hono, type MiddlewareHandler } from 'hono';
import { type KeyscopeEnv, keyscope, scope } from './keyscope-hono.js';

/**
 * The contract API as a Hono app.
 *
 * @example
 * ```ts
 * const response = await createHonoApp(store).request('/health');
 * ```
 */
export function createHonoApp(store: KeyStore, probe?: Probe): Hono<KeyscopeEnv> {
  const authenticator = createAuthenticator({ store });
  const app = new Hono<KeyscopeEnv>();
  for (const route of defineContractRoutes({ store, probe })) {
    const guard: MiddlewareHandler<KeyscopeEnv> =
      route.guard === 'none'
        ? (_c, next) => next()
        : route.guard === 'authenticated'
          ? keyscope(authenticator)
          : scope(route.guard, authenticator);
    app.on(route.method, route.path, guard, async (c) => {
      const body = route.readsBody ? await c.req.json() : undefined;
      const { status, body: json } = await route.handle({
        auth: route.guard === 'none' ? undefined : c.var.auth,
        params: c.req.param(),
        body,
      });
      return c.json(json as object, status);
    });
  }
  app.onError((error) => toResponse(error));
  app.notFound((c) => c.json({ errors: [{ code: 'not_found', title: 'No such route' }] }, 404));
  return app;
}
