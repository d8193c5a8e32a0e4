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
  type KeyscopeMiddleware,
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
    expectTypeOf(authenticate({ store })).toExtend<RequestHandler>();
    expectTypeOf(requireScope('app')).toExtend<RequestHandler>();
    expectTypeOf(requireScope('app')).toEqualTypeOf<KeyscopeMiddleware>();
    const handlers: RequestHandler[] = [authenticate({ store }), requireScope('account')];
    express().use('/v2', ...handlers);
    expectTypeOf(requireScope).parameter(0).toEqualTypeOf<'any' | 'appUser' | 'app' | 'account'>();
  });

  it('keeps the route parameters Express infers from the path', () => {
    const app = express();
    app.get('/x/:id', requireScope('app'), (req) => {
      expectTypeOf(req.params).toEqualTypeOf<{ id: string }>();
      expectTypeOf(req.params.id).toEqualTypeOf<string>();
    });
    app.get(
      '/apps/:appId/users/:userId',
      authenticate({ store }),
      requireScope('appUser'),
      (req) => {
        expectTypeOf(req.params.appId).toEqualTypeOf<string>();
        expectTypeOf(req.params.userId).toEqualTypeOf<string>();
        // @ts-expect-error no such parameter on this route
        void req.params.other;
      },
    );
    const router = express.Router();
    router.post('/v2/apps/:appId', requireScope('any'), express.json(), (req, res) => {
      expectTypeOf(req.params.appId).toEqualTypeOf<string>();
      res.json({ id: req.params.appId });
    });
    app.use(requireScope('any'));
    app.use('/v2', authenticate({ store }), requireScope('account'));
  });

  it('hands resolvers the Express request', () => {
    const options: ExpressRequireScopeOptions = {
      store,
      appId: (req) => req.params.id,
      userId: (req) => req.get('x-user'),
      passErrors: true,
    };
    expectTypeOf(options.appId).parameter(0).toEqualTypeOf<Request>();
    expectTypeOf(options.appId).returns.toEqualTypeOf<unknown>();
    // Anything goes (a string[] of repeated query values...): only a string names a resource.
    requireScope('app', { appId: (req) => req.query.app, userId: async () => 42 });
    const misuses = () => {
      // @ts-expect-error authenticate() needs a store or an authenticator
      authenticate({ optional: true });
      // @ts-expect-error not a scope
      requireScope('admin');
    };
    expectTypeOf(misuses).returns.toBeVoid();
  });
});
