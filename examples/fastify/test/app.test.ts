/**
 * The Fastify example app through supertest (real HTTP, so `request.raw.headersDistinct` is the
 * one of Node's parser): every route of the contract, the refusals with status, code and exact
 * `WWW-Authenticate` (the handler never runs), repeated `Authorization` headers, and the API's own
 * answers (unknown route, body errors, a failing handler).
 */
import {
  basic,
  bearer,
  CHALLENGES,
  createFixture,
  type Fixture,
  faultyStore,
  token,
} from '@keyscope/test-kit';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AppOptions, createApp, type RouteName } from '../src/app.js';

let fixture: Fixture;
beforeAll(() => {
  fixture = createFixture();
});

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function setup(options: Partial<AppOptions> = {}) {
  const onHandle = vi.fn<(route: RouteName) => void>();
  const app = createApp({ store: fixture.createStore(), onHandle, ...options } as AppOptions);
  apps.push(app);
  await app.ready();
  return { api: request(app.server), onHandle, app };
}
const appKey = () => basic(fixture.keys.appA.id, fixture.keys.appA.secret);
const accountKey = () => basic(fixture.keys.account.id, fixture.keys.account.secret);
const appUserToken = async () =>
  bearer(await token(fixture.keys.appA, { scope: 'appUser', userId: 'u_1' }));

function expectError(response: request.Response, status: number, code: string, challenge?: string) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json(;|$)/);
  expect(response.headers['www-authenticate']).toBe(challenge);
  expect(response.body).toStrictEqual({ errors: [{ code, title: expect.any(String) }] });
}

describe('routes', () => {
  it('GET /health', async () => {
    const res = await (await setup()).api.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ ok: true });
  });

  it('GET /v2/whoami (Basic app key)', async () => {
    const { api, onHandle } = await setup();
    const res = await api.get('/v2/whoami').set('Authorization', appKey());
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({
      method: 'basic',
      keyId: fixture.keys.appA.id,
      entity: { type: 'app', id: 'app_a' },
      scope: 'app',
      appId: 'app_a',
    });
    expect(onHandle).toHaveBeenCalledWith('whoami', expect.objectContaining({ scope: 'app' }));
  });

  it('GET /v2/apps lists exactly the apps an account sees', async () => {
    const { api } = await setup();
    const res = await api.get('/v2/apps').set('Authorization', accountKey());
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ apps: [{ id: 'app_a' }, { id: 'app_b' }] });
    const { service } = fixture.keys;
    const svc = await api.get('/v2/apps').set('Authorization', basic(service.id, service.secret));
    expect(svc.body).toStrictEqual({ apps: [{ id: 'app_a' }] });
  });

  it('GET /v2/apps/:appId', async () => {
    const res = await (await setup()).api.get('/v2/apps/app_a').set('Authorization', appKey());
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ app: { id: 'app_a' } });
  });

  it('GET /v2/apps/:appId/users/:userId (appUser token)', async () => {
    const res = await (await setup()).api
      .get('/v2/apps/app_a/users/u_1')
      .set('Authorization', await appUserToken());
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ user: { id: 'u_1', appId: 'app_a' } });
  });

  it('POST /v2/apps/:appId/users/:userId/messages answers 201 with the body', async () => {
    const { api, onHandle } = await setup();
    const res = await api
      .post('/v2/apps/app_a/users/u_1/messages')
      .set('Authorization', await appUserToken())
      .send({ text: 'hi', n: [1, 2] });
    expect(res.status).toBe(201);
    expect(res.body).toStrictEqual({ received: { text: 'hi', n: [1, 2] } });
    expect(onHandle).toHaveBeenCalledWith('postMessage', expect.anything());
  });

  it('decodes percent-encoded parameters and accepts a trailing slash', async () => {
    const res = await (await setup()).api.get('/v2/apps/app%5Fa/').set('Authorization', appKey());
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ app: { id: 'app_a' } });
  });
});

