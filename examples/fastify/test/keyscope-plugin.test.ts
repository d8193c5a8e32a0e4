/**
 * The Fastify plugin on its own: registration checks its options, `authenticate` with `optional`,
 * `requireScope` with an `appId` resolver, the `onRequest` position, every raw `Authorization`
 * value read from `rawHeaders` when there is no `headersDistinct` (light-my-request's `inject`),
 * `requireScope('any')`, resolvers that return something else than a string, a `request.auth` that
 * another hook set (never trusted, overwritten), refusals exactly
 * `application/json` (also those of another copy of keyscope), the client's address in the hooks,
 * and errors that are not refusals handed to Fastify's error handler.
 */
import {
  type AuthenticateOptions,
  ConfigurationError,
  createAuthenticator,
  type Scope,
} from '@keyscope/core';
import { basic, CHALLENGES, createFixture, type Fixture } from '@keyscope/test-kit';
import fastify from 'fastify';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { keyscope } from '../src/keyscope-plugin.js';

let fixture: Fixture;
beforeAll(() => {
  fixture = createFixture();
});
const appKey = () => basic(fixture.keys.appA.id, fixture.keys.appA.secret);

async function build(options: AuthenticateOptions) {
  const app = fastify();
  const ran = vi.fn<(route: string) => void>();
  await app.register(keyscope, options);
  app.get('/me', { preHandler: app.keyscope.authenticate }, async (request) => {
    ran('me');
    return { keyId: request.auth?.keyId ?? null };
  });
  app.get(
    '/apps',
    {
      onRequest: app.keyscope.requireScope('app', {
        appId: (request) => (request.query as { app?: string }).app,
      }),
    },
    async (request) => {
      ran('apps');
      return { scope: request.auth?.scope };
    },
  );
  return { app, ran };
}

