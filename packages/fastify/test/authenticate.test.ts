/**
 * The `authenticate()` hook beyond the case table: `request.auth`, `optional`, refusals answered
 * exactly (also those of another copy of keyscope), `passErrors` (the plugin's default, the hook's
 * own option, Fastify's default error handler and one of the app's), errors that are not refusals,
 * repeated `Authorization` values under `inject` (no `headersDistinct`), and the hooks' view of
 * the client address. Every refusal proves the handler never ran; every test runs on Fastify 5
 * and Fastify 4.
 */
import {
  type AuthError,
  type Authenticator,
  authenticate,
  createAuthenticator,
  InvalidCredentialsError,
} from '@keyscope/fastify';
import { basic, bearer, CHALLENGES, token } from '@keyscope/test-kit';
import { describe, expect, it, vi } from 'vitest';
import { appKey, fixture, keys, MAJORS, probedApp } from './support.js';

describe.each(MAJORS)('authenticate() on %s', (_name, framework) => {
  it('is a named hook that sets request.auth', async () => {
    const { app, probe } = await probedApp(framework, { store: fixture.createStore() });
    const res = await app.inject({ url: '/me', headers: { authorization: appKey } });
    expect(res.json()).toEqual({ keyId: keys.appA.id });
    expect(probe.calls).toEqual(['me']);
    expect(authenticate().name).toBe('keyscopeAuthenticate');
  });

  it('answers a refusal exactly: status, challenge, application/json, the body', async () => {
    const { app, probe } = await probedApp(framework, { store: fixture.createStore() });
    const res = await app.inject('/me');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(res.json()).toEqual({
      errors: [{ code: 'unauthorized', title: 'Authentication required' }],
    });
    expect(probe.calls).toEqual([]);
  });

  describe('optional: true', () => {
    it('lets a request without Authorization through, with no request.auth', async () => {
      const store = fixture.createStore();
      const { app, probe } = await probedApp(framework, { store }, { optional: true });
      const res = await app.inject('/me');
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ keyId: null });
      expect(probe.calls).toEqual(['me']);
    });

    it.each([
      ['a wrong secret', basic(keys.appA.id, 'wrong-secret'), 401, CHALLENGES.both],
      ['an empty value', '', 400, CHALLENGES.invalidRequest],
      ['another scheme', 'Digest abc', 401, CHALLENGES.both],
    ])('still refuses %s', async (_what, authorization, status, challenge) => {
      const store = fixture.createStore();
      const { app, probe } = await probedApp(framework, { store }, { optional: true });
      const res = await app.inject({ url: '/me', headers: { authorization } });
      expect(res.statusCode).toBe(status);
      expect(res.headers['www-authenticate']).toBe(challenge);
      expect(probe.calls).toEqual([]);
    });
  });

  describe('passErrors', () => {
    it("the plugin's option hands refusals to the app's error handler", async () => {
      let seen: unknown;
      const { app, probe } = await probedApp(framework, {
        store: fixture.createStore(),
        passErrors: true,
      });
      app.setErrorHandler((error, _request, reply) => {
        seen = error;
        const e = error as unknown as AuthError;
        return reply.code(e.status).headers(e.headers).send(e.toBody());
      });
      const revoked = basic(keys.revoked.id, keys.revoked.secret);
      const res = await app.inject({ url: '/me', headers: { authorization: revoked } });
      expect(seen).toBeInstanceOf(InvalidCredentialsError);
      expect(seen).toMatchObject({ reason: 'key_revoked', keyId: keys.revoked.id });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
      expect(probe.calls).toEqual([]);
    });

    it("Fastify's default error handler answers with the refusal's status and challenge", async () => {
      const { app, probe } = await probedApp(
        framework,
        { store: fixture.createStore() },
        { passErrors: true },
      );
      const jwt = await token(keys.appA, { scope: 'account' });
      const res = await app.inject({ url: '/me', headers: { authorization: bearer(jwt) } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGES.invalidToken);
      expect(res.body).not.toContain(jwt);
      expect(probe.calls).toEqual([]);
    });

    it("a hook's passErrors: false answers although the plugin passes errors", async () => {
      const { app } = await probedApp(
        framework,
        { store: fixture.createStore(), passErrors: true },
        { passErrors: false },
      );
      app.setErrorHandler((_error, _request, reply) => reply.code(599).send());
      const res = await app.inject('/me');
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toBe('application/json');
    });
  });

  it("hands errors that are not refusals to Fastify's error handler: a 500, never a pass", async () => {
    const broken: Authenticator = {
      ...createAuthenticator({ store: fixture.createStore() }),
      authenticate: () => Promise.reject(new TypeError('a bug')),
    };
    const { app, probe } = await probedApp(framework, { authenticator: broken });
    let seen: unknown;
    app.setErrorHandler((error, _request, reply) => {
      seen = error;
      return reply.code(500).send({ errors: [{ code: 'internal_error' }] });
    });
    const res = await app.inject({ url: '/me', headers: { authorization: appKey } });
    expect(res.statusCode).toBe(500);
    expect(seen).toBeInstanceOf(TypeError);
    expect(probe.calls).toEqual([]);
  });

  it('reads every raw Authorization value under inject (no headersDistinct): 400', async () => {
    const { app, probe } = await probedApp(framework, { store: fixture.createStore() });
    const res = await app.inject({
      url: '/me',
      headers: { authorization: [appKey, appKey] as unknown as string },
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.invalidRequest);
    expect(probe.calls).toEqual([]);
  });

  it('answers a refusal of another copy of keyscope (recognised by its brand)', async () => {
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
    const authenticator: Authenticator = {
      ...createAuthenticator({ store: fixture.createStore() }),
      authenticate: () => Promise.reject(new ForeignRefusal('Invalid credentials')),
    };
    const { app, probe } = await probedApp(framework, { authenticator });
    const res = await app.inject({ url: '/me', headers: { authorization: appKey } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json()).toEqual({
      errors: [{ code: 'unauthorized', title: 'Invalid credentials' }],
    });
    expect(probe.calls).toEqual([]);
  });

  it('hands the hooks the method and the client address, never the credentials', async () => {
    const onAuthenticated = vi.fn();
    const store = fixture.createStore();
    const { app } = await probedApp(framework, { store, onAuthenticated });
    await app.inject({
      url: '/me',
      headers: { authorization: appKey },
      remoteAddress: '203.0.113.5',
    });
    expect(onAuthenticated.mock.calls[0]?.[1]).toEqual({ method: 'GET', address: '203.0.113.5' });
  });
});
