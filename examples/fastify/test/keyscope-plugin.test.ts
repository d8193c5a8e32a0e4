/**
 * The Fastify plugin on its own: registration checks its options, `authenticate` with `optional`,
 * `requireScope` with an `appId` resolver, the `onRequest` position, every raw `Authorization`
 * value read from `rawHeaders` when there is no `headersDistinct` (light-my-request's `inject`),
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
});