describe('keyscope plugin', () => {
  it('refuses invalid options when the app loads', async () => {
    const app = fastify();
    app.register(keyscope, { store: {} } as unknown as AuthenticateOptions);
    await expect(app.ready()).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('throws ConfigurationError for an unknown scope', async () => {
    const { app } = await build({ store: fixture.createStore() });
    expect(() => app.keyscope.requireScope('admin' as Scope)).toThrow(ConfigurationError);
  });

  it('authenticate with optional lets a request without credentials through', async () => {
    const { app, ran } = await build({ store: fixture.createStore(), optional: true });
    const anonymous = await app.inject('/me');
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.json()).toStrictEqual({ keyId: null });
    const bad = await app.inject({ url: '/me', headers: { authorization: 'Basic ~~' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(ran).toHaveBeenCalledOnce();
  });

  it('requireScope works as an onRequest hook with an appId resolver', async () => {
    const { app, ran } = await build({ store: fixture.createStore() });
    const allowed = await app.inject({
      url: '/apps?app=app_a',
      headers: { authorization: appKey() },
    });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json()).toStrictEqual({ scope: 'app' });
    const other = await app.inject({
      url: '/apps?app=app_b',
      headers: { authorization: appKey() },
    });
    expect(other.statusCode).toBe(403);
    expect(other.headers['www-authenticate']).toBeUndefined();
    expect(other.json()).toMatchObject({ errors: [{ code: 'forbidden' }] });
    expect(ran).toHaveBeenCalledOnce();
  });

  it('reads every raw Authorization value under inject (no headersDistinct): 400', async () => {
    const { app, ran } = await build({ store: fixture.createStore() });
    const res = await app.inject({
      url: '/me',
      headers: { authorization: [appKey(), appKey()] as unknown as string },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.invalidRequest);
    expect(res.json()).toMatchObject({ errors: [{ code: 'bad_request' }] });
    expect(ran).not.toHaveBeenCalled();
  });

  it('hands errors that are not refusals to Fastify, and never runs the handler', async () => {
    const authenticator = {
      ...createAuthenticator({ store: fixture.createStore() }),
      authenticate: () => Promise.reject(new TypeError('boom')),
    };
    const { app, ran } = await build({ authenticator });
    const res = await app.inject({ url: '/me', headers: { authorization: appKey() } });
    expect(res.statusCode).toBe(500);
    expect(ran).not.toHaveBeenCalled();
  });

  it("requireScope('any') lets through any valid credential, exactly like authenticate", async () => {
    const app = fastify();
    await app.register(keyscope, { store: fixture.createStore() });
    app.get('/who', { preHandler: app.keyscope.requireScope('any') }, async (r) => r.auth?.scope);
    const ok = await app.inject({ url: '/who', headers: { authorization: appKey() } });
    expect(ok.body).toBe('app');
    const none = await app.inject('/who');
    expect(none.statusCode).toBe(401);
    expect(none.headers['content-type']).toBe('application/json');
    expect(none.headers['www-authenticate']).toBe(CHALLENGES.both);
  });

  it('a resolver that returns something else than a string names no real app: 403', async () => {
    const app = fastify();
    await app.register(keyscope, { store: fixture.createStore() });
    const ran = vi.fn();
    app.get(
      '/q',
      {
        preHandler: app.keyscope.requireScope('app', {
          appId: (r) => (r.query as { app?: unknown }).app,
        }),
      },
      async () => ran(),
    );
    const res = await app.inject({
      url: '/q?app=app_a&app=app_a',
      headers: { authorization: appKey() },
    });
    expect(res.statusCode).toBe(403);
    expect(ran).not.toHaveBeenCalled();
  });

  it('answers a refusal of another copy of keyscope, exactly application/json', async () => {
    class ForeignRefusal extends Error {
      readonly status = 401;
      readonly code = 'unauthorized';
      readonly headers = { 'WWW-Authenticate': CHALLENGES.both };
      toBody() {
        return { errors: [{ code: this.code, title: this.message }] };
      }
    }
    Object.defineProperty(ForeignRefusal.prototype, Symbol.for('keyscope.AuthError'), {
      value: true,
    });
    const authenticator = {
      ...createAuthenticator({ store: fixture.createStore() }),
      authenticate: () => Promise.reject(new ForeignRefusal('Invalid credentials')),
    };
    const { app, ran } = await build({ authenticator });
    const res = await app.inject({ url: '/me', headers: { authorization: appKey() } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(res.json()).toStrictEqual({
      errors: [{ code: 'unauthorized', title: 'Invalid credentials' }],
    });
    expect(ran).not.toHaveBeenCalled();
  });

  it('never trusts a request.auth another hook set: it authenticates, and publishes its own', async () => {
    const app = fastify();
    await app.register(keyscope, { store: fixture.createStore() });
    const ran = vi.fn();
    app.addHook('onRequest', async (request) => {
      // What another auth plugin would leave there: an account-wide caller.
      request.auth = {
        method: 'jwt',
        keyId: 'act_forged',
        entity: { type: 'userAccount', id: 'acc_1' },
        scope: 'account',
        accountId: 'acc_1',
      };
    });
    app.get(
      '/v2/apps/:appId',
      { preHandler: app.keyscope.requireScope('app') },
      async (request) => {
        ran();
        return { keyId: request.auth?.keyId };
      },
    );
    expect((await app.inject('/v2/apps/app_a')).statusCode).toBe(401);
    const other = await app.inject({ url: '/v2/apps/app_b', headers: { authorization: appKey() } });
    expect(other.statusCode).toBe(403);
    expect(ran).not.toHaveBeenCalled();
    const own = await app.inject({ url: '/v2/apps/app_a', headers: { authorization: appKey() } });
    expect(own.json()).toStrictEqual({ keyId: fixture.keys.appA.id });
  });

  it('authenticate with optional leaves no foreign request.auth behind', async () => {
    const app = fastify();
    await app.register(keyscope, { store: fixture.createStore(), optional: true });
    app.addHook('onRequest', async (request) => {
      request.auth = {
        method: 'jwt',
        keyId: 'forged',
        entity: { type: 'app', id: 'app_a' },
        scope: 'app',
        appId: 'app_a',
      };
    });
    app.get('/me', { preHandler: app.keyscope.authenticate }, async (request) => ({
      keyId: request.auth?.keyId ?? null,
    }));
    expect((await app.inject('/me')).json()).toStrictEqual({ keyId: null });
  });

  it('hands the hooks the method and the client address', async () => {
    const onAuthenticated = vi.fn();
    const { app } = await build({ store: fixture.createStore(), onAuthenticated });
    await app.inject({
      url: '/me',
      headers: { authorization: appKey() },
      remoteAddress: '203.0.113.5',
    });
    expect(onAuthenticated.mock.calls[0]?.[1]).toEqual({ method: 'GET', address: '203.0.113.5' });
  });
});
