/**
 * The `requireScope()` hook beyond the case table: set-up checks, `appId`/`userId` resolvers
 * (sync, async, and values that are not strings), a route that names no app, `passErrors`, reuse
 * of what an `authenticate()` hook found, and one hook shared by two apps with their own stores.
 * Every refusal proves the handler never ran; every test runs on Fastify 5 and Fastify 4.
 */
import {
  authenticate,
  ConfigurationError,
  createMemoryStore,
  ForbiddenError,
  keyscope,
  requireScope,
  type Scope,
} from '@keyscope/fastify';
import { basic, bearer, CHALLENGES, createProbe, token } from '@keyscope/test-kit';
import { describe, expect, it, vi } from 'vitest';
import { appKey, fixture, keys, MAJORS, probedApp } from './support.js';

it('refuses an unknown scope at set-up', () => {
  expect(() => requireScope('admin' as Scope)).toThrow(ConfigurationError);
  expect(requireScope('app').name).toBe('keyscopeRequireScope');
});

describe.each(MAJORS)('requireScope() on %s', (_name, framework) => {
  async function guarded(hookOptions: Parameters<typeof requireScope>[1], url = '/q') {
    const app = framework();
    const probe = createProbe();
    await app.register(keyscope, { store: fixture.createStore() });
    app.get(url, { onRequest: requireScope('appUser', hookOptions) }, async (request) => {
      probe.ran('q');
      return { scope: request.auth?.scope };
    });
    return { app, probe };
  }
  const appUser = async (userId: string) =>
    bearer(await token(keys.appA, { scope: 'appUser', userId }));

  it('reads the resource through appId / userId resolvers (sync and async), in onRequest', async () => {
    const { app, probe } = await guarded({
      appId: (request) => (request.query as { app?: string }).app,
      userId: async (request) => request.headers['x-person'],
    });
    const send = async (app_: string, person: string) =>
      app.inject({
        url: `/q?app=${app_}`,
        headers: { authorization: await appUser('u_1'), 'x-person': person },
      });
    expect((await send('app_a', 'u_1')).statusCode).toBe(200);
    const otherApp = await send('app_b', 'u_1');
    expect(otherApp.statusCode).toBe(403);
    expect(otherApp.headers['www-authenticate']).toBe(CHALLENGES.insufficientScope('appUser'));
    expect((await send('app_a', 'u_2')).statusCode).toBe(403);
    expect(probe.calls).toEqual(['q']);
  });

  it.each([
    ['a number', () => 42],
    [
      'an array of repeated query values',
      (r: { query: unknown }) => (r.query as { app: unknown }).app,
    ],
    ['a promise of an array', async () => ['app_a']],
  ])('a resolver that returns %s names no real app: 403', async (_what, appId) => {
    const { app, probe } = await guarded({ appId: appId as () => unknown });
    const res = await app.inject({
      url: '/q?app=app_a&app=app_a',
      headers: { authorization: await appUser('u_1') },
    });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toBe('application/json');
    expect(probe.calls).toEqual([]);
  });

  it('fails closed on a route that names no app: 403, even for an account key', async () => {
    const { app, probe } = await guarded({});
    const account = basic(keys.account.id, keys.account.secret);
    const res = await app.inject({ url: '/q', headers: { authorization: account } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ errors: [{ code: 'forbidden' }] });
    expect(probe.calls).toEqual([]);
  });

  it("passErrors hands the ForbiddenError to the app's error handler", async () => {
    const app = framework();
    const probe = createProbe();
    let seen: unknown;
    await app.register(keyscope, { store: fixture.createStore() });
    app.setErrorHandler((error, _request, reply) => {
      seen = error;
      return reply.code(418).send();
    });
    app.get(
      '/v2/apps/:appId',
      { preHandler: requireScope('app', { passErrors: true }) },
      async () => probe.ran('app'),
    );
    const res = await app.inject({ url: '/v2/apps/app_b', headers: { authorization: appKey } });
    expect(res.statusCode).toBe(418);
    expect(seen).toBeInstanceOf(ForbiddenError);
    expect(seen).toMatchObject({ requiredScope: 'app', reason: 'resource_not_allowed' });
    expect(probe.calls).toEqual([]);
  });

  it('reuses what an authenticate() hook found: one authentication per request', async () => {
    const onAuthenticated = vi.fn();
    const app = framework();
    await app.register(keyscope, { store: fixture.createStore(), onAuthenticated });
    app.get(
      '/v2/apps/:appId',
      { onRequest: authenticate(), preHandler: requireScope('app') },
      async (request) => request.auth?.keyId,
    );
    const res = await app.inject({ url: '/v2/apps/app_a', headers: { authorization: appKey } });
    expect(res.body).toBe(keys.appA.id);
    expect(onAuthenticated).toHaveBeenCalledOnce();
  });

  it('one hook serves two apps, each with the store of its own plugin', async () => {
    const hook = requireScope('app');
    const only = (keyId: string) => ({
      ...fixture.document,
      keys: fixture.document.keys.filter((k) => k.id === keyId),
    });
    const serve = async (keyId: string) => {
      const app = framework();
      await app.register(keyscope, { store: createMemoryStore(only(keyId)) });
      app.get('/v2/apps/:appId', { preHandler: hook }, async (r) => r.auth?.keyId);
      return app;
    };
    const [first, second] = [await serve(keys.appA.id), await serve(keys.appB.id)];
    const b = basic(keys.appB.id, keys.appB.secret);
    expect(
      (await first.inject({ url: '/v2/apps/app_a', headers: { authorization: appKey } }))
        .statusCode,
    ).toBe(200);
    expect(
      (await first.inject({ url: '/v2/apps/app_b', headers: { authorization: b } })).statusCode,
    ).toBe(401);
    expect(
      (await second.inject({ url: '/v2/apps/app_b', headers: { authorization: b } })).statusCode,
    ).toBe(200);
    expect(
      (await second.inject({ url: '/v2/apps/app_a', headers: { authorization: appKey } }))
        .statusCode,
    ).toBe(401);
  });

  it("requireScope('any') lets through every valid credential and refuses the rest", async () => {
    const { app, probe } = await probedApp(framework, { store: fixture.createStore() });
    app.get('/who', { preHandler: requireScope('any') }, async (request) => {
      probe.ran('who');
      return request.auth?.scope;
    });
    expect(
      (await app.inject({ url: '/who', headers: { authorization: await appUser('u_1') } })).body,
    ).toBe('appUser');
    const none = await app.inject('/who');
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(probe.calls).toEqual(['who']);
  });
});
