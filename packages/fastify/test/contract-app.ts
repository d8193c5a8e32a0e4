/**
 * Builds a Fastify app (4 or 5) serving the contract's routes from the test-kit, guarded by this
 * package, in one of three mounting styles: `preHandler` (each route carries `requireScope(scope)`
 * as a route option, `/v2/whoami` `requireScope('any')`), `onRequest` (the same hooks one stage
 * earlier, so a refused caller's body is never read), or `chain` (an `authenticate()` hook added
 * to an encapsulated `/v2` context with `addHook`, then bare `requireScope(scope)` route options
 * that reuse what it found). Refusals are answered by the hooks; the app's error handler renders
 * what the routes throw (the 503 of `GET /v2/apps`).
 */
import {
  authenticate,
  type KeyStore,
  keyscope,
  requireScope,
  toErrorResponse,
} from '@keyscope/fastify';
import { defineContractRoutes, type Probe } from '@keyscope/test-kit';
import type fastify from 'fastify';
import type { FastifyInstance } from 'fastify';

/** The Fastify module under test: `fastify` (5) or `fastify4`. */
export type FastifyModule = typeof fastify;

/** How the hooks are mounted. */
export type MountStyle = 'preHandler' | 'onRequest' | 'chain';

/**
 * The contract app, on `store`, reporting handler runs to `probe`.
 *
 * @example
 * ```ts
 * runCaseTable('fastify 5', (store, probe) => contractApp(fastify, store, probe, 'preHandler'));
 * ```
 */
export async function contractApp(
  framework: FastifyModule,
  store: KeyStore,
  probe: Probe,
  style: MountStyle,
): Promise<FastifyInstance['server']> {
  const app = framework();
  await app.register(keyscope, { store });
  // Set before the routes' contexts, which inherit it.
  app.setErrorHandler((error, _request, reply) => {
    const { status, headers, body } = toErrorResponse(error);
    return reply
      .code(status)
      .headers(headers)
      .send(Buffer.from(JSON.stringify(body)));
  });
  const routes = defineContractRoutes({ store, probe });
  /** Mounts the routes under `prefix`, at their path less `strip`. */
  const mount = (api: FastifyInstance, prefix: string, strip = '') => {
    for (const route of routes.filter((r) => r.path.startsWith(prefix))) {
      const scope = route.guard === 'authenticated' ? 'any' : route.guard;
      const hook =
        scope === 'none'
          ? {}
          : { [style === 'onRequest' ? 'onRequest' : 'preHandler']: requireScope(scope) };
      api.route({
        method: route.method,
        url: route.path.slice(strip.length),
        ...hook,
        handler: async (request, reply) => {
          const params = request.params as { appId?: string; userId?: string };
          const { status, body } = await route.handle({
            auth: request.auth,
            params,
            body: request.body,
          });
          return reply.code(status).send(body);
        },
      });
    }
  };
  if (style === 'chain') {
    mount(app, '/health');
    await app.register(
      async (api) => {
        api.addHook('preHandler', authenticate());
        mount(api, '/v2/', '/v2');
      },
      { prefix: '/v2' },
    );
  } else {
    mount(app, '');
  }
  await app.ready();
  return app.server;
}
