/**
 * Hono as a consumer of `@keyscope/fetch`, through the documented middleware recipe
 * (`support/keyscope-hono.ts`, copied in the README and docs/custom-adapters.md): `app.request()`
 * builds real `Request` objects; the context reaches `c.var.auth`; refusals are the contract's
 * answers and the route handler never runs.
 */
import { basic, bearer, CHALLENGES, createFixture, type Fixture, token } from '@keyscope/test-kit';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type Authenticator, createAuthenticator } from '../src/index.js';
import { type KeyscopeEnv, keyscope, scope } from './support/keyscope-hono.js';

let fixture: Fixture;
let authenticator: Authenticator;
beforeAll(() => {
  fixture = createFixture();
  authenticator = createAuthenticator({ store: fixture.createStore() });
});

function createApp() {
  const ran = vi.fn<(route: string) => void>();
  const app = new Hono<KeyscopeEnv>()
    .get('/v2/whoami', keyscope(authenticator), (c) => {
      ran('whoami');
      return c.json({ keyId: c.var.auth.keyId });
    })
    .get('/v2/apps/:appId/users/:userId', scope('appUser', authenticator), (c) => {
      ran('user');
      return c.json({ user: { id: c.req.param('userId'), appId: c.req.param('appId') } });
    });
  return { app, ran };
}

describe('Hono with the keyscope middleware recipe', () => {
  it('puts the context in c.var.auth', async () => {
    const { app } = createApp();
    const { appA } = fixture.keys;
    const response = await app.request('/v2/whoami', {
      headers: { authorization: basic(appA.id, appA.secret) },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual({ keyId: appA.id });
  });

  it("reads the route's :appId/:userId", async () => {
    const { app, ran } = createApp();
    const jwt = bearer(await token(fixture.keys.appA, { scope: 'appUser', userId: 'u_1' }));
    const response = await app.request('/v2/apps/app_a/users/u_1', {
      headers: { authorization: jwt },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual({ user: { id: 'u_1', appId: 'app_a' } });
    expect(ran).toHaveBeenCalledWith('user');
  });

  it('answers 401 without credentials and never runs the handler', async () => {
    const { app, ran } = createApp();
    const response = await app.request('/v2/whoami');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGES.both);
    expect(await response.json()).toMatchObject({ errors: [{ code: 'unauthorized' }] });
    expect(ran).not.toHaveBeenCalled();
  });

  it('answers 403 insufficient_scope for another user and never runs the handler', async () => {
    const { app, ran } = createApp();
    const jwt = bearer(await token(fixture.keys.appA, { scope: 'appUser', userId: 'u_1' }));
    const response = await app.request('/v2/apps/app_a/users/u_2', {
      headers: { authorization: jwt },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGES.insufficientScope('appUser'));
    expect(await response.json()).toMatchObject({ errors: [{ code: 'forbidden' }] });
    expect(ran).not.toHaveBeenCalled();
  });

  it('answers 400 for repeated Authorization fields and never runs the handler', async () => {
    const { app, ran } = createApp();
    const { appA } = fixture.keys;
    const headers = new Headers();
    headers.append('authorization', basic(appA.id, appA.secret));
    headers.append('authorization', basic(appA.id, appA.secret));
    const response = await app.request('/v2/whoami', { headers });
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGES.invalidRequest);
    expect(await response.json()).toMatchObject({ errors: [{ code: 'bad_request' }] });
    expect(ran).not.toHaveBeenCalled();
  });
});
