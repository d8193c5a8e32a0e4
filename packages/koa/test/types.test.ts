/**
 * Type tests of the public API: `ctx.state.auth` is typed by the package's augmentation of Koa's
 * `DefaultState`, in plain middleware and in `@koa/router` handlers; the middlewares are Koa
 * `Middleware`; resolvers see the Koa context. Checked by `tsc`.
 */

import {
  type AuthContext,
  authenticate,
  createMemoryStore,
  type KoaAuthenticateOptions,
  type KoaRequireScopeOptions,
  requireScope,
  type StateAuth,
} from '@keyscope/koa';
import { createFixture } from '@keyscope/test-kit';
import Router from '@koa/router';
import Koa, { type DefaultState, type Middleware, type ParameterizedContext } from 'koa';
import { describe, expectTypeOf, it } from 'vitest';

const store = createMemoryStore(createFixture().document);

describe('types', () => {
  it('types ctx.state.auth as AuthContext | undefined', () => {
    const app = new Koa();
    app.use(authenticate({ store }));
    app.use((ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthContext | undefined>();
    });
    const router = new Router();
    router.get('/apps/:appId', requireScope('app'), (ctx) => {
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthContext | undefined>();
      ctx.body = { id: ctx.params.appId, scope: ctx.state.auth?.scope };
    });
    expectTypeOf<DefaultState['auth']>().toEqualTypeOf<StateAuth>();
  });

  it('returns Koa middleware', () => {
    expectTypeOf(authenticate({ store })).toEqualTypeOf<Middleware>();
    expectTypeOf(requireScope('app')).toEqualTypeOf<Middleware>();
    expectTypeOf(requireScope).parameter(0).toEqualTypeOf<'any' | 'appUser' | 'app' | 'account'>();
  });

  it('hands resolvers the Koa context', () => {
    const options: KoaRequireScopeOptions = {
      store,
      appId: (ctx) => ctx.params.id,
      userId: (ctx) => ctx.get('x-user'),
      passErrors: true,
    };
    // `throw`, the 0.1 spelling of `passErrors`, is gone.
    expectTypeOf<KoaRequireScopeOptions>().not.toHaveProperty('throw');
    expectTypeOf<KoaAuthenticateOptions>().not.toHaveProperty('throw');
    expectTypeOf(options).toExtend<KoaRequireScopeOptions>();
    expectTypeOf<NonNullable<KoaRequireScopeOptions['appId']>>()
      .parameter(0)
      .toEqualTypeOf<ParameterizedContext>();
    expectTypeOf<NonNullable<KoaRequireScopeOptions['appId']>>().returns.toEqualTypeOf<unknown>();
    // Anything goes: only a string names a resource.
    requireScope('app', { appId: (ctx) => ctx.query.app, userId: async () => 42 });
    const misuses = () => {
      // @ts-expect-error not a scope
      requireScope('admin');
      // @ts-expect-error authenticate() needs a store or an authenticator
      authenticate({ optional: true });
    };
    expectTypeOf(misuses).returns.toBeVoid();
  });
});
