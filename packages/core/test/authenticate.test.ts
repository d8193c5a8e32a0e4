/**
 * Tests of `createAuthenticator`: option checks, the no-credentials and optional paths, store
 * failures and malformed store answers (503, never a pass, never a 401), and the hooks (called
 * with the reason, status, method and key id, never with a secret or a token; a throwing hook
 * changes nothing).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AuthContext,
  type AuthenticatorOptions,
  ConfigurationError,
  createAuthenticator,
  createMemoryStore,
  type KeyRecord,
  type KeyStore,
  type RejectionEvent,
} from '../src/index.js';
import {
  basic,
  bearer,
  CHALLENGE,
  craftToken,
  expectAuthError,
  KEY,
  keysDocument,
  mint,
  NOW,
  NOW_S,
  refused,
  rejection,
  SECRET,
} from './support/fixtures.js';

const store = createMemoryStore(keysDocument());

beforeEach(() => {
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createAuthenticator: options', () => {
  it('exposes its store and realm', () => {
    const auth = createAuthenticator({ store });
    expect(auth.store).toBe(store);
    expect(auth.realm).toBe('keyscope');
    expect(createAuthenticator({ store, realm: 'api' }).realm).toBe('api');
  });

  it.each([
    ['no options', undefined],
    ['no store', {}],
    ['a store without appsFor', { store: { findKey: async () => undefined } }],
    ['a store without findKey', { store: { appsFor: async () => [] } }],
    ['a store that is not an object', { store: 'keys.json' }],
  ])('%s throws ConfigurationError', (_l, options) => {
    expect(() => createAuthenticator(options as unknown as AuthenticatorOptions)).toThrow(
      ConfigurationError,
    );
  });

  it.each([0, -1, 1.5, 8193, Number.NaN])('maxHeaderLength %s is refused', (maxHeaderLength) => {
    expect(() => createAuthenticator({ store, maxHeaderLength })).toThrow(ConfigurationError);
  });

  it('maxHeaderLength lowers the limit', async () => {
    const auth = createAuthenticator({ store, maxHeaderLength: 20 });
    const error = await rejection(
      auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) }),
    );
    expectAuthError(error, refused.malformed('header_too_long'));
  });

  it.each(['bad\r\nrealm', 'tab\u0000', 'émoji ✓'])('realm %j is refused', (realm) => {
    expect(() => createAuthenticator({ store, realm })).toThrow(ConfigurationError);
  });

  it('a realm with quotes and backslashes is escaped in every challenge', async () => {
    const auth = createAuthenticator({ store, realm: 'a "b" \\c' });
    const error = await rejection(auth.authenticate({}));
    expect((error as { headers: unknown }).headers).toEqual({
      'WWW-Authenticate':
        'Basic realm="a \\"b\\" \\\\c", charset="UTF-8", Bearer realm="a \\"b\\" \\\\c"',
    });
  });
});

describe('authenticate: no credentials', () => {
  const auth = createAuthenticator({ store });

  it.each([
    ['no field', {}],
    ['an undefined field', { authorization: undefined }],
    ['an empty list', { authorization: [] }],
  ])('%s is 401 missing_credentials with both challenges', async (_l, request) => {
    const error = await rejection(auth.authenticate(request));
    expectAuthError(error, refused.required('missing_credentials'));
  });

  it('a missing request object is no credentials, not a crash', async () => {
    const error = await rejection(auth.authenticate(undefined as unknown as object));
    expectAuthError(error, refused.required('missing_credentials'));
  });

  it('authenticateOptional resolves undefined without credentials', async () => {
    await expect(auth.authenticateOptional({})).resolves.toBeUndefined();
    await expect(auth.authenticateOptional({ authorization: [] })).resolves.toBeUndefined();
  });

  it('authenticateOptional still refuses bad credentials', async () => {
    const error = await rejection(
      auth.authenticateOptional({ authorization: basic(KEY.appA, 'wrong') }),
    );
    expectAuthError(error, refused.basic('wrong_secret', KEY.appA));
    expectAuthError(
      await rejection(auth.authenticateOptional({ authorization: 'Digest x' })),
      refused.required('unsupported_scheme'),
    );
    expectAuthError(
      await rejection(auth.authenticateOptional({ authorization: ['Basic a', 'Basic b'] })),
      refused.malformed('multiple_headers'),
    );
  });

  it('authenticateOptional resolves the context for good credentials', async () => {
    await expect(
      auth.authenticateOptional({ authorization: basic(KEY.appA, SECRET.appA) }),
    ).resolves.toMatchObject({ keyId: KEY.appA });
  });

  it('two Authorization values through the authenticator are 400 multiple_headers', async () => {
    const good = basic(KEY.appA, SECRET.appA);
    const error = await rejection(auth.authenticate({ authorization: [good, good] }));
    expectAuthError(error, refused.malformed('multiple_headers'));
  });
});

describe('authenticate: the store cannot answer (503)', () => {
  const failing = (findKey: KeyStore['findKey']): KeyStore => ({ findKey, appsFor: store.appsFor });

  const cases: Array<[string, () => Promise<string>]> = [
    ['Basic', async () => basic(KEY.appA, SECRET.appA)],
    ['Bearer', async () => bearer(await mint({ scope: 'app' }))],
  ];

  it.each(cases)('%s: a findKey that rejects is 503 with no challenge', async (_l, header) => {
    const cause = new Error('connection refused');
    const auth = createAuthenticator({ store: failing(() => Promise.reject(cause)) });
    const error = await rejection(auth.authenticate({ authorization: await header() }));
    const e = expectAuthError(error, refused.unavailable());
    expect(e.headers).toEqual({});
    expect(e.cause).toBe(cause);
    expect(e.keyId).toBe(KEY.appA);
  });

  it.each(cases)('%s: a findKey that throws synchronously is 503', async (_l, header) => {
    const auth = createAuthenticator({
      store: failing(() => {
        throw new Error('boom');
      }),
    });
    const error = await rejection(auth.authenticate({ authorization: await header() }));
    expectAuthError(error, refused.unavailable());
  });

  it('a failing store never lets a request through, even for an unknown key', async () => {
    const auth = createAuthenticator({ store: failing(() => Promise.reject(new Error('x'))) });
    const error = await rejection(auth.authenticate({ authorization: basic('app_x', 'y') }));
    expectAuthError(error, refused.unavailable());
  });

  const good = (): KeyRecord => ({
    id: KEY.appA,
    secret: SECRET.appA,
    entity: { type: 'app', id: 'app_a' },
  });
  const malformed: Array<[string, unknown]> = [
    ['a string', 'record'],
    ['a number', 42],
    ['a record for another id', { ...good(), id: KEY.appB }],
    ['a record whose id differs in case', { ...good(), id: KEY.appA.toUpperCase() }],
    ['a record without secret', { ...good(), secret: undefined }],
    ['a record with an empty secret', { ...good(), secret: '' }],
    ['a record with a numeric secret', { ...good(), secret: 123 }],
    ['a record without entity', { ...good(), entity: undefined }],
    ['a record with a null entity', { ...good(), entity: null }],
    ['a record with an unknown entity type', { ...good(), entity: { type: 'admin', id: 'x' } }],
    ['a record with a numeric entity id', { ...good(), entity: { type: 'app', id: 1 } }],
    ['a record with an empty entity id', { ...good(), entity: { type: 'app', id: '' } }],
    ['a record with a string expiresAt', { ...good(), expiresAt: '2031-01-01T00:00:00Z' }],
    ['a record with a numeric revokedAt', { ...good(), revokedAt: 0 }],
    ['a record with an invalid Date', { ...good(), revokedAt: new Date(Number.NaN) }],
    ['a record with a numeric accountId', { ...good(), accountId: 1 }],
  ];

  it.each(malformed)('Basic: a store answering %s is 503', async (_l, record) => {
    const auth = createAuthenticator({ store: failing(async () => record as KeyRecord) });
    const error = await rejection(
      auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) }),
    );
    expectAuthError(error, refused.unavailable());
  });

  it.each(malformed)('Bearer: a store answering %s is 503', async (_l, record) => {
    const auth = createAuthenticator({ store: failing(async () => record as KeyRecord) });
    const error = await rejection(
      auth.authenticate({ authorization: bearer(await mint({ scope: 'app' })) }),
    );
    expectAuthError(error, refused.unavailable());
  });

  it('a store answering null means no such key', async () => {
    const auth = createAuthenticator({ store: failing(async () => null as unknown as undefined) });
    const error = await rejection(auth.authenticate({ authorization: basic('k', 's') }));
    expectAuthError(error, refused.basic('unknown_key', 'k'));
  });

  it('null instants and accountId in a store record mean none', async () => {
    const record = {
      ...good(),
      expiresAt: null,
      revokedAt: null,
      createdAt: null,
      accountId: null,
    };
    const auth = createAuthenticator({
      store: failing(async () => record as unknown as KeyRecord),
    });
    await expect(
      auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) }),
    ).resolves.toMatchObject({ keyId: KEY.appA, scope: 'app', expiresAt: undefined });
  });

  it('Date instants from a custom store are honoured', async () => {
    const record: KeyRecord = { ...good(), revokedAt: new Date(NOW - 1) };
    const auth = createAuthenticator({ store: failing(async () => record) });
    const error = await rejection(
      auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) }),
    );
    expectAuthError(error, refused.basic('key_revoked', KEY.appA));
  });

  it('a custom user-account record without accountId gets its own id as accountId', async () => {
    const record: KeyRecord = { ...good(), entity: { type: 'userAccount', id: 'acc_9' } };
    const auth = createAuthenticator({ store: failing(async () => record) });
    const context = await auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) });
    expect(context).toMatchObject({ scope: 'account', accountId: 'acc_9' });
  });

  it('a custom service-account record without accountId has none in the context', async () => {
    const record: KeyRecord = { ...good(), entity: { type: 'serviceAccount', id: 'svc_9' } };
    const auth = createAuthenticator({ store: failing(async () => record) });
    const context = await auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) });
    expect(context).toMatchObject({ scope: 'account', accountId: undefined });
  });
});

describe('authenticate: hooks', () => {
  const secrets = Object.values(SECRET);

  function recorder() {
    const calls: unknown[][] = [];
    const options = {
      store,
      onAuthenticated: vi.fn((...args: unknown[]) => {
        calls.push(args);
      }),
      onRejected: vi.fn((...args: unknown[]) => {
        calls.push(args);
      }),
    } satisfies AuthenticatorOptions;
    return { calls, options, auth: createAuthenticator(options) };
  }

  /** Every hook argument, serialized, holds no secret, no token and no signature. */
  function expectClean(calls: unknown[][], credentials: string[]) {
    const text = JSON.stringify(calls);
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const credential of credentials) {
      expect(text).not.toContain(credential);
      const token = credential.replace(/^\S+ /, '');
      expect(text).not.toContain(token);
      for (const segment of token.split('.')) {
        if (segment.length > 8) expect(text).not.toContain(segment);
      }
    }
  }

  it('onAuthenticated receives the context, and no secret', async () => {
    const { calls, options, auth } = recorder();
    const authorization = basic(KEY.appA, SECRET.appA);
    const context = await auth.authenticate({ authorization, method: 'GET' });
    expect(options.onAuthenticated).toHaveBeenCalledTimes(1);
    expect(options.onAuthenticated.mock.calls[0]?.[0]).toEqual(context);
    expect(options.onAuthenticated.mock.calls[0]?.[1]).toEqual({ method: 'GET' });
    expect(options.onRejected).not.toHaveBeenCalled();
    expectClean(calls, [authorization]);
  });

  it('onAuthenticated receives no token', async () => {
    const { calls, options, auth } = recorder();
    const authorization = bearer(await mint({ scope: 'appUser', userId: 'u1' }));
    await auth.authenticate({ authorization });
    expect(options.onAuthenticated).toHaveBeenCalledTimes(1);
    expectClean(calls, [authorization]);
  });

  const rejections: Array<[string, () => Promise<string | string[]>, RejectionEvent]> = [
    [
      'a wrong secret',
      async () => basic(KEY.appA, SECRET.appB),
      { reason: 'wrong_secret', status: 401, method: 'basic', keyId: KEY.appA },
    ],
    [
      'an unknown key',
      async () => basic('app_unknown', SECRET.appA),
      { reason: 'unknown_key', status: 401, method: 'basic', keyId: 'app_unknown' },
    ],
    [
      'a revoked key',
      async () => basic(KEY.revoked, SECRET.revoked),
      { reason: 'key_revoked', status: 401, method: 'basic', keyId: KEY.revoked },
    ],
    [
      'malformed Basic',
      async () => `Basic ${Buffer.from(`${SECRET.appA}`).toString('base64')}`,
      { reason: 'malformed_basic', status: 401, method: 'basic', keyId: undefined },
    ],
    [
      'an expired token',
      async () => bearer(await mint({ scope: 'app', exp: NOW_S - 5 })),
      { reason: 'token_expired', status: 401, method: 'jwt', keyId: KEY.appA },
    ],
    [
      'a token signed with another secret',
      async () => bearer(await mint({ scope: 'app' }, { secret: SECRET.appB })),
      { reason: 'bad_signature', status: 401, method: 'jwt', keyId: KEY.appA },
    ],
    [
      'a token claiming a scope its key cannot grant',
      async () => bearer(await mint({ scope: 'account' })),
      { reason: 'scope_not_allowed', status: 401, method: 'jwt', keyId: KEY.appA },
    ],
    [
      'a token with a forbidden header',
      async () => bearer(craftToken({ alg: 'HS256', kid: KEY.appA, jwk: {} }, { scope: 'app' })),
      { reason: 'forbidden_header', status: 401, method: 'jwt', keyId: undefined },
    ],
    [
      'two headers',
      async () => [basic(KEY.appA, SECRET.appA), bearer(await mint({ scope: 'app' }))],
      { reason: 'multiple_headers', status: 400, method: 'none', keyId: undefined },
    ],
    [
      'Basic with junk',
      async () => `${basic(KEY.appA, SECRET.appA)} junk`,
      { reason: 'malformed_header', status: 400, method: 'basic', keyId: undefined },
    ],
    [
      'an unsupported scheme',
      async () => `Digest ${SECRET.appA}`,
      { reason: 'unsupported_scheme', status: 401, method: 'none', keyId: undefined },
    ],
  ];

  it.each(rejections)(
    'onRejected on %s: reason, status, method, keyId only',
    async (_l, make, event) => {
      const { calls, options, auth } = recorder();
      const authorization = await make();
      await rejection(auth.authenticate({ authorization, method: 'POST' }));
      expect(options.onRejected).toHaveBeenCalledTimes(1);
      expect(options.onRejected).toHaveBeenCalledWith(event, { method: 'POST' });
      expect(Object.keys(options.onRejected.mock.calls[0]?.[0] as object).sort()).toEqual([
        'keyId',
        'method',
        'reason',
        'status',
      ]);
      expect(options.onAuthenticated).not.toHaveBeenCalled();
      expectClean(calls, Array.isArray(authorization) ? authorization : [authorization]);
    },
  );

  it('onRejected is told about missing credentials', async () => {
    const { options, auth } = recorder();
    await rejection(auth.authenticate({}));
    expect(options.onRejected).toHaveBeenCalledWith(
      { reason: 'missing_credentials', status: 401, method: 'none', keyId: undefined },
      {},
    );
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'Basic abc'],
  ])('a request that is %s reaches the hooks as an empty request', async (_l, request) => {
    const { options, auth } = recorder();
    await rejection(auth.authenticate(request as never));
    expect(options.onRejected).toHaveBeenCalledWith(
      { reason: 'missing_credentials', status: 401, method: 'none', keyId: undefined },
      {},
    );
  });

  it('other fields of the request reach the hooks, the credentials never', async () => {
    const { options, auth } = recorder();
    const authorization = basic(KEY.appA, SECRET.appA);
    const request = { authorization, method: 'GET', path: '/v2/apps' };
    await auth.authenticate(request);
    expect(options.onAuthenticated.mock.calls[0]?.[1]).toEqual({ method: 'GET', path: '/v2/apps' });
    expect(request.authorization).toBe(authorization);
  });

  it('onRejected is told about a 503', async () => {
    const onRejected = vi.fn();
    const auth = createAuthenticator({
      store: { findKey: () => Promise.reject(new Error('down')), appsFor: store.appsFor },
      onRejected,
    });
    await rejection(auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) }));
    expect(onRejected).toHaveBeenCalledWith(
      { reason: 'store_unavailable', status: 503, method: 'basic', keyId: KEY.appA },
      {},
    );
  });

  it('onRejected is told about 403s from authorize, with the request method', async () => {
    const { options, auth } = recorder();
    const context = await auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) });
    await rejection(auth.authorize(context, 'app', { appId: 'app_b' }, { method: 'GET' }));
    expect(options.onRejected).toHaveBeenCalledWith(
      { reason: 'resource_not_allowed', status: 403, method: 'basic', keyId: KEY.appA },
      { method: 'GET' },
    );
  });

  it('authorize through the authenticator resolves when allowed', async () => {
    const { options, auth } = recorder();
    const context = await auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) });
    await expect(auth.authorize(context, 'app', { appId: 'app_a' })).resolves.toBeUndefined();
    await expect(
      auth.authorize(context, 'appUser', { appId: 'app_a', userId: 'u' }),
    ).resolves.toBeUndefined();
    expect(options.onRejected).not.toHaveBeenCalled();
  });

  it('authorize through the authenticator refuses with the realm of the authenticator', async () => {
    const auth = createAuthenticator({ store, realm: 'r' });
    const token = await mint({ scope: 'app' });
    const context = await auth.authenticate({ authorization: bearer(token) });
    const error = await rejection(auth.authorize(context, 'account'));
    expectAuthError(error, {
      ...refused.forbidden('insufficient_scope', 'account', 'jwt'),
      wwwAuthenticate: 'Bearer realm="r", error="insufficient_scope", scope="account"',
    });
  });

  it('a throwing onAuthenticated does not change the outcome', async () => {
    const auth = createAuthenticator({
      store,
      onAuthenticated: () => {
        throw new Error('hook failed');
      },
    });
    await expect(
      auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) }),
    ).resolves.toMatchObject({ keyId: KEY.appA, scope: 'app' });
  });

  it('a throwing onRejected does not change the outcome', async () => {
    const auth = createAuthenticator({
      store,
      onRejected: () => {
        throw new Error('hook failed');
      },
    });
    const error = await rejection(auth.authenticate({ authorization: basic(KEY.appA, 'nope') }));
    expectAuthError(error, refused.basic('wrong_secret', KEY.appA));
    const context = await auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) });
    const forbidden = await rejection(auth.authorize(context, 'account'));
    expectAuthError(forbidden, refused.forbidden('insufficient_scope', 'account', 'basic'));
  });

  it('the hooks are optional', async () => {
    const auth = createAuthenticator({ store });
    await expect(
      auth.authenticate({ authorization: basic(KEY.appA, SECRET.appA) }),
    ).resolves.toBeDefined();
    await rejection(auth.authenticate({ authorization: basic(KEY.appA, 'x') }));
  });

  it('a programming error in authorize is not reported as a refusal', async () => {
    const { options, auth } = recorder();
    const context = { method: 'basic', keyId: 'k', entity: { type: 'app', id: 'a' }, scope: 'app' };
    await expect(
      auth.authorize(context as AuthContext, 'root' as 'app', { appId: 'a' }),
    ).rejects.toThrow(TypeError);
    expect(options.onRejected).not.toHaveBeenCalled();
  });
});

describe('authenticate: answers carry the exact challenges', () => {
  const auth = createAuthenticator({ store });

  it('a rejected Basic credential gets both challenges, without error', async () => {
    const error = await rejection(auth.authenticate({ authorization: basic(KEY.appA, 'x') }));
    expect((error as { headers: unknown }).headers).toEqual({ 'WWW-Authenticate': CHALLENGE.both });
  });

  it('a rejected token gets both challenges, the Bearer one with invalid_token', async () => {
    const error = await rejection(auth.authenticate({ authorization: 'Bearer a.b.c' }));
    expect((error as { headers: unknown }).headers).toEqual({
      'WWW-Authenticate': CHALLENGE.invalidToken,
    });
  });
});
