/**
 * `requireScope()` beyond the case table: reuse of an earlier `authenticate()`'s authenticator,
 * standalone use with a store or an authenticator, custom `appId` / `userId` resolvers, routers,
 * `passErrors`, `'any'` credential, resolvers that return something else than a string, and
 * misconfiguration, which must answer 500 and never run the route. Every test runs on Express 5
 * and Express 4.
 */
import {
  authenticate,
  ConfigurationError,
  createAuthenticator,
  ForbiddenError,
  requireScope,
} from '@keyscope/express';
import { basic, bearer, CHALLENGES, createFixture, createProbe, token } from '@keyscope/test-kit';
import express, { type ErrorRequestHandler } from 'express';
import express4 from 'express4';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { renderErrors } from './contract-app.js';

const { keys, createStore } = createFixture();
const appKey = basic(keys.appA.id, keys.appA.secret);
const appUser = async (userId: string) =>
  bearer(await token(keys.appA, { scope: 'appUser', userId }));

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
] as const)('requireScope() on %s', (_name, framework) => {
  const probe = createProbe();
  const ran =
    (name: string): express.RequestHandler =>
    (req, res) => {
      probe.ran(name);
      res.json({ keyId: req.auth?.keyId ?? null });
    };

  it('is a named middleware', () => {
    expect(requireScope('app', { store: createStore() }).name).toBe('keyscopeRequireScope');
  });

  it('reuses the authenticator of an earlier authenticate(), without authenticating twice', async () => {
    probe.reset();
    const onAuthenticated = vi.fn();
    const authenticator = createAuthenticator({ store: createStore(), onAuthenticated });
    const app = framework();
    app.use(authenticate({ authenticator }));
    app.get('/apps/:appId', requireScope('app'), ran('app'));
    const ok = await request(app).get('/apps/app_a').set('Authorization', appKey);
    expect(ok.status).toBe(200);
    expect(onAuthenticated).toHaveBeenCalledOnce();
    const other = await request(app).get('/apps/app_b').set('Authorization', appKey);
    expect(other.status).toBe(403);
    expect(probe.calls).toEqual(['app']);
  });

  it('authenticates with that authenticator after an optional authenticate() let a request through', async () => {
    probe.reset();
    const app = framework();
    app.use(authenticate({ store: createStore(), optional: true }));
    app.get('/open', ran('open'));
    app.get('/apps/:appId', requireScope('app'), ran('app'));
    expect((await request(app).get('/open')).status).toBe(200);
    const res = await request(app).get('/apps/app_a');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(probe.calls).toEqual(['open']);
  });

  it.each([
    ['a store', () => ({ store: createStore() })],
    ['an authenticator', () => ({ authenticator: createAuthenticator({ store: createStore() }) })],
  ])('works on its own with %s', async (_what, options) => {
    probe.reset();
    const app = framework();
    app.get('/apps/:appId/users/:userId', requireScope('appUser', options()), ran('user'));
    const res = await request(app)
      .get('/apps/app_a/users/u_1')
      .set('Authorization', await appUser('u_1'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ keyId: keys.appA.id });
    const wrong = await request(app)
      .get('/apps/app_a/users/u_2')
      .set('Authorization', await appUser('u_1'));
    expect(wrong.status).toBe(403);
    expect(wrong.headers['www-authenticate']).toBe(CHALLENGES.insufficientScope('appUser'));
    expect(probe.calls).toEqual(['user']);
  });

  it('reads the resource through custom appId / userId resolvers', async () => {
    probe.reset();
    const app = framework();
    const guard = requireScope('appUser', {
      store: createStore(),
      appId: (req) => req.params.project,
      userId: (req) => req.get('x-person'),
    });
    app.get('/projects/:project/inbox', guard, ran('inbox'));
    const send = async (project: string, person: string) =>
      request(app)
        .get(`/projects/${project}/inbox`)
        .set('Authorization', await appUser('u_1'))
        .set('x-person', person);
    expect((await send('app_a', 'u_1')).status).toBe(200);
    expect((await send('app_b', 'u_1')).status).toBe(403);
    expect((await send('app_a', 'u_2')).status).toBe(403);
    expect(probe.calls).toEqual(['inbox']);
  });

  it('guards the routes of a router behind an app-level authenticate()', async () => {
    probe.reset();
    const app = framework();
    const router = framework.Router();
    router.get('/apps/:appId', requireScope('app'), ran('app'));
    app.use(authenticate({ store: createStore() }));
    app.use('/v2', router);
    expect((await request(app).get('/v2/apps/app_a').set('Authorization', appKey)).status).toBe(
      200,
    );
    expect((await request(app).get('/v2/apps/app_b').set('Authorization', appKey)).status).toBe(
      403,
    );
    expect(probe.calls).toEqual(['app']);
  });

  it('fails closed when mounted where no route parameter names the app', async () => {
    probe.reset();
    const app = framework();
    app.use(requireScope('app', { store: createStore() }));
    app.get('/apps/:appId', ran('app'));
    const res = await request(app).get('/apps/app_a').set('Authorization', appKey);
    expect(res.status).toBe(403);
    expect(res.body.errors[0].code).toBe('forbidden');
    expect(probe.calls).toEqual([]);
  });

  it("hands refusals to the app's error handler with passErrors", async () => {
    probe.reset();
    let seen: unknown;
    const app = framework();
    app.get(
      '/apps/:appId',
      requireScope('app', { store: createStore(), passErrors: true }),
      ran('app'),
    );
    app.use(((error, req, res, next) => {
      seen = error;
      renderErrors(error, req, res, next);
    }) as ErrorRequestHandler);
    const res = await request(app).get('/apps/app_b').set('Authorization', appKey);
    expect(seen).toBeInstanceOf(ForbiddenError);
    expect(seen).toMatchObject({ requiredScope: 'app', reason: 'resource_not_allowed' });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(probe.calls).toEqual([]);
  });

  describe('misconfiguration: no authenticate() before it and no store', () => {
    it('answers 500 through the error handler and never runs the route', async () => {
      probe.reset();
      let seen: unknown;
      const app = framework();
      app.get('/apps/:appId', requireScope('app'), ran('app'));
      app.use(((error, req, res, next) => {
        seen = error;
        renderErrors(error, req, res, next);
      }) as ErrorRequestHandler);
      const res = await request(app).get('/apps/app_a').set('Authorization', appKey);
      expect(seen).toBeInstanceOf(ConfigurationError);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({
        errors: [{ code: 'internal_error', title: 'Internal server error' }],
      });
      expect(probe.calls).toEqual([]);
    });

    it("is a 500 from Express's own final handler too", async () => {
      probe.reset();
      const app = framework();
      app.get('/apps/:appId', requireScope('app'), ran('app'));
      const res = await request(app).get('/apps/app_a').set('Authorization', appKey);
      expect(res.status).toBe(500);
      expect(probe.calls).toEqual([]);
    });
  });
});

