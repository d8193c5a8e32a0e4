/**
 * Tests of the adapter kit with a fake framework request ("carrier"): `resolveAuthenticator`,
 * `authenticateRequest` (and the authenticator it binds to the carrier), `createGuard` (it
 * authenticates when no context is there, reuses the bound authenticator, refuses with the
 * contract's answer and never runs the protected handler on a refusal) and `toErrorResponse`.
 */
import { describe, expect, it, vi } from 'vitest';
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
  InvalidCredentialsError,
  resolveAuthenticator,
  toErrorResponse,
} from '../src/index.js';
import {
  basic,
  bearer,
  CHALLENGE,
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
  readonly params: { appId?: string; userId?: string; id?: string };
  readonly method: string;
  auth?: AuthContext;
}

const access: GuardAccess<FakeRequest> = {
  request: (req) => ({ authorization: req.headers.authorization, method: req.method }),
  getContext: (req) => req.auth,
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

describe('toErrorResponse', () => {
  it('renders an AuthError as its status, headers and body', () => {
    const error = new InvalidCredentialsError({
      reason: 'bad_signature',
      method: 'jwt',
      headers: { 'WWW-Authenticate': CHALLENGE.invalidToken },
    });
    expect(toErrorResponse(error)).toEqual({
      status: 401,
      headers: { 'WWW-Authenticate': CHALLENGE.invalidToken },
      body: { errors: [{ code: 'unauthorized', title: 'Invalid credentials' }] },
    });
  });

  it.each([
    ['a plain Error', new Error(`secret ${SECRET.appA} leaked`)],
    ['a TypeError', new TypeError('x is undefined')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['an object that looks like an AuthError', { status: 401, code: 'unauthorized', headers: {} }],
  ])('renders %s as a 500 internal_error that reveals nothing', (_l, error) => {
    const response = toErrorResponse(error);
    expect(response).toEqual({
      status: 500,
      headers: {},
      body: { errors: [{ code: 'internal_error', title: 'Internal server error' }] },
    });
    expect(JSON.stringify(response)).not.toContain(SECRET.appA);
  });
});
