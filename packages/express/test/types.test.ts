/**
 * Type tests of the public API: `req.auth` is typed by the package's augmentation of
 * `Express.Request` (the interface both Express 4 and 5 typings extend), the middlewares are
 * Express `RequestHandler`s, and resolvers see the Express request. Checked by `tsc`.
 */
import {
  type AuthContext,
  authenticate,
  createMemoryStore,
  type ExpressRequireScopeOptions,
  type RequestAuth,
  requireScope,
} from '@keyscope/express';
import { createFixture } from '@keyscope/test-kit';
import express, { type Request, type RequestHandler } from 'express';
import { describe, expectTypeOf, it } from 'vitest';

const store = createMemoryStore(createFixture().document);

describe('types', () => {
  it('types req.auth as AuthContext | undefined', () => {
    const app = express();
    app.get('/me', authenticate({ store }), (req, res) => {
      expectTypeOf(req.auth).toEqualTypeOf<AuthContext | undefined>();
      res.json({ scope: req.auth?.scope });
    });
    expectTypeOf<Request['auth']>().toEqualTypeOf<RequestAuth>();
    expectTypeOf<Express.Request['auth']>().toEqualTypeOf<AuthContext | undefined>();
  });

  it('returns Express middleware', () => {
    expectTypeOf(authenticate({ store })).toEqualTypeOf<RequestHandler>();
    expectTypeOf(requireScope('app')).toEqualTypeOf<RequestHandler>();
    expectTypeOf(requireScope).parameter(0).toEqualTypeOf<'appUser' | 'app' | 'account'>();
  });

  it('hands resolvers the Express request', () => {
    const options: ExpressRequireScopeOptions = {
      store,
      appId: (req) => req.params.id,
      userId: (req) => req.get('x-user'),
      passErrors: true,
    };
    expectTypeOf(options.appId).parameter(0).toEqualTypeOf<Request>();
    const misuses = () => {
      // @ts-expect-error a resolver returns a string, not a number
      requireScope('app', { appId: () => 42 });
      // @ts-expect-error authenticate() needs a store or an authenticator
      authenticate({ optional: true });
    };
    expectTypeOf(misuses).returns.toBeVoid();
  });
});