describe('requireScope() set-up and Express 5 specifics', () => {
  it('refuses an unknown scope or invalid options at set-up', () => {
    expect(() => requireScope('admin' as never, { store: createStore() })).toThrow(
      ConfigurationError,
    );
    expect(() => requireScope('app', { store: {} as never })).toThrow(ConfigurationError);
  });

  it('refuses a wildcard (array) parameter: 403, even on an account route', async () => {
    const app = express();
    const probe = createProbe();
    app.get('/files/*appId', requireScope('app', { store: createStore() }), (_req, res) => {
      probe.ran('files');
      res.end();
    });
    const res = await request(app).get('/files/app_a').set('Authorization', appKey);
    expect(res.status).toBe(403);
    const account = express();
    const userKey = basic(keys.account.id, keys.account.secret);
    account.get('/apps/*appId', requireScope('account', { store: createStore() }), (_req, res) => {
      probe.ran('account');
      res.end();
    });
    const refused = await request(account).get('/apps/app_a').set('Authorization', userKey);
    expect(refused.status).toBe(403);
    expect(probe.calls).toEqual([]);
  });
});

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
] as const)("requireScope('any') and resolvers on %s", (_name, framework) => {
  it("'any' lets through every valid credential, and refuses the rest", async () => {
    const probe = createProbe();
    const app = framework();
    app.get('/v2/whoami', requireScope('any', { store: createStore() }), (req, res) => {
      probe.ran('whoami');
      res.json({ scope: req.auth?.scope });
    });
    const jwt = await appUser('u_1');
    expect((await request(app).get('/v2/whoami').set('Authorization', jwt)).body).toEqual({
      scope: 'appUser',
    });
    const none = await request(app).get('/v2/whoami');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(probe.calls).toEqual(['whoami']);
  });

  it.each([
    ['a number', () => 42],
    ['an array of query values', (req: express.Request) => req.query.app],
    ['a promise of an array', async () => ['app_a']],
  ])(
    'a resolver that returns %s names no real app: 403, the route never runs',
    async (_l, appId) => {
      const probe = createProbe();
      const app = framework();
      app.get('/x', requireScope('app', { store: createStore(), appId }), (_req, res) => {
        probe.ran('x');
        res.end();
      });
      const res = await request(app).get('/x?app=app_a&app=app_a').set('Authorization', appKey);
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toBe('application/json');
      expect(probe.calls).toEqual([]);
    },
  );

  it('an async resolver that returns the app allows it', async () => {
    const app = framework();
    app.get(
      '/x',
      requireScope('app', { store: createStore(), appId: async () => 'app_a' }),
      (_q, res) => res.json({ ok: true }),
    );
    expect((await request(app).get('/x').set('Authorization', appKey)).status).toBe(200);
  });
});
