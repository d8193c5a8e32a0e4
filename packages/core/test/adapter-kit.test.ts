/**
 * Tests of the adapter kit with a fake framework request ("carrier"): `resolveAuthenticator`
 * (options, `{ authenticator }` or an authenticator), `authenticateRequest` (and the record of the
 * request it keeps on the carrier), `createGuard` (it authenticates unless keyscope already did for
 * this very request, reuses that record's authenticator, never trusts a context it did not record
 * for this request, guards `'any'` credential or a scope, reads the resource sync or async and
 * refuses values that are not strings, refuses with the contract's answer and never runs the
 * protected handler on a refusal). `toErrorResponse` has its own file.
 */
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import {
  type AuthContext,
  type Authenticator,
  authenticateRequest,
  ConfigurationError,
  createAuthenticator,
  createGuard,
  createMemoryStore,
  ForbiddenError,
  type GuardAccess,
  type GuardScope,
  resolveAuthenticator,
} from '../src/index.js';
import {
  basic,
  bearer,
  expectAuthError,
  KEY,
  keysDocument,
  mint,
  refused,
  rejection,
  SECRET,
} from './support/fixtures.js';

interface FakeRequest {
  readonly headers: { authorization?: string | string[] };
  readonly params: { appId?: unknown; userId?: unknown; id?: unknown };
  readonly method: string;
  auth?: AuthContext;
}

const access: GuardAccess<FakeRequest> = {
  request: (req) => ({ authorization: req.headers.authorization, method: req.method }),
  setContext: (req, auth) => {
    req.auth = auth;
  },
  resource: (req) => ({ appId: req.params.appId, userId: req.params.userId }),
};

const store = createMemoryStore(keysDocument());
const request = (
  authorization?: string | string[],
  params: FakeRequest['params'] = {},
): FakeRequest => ({ headers: { authorization }, params, method: 'GET' });

