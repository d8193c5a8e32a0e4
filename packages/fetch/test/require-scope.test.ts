/**
 * `requireScope(scope, handler, options)` with real Web `Request` objects: the handler runs with
 * the context and the route parameters only when the caller is allowed, and never on a refusal;
 * parameters come from a resolver (sync or async, with the runtime's extra arguments, read only
 * once the caller is authenticated) or a real `URLPattern` (its groups percent-decoded once, an
 * undecodable one answered 400, the same names as Hono's); a context found by an
 * earlier `authenticate()` is reused; `'any'` credential; resolvers that return something else
 * than a string; `passErrors`; the client's `address`.
 */
import {
  basic,
  bearer,
  CHALLENGES,
  createFixture,
  type Fixture,
  randomSecret,
  token,
} from '@keyscope/test-kit';
import { Hono } from 'hono';
import { URLPattern } from 'urlpattern-polyfill/urlpattern';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type Authenticator,
  authenticate,
  ConfigurationError,
  CredentialsRequiredError,
  createAuthenticator,
  createMemoryStore,
  requireScope,
  type Scope,
  type ScopedHandler,
} from '../src/index.js';

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

  it('reads the parameters with a URLPattern', async () => {
    const handler = spyHandler();
    const route = requireScope('appUser', handler, {
      authenticator,
      params: new URLPattern({ pathname: '/v2/apps/:appId/users/:userId' }),
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
        const route = requireScope(scope, handler, {
          authenticator,
          params: new URLPattern({ pathname: path }),
        });
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
    const route = requireScope('any', handler, {
      authenticator,
      params: new URLPattern({ pathname: '/v2/:what' }),
    });
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

  it('after an optional authenticate() found no credentials, a guard uses its authenticator: 401', async () => {
    // As in Express and Koa: the record of the Request names the authenticator, with no caller.
    const onRejected = vi.fn();
    const recorded = createAuthenticator({ store: fixture.createStore(), onRejected });
    const request = get('/v2/apps/app_a');
    expect(await authenticate(request, { authenticator: recorded, optional: true })).toStrictEqual({
      ok: true,
      auth: undefined,
    });
    const handler = spyHandler();
    const bare = requireScope('app', handler, { params: () => ({ appId: 'app_a' }) });
    await expectRefused(await bare(request), 401, CHALLENGES.both);
    expect(onRejected).toHaveBeenCalledOnce();
    expect(handler).not.toHaveBeenCalled();
  });

  it('a context found for one Request is not reused for another, not even a copy of it', async () => {
    const request = get('/v2/apps/app_a', appKey());
    expect((await authenticate(request, authenticator)).ok).toBe(true);
    const handler = spyHandler();
    const bare = requireScope('any', handler);
    for (const other of [new Request(request), request.clone(), get('/v2/apps/app_a')]) {
      await expect(bare(other)).rejects.toBeInstanceOf(ConfigurationError);
    }
    expect(handler).not.toHaveBeenCalled();
    expect((await bare(request)).status).toBe(200);
  });
});

describe('URLPattern parameters, percent-decoded once (as Express and Hono decode theirs)', () => {
  /** Apps whose ids need percent-encoding in a path, each with its own key. */
  const ids = { spaced: 'app one', accented: 'app_é', kana: 'アプリ', percent: 'app%20one' };
  const store = (() => {
    const keys = Object.entries(ids).map(([name, id]) => ({
      id: `app_key_${name}`,
      secret: randomSecret(),
      entity: { type: 'app' as const, id },
    }));
    const apps = Object.values(ids).map((id) => ({ id, accountId: 'acc_1' }));
    return { keys, document: { version: 1 as const, apps, keys } };
  })();
  const keyOf = (name: keyof typeof ids) => {
    const key = store.keys.find((k) => k.id === `app_key_${name}`) as {
      id: string;
      secret: string;
    };
    return basic(key.id, key.secret);
  };
  const showApp = (options: { passErrors?: boolean } = {}) => {
    const handler = spyHandler();
    const route = requireScope('app', handler, {
      store: createMemoryStore(store.document),
      params: new URLPattern({ pathname: '/v2/apps/:appId' }),
      ...options,
    });
    return { route, handler };
  };

  it.each([
    ['a space', 'spaced', 'accented'],
    ['a non-ASCII letter', 'accented', 'spaced'],
    ['non-Latin characters', 'kana', 'accented'],
  ] as const)(
    'an app id with %s: 200 for its own key, 403 for another app',
    async (_l, own, other) => {
      const { route, handler } = showApp();
      const path = `/v2/apps/${encodeURIComponent(ids[own])}`;
      const allowed = await route(get(path, keyOf(own)));
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toStrictEqual({
        keyId: `app_key_${own}`,
        params: { appId: ids[own] },
      });
      await expectRefused(await route(get(path, keyOf(other))), 403, null);
      expect(handler).toHaveBeenCalledOnce();
    },
  );

  it('reads the path the runtime canonicalised (a raw space or letter in the URL)', async () => {
    const { route } = showApp();
    expect(new Request(`http://api.test/v2/apps/${ids.spaced}`).url).toContain('app%20one');
    expect((await route(get(`/v2/apps/${ids.spaced}`, keyOf('spaced')))).status).toBe(200);
    expect((await route(get(`/v2/apps/${ids.accented}`, keyOf('accented')))).status).toBe(200);
  });

  it('decodes once: %2520 is the app "app%20one", never "app one"', async () => {
    const { route, handler } = showApp();
    const twice = '/v2/apps/app%2520one';
    await expectRefused(await route(get(twice, keyOf('spaced'))), 403, null);
    const allowed = await route(get(twice, keyOf('percent')));
    expect(await allowed.json()).toMatchObject({ params: { appId: 'app%20one' } });
    expect(handler).toHaveBeenCalledOnce();
  });

  it.each([
    ['a truncated sequence', '/v2/apps/%E0'],
    ['a bad UTF-8 sequence', '/v2/apps/app%C3%28'],
    ['no hex digits', '/v2/apps/%zz'],
  ])(
    'a parameter with %s is answered 400 before authentication; the handler never runs',
    async (_l, path) => {
      for (const options of [{}, { passErrors: true }]) {
        const { route, handler } = showApp(options);
        for (const authorization of [keyOf('spaced'), undefined]) {
          const response = await route(get(path, authorization));
          await expectRefused(response.clone(), 400, null);
          expect(await response.json()).toStrictEqual({
            errors: [{ code: 'bad_request', title: 'Malformed path parameter' }],
          });
        }
        expect(handler).not.toHaveBeenCalled();
      }
    },
  );

  it("'any' routes answer an undecodable parameter 400 too", async () => {
    const handler = spyHandler();
    const route = requireScope('any', handler, {
      authenticator,
      params: new URLPattern({ pathname: '/v2/:what' }),
    });
    await expectRefused(await route(get('/v2/%E0', appKey())), 400, null);
    expect(handler).not.toHaveBeenCalled();
  });

  it("a resolver's parameters are used as they are (the runtime decoded them)", async () => {
    const handler = spyHandler();
    const route = requireScope('app', handler, {
      store: createMemoryStore(store.document),
      params: () => ({ appId: 'app%20one' }),
    });
    await expectRefused(await route(get('/x', keyOf('spaced'))), 403, null);
    expect((await route(get('/x', keyOf('percent')))).status).toBe(200);
  });

  it('names the same app as Hono does for the same path', async () => {
    const memory = createMemoryStore(store.document);
    const fromPattern = requireScope('app', (_r, { params }) => Response.json(params), {
      store: memory,
      params: new URLPattern({ pathname: '/v2/apps/:appId' }),
    });
    const hono = new Hono().get('/v2/apps/:appId', (c) => c.json(c.req.param()));
    for (const id of Object.values(ids)) {
      const path = `/v2/apps/${encodeURIComponent(id)}`;
      const key = (Object.keys(ids) as (keyof typeof ids)[]).find((name) => ids[name] === id);
      const ours = await fromPattern(get(path, keyOf(key as keyof typeof ids)));
      const theirs = await hono.request(path);
      expect(await ours.json()).toStrictEqual(await theirs.json());
    }
  });
});
