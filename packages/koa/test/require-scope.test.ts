/**
 * `requireScope()` beyond the case table: reuse of an earlier `authenticate()`'s authenticator,
 * standalone use with a store or an authenticator, custom `appId` / `userId` resolvers,
 * `passErrors: true`, `'any'` credential, resolvers that return something else
 * than a string, and misconfiguration, which must answer 500 and never run the route. Every test
 * runs on Koa 3 and Koa 2 with `@koa/router`.
 */

import {
  authenticate,
  ConfigurationError,
  createAuthenticator,
  ForbiddenError,
  requireScope,
} from '@keyscope/koa';
import { basic, bearer, CHALLENGES, createFixture, createProbe, token } from '@keyscope/test-kit';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import Koa2 from 'koa2';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';

const { keys, createStore } = createFixture();
const appKey = basic(keys.appA.id, keys.appA.secret);
const appUser = async (userId: string) =>
  bearer(await token(keys.appA, { scope: 'appUser', userId }));

describe.each([
  ['Koa 3', Koa],
  ['Koa 2', Koa2],
] as const)('requireScope() on %s', (_name, Framework) => {
  const probe = createProbe();
  const ran =
    (name: string): Middleware =>
    (ctx) => {
      probe.ran(name);
      ctx.body = { keyId: ctx.state.auth?.keyId ?? null };
    };
  function serve(router: Router, ...before: Middleware[]) {
    probe.reset();
    const app = new Framework();
    const errors = vi.fn();
    app.on('error', errors);
    for (const m of before) app.use(m);
    app.use(router.routes());
    return { server: app.callback(), errors };
  }

  it('is a named middleware', () => {
    expect(requireScope('app', { store: createStore() }).name).toBe('keyscopeRequireScope');
  });

  it('reuses the authenticator of an earlier authenticate(), without authenticating twice', async () => {
    const onAuthenticated = vi.fn();
    const authenticator = createAuthenticator({ store: createStore(), onAuthenticated });
    const router = new Router();
    router.get('/apps/:appId', requireScope('app'), ran('app'));
    const { server } = serve(router, authenticate({ authenticator }));
    expect((await request(server).get('/apps/app_a').set('Authorization', appKey)).status).toBe(
      200,
    );
    expect(onAuthenticated).toHaveBeenCalledOnce();
    expect((await request(server).get('/apps/app_b').set('Authorization', appKey)).status).toBe(
      403,
    );
    expect(probe.calls).toEqual(['app']);
  });

  it('authenticates with that authenticator after an optional authenticate() let a request through', async () => {
    const router = new Router();
    router.get('/open', ran('open'));
    router.get('/apps/:appId', requireScope('app'), ran('app'));
    const { server } = serve(router, authenticate({ store: createStore(), optional: true }));
    expect((await request(server).get('/open')).status).toBe(200);
    const res = await request(server).get('/apps/app_a');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(probe.calls).toEqual(['open']);
  });

  it.each([
    ['a store', () => ({ store: createStore() })],
    ['an authenticator', () => ({ authenticator: createAuthenticator({ store: createStore() }) })],
  ])('works on its own with %s', async (_what, options) => {
    const router = new Router();
    router.get('/apps/:appId/users/:userId', requireScope('appUser', options()), ran('user'));
    const { server } = serve(router);
    const ok = await request(server)
      .get('/apps/app_a/users/u_1')
      .set('Authorization', await appUser('u_1'));
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ keyId: keys.appA.id });
    const wrong = await request(server)
      .get('/apps/app_a/users/u_2')
      .set('Authorization', await appUser('u_1'));
    expect(wrong.status).toBe(403);
    expect(wrong.headers['www-authenticate']).toBe(CHALLENGES.insufficientScope('appUser'));
    expect(probe.calls).toEqual(['user']);
  });

  it('reads the resource through custom appId / userId resolvers', async () => {
    const router = new Router();
    const guard = requireScope('appUser', {
      store: createStore(),
      appId: (ctx) => ctx.params.project,
      userId: (ctx) => ctx.get('x-person') || undefined,
    });
    router.get('/projects/:project/inbox', guard, ran('inbox'));
    const { server } = serve(router);
    const send = async (project: string, person: string) =>
      request(server)
        .get(`/projects/${project}/inbox`)
        .set('Authorization', await appUser('u_1'))
        .set('x-person', person);
    expect((await send('app_a', 'u_1')).status).toBe(200);
    expect((await send('app_b', 'u_1')).status).toBe(403);
    expect((await send('app_a', 'u_2')).status).toBe(403);
    expect(probe.calls).toEqual(['inbox']);
  });

  it('fails closed when mounted where no route parameter names the app', async () => {
    const router = new Router();
    router.get('/apps/:appId', ran('app'));
    const { server } = serve(router, requireScope('app', { store: createStore() }));
    const res = await request(server).get('/apps/app_a').set('Authorization', appKey);
    expect(res.status).toBe(403);
    expect(res.body.errors[0].code).toBe('forbidden');
    expect(probe.calls).toEqual([]);
  });

  it.each([['passErrors: true', { passErrors: true }]] as const)(
    "throws refusals to Koa's error handling with %s",
    async (_l, pass) => {
      const router = new Router();
      router.get(
        '/apps/:appId',
        requireScope('app', { store: createStore(), ...pass }),
        ran('app'),
      );
      const { server, errors } = serve(router);
      const jwt = await token(keys.appA, { scope: 'app' });
      const res = await request(server).get('/apps/app_b').set('Authorization', bearer(jwt));
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toBe(CHALLENGES.insufficientScope('app'));
      expect(errors.mock.calls[0]?.[0]).toBeInstanceOf(ForbiddenError);
      expect(probe.calls).toEqual([]);
    },
  );

  it("'any' lets through every valid credential and refuses the rest", async () => {
    const router = new Router();
    router.get('/v2/whoami', requireScope('any', { store: createStore() }), ran('whoami'));
    const { server } = serve(router);
    const ok = await request(server)
      .get('/v2/whoami')
      .set('Authorization', await appUser('u_1'));
    expect(ok.status).toBe(200);
    const none = await request(server).get('/v2/whoami');
    expect(none.status).toBe(401);
    expect(none.headers['content-type']).toBe('application/json');
    expect(none.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(probe.calls).toEqual(['whoami']);
  });

  it.each([
    ['a number', () => 42],
    ['an array of query values', (ctx: { query: Record<string, unknown> }) => ctx.query.app],
    ['a promise of an array', async () => ['app_a']],
  ])(
    'a resolver that returns %s names no real app: 403, the route never runs',
    async (_l, appId) => {
      const router = new Router();
      router.get('/x', requireScope('app', { store: createStore(), appId }), ran('x'));
      const { server } = serve(router);
      const res = await request(server).get('/x?app=app_a&app=app_a').set('Authorization', appKey);
      expect(res.status).toBe(403);
      expect(res.body.errors[0].code).toBe('forbidden');
      expect(probe.calls).toEqual([]);
    },
  );

  it('answers 500 when misconfigured (no authenticate() before it, no store), never a pass', async () => {
    const router = new Router();
    router.get('/apps/:appId', requireScope('app'), ran('app'));
    const { server, errors } = serve(router);
    const res = await request(server).get('/apps/app_a').set('Authorization', appKey);
    expect(res.status).toBe(500);
    expect(res.text).toBe('Internal Server Error');
    expect(errors.mock.calls[0]?.[0]).toBeInstanceOf(ConfigurationError);
    expect(probe.calls).toEqual([]);
  });
});

describe('requireScope() set-up', () => {
  it('refuses an unknown scope or invalid options at set-up', () => {
    expect(() => requireScope('admin' as never, { store: createStore() })).toThrow(
      ConfigurationError,
    );
    expect(() => requireScope('app', { store: {} as never })).toThrow(ConfigurationError);
  });
});
