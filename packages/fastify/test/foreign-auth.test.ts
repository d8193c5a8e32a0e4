/**
 * A `request.auth` that keyscope did not make for this request is never trusted (issue 18, item 1):
 * another plugin's hook that writes `request.auth` before a keyscope hook, a context keyscope made
 * for another request, or a hook that overwrites keyscope's context between `authenticate()` and
 * `requireScope()`. The guard authenticates the request itself and publishes its own caller;
 * every refusal proves the handler never ran. Every test runs on Fastify 5 and Fastify 4.
 */
import { type AuthContext, authenticate, keyscope, requireScope } from '@keyscope/fastify';
import { createProbe } from '@keyscope/test-kit';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { appKey, fixture, keys, MAJORS } from './support.js';

/** What another auth plugin would leave on `request.auth`: an account-wide caller of `acc_1`. */
const forged: AuthContext = {
  method: 'jwt',
  keyId: 'act_forged',
  entity: { type: 'userAccount', id: 'acc_1' },
  scope: 'account',
  accountId: 'acc_1',
};

describe.each(MAJORS)('a request.auth keyscope did not make, on %s', (_name, framework) => {
  async function serve(writes: (request: FastifyRequest) => void, before = false) {
    const app = framework();
    const probe = createProbe();
    await app.register(keyscope, { store: fixture.createStore() });
    const onRequest = before
      ? [authenticate(), async (r: FastifyRequest) => writes(r)]
      : [async (r: FastifyRequest) => writes(r)];
    app.get('/v2/apps/:appId', { onRequest, preHandler: requireScope('app') }, async (request) => {
      probe.ran('app');
      return { keyId: request.auth?.keyId ?? null };
    });
    app.get('/me', { onRequest, preHandler: authenticate({ optional: true }) }, async (request) => {
      probe.ran('me');
      return { keyId: request.auth?.keyId ?? null };
    });
    return { app, probe };
  }

  it('is not trusted: 401 without credentials, 403 on an app the forged caller would reach', async () => {
    const { app, probe } = await serve((r) => {
      r.auth = forged;
    });
    const none = await app.inject('/v2/apps/app_a');
    expect(none.statusCode).toBe(401);
    const other = await app.inject({ url: '/v2/apps/app_b', headers: { authorization: appKey } });
    expect(other.statusCode).toBe(403);
    expect(probe.calls).toEqual([]);
    const own = await app.inject({ url: '/v2/apps/app_a', headers: { authorization: appKey } });
    expect(own.json()).toEqual({ keyId: keys.appA.id });
  });

  it('a context keyscope made for another request is not trusted', async () => {
    let stolen: AuthContext | undefined;
    const donor = await serve(() => {});
    donor.app.addHook('onResponse', async (request) => {
      stolen ??= request.auth;
    });
    await donor.app.inject({ url: '/v2/apps/app_a', headers: { authorization: appKey } });
    expect(stolen).toMatchObject({ keyId: keys.appA.id });
    const { app, probe } = await serve((r) => {
      r.auth = stolen;
    });
    expect((await app.inject('/v2/apps/app_a')).statusCode).toBe(401);
    expect(probe.calls).toEqual([]);
  });

  it("a request.auth overwritten after authenticate(): the guard checks keyscope's caller and puts it back", async () => {
    const { app, probe } = await serve((r) => {
      r.auth = forged;
    }, true);
    const other = await app.inject({ url: '/v2/apps/app_b', headers: { authorization: appKey } });
    expect(other.statusCode).toBe(403);
    expect(probe.calls).toEqual([]);
    const own = await app.inject({ url: '/v2/apps/app_a', headers: { authorization: appKey } });
    expect(own.json()).toEqual({ keyId: keys.appA.id });
  });

  it('authenticate({ optional: true }) leaves no foreign request.auth behind', async () => {
    const { app } = await serve((r) => {
      r.auth = forged;
    });
    expect((await app.inject('/me')).json()).toEqual({ keyId: null });
  });
});
