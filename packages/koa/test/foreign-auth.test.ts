/**
 * A `ctx.state.auth` that keyscope did not make for this request is never trusted (issue 18,
 * item 1): another middleware that writes `ctx.state.auth` before a guard, a context keyscope made
 * for another request, or a middleware that overwrites keyscope's context between `authenticate()`
 * and `requireScope()`. The guard authenticates the request itself, or, with no authenticator,
 * fails closed with a 500; keyscope's middlewares overwrite `ctx.state.auth`. Every refusal proves
 * the route never ran. Every test runs on Koa 3 and Koa 2 with `@koa/router`.
 */
import { type AuthContext, authenticate, ConfigurationError, requireScope } from '@keyscope/koa';
import { basic, CHALLENGES, createFixture, createProbe } from '@keyscope/test-kit';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import Koa2 from 'koa2';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';

const { keys, createStore } = createFixture();
const appKey = basic(keys.appA.id, keys.appA.secret);

/** What another auth middleware would put on `ctx.state.auth`: an account-wide caller of `acc_1`. */
const forged: AuthContext = {
  method: 'jwt',
  keyId: 'act_forged',
  entity: { type: 'userAccount', id: 'acc_1' },
  scope: 'account',
  accountId: 'acc_1',
};

/** A middleware of another library that writes `ctx.state.auth`. */
const writes =
  (auth: unknown): Middleware =>
  async (ctx, next) => {
    ctx.state.auth = auth as AuthContext;
    await next();
  };

describe.each([
  ['Koa 3', Koa],
  ['Koa 2', Koa2],
] as const)('a ctx.state.auth keyscope did not make, on %s', (_name, Framework) => {
  function serve(...middleware: Middleware[]) {
    const probe = createProbe();
    const app = new Framework();
    const errors = vi.fn();
    app.on('error', errors);
    const router = new Router();
    const ran = (name: string) => (ctx: Koa.Context) => {
      probe.ran(name);
      ctx.body = { keyId: ctx.state.auth?.keyId ?? null };
    };
    router.get('/v2/apps/:appId', ...middleware, ran('app'));
    router.get('/v2/whoami', ...middleware, ran('whoami'));
    app.use(router.routes());
    return { server: app.callback(), probe, errors };
  }

  it('requireScope(app, { store }) authenticates itself: 401 without Authorization, the route never runs', async () => {
    const { server, probe } = serve(writes(forged), requireScope('app', { store: createStore() }));
    const res = await request(server).get('/v2/apps/app_a');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(res.body.errors[0].code).toBe('unauthorized');
    expect(probe.calls).toEqual([]);
  });

  it("requireScope(app) checks keyscope's own caller, not the forged one, and puts it on ctx.state.auth", async () => {
    const { server, probe } = serve(writes(forged), requireScope('app', { store: createStore() }));
    const other = await request(server).get('/v2/apps/app_b').set('Authorization', appKey);
    expect(other.status).toBe(403);
    expect(probe.calls).toEqual([]);
    const own = await request(server).get('/v2/apps/app_a').set('Authorization', appKey);
    expect(own.status).toBe(200);
    expect(own.body).toEqual({ keyId: keys.appA.id });
  });

  it("requireScope('any') without an authenticator answers 500, even with a ctx.state.auth there", async () => {
    const { server, probe, errors } = serve(writes(forged), requireScope('any'));
    const res = await request(server).get('/v2/whoami');
    expect(res.status).toBe(500);
    expect(errors.mock.calls[0]?.[0]).toBeInstanceOf(ConfigurationError);
    expect(probe.calls).toEqual([]);
  });

  it('a context keyscope made for another request is not trusted', async () => {
    const store = createStore();
    let stolen: AuthContext | undefined;
    const donor = new Framework();
    donor.use(authenticate({ store }));
    donor.use((ctx) => {
      stolen = ctx.state.auth;
      ctx.body = '';
    });
    expect((await request(donor.callback()).get('/me').set('Authorization', appKey)).status).toBe(
      200,
    );
    expect(stolen).toMatchObject({ keyId: keys.appA.id });
    const guarded = serve(writes(stolen), requireScope('app', { store }));
    expect((await request(guarded.server).get('/v2/apps/app_a')).status).toBe(401);
    expect(guarded.probe.calls).toEqual([]);
    const bare = serve(writes(stolen), requireScope('any'));
    expect((await request(bare.server).get('/v2/whoami')).status).toBe(500);
    expect(bare.probe.calls).toEqual([]);
  });

  it("a ctx.state.auth overwritten after authenticate(): the guard authorizes keyscope's context and puts it back", async () => {
    const { server, probe } = serve(
      authenticate({ store: createStore() }),
      writes(forged),
      requireScope('app'),
    );
    const other = await request(server).get('/v2/apps/app_b').set('Authorization', appKey);
    expect(other.status).toBe(403);
    expect(probe.calls).toEqual([]);
    const own = await request(server).get('/v2/apps/app_a').set('Authorization', appKey);
    expect(own.body).toEqual({ keyId: keys.appA.id });
  });

  it('authenticate({ optional: true }) leaves no foreign ctx.state.auth behind a request without credentials', async () => {
    const { server, probe } = serve(
      writes(forged),
      authenticate({ store: createStore(), optional: true }),
    );
    const res = await request(server).get('/v2/whoami');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ keyId: null });
    expect(probe.calls).toEqual(['whoami']);
  });
});
