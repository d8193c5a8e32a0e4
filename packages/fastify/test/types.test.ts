/**
 * Type tests of the public API: `request.auth` and `fastify.keyscope` are typed by the package's
 * augmentation of Fastify's interfaces, the hooks fit `preHandler` and `onRequest` (as route
 * options, in arrays, with `addHook`) on routes with typed parameters, and resolvers see the
 * Fastify request. Checked by `tsc`.
 */
import {
  type AuthContext,
  authenticate,
  createMemoryStore,
  type FastifyRequireScopeOptions,
  type KeyscopeHook,
  type KeyscopeSettings,
  keyscope,
  type RequestAuth,
  requireScope,
} from '@keyscope/fastify';
import { createFixture } from '@keyscope/test-kit';
import fastify, { type FastifyRequest, type preHandlerAsyncHookHandler } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';

const store = createMemoryStore(createFixture().document);

describe('types', () => {
  it('types request.auth and fastify.keyscope', async () => {
    const app = fastify();
    await app.register(keyscope, { store, passErrors: true });
    expectTypeOf(app.keyscope).toEqualTypeOf<KeyscopeSettings>();
    app.get('/me', { preHandler: authenticate() }, async (request) => {
      expectTypeOf(request.auth).toEqualTypeOf<AuthContext | undefined>();
      return request.auth?.scope;
    });
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<RequestAuth>();
  });

  it('fits preHandler and onRequest, on routes with typed parameters', () => {
    const app = fastify();
    expectTypeOf(requireScope('app')).toEqualTypeOf<KeyscopeHook>();
    expectTypeOf(requireScope('app')).toExtend<preHandlerAsyncHookHandler>();
    app.get<{ Params: { appId: string } }>(
      '/v2/apps/:appId',
      { onRequest: authenticate(), preHandler: [requireScope('app')] },
      async (request) => {
        expectTypeOf(request.params.appId).toEqualTypeOf<string>();
        return { app: { id: request.params.appId } };
      },
    );
    app.addHook('preHandler', requireScope('account'));
    app.addHook('onRequest', authenticate({ optional: true }));
    expectTypeOf(requireScope).parameter(0).toEqualTypeOf<'any' | 'appUser' | 'app' | 'account'>();
  });

  it('hands resolvers the Fastify request', () => {
    const options: FastifyRequireScopeOptions = {
      appId: (request) => request.headers['x-app'],
      userId: async (request) => (request.query as { user?: string }).user,
      passErrors: true,
    };
    expectTypeOf(options.appId).parameter(0).toEqualTypeOf<FastifyRequest>();
    const misuses = async () => {
      // @ts-expect-error the plugin needs a store or an authenticator
      await fastify().register(keyscope, { passErrors: true });
      // @ts-expect-error not a scope
      requireScope('admin');
    };
    expectTypeOf(misuses).returns.resolves.toBeVoid();
  });
});
