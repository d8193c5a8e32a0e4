/**
 * `requireScope(scope, handler, options)` with real Web `Request` objects: the handler runs with
 * the context and the route parameters only when the caller is allowed, and never on a refusal;
 * parameters come from a resolver (sync or async, with the runtime's extra arguments) or a
 * URLPattern-like matcher, read only once the caller is authenticated; a context found by an
 * earlier `authenticate()` is reused; `'any'` credential; resolvers that return something else
 * than a string; `passErrors`; the client's `address`.
 */
import { basic, bearer, CHALLENGES, createFixture, type Fixture, token } from '@keyscope/test-kit';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Authenticator,
  authenticate,
  ConfigurationError,
  CredentialsRequiredError,
  createAuthenticator,
  requireScope,
  type Scope,
  type ScopedHandler,
} from '../src/index.js';
import { pathPattern } from './support/fetch-app.js';

let fixture: Fixture;
let authenticator: Authenticator;
beforeAll(() => {
  fixture = createFixture();
  authenticator = createAuthenticator({ store: fixture.createStore() });
});

const get = (path: string, authorization?: string) =>
  new Request(`http://api.test${path}`, {
    headers: authorization === undefined ? {} : { authorization },
  });
const appKey = () => basic(fixture.keys.appA.id, fixture.keys.appA.secret);

function spyHandler() {
  return vi.fn<ScopedHandler>((_request, { auth, params }) =>
    Response.json({ keyId: auth.keyId, params }),
  );
}

async function expectRefused(response: Response, status: number, challenge: string | null) {
  expect(response.status).toBe(status);
  expect(response.headers.get('www-authenticate')).toBe(challenge);
  expect(response.headers.get('content-type')).toBe('application/json');
  const body = (await response.json()) as { errors: { code: string }[] };
  expect(body.errors).toHaveLength(1);
}

