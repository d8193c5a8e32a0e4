/**
 * A `req.auth` that keyscope did not make for this request is never trusted (issue 18, item 1):
 * another library that writes `req.auth` (express-jwt, express-oauth2-jwt-bearer) before a guard,
 * a context keyscope made for another request, or a middleware that overwrites keyscope's context
 * between `authenticate()` and `requireScope()`. The guard authenticates the request itself, or,
 * with no authenticator, fails closed with a 500; keyscope's middlewares overwrite `req.auth`.
 * Every refusal proves the route never ran. Every test runs on Express 5 and Express 4.
 */
import {
  type AuthContext,
  authenticate,
  ConfigurationError,
  requireScope,
} from '@keyscope/express';
import { basic, CHALLENGES, createFixture, createProbe } from '@keyscope/test-kit';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import express4 from 'express4';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { renderErrors } from './contract-app.js';

const { keys, createStore } = createFixture();
const appKey = basic(keys.appA.id, keys.appA.secret);

/** What express-jwt would put on `req.auth`: an account-wide caller of `acc_1`, with no key. */
const forged: AuthContext = {
  method: 'jwt',
  keyId: 'act_forged',
  entity: { type: 'userAccount', id: 'acc_1' },
  scope: 'account',
  accountId: 'acc_1',
};

/** A middleware of another library that writes `req.auth`. */
const writes =
  (auth: unknown): RequestHandler =>
  (req, _res, next) => {
    req.auth = auth as AuthContext;
    next();
  };

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
] as const)('a req.auth keyscope did not make, on %s', (_name, framework) => {
  function serve(...handlers: RequestHandler[]) {
    const probe = createProbe();
    const seen: ConfigurationError[] = [];
    const app = framework();
    app.get('/v2/apps/:appId', ...handlers, (req, res) => {
      probe.ran('app');
      res.json({ keyId: req.auth?.keyId ?? null });
    });
    app.get('/v2/whoami', ...handlers, (req, res) => {
      probe.ran('whoami');
      res.json({ keyId: req.auth?.keyId ?? null });
    });
    app.use(((error, req, res, next) => {
      if (error instanceof ConfigurationError) seen.push(error);
      renderErrors(error, req, res, next);
    }) as ErrorRequestHandler);
    return { app, probe, seen };
  }

  it('requireScope(app, { store }) authenticates itself: 401 without Authorization, the route never runs', async () => {
    const { app, probe } = serve(writes(forged), requireScope('app', { store: createStore() }));
    const res = await request(app).get('/v2/apps/app_a');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(res.body.errors[0].code).toBe('unauthorized');
    expect(probe.calls).toEqual([]);
  });

  it("requireScope(app) checks keyscope's own caller, not the forged one, and puts it on req.auth", async () => {
    const { app, probe } = serve(writes(forged), requireScope('app', { store: createStore() }));
    // The forged account context would reach app_b; the app key of app_a does not.
    const other = await request(app).get('/v2/apps/app_b').set('Authorization', appKey);
    expect(other.status).toBe(403);
    expect(probe.calls).toEqual([]);
    const own = await request(app).get('/v2/apps/app_a').set('Authorization', appKey);
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ keyId: keys.appA.id });
  });

  it("requireScope('any') without an authenticator answers 500, even with a req.auth there", async () => {
    const { app, probe, seen } = serve(writes(forged), requireScope('any'));
    const res = await request(app).get('/v2/whoami');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      errors: [{ code: 'internal_error', title: 'Internal server error' }],
    });
    expect(seen).toHaveLength(1);
    expect(probe.calls).toEqual([]);
  });

  it('a context keyscope made for another request is not trusted', async () => {
    const store = createStore();
    let stolen: AuthContext | undefined;
    const donor = framework();
    donor.get('/me', authenticate({ store }), (req, res) => {
      stolen = req.auth;
      res.end();
    });
    expect((await request(donor).get('/me').set('Authorization', appKey)).status).toBe(200);
    expect(stolen).toMatchObject({ keyId: keys.appA.id });
    const guarded = serve(writes(stolen), requireScope('app', { store }));
    const res = await request(guarded.app).get('/v2/apps/app_a');
    expect(res.status).toBe(401);
    expect(guarded.probe.calls).toEqual([]);
    const bare = serve(writes(stolen), requireScope('any'));
    expect((await request(bare.app).get('/v2/whoami')).status).toBe(500);
    expect(bare.probe.calls).toEqual([]);
  });

  it("a req.auth overwritten after authenticate(): the guard authorizes keyscope's context and puts it back", async () => {
    const { app, probe } = serve(
      authenticate({ store: createStore() }),
      writes(forged),
      requireScope('app'),
    );
    const other = await request(app).get('/v2/apps/app_b').set('Authorization', appKey);
    expect(other.status).toBe(403);
    expect(probe.calls).toEqual([]);
    const own = await request(app).get('/v2/apps/app_a').set('Authorization', appKey);
    expect(own.body).toEqual({ keyId: keys.appA.id });
  });

  it('authenticate({ optional: true }) leaves no foreign req.auth behind a request without credentials', async () => {
    const { app, probe } = serve(
      writes(forged),
      authenticate({ store: createStore(), optional: true }),
    );
    const res = await request(app).get('/v2/whoami');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ keyId: null });
    expect(probe.calls).toEqual(['whoami']);
  });
});
