/**
 * Type tests of the public API: `ctx.state.auth` is typed by the package's augmentation of Koa's
 * `DefaultState`, in plain middleware and in `@koa/router` handlers; the middlewares are Koa
 * `Middleware`; resolvers see the Koa context. Checked by `tsc`.
 */

import {
  type AuthContext,
  authenticate,
  createMemoryStore,
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
    expectTypeOf(requireScope).parameter(0).toEqualTypeOf<'appUser' | 'app' | 'account'>();
  });

  it('hands resolvers the Koa context', () => {
    const options: KoaRequireScopeOptions = {
      store,
      appId: (ctx) => ctx.params.id,
      userId: (ctx) => ctx.get('x-user'),
      throw: true,
    };
    expectTypeOf(options).toExtend<KoaRequireScopeOptions>();
    expectTypeOf<NonNullable<KoaRequireScopeOptions['appId']>>()
      .parameter(0)
      .toEqualTypeOf<ParameterizedContext>();
    const misuses = () => {
      // @ts-expect-error a resolver returns a string, not a number
      requireScope('app', { appId: () => 42 });
      // @ts-expect-error authenticate() needs a store or an authenticator
      authenticate({ optional: true });
    };
    expectTypeOf(misuses).returns.toBeVoid();
  });
});