describe('requireScope', () => {
  it('runs the handler with the context and the parameters of a resolver', async () => {
    const handler = spyHandler();
    const route = requireScope('app', handler, {
      authenticator,
      params: (request) => ({ appId: new URL(request.url).pathname.split('/')[3] }),
    });
    const response = await route(get('/v2/apps/app_a', appKey()));
    expect(response.status).toBe(200);
    expect(await response.json()).toStrictEqual({
      keyId: fixture.keys.appA.id,
      params: { appId: 'app_a' },
    });
    expect(handler).toHaveBeenCalledOnce();
  });

  it('reads the parameters with a URLPattern-like matcher', async () => {
    const handler = spyHandler();
    const route = requireScope('appUser', handler, {
      authenticator,
      params: pathPattern('/v2/apps/:appId/users/:userId'),
    });
    const jwt = bearer(await token(fixture.keys.appA, { scope: 'appUser', userId: 'u_1' }));
    const allowed = await route(get('/v2/apps/app_a/users/u_1', jwt));
    expect(allowed.status).toBe(200);
    const other = await route(get('/v2/apps/app_a/users/u_2', jwt));
    await expectRefused(other, 403, CHALLENGES.insufficientScope('appUser'));
    expect(handler).toHaveBeenCalledOnce();
  });

  it('passes the runtime arguments to the resolver and the handler (Next.js style)', async () => {
    type RouteArgs = [{ params: Promise<{ appId: string }> }];
    const handler = vi.fn<ScopedHandler<RouteArgs>>(async (_request, { params }, route) =>
      Response.json({ params, fromRoute: (await route.params).appId }),
    );
    const GET = requireScope('app', handler, {
      authenticator,
      params: (_request, route) => route.params,
    });
    const response = await GET(get('/anything', appKey()), {
      params: Promise.resolve({ appId: 'app_a' }),
    });
    expect(await response.json()).toStrictEqual({
      params: { appId: 'app_a' },
      fromRoute: 'app_a',
    });
  });

  describe('never runs the handler on a refusal', () => {
    const cases: [
      string,
      Scope,
      string,
      () => Promise<string | undefined>,
      number,
      string | null,
    ][] = [
      ['no credentials', 'app', '/v2/apps/app_a', async () => undefined, 401, CHALLENGES.both],
      [
        'a malformed field',
        'app',
        '/v2/apps/app_a',
        async () => 'Bearer a b',
        400,
        CHALLENGES.invalidRequest,
      ],
      ['another app (Basic)', 'app', '/v2/apps/app_b', async () => appKey(), 403, null],
      [
        'another app (JWT)',
        'app',
        '/v2/apps/app_b',
        async () => bearer(await token(fixture.keys.appA, { scope: 'app' })),
        403,
        CHALLENGES.insufficientScope('app'),
      ],
      ['a scope below the route', 'account', '/v2/apps', async () => appKey(), 403, null],
    ];
    for (const [name, scope, path, authorization, status, challenge] of cases) {
      it(`${name}: ${status}`, async () => {
        const handler = spyHandler();
        const route = requireScope(scope, handler, { authenticator, params: pathPattern(path) });
        await expectRefused(await route(get(path, await authorization())), status, challenge);
        expect(handler).not.toHaveBeenCalled();
      });
    }
  });

  it('refuses an app-scoped route that names no app (fail closed)', async () => {
    const handler = spyHandler();
    const route = requireScope('app', handler, { authenticator });
    await expectRefused(await route(get('/v2/apps/app_a', appKey())), 403, null);
    expect(handler).not.toHaveBeenCalled();
  });

  it('takes appId/userId resolvers over the parameters', async () => {
    const route = requireScope('app', spyHandler(), {
      authenticator,
      params: () => ({ appId: 'app_b' }),
      appId: (request) => new URL(request.url).searchParams.get('app') ?? undefined,
    });
    expect((await route(get('/x?app=app_a', appKey()))).status).toBe(200);
  });

  it('reuses the authenticator and context of an earlier authenticate()', async () => {
    const store = fixture.createStore();
    const findKey = vi.spyOn(store, 'findKey');
    const own = createAuthenticator({ store });
    const request = get('/v2/apps/app_a', appKey());
    const first = await authenticate(request, own);
    expect(first.ok).toBe(true);
    const route = requireScope('app', spyHandler(), { params: () => ({ appId: 'app_a' }) });
    expect((await route(request)).status).toBe(200);
    expect(findKey).toHaveBeenCalledOnce();
  });

  it('rejects with ConfigurationError when no authenticator is known', async () => {
    const route = requireScope('app', spyHandler());
    await expect(route(get('/v2/apps/app_a', appKey()))).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('throws ConfigurationError at set-up for an unknown scope', () => {
    expect(() => requireScope('admin' as Scope, spyHandler(), { authenticator })).toThrow(
      ConfigurationError,
    );
  });

  it("lets the handler's own errors and the resolver's errors through", async () => {
    const boom = new Error('boom');
    const failing = requireScope(
      'app',
      () => {
        throw boom;
      },
      { authenticator, params: () => ({ appId: 'app_a' }) },
    );
    await expect(failing(get('/', appKey()))).rejects.toBe(boom);
    const handler = spyHandler();
    const badParams = requireScope('app', handler, {
      authenticator,
      params: () => Promise.reject(boom),
    });
    await expect(badParams(get('/', appKey()))).rejects.toBe(boom);
    expect(handler).not.toHaveBeenCalled();
  });

  it("'any' runs the handler for every valid credential, with the parameters, and refuses the rest", async () => {
    const handler = spyHandler();
    const route = requireScope('any', handler, { authenticator, params: pathPattern('/v2/:what') });
    const jwt = bearer(await token(fixture.keys.appA, { scope: 'appUser', userId: 'u_1' }));
    const response = await route(get('/v2/whoami', jwt));
    expect(await response.json()).toStrictEqual({
      keyId: fixture.keys.appA.id,
      params: { what: 'whoami' },
    });
    await expectRefused(await route(get('/v2/whoami')), 401, CHALLENGES.both);
    expect(handler).toHaveBeenCalledOnce();
  });

  it('reads the parameters only once the caller is authenticated, and once', async () => {
    const params = vi.fn(() => ({ appId: 'app_a' }));
    const route = requireScope('app', spyHandler(), { authenticator, params });
    await expectRefused(await route(get('/x')), 401, CHALLENGES.both);
    expect(params).not.toHaveBeenCalled();
    expect((await route(get('/x', appKey()))).status).toBe(200);
    expect(params).toHaveBeenCalledOnce();
  });

  it.each([
    ['a number', () => 42],
    ['an array', () => ['app_a']],
    ['a promise of a number', async () => 7],
  ])('an appId resolver that returns %s names no real app: 403', async (_l, appId) => {
    const handler = spyHandler();
    const route = requireScope('app', handler, { authenticator, appId });
    await expectRefused(await route(get('/x', appKey())), 403, null);
    expect(handler).not.toHaveBeenCalled();
  });

  it('hands the runtime arguments to appId/userId resolvers (sync or async)', async () => {
    type Args = [{ app: string; user: string }];
    const route = requireScope<Args>('appUser', (_r, { auth }) => Response.json(auth.userId), {
      authenticator,
      appId: (_request, env) => env.app,
      userId: async (_request, env) => env.user,
    });
    const jwt = bearer(await token(fixture.keys.appA, { scope: 'appUser', userId: 'u_1' }));
    expect((await route(get('/', jwt), { app: 'app_a', user: 'u_1' })).status).toBe(200);
    expect((await route(get('/', jwt), { app: 'app_a', user: 'u_2' })).status).toBe(403);
  });

  it('passes the address the runtime gives (with its arguments) to the hooks', async () => {
    const onRejected = vi.fn();
    const own = createAuthenticator({ store: fixture.createStore(), onRejected });
    type Args = [{ remoteAddr: { hostname: string } }];
    const route = requireScope<Args>('app', spyHandler(), {
      authenticator: own,
      address: (_request, info) => info.remoteAddr.hostname,
    });
    await route(get('/x'), { remoteAddr: { hostname: '192.0.2.9' } });
    expect(onRejected.mock.calls[0]?.[1]).toEqual({ method: 'GET', address: '192.0.2.9' });
  });

  it('rejects with the AuthError instead of answering, with passErrors', async () => {
    const handler = spyHandler();
    const route = requireScope('app', handler, {
      authenticator,
      params: () => ({ appId: 'app_b' }),
      passErrors: true,
    });
    await expect(route(get('/x', appKey()))).rejects.toMatchObject({
      status: 403,
      code: 'forbidden',
      reason: 'resource_not_allowed',
    });
    await expect(route(get('/x'))).rejects.toBeInstanceOf(CredentialsRequiredError);
    expect(handler).not.toHaveBeenCalled();
  });

  it('after an optional authenticate() found no credentials, a guard without its own authenticator is a ConfigurationError', async () => {
    // No context was made, so nothing tells the guard which authenticator to use: fail closed.
    const request = get('/v2/apps/app_a');
    await authenticate(request, { authenticator, optional: true });
    const handler = spyHandler();
    const bare = requireScope('app', handler, { params: () => ({ appId: 'app_a' }) });
    await expect(bare(request)).rejects.toBeInstanceOf(ConfigurationError);
    const own = requireScope('app', handler, { authenticator, params: () => ({ appId: 'app_a' }) });
    await expectRefused(await own(request), 401, CHALLENGES.both);
    expect(handler).not.toHaveBeenCalled();
  });
});