/** Runs a guard then a handler, the way an adapter's middleware chain does. */
async function serve(guard: (req: FakeRequest) => Promise<AuthContext>, req: FakeRequest) {
  const handler = vi.fn(() => 'handled');
  const outcome = await guard(req).then(
    () => ({ ok: true as const, value: handler() }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  return { outcome, handler };
}

describe('resolveAuthenticator', () => {
  it('returns the authenticator it is given', () => {
    const authenticator = createAuthenticator({ store });
    expect(resolveAuthenticator({ authenticator })).toBe(authenticator);
  });

  it('makes one authenticator per options object, and one for each other object', () => {
    const options = { store, realm: 'once' };
    const first = resolveAuthenticator(options);
    expect(resolveAuthenticator(options)).toBe(first);
    expect(resolveAuthenticator({ ...options })).not.toBe(first);
  });

  it('accepts an authenticator directly', () => {
    const authenticator = createAuthenticator({ store });
    expect(resolveAuthenticator(authenticator)).toBe(authenticator);
  });

  it('creates one from options', async () => {
    const authenticator = resolveAuthenticator({ store, realm: 'r' });
    expect(authenticator.realm).toBe('r');
    await expect(
      authenticator.authenticate({ authorization: basic(KEY.appA, SECRET.appA) }),
    ).resolves.toMatchObject({ keyId: KEY.appA });
  });

  it.each([
    ['an authenticator that is not one', { authenticator: {} }],
    ['an undefined authenticator', { authenticator: undefined }],
    ['an authenticator without authorize', { authenticator: { authenticate: () => {} } }],
    ['a bare object with authenticate but no authorize', { authenticate: () => {} }],
    ['options without store', {}],
    ['null', null],
    ['bad options', { store, clockTolerance: 3600 }],
  ])('%s throws ConfigurationError', (_l, options) => {
    expect(() => resolveAuthenticator(options as never)).toThrow(ConfigurationError);
  });
});

describe('authenticateRequest', () => {
  const authenticator = createAuthenticator({ store });

  it('resolves the context', async () => {
    const req = request(basic(KEY.appA, SECRET.appA));
    await expect(
      authenticateRequest(authenticator, req, access.request(req)),
    ).resolves.toMatchObject({ keyId: KEY.appA, scope: 'app' });
  });

  it('refuses a request without credentials unless optional', async () => {
    const req = request();
    const error = await rejection(authenticateRequest(authenticator, req, access.request(req)));
    expectAuthError(error, refused.required('missing_credentials'));
    await expect(
      authenticateRequest(authenticator, req, access.request(req), true),
    ).resolves.toBeUndefined();
  });

  it('returns AuthContext when not optional, AuthContext | undefined when it may be (types)', () => {
    const req = request();
    const call = () => authenticateRequest(authenticator, req, access.request(req));
    expectTypeOf(call).returns.toEqualTypeOf<Promise<AuthContext>>();
    const strict = () => authenticateRequest(authenticator, req, access.request(req), false);
    expectTypeOf(strict).returns.toEqualTypeOf<Promise<AuthContext>>();
    const loose = () => authenticateRequest(authenticator, req, access.request(req), true);
    expectTypeOf(loose).returns.toEqualTypeOf<Promise<AuthContext | undefined>>();
    const flag = (optional: boolean) =>
      authenticateRequest(authenticator, req, access.request(req), optional);
    expectTypeOf(flag).returns.toEqualTypeOf<Promise<AuthContext | undefined>>();
  });

  it('optional still refuses bad credentials', async () => {
    const req = request(basic(KEY.appA, 'nope'));
    const error = await rejection(
      authenticateRequest(authenticator, req, access.request(req), true),
    );
    expectAuthError(error, refused.basic('wrong_secret', KEY.appA));
  });
});

describe('createGuard', () => {
  it('refuses an unknown scope at set-up', () => {
    expect(() => createGuard('admin' as 'app', access, { store })).toThrow(ConfigurationError);
  });

  it('refuses invalid authenticator options at set-up', () => {
    expect(() => createGuard('app', access, { store, algorithms: [] })).toThrow(ConfigurationError);
  });

  it('without authenticate() before it and without a store it is a ConfigurationError', async () => {
    const guard = createGuard('app', access);
    const { outcome, handler } = await serve(
      guard,
      request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' }),
    );
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toBeInstanceOf(ConfigurationError);
    expect(handler).not.toHaveBeenCalled();
  });

  it('authenticates when no context is there, stores it, and allows the request', async () => {
    const guard = createGuard('app', access, { store });
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' });
    const { outcome, handler } = await serve(guard, req);
    expect(outcome).toEqual({ ok: true, value: 'handled' });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(req.auth).toMatchObject({ keyId: KEY.appA, scope: 'app', appId: 'app_a' });
  });

  it('resolves the context', async () => {
    const guard = createGuard('appUser', access, { store });
    const req = request(bearer(await mint({ scope: 'appUser', userId: 'u1' })), {
      appId: 'app_a',
      userId: 'u1',
    });
    await expect(guard(req)).resolves.toMatchObject({ scope: 'appUser', userId: 'u1' });
  });

  it('uses an authenticator given as option', async () => {
    const authenticator = createAuthenticator({ store });
    const authenticate = vi.spyOn(authenticator, 'authenticate');
    const guard = createGuard('app', access, { authenticator });
    await guard(request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' }));
    expect(authenticate).toHaveBeenCalledTimes(1);
  });

  it('reuses the authenticator bound by authenticateRequest, before its own', async () => {
    const bound = createAuthenticator({ store, realm: 'bound' });
    const own = createAuthenticator({ store, realm: 'own' });
    const boundAuthorize = vi.spyOn(bound, 'authorize');
    const ownAuthorize = vi.spyOn(own, 'authorize');
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_b' });
    req.auth = await authenticateRequest(bound, req, access.request(req));
    const guard = createGuard('app', access, { authenticator: own });
    const { outcome, handler } = await serve(guard, req);
    expect(boundAuthorize).toHaveBeenCalledTimes(1);
    expect(ownAuthorize).not.toHaveBeenCalled();
    expect(handler).not.toHaveBeenCalled();
    expect(!outcome.ok && outcome.error).toBeInstanceOf(ForbiddenError);
  });

  it('with no own authenticator, uses the one authenticateRequest bound', async () => {
    const bound = createAuthenticator({ store, realm: 'bound' });
    const req = request(bearer(await mint({ scope: 'app' })), { appId: 'app_b' });
    req.auth = await authenticateRequest(bound, req, access.request(req));
    const { outcome, handler } = await serve(createGuard('app', access), req);
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(!outcome.ok && outcome.error, {
      ...refused.forbidden('resource_not_allowed', 'app', 'jwt'),
      wwwAuthenticate: 'Bearer realm="bound", error="insufficient_scope", scope="app"',
    });
  });

  it('after an optional authenticate() without credentials, the guard refuses with 401', async () => {
    const authenticator = createAuthenticator({ store });
    const req = request(undefined, { appId: 'app_a' });
    const context = await authenticateRequest(authenticator, req, access.request(req), true);
    expect(context).toBeUndefined();
    const { outcome, handler } = await serve(createGuard('app', access), req);
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(!outcome.ok && outcome.error, refused.required('missing_credentials'));
  });

  it('does not authenticate again when a context is there', async () => {
    const authenticator = createAuthenticator({ store });
    const authenticate = vi.spyOn(authenticator, 'authenticate');
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' });
    req.auth = await authenticateRequest(authenticator, req, access.request(req));
    authenticate.mockClear();
    await createGuard('app', access)(req);
    req.params.userId = 'u';
    await createGuard('appUser', access)(req);
    expect(authenticate).not.toHaveBeenCalled();
  });

  it('two guards on one request authenticate once', async () => {
    const authenticator = createAuthenticator({ store });
    const authenticate = vi.spyOn(authenticator, 'authenticate');
    const req = request(basic(KEY.user, SECRET.user), { appId: 'app_b' });
    await createGuard('account', access, { authenticator })(req);
    await createGuard('app', access, { authenticator })(req);
    expect(authenticate).toHaveBeenCalledTimes(1);
  });

  it('appId and userId options override the route parameters', async () => {
    const guard = createGuard('appUser', access, {
      store,
      appId: (req) => req.params.id,
      userId: () => 'u1',
    });
    const token = await mint({ scope: 'appUser', userId: 'u1' });
    const ok = await serve(guard, request(bearer(token), { id: 'app_a', appId: 'app_b' }));
    expect(ok.outcome.ok).toBe(true);
    const refusedReq = request(bearer(token), { id: 'app_b', appId: 'app_a', userId: 'u1' });
    const { outcome, handler } = await serve(guard, refusedReq);
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(
      !outcome.ok && outcome.error,
      refused.forbidden('resource_not_allowed', 'appUser', 'jwt'),
    );
  });

  const refusals: Array<
    [string, () => Promise<FakeRequest>, Parameters<typeof expectAuthError>[1]]
  > = [
    [
      'no credentials',
      async () => request(undefined, { appId: 'app_a' }),
      refused.required('missing_credentials'),
    ],
    [
      'two Authorization values',
      async () =>
        request([basic(KEY.appA, SECRET.appA), basic(KEY.appA, SECRET.appA)], { appId: 'app_a' }),
      refused.malformed('multiple_headers'),
    ],
    [
      'a wrong secret',
      async () => request(basic(KEY.appA, 'wrong'), { appId: 'app_a' }),
      refused.basic('wrong_secret', KEY.appA),
    ],
    [
      'an expired token',
      async () => request(bearer(await mint({ scope: 'app', exp: 1 })), { appId: 'app_a' }),
      refused.token('token_expired', KEY.appA),
    ],
    [
      'another app (Basic)',
      async () => request(basic(KEY.appA, SECRET.appA), { appId: 'app_b' }),
      refused.forbidden('resource_not_allowed', 'app', 'basic'),
    ],
    [
      'an appUser token on an app route',
      async () =>
        request(bearer(await mint({ scope: 'appUser', userId: 'u1' })), { appId: 'app_a' }),
      refused.forbidden('insufficient_scope', 'app', 'jwt'),
    ],
    [
      'a route without an app parameter',
      async () => request(basic(KEY.user, SECRET.user)),
      refused.forbidden('missing_resource', 'app', 'basic'),
    ],
  ];

  it.each(refusals)('refuses %s and never runs the handler', async (_l, make, expected) => {
    const guard = createGuard('app', access, { store });
    const { outcome, handler } = await serve(guard, await make());
    expect(outcome.ok).toBe(false);
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(!outcome.ok && outcome.error, expected);
  });

  it('a store that fails makes the guard answer 503 and never run the handler', async () => {
    const broken = { findKey: () => Promise.reject(new Error('down')), appsFor: store.appsFor };
    const guard = createGuard('app', access, { store: broken });
    const { outcome, handler } = await serve(
      guard,
      request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' }),
    );
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(!outcome.ok && outcome.error, refused.unavailable());
  });

  it('works with a structurally typed authenticator (it only needs the methods)', async () => {
    const real = createAuthenticator({ store });
    const wrapper: Authenticator = {
      store,
      realm: 'x',
      authenticate: (r) => real.authenticate(r),
      authenticateOptional: (r) => real.authenticateOptional(r),
      authorize: (...args) => real.authorize(...args),
    };
    const guard = createGuard('account', access, { authenticator: wrapper });
    await expect(guard(request(basic(KEY.svc, SECRET.svc)))).resolves.toMatchObject({
      scope: 'account',
    });
  });
});

describe("createGuard('any')", () => {
  it('lets through any valid credential, whatever the route names, and sets the context', async () => {
    const guard = createGuard('any', access, { store });
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_c' });
    const { outcome, handler } = await serve(guard, req);
    expect(outcome).toEqual({ ok: true, value: 'handled' });
    expect(handler).toHaveBeenCalledOnce();
    expect(req.auth).toMatchObject({ keyId: KEY.appA, scope: 'app' });
  });

  it('never reads the resource', async () => {
    const resource = vi.fn(() => ({}));
    const guard = createGuard('any', { ...access, resource }, { store });
    await guard(request(bearer(await mint({ scope: 'appUser', userId: 'u1' }))));
    expect(resource).not.toHaveBeenCalled();
  });

  it.each<[string, () => Promise<FakeRequest>, Parameters<typeof expectAuthError>[1]]>([
    ['no credentials', async () => request(), refused.required('missing_credentials')],
    [
      'a wrong secret',
      async () => request(basic(KEY.appA, 'x')),
      refused.basic('wrong_secret', KEY.appA),
    ],
    [
      'two Authorization values',
      async () => request([basic(KEY.appA, SECRET.appA), basic(KEY.appA, SECRET.appA)]),
      refused.malformed('multiple_headers'),
    ],
  ])('refuses %s and never runs the handler', async (_l, make, expected) => {
    const { outcome, handler } = await serve(createGuard('any', access, { store }), await make());
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(!outcome.ok && outcome.error, expected);
  });

  it('reuses a context already there, without authenticating again', async () => {
    const authenticator = createAuthenticator({ store });
    const req = request(basic(KEY.user, SECRET.user));
    req.auth = await authenticateRequest(authenticator, req, access.request(req));
    const authenticate = vi.spyOn(authenticator, 'authenticate');
    await expect(createGuard('any', access)(req)).resolves.toBe(req.auth);
    expect(authenticate).not.toHaveBeenCalled();
  });

  it('after an optional authenticate() without credentials, refuses with 401', async () => {
    const authenticator = createAuthenticator({ store });
    const req = request();
    await authenticateRequest(authenticator, req, access.request(req), true);
    const { outcome, handler } = await serve(createGuard('any', access), req);
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(!outcome.ok && outcome.error, refused.required('missing_credentials'));
  });

  it('with no authenticator at all it is a ConfigurationError, never a pass', async () => {
    const { outcome, handler } = await serve(
      createGuard('any', access),
      request(basic(KEY.appA, SECRET.appA)),
    );
    expect(handler).not.toHaveBeenCalled();
    expect(!outcome.ok && outcome.error).toBeInstanceOf(ConfigurationError);
  });

  it('is typed: the scope is a GuardScope', () => {
    expectTypeOf<GuardScope>().toEqualTypeOf<'any' | 'appUser' | 'app' | 'account'>();
    expectTypeOf(createGuard<FakeRequest>)
      .parameter(0)
      .toEqualTypeOf<GuardScope>();
  });
});

describe('createGuard: the resource', () => {
  it('reads it from an async resource()', async () => {
    const guard = createGuard(
      'app',
      { ...access, resource: async () => ({ appId: 'app_a' }) },
      { store },
    );
    await expect(guard(request(basic(KEY.appA, SECRET.appA)))).resolves.toMatchObject({
      appId: 'app_a',
    });
    const other = createGuard(
      'app',
      { ...access, resource: async () => ({ appId: 'app_b' }) },
      { store },
    );
    const { outcome, handler } = await serve(other, request(basic(KEY.appA, SECRET.appA)));
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(
      !outcome.ok && outcome.error,
      refused.forbidden('resource_not_allowed', 'app', 'basic'),
    );
  });

  it('takes async resolvers, and does not read resource() when both resolvers are given', async () => {
    const resource = vi.fn(() => ({}));
    const guard = createGuard(
      'appUser',
      { ...access, resource },
      { store, appId: async () => 'app_a', userId: async () => 'u1' },
    );
    const token = await mint({ scope: 'appUser', userId: 'u1' });
    await expect(guard(request(bearer(token)))).resolves.toMatchObject({ userId: 'u1' });
    expect(resource).not.toHaveBeenCalled();
  });

  it('a failing resource() rejects with its own error, and the handler never runs', async () => {
    const boom = new Error('boom');
    const guard = createGuard(
      'app',
      { ...access, resource: () => Promise.reject(boom) },
      { store },
    );
    const { outcome, handler } = await serve(guard, request(basic(KEY.appA, SECRET.appA)));
    expect(handler).not.toHaveBeenCalled();
    expect(!outcome.ok && outcome.error).toBe(boom);
  });

  const notStrings: Array<[string, unknown]> = [
    ['a number', 42],
    ['an array of repeated parameters', ['app_a', 'app_b']],
    ['an array of the right app', ['app_a']],
    ['an object', { toString: () => 'app_a' }],
    ['a boxed string', Object('app_a')],
    ['true', true],
  ];

  for (const scope of ['app', 'appUser', 'account'] as const) {
    it.each(notStrings)(`a ${scope} guard refuses an appId that is %s (403)`, async (_l, value) => {
      const caller =
        scope === 'account'
          ? basic(KEY.user, SECRET.user)
          : scope === 'app'
            ? basic(KEY.appA, SECRET.appA)
            : bearer(await mint({ scope: 'appUser', userId: 'u1' }));
      const guard = createGuard(scope, access, { store, appId: () => value });
      const { outcome, handler } = await serve(guard, request(caller, { userId: 'u1' }));
      expect(handler).not.toHaveBeenCalled();
      expect(!outcome.ok && outcome.error).toBeInstanceOf(ForbiddenError);
      expect(!outcome.ok && (outcome.error as ForbiddenError).status).toBe(403);
    });
  }

  it.each(notStrings)('an appUser guard refuses a userId that is %s (403)', async (_l, value) => {
    const token = await mint({ scope: 'appUser', userId: 'u1' });
    const guard = createGuard('appUser', access, { store, userId: () => value });
    const { outcome, handler } = await serve(guard, request(bearer(token), { appId: 'app_a' }));
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(
      !outcome.ok && outcome.error,
      refused.forbidden('resource_not_allowed', 'appUser', 'jwt'),
    );
  });

  it('the default route parameters are held to the same rule', async () => {
    const guard = createGuard('app', access, { store });
    const { outcome, handler } = await serve(
      guard,
      request(basic(KEY.appA, SECRET.appA), { appId: ['app_a', 'app_a'] }),
    );
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(
      !outcome.ok && outcome.error,
      refused.forbidden('resource_not_allowed', 'app', 'basic'),
    );
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
  ])(
    '%s names no resource: app and appUser guards refuse, an account guard allows',
    async (_l, value) => {
      for (const scope of ['app', 'appUser'] as const) {
        const guard = createGuard(scope, access, {
          store,
          appId: () => value,
          userId: () => value,
        });
        const { outcome, handler } = await serve(guard, request(basic(KEY.user, SECRET.user)));
        expect(handler).not.toHaveBeenCalled();
        expectAuthError(
          !outcome.ok && outcome.error,
          refused.forbidden('missing_resource', scope, 'basic'),
        );
      }
      const account = createGuard('account', access, {
        store,
        appId: () => value,
        userId: () => value,
      });
      const allowed = await serve(account, request(basic(KEY.user, SECRET.user)));
      expect(allowed.outcome).toEqual({ ok: true, value: 'handled' });
    },
  );

  it('resolvers are typed to return anything', () => {
    expectTypeOf(createGuard<FakeRequest>)
      .parameter(2)
      .toExtend<{ appId?: (req: FakeRequest) => unknown } | undefined>();
    createGuard('app', access, { store, appId: () => 42, userId: async () => ['x'] });
  });
});

describe('the record of a request: what a guard trusts', () => {
  /** What another library (express-jwt...) would put in the slot: an account-wide caller. */
  const forged: AuthContext = {
    method: 'jwt',
    keyId: 'act_forged',
    entity: { type: 'userAccount', id: 'acc_1' },
    scope: 'account',
    accountId: 'acc_1',
  };

  it('a context in the slot that keyscope did not make is never trusted: the guard authenticates', async () => {
    const req = request(undefined, { appId: 'app_a' });
    req.auth = forged;
    const { outcome, handler } = await serve(createGuard('app', access, { store }), req);
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(!outcome.ok && outcome.error, refused.required('missing_credentials'));
  });

  it("with no authenticator, 'any' and scoped guards are a ConfigurationError, whatever is in the slot", async () => {
    for (const scope of ['any', 'app', 'account'] as const) {
      const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' });
      req.auth = forged;
      const { outcome, handler } = await serve(createGuard(scope, access), req);
      expect(handler).not.toHaveBeenCalled();
      expect(!outcome.ok && outcome.error).toBeInstanceOf(ConfigurationError);
    }
  });

  it("the guard checks keyscope's own context and publishes it over the slot's", async () => {
    const authenticator = createAuthenticator({ store });
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_b' });
    const own = await authenticateRequest(authenticator, req, access.request(req));
    req.auth = forged; // would reach app_b
    const { outcome, handler } = await serve(createGuard('app', access), req);
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(
      !outcome.ok && outcome.error,
      refused.forbidden('resource_not_allowed', 'app', 'basic'),
    );
    expect(req.auth).toBe(own);
  });

  it('a context keyscope made for another request, copied into the slot, is not trusted', async () => {
    const made = createAuthenticator({ store, realm: 'made' });
    const first = request(bearer(await mint({ scope: 'app' })), { appId: 'app_a' });
    const auth = await authenticateRequest(made, first, access.request(first));
    const second: FakeRequest = { ...request(undefined, { appId: 'app_a' }), auth };
    const bare = await serve(createGuard('app', access), second);
    expect(bare.handler).not.toHaveBeenCalled();
    expect(!bare.outcome.ok && bare.outcome.error).toBeInstanceOf(ConfigurationError);
    const own = await serve(createGuard('any', access, { store }), second);
    expect(own.handler).not.toHaveBeenCalled();
    expectAuthError(!own.outcome.ok && own.outcome.error, refused.required('missing_credentials'));
  });

  it('a spread copy of a request carries no record, and the record is invisible', async () => {
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' });
    const keys = Object.keys(req);
    req.auth = await authenticateRequest(createAuthenticator({ store }), req, access.request(req));
    expect(Object.keys(req)).toEqual([...keys, 'auth']);
    expect(JSON.parse(JSON.stringify(req))).toEqual({ ...req });
    const copy: FakeRequest = { ...req, headers: {} };
    const { outcome, handler } = await serve(createGuard('any', access), copy);
    expect(handler).not.toHaveBeenCalled();
    expect(!outcome.ok && outcome.error).toBeInstanceOf(ConfigurationError);
  });

  it("a record moved onto another request with its symbol is not that request's", async () => {
    const first = request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' });
    await authenticateRequest(createAuthenticator({ store }), first, access.request(first));
    const second = request(undefined, { appId: 'app_a' });
    const symbols = Object.getOwnPropertySymbols(first);
    expect(symbols).toHaveLength(1);
    for (const symbol of symbols) {
      const descriptor = Object.getOwnPropertyDescriptor(first, symbol) as PropertyDescriptor;
      Object.defineProperty(second, symbol, descriptor);
    }
    const { outcome, handler } = await serve(createGuard('any', access), second);
    expect(handler).not.toHaveBeenCalled();
    expect(!outcome.ok && outcome.error).toBeInstanceOf(ConfigurationError);
  });

  it('an object shaped like a record, under any key, is not one', async () => {
    const req = request(undefined, { appId: 'app_a' });
    const authenticator = createAuthenticator({ store });
    const lookalike = { authenticator, context: forged };
    Object.assign(req, { [Symbol('keyscope.requestRecord')]: lookalike, record: lookalike });
    Object.setPrototypeOf(req, { [Symbol.for('keyscope.requestRecord')]: lookalike });
    const { outcome, handler } = await serve(createGuard('any', access), req);
    expect(handler).not.toHaveBeenCalled();
    expect(!outcome.ok && outcome.error).toBeInstanceOf(ConfigurationError);
  });

  it('a context the guard found itself is recorded for that request, and reused', async () => {
    const own = createAuthenticator({ store, realm: 'own' });
    const authenticate = vi.spyOn(own, 'authenticate');
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' });
    const auth = await createGuard('app', access, { authenticator: own })(req);
    const authorize = vi.spyOn(own, 'authorize');
    await expect(createGuard('app', access)(req)).resolves.toBe(auth);
    expect(authorize).toHaveBeenCalledOnce();
    expect(authenticate).toHaveBeenCalledOnce();
  });

  it('the latest authentication of a request is the one its guards use', async () => {
    const a = createAuthenticator({ store, realm: 'a' });
    const b = createAuthenticator({ store, realm: 'b' });
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' });
    await authenticateRequest(a, req, access.request(req));
    await authenticateRequest(b, req, access.request(req));
    const authorizeA = vi.spyOn(a, 'authorize');
    const authorizeB = vi.spyOn(b, 'authorize');
    await createGuard('app', access)(req);
    expect(authorizeB).toHaveBeenCalledOnce();
    expect(authorizeA).not.toHaveBeenCalled();
  });

  it('a refused authentication leaves no earlier context to reuse', async () => {
    const authenticator = createAuthenticator({ store });
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' });
    await authenticateRequest(authenticator, req, access.request(req));
    req.headers.authorization = basic(KEY.appA, 'wrong');
    await rejection(authenticateRequest(authenticator, req, access.request(req)));
    const { outcome, handler } = await serve(createGuard('app', access), req);
    expect(handler).not.toHaveBeenCalled();
    expectAuthError(!outcome.ok && outcome.error, refused.basic('wrong_secret', KEY.appA));
  });

  it('recordOn: a guard called with a per-call wrapper finds the record on the request inside', async () => {
    type Wrapper = { readonly req: FakeRequest };
    const wrapped: GuardAccess<Wrapper> = {
      request: ({ req }) => access.request(req),
      resource: ({ req }) => access.resource(req),
      recordOn: ({ req }) => req,
    };
    const authenticator = createAuthenticator({ store });
    const authenticate = vi.spyOn(authenticator, 'authenticate');
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' });
    const auth = await authenticateRequest(authenticator, req, access.request(req));
    await expect(createGuard('app', wrapped)({ req })).resolves.toBe(auth);
    await expect(createGuard('any', wrapped)({ req })).resolves.toBe(auth);
    expect(authenticate).toHaveBeenCalledOnce();
    const other = request(undefined, { appId: 'app_a' });
    const { outcome } = await serve(() => createGuard('any', wrapped)({ req: other }), other);
    expect(!outcome.ok && outcome.error).toBeInstanceOf(ConfigurationError);
  });

  it('a request object that cannot take the record is refused, never let through', async () => {
    const req = Object.freeze(request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' }));
    const guard = createGuard('app', { ...access, setContext: undefined }, { store });
    const { outcome, handler } = await serve(guard, req);
    expect(handler).not.toHaveBeenCalled();
    expect(!outcome.ok && outcome.error).toBeInstanceOf(TypeError);
  });

  it('a guard without setContext publishes nothing and resolves the context', async () => {
    const guard = createGuard('app', { ...access, setContext: undefined }, { store });
    const req = request(basic(KEY.appA, SECRET.appA), { appId: 'app_a' });
    await expect(guard(req)).resolves.toMatchObject({ keyId: KEY.appA });
    expect(req.auth).toBeUndefined();
  });
});
