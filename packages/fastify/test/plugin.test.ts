/**
 * The plugin: it checks its options when the app loads, decorates the instance and every request,
 * and follows Fastify's encapsulation: wrapped with fastify-plugin, its decorators belong to the
 * context that registers it and the contexts below it; a hook on a route outside that context
 * fails closed (500 through the error handler, the handler never runs); a second registration in
 * the same tree is refused when the app loads. Every test runs on Fastify 5 and Fastify 4.
 */
import { ConfigurationError, createAuthenticator, keyscope, requireScope } from '@keyscope/fastify';
import { createProbe } from '@keyscope/test-kit';
import { describe, expect, it } from 'vitest';
import { appKey, fixture, MAJORS } from './support.js';

describe.each(MAJORS)('the keyscope plugin on %s', (_name, framework) => {
  it('refuses invalid options when the app loads', async () => {
    const app = framework();
    app.register(keyscope, { store: {} } as never);
    await expect(app.ready()).rejects.toBeInstanceOf(ConfigurationError);
    const other = framework();
    other.register(keyscope, { authenticator: {} } as never);
    await expect(other.ready()).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('decorates the instance with its authenticator and every request with auth', async () => {
    const authenticator = createAuthenticator({ store: fixture.createStore() });
    const app = framework();
    await app.register(keyscope, { authenticator });
    expect(app.keyscope).toEqual({ authenticator, passErrors: false });
    expect(app.hasRequestDecorator('auth')).toBe(true);
    app.get('/plain', async (request) => ({ has: 'auth' in request, auth: request.auth ?? null }));
    expect((await app.inject('/plain')).json()).toEqual({ has: true, auth: null });
  });

  it('is not encapsulated: the routes of the registering context and of its children see it', async () => {
    const app = framework();
    await app.register(keyscope, { store: fixture.createStore() });
    await app.register(async (child) => {
      child.get('/v2/apps/:appId', { preHandler: requireScope('app') }, async (r) => r.auth?.scope);
    });
    const res = await app.inject({ url: '/v2/apps/app_a', headers: { authorization: appKey } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('app');
  });

  it('a hook outside the context that registered it fails closed: 500, the handler never runs', async () => {
    const probe = createProbe();
    const app = framework();
    await app.register(async (guarded) => {
      await guarded.register(keyscope, { store: fixture.createStore() });
      guarded.get('/inside/:appId', { preHandler: requireScope('app') }, async () => 'inside');
    });
    app.get('/outside/:appId', { preHandler: requireScope('app') }, async () => {
      probe.ran('outside');
      return 'outside';
    });
    let seen: unknown;
    app.setErrorHandler((error, _request, reply) => {
      seen = error;
      return reply.code(500).send({ errors: [{ code: 'internal_error' }] });
    });
    const headers = { authorization: appKey };
    expect((await app.inject({ url: '/inside/app_a', headers })).body).toBe('inside');
    const outside = await app.inject({ url: '/outside/app_a', headers });
    expect(outside.statusCode).toBe(500);
    expect(seen).toBeInstanceOf(ConfigurationError);
    expect(probe.calls).toEqual([]);
    expect(app.keyscope).toBeUndefined();
  });

  it('refuses a second registration in the same tree when the app loads', async () => {
    const app = framework();
    app.register(keyscope, { store: fixture.createStore() });
    app.register(async (child) => {
      await child.register(keyscope, { store: fixture.createStore() });
    });
    await expect(app.ready()).rejects.toMatchObject({ code: 'FST_ERR_DEC_ALREADY_PRESENT' });
  });

  it('declares its name and the Fastify majors it supports', () => {
    const meta = (keyscope as unknown as Record<symbol, unknown>)[Symbol.for('plugin-meta')];
    expect(meta).toMatchObject({ name: '@keyscope/fastify', fastify: '4.x || 5.x' });
  });
});