describe('refusals never reach the handler', () => {
  it('no credentials: 401 with both challenges', async () => {
    const { api, onHandle } = await setup();
    for (const path of ['/v2/whoami', '/v2/apps', '/v2/apps/app_a', '/v2/apps/app_a/users/u_1']) {
      expectError(await api.get(path), 401, 'unauthorized', CHALLENGES.both);
    }
    expect(onHandle).not.toHaveBeenCalled();
  });

  it('two Authorization headers: 400 invalid_request', async () => {
    const { api, onHandle } = await setup();
    const res = await api
      .get('/v2/whoami')
      .set('Authorization', [appKey(), appKey()] as unknown as string); // two header lines
    expectError(res, 400, 'bad_request', CHALLENGES.invalidRequest);
    expect(onHandle).not.toHaveBeenCalled();
  });

  it('another app: 403, with insufficient_scope for a Bearer caller', async () => {
    const { api, onHandle } = await setup();
    expectError(await api.get('/v2/apps/app_b').set('Authorization', appKey()), 403, 'forbidden');
    const jwt = bearer(await token(fixture.keys.appA, { scope: 'app' }));
    const res = await api.get('/v2/apps/app_b').set('Authorization', jwt);
    expectError(res, 403, 'forbidden', CHALLENGES.insufficientScope('app'));
    expect(onHandle).not.toHaveBeenCalled();
  });

  it('a failing store: 503 with no challenge', async () => {
    const { api, onHandle } = await setup({ store: faultyStore(fixture.createStore(), 'findKey') });
    expectError(
      await api.get('/v2/whoami').set('Authorization', appKey()),
      503,
      'service_unavailable',
    );
    expect(onHandle).not.toHaveBeenCalled();
  });

  it('an unauthenticated POST gets 401, even with a body that is not JSON', async () => {
    const { api, onHandle } = await setup();
    const res = await api
      .post('/v2/apps/app_a/users/u_1/messages')
      .set('Content-Type', 'application/json')
      .send('{not json');
    expectError(res, 401, 'unauthorized', CHALLENGES.both);
    expect(onHandle).not.toHaveBeenCalled();
  });
});

describe("the API's own answers", () => {
  const post = (api: ReturnType<typeof request>, authorization: string) =>
    api.post('/v2/apps/app_a/users/u_1/messages').set('Authorization', authorization);

  it('unknown route or method: 404 not_found', async () => {
    const { api } = await setup();
    expectError(await api.get('/v2/nope'), 404, 'not_found');
    expectError(
      await api.delete('/v2/apps/app_a').set('Authorization', appKey()),
      404,
      'not_found',
    );
  });

  it.each([
    ['get', '/v2/apps/%E0%A4%A'],
    ['get', '/v2/apps/%ZZ'],
    ['get', '/v2/apps/app_a/users/%E0%A4%A'],
    ['post', '/v2/apps/%E0%A4%A/users/u_1/messages'],
  ] as const)(
    'malformed percent-encoding (%s %s): 400 bad_request, with or without credentials',
    async (method, path) => {
      const { api, onHandle } = await setup();
      expectError(await api[method](path), 400, 'bad_request');
      expectError(await api[method](path).set('Authorization', accountKey()), 400, 'bad_request');
      expect(onHandle).not.toHaveBeenCalled();
      expect((await api.get('/v2/apps/app_a').set('Authorization', appKey())).status).toBe(200);
    },
  );

  it('a store that answers nonsense to GET /v2/apps: 503, exactly application/json', async () => {
    const store = fixture.createStore();
    const { api } = await setup({
      store: { ...store, findKey: store.findKey, appsFor: async () => 7 as never },
    });
    const res = await api.get('/v2/apps').set('Authorization', accountKey());
    expectError(res, 503, 'service_unavailable');
    expect(res.headers['content-type']).toBe('application/json');
  });

  // Fastify reads the body (up to bodyLimit) before preHandler hooks run: an oversized body answers
  // 413 before the guard, so only three of the four requests reach the handler.
  it('a body that is not JSON: 400; not application/json: 415; none: 400; too large: 413', async () => {
    const { api, onHandle } = await setup({ bodyLimit: 64 });
    const jwt = await appUserToken();
    const bad = await post(api, jwt).set('Content-Type', 'application/json').send('{oops');
    expectError(bad, 400, 'bad_request');
    const text = await post(api, jwt).set('Content-Type', 'text/plain').send('hello');
    expectError(text, 415, 'unsupported_media_type');
    expectError(await post(api, jwt), 400, 'bad_request');
    const large = await post(api, jwt).send({ text: 'x'.repeat(100) });
    expectError(large, 413, 'payload_too_large');
    expect(onHandle).toHaveBeenCalledTimes(3);
  });

  it('a handler that throws: 500 internal_error that reveals nothing', async () => {
    const { api } = await setup({
      onHandle: () => {
        throw new Error('secret internals');
      },
    });
    const res = await api.get('/v2/whoami').set('Authorization', appKey());
    expectError(res, 500, 'internal_error');
    expect(res.text).not.toContain('secret internals');
  });
});
