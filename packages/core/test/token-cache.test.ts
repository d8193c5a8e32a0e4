/**
 * Tests of the verified-token cache of the authenticator (`tokenCache`): a token verified once is
 * accepted again without jose while nothing changed, with a context equal to the first one; any
 * change to its key (revocation, scheduled revocation, expiry, rotation, a new secret, deletion,
 * a move to another entity) is seen on the very next request; the token's own time claims are
 * rechecked with jose's rules; failures (an unknown kid above all) are never remembered; hooks fire
 * on hits; the cache is bounded in entries, bytes and token length; and concurrent requests cannot
 * leave a stale entry behind. Each refusal is checked against the same token on an authenticator
 * without the cache, so cached and uncached answers cannot drift apart.
 */
import * as jose from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AuthContext,
  type AuthenticatorOptions,
  ConfigurationError,
  createAuthenticator,
  createMemoryStore,
  type KeyRecord,
  type KeyStore,
  type KeysDocument,
  type MemoryKeyStore,
} from '../src/index.js';
import { ENTRY_OVERHEAD, TokenCache } from '../src/internal/token-cache.js';
import {
  bearer,
  expectAuthError,
  KEY,
  keysDocument,
  mint,
  NOW,
  NOW_S,
  refused,
  rejection,
  SECRET,
  thrown,
} from './support/fixtures.js';

vi.mock('jose', async (importOriginal) => {
  const actual = await importOriginal<typeof import('jose')>();
  return { ...actual, jwtVerify: vi.fn(actual.jwtVerify) };
});
const jwtVerify = vi.mocked(jose.jwtVerify);

let store: MemoryKeyStore;
const make = (options: Partial<AuthenticatorOptions> = {}) =>
  createAuthenticator({ store, ...options });
const authenticate = (auth: ReturnType<typeof make>, token: string) =>
  auth.authenticate({ authorization: bearer(token), method: 'GET' });

/** The document with the app A key changed by `change`. */
function withAppKey(change: (key: KeysDocument['keys'][number]) => object): KeysDocument {
  const doc = keysDocument();
  return {
    ...doc,
    keys: doc.keys.map((key) => (key.id === KEY.appA ? { ...key, ...change(key) } : key)),
  };
}

/**
 * Authenticates twice (a token is cached the second time it is verified), checks that a third
 * request is a hit, then clears the jose spy, so that a test counts only what follows.
 */
async function cached(auth: ReturnType<typeof make>, token: string): Promise<AuthContext> {
  await authenticate(auth, token);
  const context = await authenticate(auth, token);
  jwtVerify.mockClear();
  await authenticate(auth, token);
  expect(jwtVerify).not.toHaveBeenCalled();
  return context;
}

/** Refused with `reason`, by the cached authenticator and by one without a cache alike. */
async function refusesBoth(
  auth: ReturnType<typeof make>,
  token: string,
  reason: Parameters<typeof refused.token>[0],
  keyId: string | null = KEY.appA,
) {
  const expected = refused.token(reason, keyId ?? undefined);
  expectAuthError(await rejection(authenticate(auth, token)), expected);
  const uncached = make({ tokenCache: false });
  expectAuthError(await rejection(authenticate(uncached, token)), expected);
}

beforeEach(() => {
  vi.setSystemTime(NOW);
  store = createMemoryStore(keysDocument());
  jwtVerify.mockClear();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('token cache: hits', () => {
  it('a token is cached the second time it is verified, then not verified again', async () => {
    const auth = make();
    const token = await mint({ scope: 'app' });
    await authenticate(auth, token);
    await authenticate(auth, token);
    expect(jwtVerify).toHaveBeenCalledTimes(2);
    for (let i = 0; i < 5; i++) await authenticate(auth, token);
    expect(jwtVerify).toHaveBeenCalledTimes(2);
  });

  it('a hit resolves a context equal to the one of the verification', async () => {
    const auth = make();
    const token = await mint({ scope: 'appUser', userId: 'u1', exp: NOW_S + 600 });
    const first = await cached(auth, token);
    const second = await authenticate(auth, token);
    expect(second).toEqual(first);
    expect(second).toEqual({
      method: 'jwt',
      keyId: KEY.appA,
      entity: { type: 'app', id: 'app_a' },
      scope: 'appUser',
      appId: 'app_a',
      userId: 'u1',
      expiresAt: new Date((NOW_S + 600) * 1000),
    });
    expect(jwtVerify).not.toHaveBeenCalled();
  });

  it('each request gets its own context object and Date: mutating one changes no other', async () => {
    const auth = make();
    const token = await mint({ scope: 'app', exp: NOW_S + 600 });
    const first = (await cached(auth, token)) as AuthContext & { extra?: string };
    first.extra = 'mutated';
    first.expiresAt?.setTime(0);
    const second = (await authenticate(auth, token)) as AuthContext & { extra?: string };
    expect(second).not.toBe(first);
    expect(second.extra).toBeUndefined();
    expect(second.expiresAt).toEqual(new Date((NOW_S + 600) * 1000));
    const third = await authenticate(auth, token);
    expect(third.expiresAt).not.toBe(second.expiresAt);
  });

  it('a context with no end stays without one on hits', async () => {
    const auth = make();
    const token = await mint({ scope: 'account' }, { kid: KEY.user, secret: SECRET.user });
    await cached(auth, token);
    await expect(authenticate(auth, token)).resolves.toEqual({
      method: 'jwt',
      keyId: KEY.user,
      entity: { type: 'userAccount', id: 'acc_1' },
      scope: 'account',
      accountId: 'acc_1',
      expiresAt: undefined,
    });
    expect(jwtVerify).not.toHaveBeenCalled();
  });

  it('the key end is kept in the context of a hit (scheduled revocation earlier than exp)', async () => {
    const auth = make();
    const token = await mint(
      { scope: 'account' },
      { kid: KEY.scheduled, secret: SECRET.scheduled },
    );
    await cached(auth, token);
    const hit = await authenticate(auth, token);
    expect(hit.expiresAt).toEqual(new Date('2030-07-01T00:00:00Z'));
    expect(jwtVerify).not.toHaveBeenCalled();
  });

  it('an edit to another key keeps the entry (the record is the same object)', async () => {
    const auth = make();
    const token = await mint({ scope: 'app' });
    await cached(auth, token);
    const doc = keysDocument();
    store.replace({ ...doc, keys: doc.keys.filter((key) => key.id !== KEY.appB) });
    await expect(authenticate(auth, token)).resolves.toMatchObject({ appId: 'app_a' });
    expect(jwtVerify).not.toHaveBeenCalled();
  });

  it('hooks fire on every hit, with the request but not its credentials', async () => {
    const onAuthenticated = vi.fn();
    const auth = make({ onAuthenticated });
    const token = await mint({ scope: 'app' });
    const first = await cached(auth, token);
    const hit = await authenticate(auth, token);
    const again = await authenticate(auth, token);
    expect(jwtVerify).not.toHaveBeenCalled();
    // Two verifications and a hit in cached(), then two more hits.
    expect(onAuthenticated).toHaveBeenCalledTimes(5);
    expect(onAuthenticated).toHaveBeenNthCalledWith(2, first, { method: 'GET' });
    expect(onAuthenticated).toHaveBeenNthCalledWith(4, hit, { method: 'GET' });
    expect(onAuthenticated).toHaveBeenNthCalledWith(5, again, { method: 'GET' });
  });

  it('authenticateOptional uses the cache too', async () => {
    const auth = make();
    const token = await mint({ scope: 'app' });
    await auth.authenticateOptional({ authorization: bearer(token) });
    await auth.authenticateOptional({ authorization: bearer(token) });
    jwtVerify.mockClear();
    await expect(
      auth.authenticateOptional({ authorization: bearer(token) }),
    ).resolves.toMatchObject({ appId: 'app_a' });
    expect(jwtVerify).not.toHaveBeenCalled();
  });

  it('authenticators do not share their caches', async () => {
    const token = await mint({ scope: 'app' });
    await cached(make(), token);
    const other = createAuthenticator({
      store: createMemoryStore(
        withAppKey(() => ({ secret: 'demo-other-secret-not-for-production' })),
      ),
    });
    expectAuthError(
      await rejection(authenticate(other, token)),
      refused.token('bad_signature', KEY.appA),
    );
  });
});

describe('token cache: a change to the key is seen on the next request', () => {
  it('revocation', async () => {
    const auth = make();
    const token = await mint({ scope: 'app' });
    await cached(auth, token);
    store.replace(withAppKey(() => ({ revokedAt: '2030-05-01T00:00:00Z' })));
    await refusesBoth(auth, token, 'key_revoked');
  });

  it('a scheduled revocation, at its instant', async () => {
    const auth = make();
    const token = await mint(
      { scope: 'account' },
      { kid: KEY.scheduled, secret: SECRET.scheduled },
    );
    vi.setSystemTime(Date.parse('2030-07-01T00:00:00Z') - 1);
    await cached(auth, token);
    vi.setSystemTime(Date.parse('2030-07-01T00:00:00Z'));
    await refusesBoth(auth, token, 'key_revoked', KEY.scheduled);
  });

  it('the key expiring, at its instant', async () => {
    const auth = make();
    store.replace(withAppKey(() => ({ expiresAt: '2030-06-01T00:00:10Z' })));
    const token = await mint({ scope: 'app' });
    await cached(auth, token);
    vi.setSystemTime(NOW + 9_999);
    await expect(authenticate(auth, token)).resolves.toMatchObject({ appId: 'app_a' });
    expect(jwtVerify).not.toHaveBeenCalled();
    vi.setSystemTime(NOW + 10_000);
    await refusesBoth(auth, token, 'key_expired');
  });

  it('a new secret (rotation in place): the old token fails, a token of the new secret works', async () => {
    const auth = make();
    const token = await mint({ scope: 'app' });
    await cached(auth, token);
    const secret = 'demo-rotated-secret-not-for-production';
    store.replace(withAppKey(() => ({ secret })));
    await refusesBoth(auth, token, 'bad_signature');
    await expect(
      authenticate(auth, await mint({ scope: 'app' }, { secret })),
    ).resolves.toMatchObject({ appId: 'app_a' });
  });

  it('rotation to a new key id and deletion of the old key', async () => {
    const auth = make();
    const token = await mint({ scope: 'app' });
    await cached(auth, token);
    const doc = keysDocument();
    const rotated = 'app_65f0c1d2e3f4a5b6c7d8e9ff';
    store.replace({
      ...doc,
      keys: [
        ...doc.keys.filter((key) => key.id !== KEY.appA),
        { id: rotated, secret: SECRET.appA, entity: { type: 'app', id: 'app_a' } },
      ],
    });
    await refusesBoth(auth, token, 'unknown_key');
    await expect(
      authenticate(auth, await mint({ scope: 'app' }, { kid: rotated })),
    ).resolves.toMatchObject({ keyId: rotated });
  });

  it('a key moved to another app: the next context names the new app', async () => {
    const auth = make();
    const token = await mint({ scope: 'app' });
    await expect(cached(auth, token)).resolves.toMatchObject({ appId: 'app_a' });
    store.replace(withAppKey(() => ({ entity: { type: 'app', id: 'app_b' } })));
    await expect(authenticate(auth, token)).resolves.toMatchObject({ appId: 'app_b' });
    expect(jwtVerify).toHaveBeenCalledTimes(1);
  });

  it('a store that changes a record in place (same object, new secret) is not trusted', async () => {
    const record = {
      id: KEY.appA,
      secret: SECRET.appA,
      entity: { type: 'app', id: 'app_a' },
      accountId: 'acc_1',
    } as { -readonly [K in keyof KeyRecord]: KeyRecord[K] };
    const mutable: KeyStore = {
      findKey: async (id) => (id === record.id ? record : undefined),
      appsFor: async () => ['app_a'],
    };
    const auth = createAuthenticator({ store: mutable });
    const token = await mint({ scope: 'app' });
    await cached(auth, token);
    record.secret = 'demo-changed-in-place-not-for-production';
    expectAuthError(
      await rejection(authenticate(auth, token)),
      refused.token('bad_signature', KEY.appA),
    );
  });

  it('a store answering with a new but equal object each time: correct, only never a hit', async () => {
    const fresh: KeyStore = {
      findKey: async (id) => {
        const found = await store.findKey(id);
        return found && { ...found };
      },
      appsFor: (entity) => store.appsFor(entity),
    };
    const auth = createAuthenticator({ store: fresh });
    const token = await mint({ scope: 'app' });
    for (let i = 0; i < 3; i++) {
      await expect(authenticate(auth, token)).resolves.toMatchObject({ appId: 'app_a' });
    }
    expect(jwtVerify).toHaveBeenCalledTimes(3);
  });

  it('a store that fails on a hit answers 503, never a pass', async () => {
    let failing = false;
    const flaky: KeyStore = {
      findKey: (id) => (failing ? Promise.reject(new Error('db down')) : store.findKey(id)),
      appsFor: (entity) => store.appsFor(entity),
    };
    const auth = createAuthenticator({ store: flaky });
    const token = await mint({ scope: 'app' });
    await cached(auth, token);
    failing = true;
    expectAuthError(await rejection(authenticate(auth, token)), refused.unavailable());
    failing = false;
    await expect(authenticate(auth, token)).resolves.toMatchObject({ appId: 'app_a' });
  });

  it('onRejected reports a refusal that follows a hit', async () => {
    const onRejected = vi.fn();
    const auth = make({ onRejected });
    const token = await mint({ scope: 'app' });
    await cached(auth, token);
    store.replace(withAppKey(() => ({ revokedAt: '2030-05-01T00:00:00Z' })));
    await rejection(authenticate(auth, token));
    expect(onRejected).toHaveBeenCalledWith(
      { reason: 'key_revoked', status: 401, method: 'jwt', keyId: KEY.appA },
      { method: 'GET' },
    );
  });
});

describe("token cache: the token's own time claims, with jose's rules", () => {
  it.each([0, 5, 60])('exp passes -> refused (clock tolerance %i s)', async (clockTolerance) => {
    const auth = make({ clockTolerance });
    const exp = NOW_S + 100;
    const token = await mint({ scope: 'app', exp });
    await cached(auth, token);
    // Still valid one millisecond before exp + tolerance (jose compares whole seconds).
    vi.setSystemTime((exp + clockTolerance) * 1000 - 1);
    await expect(authenticate(auth, token)).resolves.toMatchObject({ appId: 'app_a' });
    expect(jwtVerify).not.toHaveBeenCalled();
    vi.setSystemTime((exp + clockTolerance) * 1000);
    await refusesBoth(auth, token, 'token_expired');
    // Gone for good: a later clock going back re-verifies it.
    vi.setSystemTime(NOW);
    jwtVerify.mockClear();
    await authenticate(auth, token);
    expect(jwtVerify).toHaveBeenCalledTimes(1);
  });

  it('a clock set back before nbf refuses the cached token like a new one', async () => {
    const auth = make();
    const token = await mint({ scope: 'app', nbf: NOW_S });
    await cached(auth, token);
    vi.setSystemTime(NOW - 1000);
    await refusesBoth(auth, token, 'token_not_yet_valid');
  });

  it('a clock set back before iat refuses the cached token like a new one', async () => {
    const auth = make({ clockTolerance: 2 });
    const token = await mint({ scope: 'app', iat: NOW_S });
    await cached(auth, token);
    vi.setSystemTime(NOW - 2001);
    await refusesBoth(auth, token, 'token_issued_in_future');
  });
});

describe('token cache: failures are never remembered', () => {
  it('a token of an unknown kid works once its key is created', async () => {
    const auth = make();
    const kid = 'app_65f0c1d2e3f4a5b6c7d8e9aa';
    const secret = 'demo-later-key-secret-not-for-production';
    const token = await mint({ scope: 'app' }, { kid, secret });
    await refusesBoth(auth, token, 'unknown_key', kid);
    await refusesBoth(auth, token, 'unknown_key', kid);
    const doc = keysDocument();
    store.replace({
      ...doc,
      keys: [...doc.keys, { id: kid, secret, entity: { type: 'app', id: 'app_b' } }],
    });
    await expect(authenticate(auth, token)).resolves.toMatchObject({ keyId: kid, appId: 'app_b' });
  });

  it('a token refused for its scope is refused again, and verified again', async () => {
    const auth = make();
    const token = await mint({ scope: 'account' });
    await refusesBoth(auth, token, 'scope_not_allowed');
    jwtVerify.mockClear();
    await refusesBoth(auth, token, 'scope_not_allowed');
    expect(jwtVerify).toHaveBeenCalledTimes(2);
  });

  it('tokens one character away from a cached token miss, and are refused', async () => {
    const auth = make();
    const token = await mint({ scope: 'app' });
    await cached(auth, token);
    const [head, body, sig] = token.split('.') as [string, string, string];
    const flip = (text: string, at: number) =>
      `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    await refusesBoth(auth, `${head}.${body}.${flip(sig, 0)}`, 'bad_signature');
    await refusesBoth(auth, `${head}.${flip(body, 3)}.${sig}`, 'bad_signature');
    await refusesBoth(auth, `${token}=`, 'malformed_token', null);
    // The last signature character differing only in its unused bits decodes to the same bytes.
    const last = sig.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1] as string;
    await refusesBoth(auth, `${head}.${body}.${sig.slice(0, -1)}${twin}`, 'malformed_token', null);
    await expect(authenticate(auth, token)).resolves.toMatchObject({ appId: 'app_a' });
  });
});

describe('token cache: bounds', () => {
  /** Tokens of equal length: `jti` of a fixed width. */
  const tokens = (count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        mint({ scope: 'app', jti: String(i).padStart(6, '0') }),
      ),
    );

  /** Verifies each token twice in turn, which caches it. */
  const admit = async (auth: ReturnType<typeof make>, list: readonly string[]) => {
    for (const token of list) {
      await authenticate(auth, token);
      await authenticate(auth, token);
    }
  };

  it('at most maxEntries tokens, the least recently used first', async () => {
    const auth = make({ tokenCache: { maxEntries: 3 } });
    const [a, b, c, d] = (await tokens(4)) as [string, string, string, string];
    await admit(auth, [a, b, c]);
    await authenticate(auth, a); // a is now the most recent: b goes next
    await admit(auth, [d]);
    jwtVerify.mockClear();
    for (const token of [a, c, d]) await authenticate(auth, token);
    expect(jwtVerify).not.toHaveBeenCalled();
    await authenticate(auth, b);
    expect(jwtVerify).toHaveBeenCalledTimes(1);
  });

  it('at most maxBytes, counting the token and a fixed allowance per entry', async () => {
    const [a, b, c] = (await tokens(3)) as [string, string, string];
    const auth = make({ tokenCache: { maxBytes: 2 * (a.length + ENTRY_OVERHEAD) } });
    await admit(auth, [a, b, c]);
    jwtVerify.mockClear();
    await authenticate(auth, c);
    await authenticate(auth, b);
    expect(jwtVerify).not.toHaveBeenCalled();
    await authenticate(auth, a);
    expect(jwtVerify).toHaveBeenCalledTimes(1);
  });

  it('a token longer than maxTokenLength is never cached', async () => {
    const long = await mint({ scope: 'app', pad: 'x'.repeat(200) });
    const short = await mint({ scope: 'app' });
    const auth = make({ tokenCache: { maxTokenLength: long.length - 1 } });
    for (let i = 0; i < 3; i++) await authenticate(auth, long);
    expect(jwtVerify).toHaveBeenCalledTimes(3);
    for (let i = 0; i < 3; i++) await authenticate(auth, short);
    expect(jwtVerify).toHaveBeenCalledTimes(5);
  });

  it('tokens each verified once never enter the cache (a JWT per request)', async () => {
    const auth = make({ tokenCache: { maxEntries: 50 } });
    for (const token of await tokens(120)) await authenticate(auth, token);
    jwtVerify.mockClear();
    const [first] = (await tokens(1)) as [string];
    await authenticate(auth, first);
    expect(jwtVerify).toHaveBeenCalledTimes(1);
  });

  it('tokenCache: false verifies every token every time', async () => {
    const auth = make({ tokenCache: false });
    const token = await mint({ scope: 'app' });
    for (let i = 0; i < 3; i++) await authenticate(auth, token);
    expect(jwtVerify).toHaveBeenCalledTimes(3);
  });

  it.each([
    [{ maxEntries: 0 }, 'tokenCache.maxEntries must be a positive integer'],
    [{ maxEntries: 1.5 }, 'tokenCache.maxEntries must be a positive integer'],
    [{ maxBytes: -1 }, 'tokenCache.maxBytes must be a positive integer'],
    [{ maxBytes: Number.NaN }, 'tokenCache.maxBytes must be a positive integer'],
    [
      { maxTokenLength: Number.POSITIVE_INFINITY },
      'tokenCache.maxTokenLength must be a positive integer',
    ],
    [true, 'tokenCache must be false or { maxEntries, maxBytes, maxTokenLength }'],
    [null, 'tokenCache must be false or { maxEntries, maxBytes, maxTokenLength }'],
    [1000, 'tokenCache must be false or { maxEntries, maxBytes, maxTokenLength }'],
  ])('refuses tokenCache %j at creation', (tokenCache, message) => {
    const error = thrown(() =>
      make({ tokenCache: tokenCache as AuthenticatorOptions['tokenCache'] }),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(message);
  });
});

describe('TokenCache, the structure', () => {
  const entry = (userId?: string) =>
    ({
      kid: KEY.appA,
      record: {} as KeyRecord,
      secret: 's',
      context: { userId } as AuthContext,
      end: undefined,
      exp: undefined,
      nbf: undefined,
      iat: undefined,
    }) as const;

  it('admits a token the second time, within the last maxEntries first sightings', () => {
    const cache = new TokenCache(2, 10_000, 100);
    expect(cache.admits('token-a')).toBe(false);
    expect(cache.admits('token-a')).toBe(true);
    expect(cache.admits('token-a')).toBe(false);
    expect(cache.admits('x'.repeat(101))).toBe(false);
    expect(cache.admits('x'.repeat(101))).toBe(false);
    // Two first sightings fill the doorkeeper; the third forgets them all.
    cache.admits('token-b');
    cache.admits('token-c');
    cache.admits('token-d');
    expect(cache.admits('token-b')).toBe(false);
    expect(cache.admits('token-d')).toBe(true);
  });

  it('counts entries and bytes, and replacing a token does not count it twice', () => {
    const cache = new TokenCache(10, 10_000, 100);
    cache.set('t1', entry());
    cache.set('t1', entry('user-1'));
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(2 + 6 + ENTRY_OVERHEAD);
    cache.set('t22', entry());
    expect(cache.bytes).toBe(2 + 6 + ENTRY_OVERHEAD + 3 + ENTRY_OVERHEAD);
    cache.delete('t1');
    cache.delete('absent');
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(3 + ENTRY_OVERHEAD);
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t22')?.kid).toBe(KEY.appA);
  });

  it('never keeps an entry larger than the whole budget', () => {
    const cache = new TokenCache(10, ENTRY_OVERHEAD + 1, 100);
    cache.set('tt', entry());
    expect(cache.size).toBe(0);
    cache.set('t', entry());
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(ENTRY_OVERHEAD + 1);
  });

  it('stays within its bounds under a flood of distinct tokens', () => {
    const cache = new TokenCache(100, 100 * (ENTRY_OVERHEAD + 10), 64);
    for (let i = 0; i < 10_000; i++) cache.set(`token-${i}`.padEnd(10, '.'), entry());
    expect(cache.size).toBe(100);
    expect(cache.bytes).toBe(100 * (ENTRY_OVERHEAD + 10));
    expect(cache.get('token-9999')).toBeDefined();
    expect(cache.get('token-0...')).toBeUndefined();
  });
});

describe('token cache: concurrency', () => {
  it('concurrent first requests with one token all succeed, and leave one entry', async () => {
    const auth = make();
    const token = await mint({ scope: 'app' });
    const contexts = await Promise.all(Array.from({ length: 20 }, () => authenticate(auth, token)));
    for (const context of contexts) expect(context).toEqual(contexts[0]);
    jwtVerify.mockClear();
    await cached(auth, token);
    expect(jwtVerify).not.toHaveBeenCalled();
  });

  it('a verification that started before a revocation cannot leave a usable entry behind', async () => {
    let onLookup: (() => void) | undefined;
    const watched: KeyStore = {
      findKey: (id) => {
        const answer = store.findKey(id); // the snapshot is read now, at the lookup
        onLookup?.();
        onLookup = undefined;
        return answer;
      },
      appsFor: (entity) => store.appsFor(entity),
    };
    const auth = createAuthenticator({ store: watched });
    const token = await mint({ scope: 'app' });
    // The first request looks its key up, then the key is revoked while jose verifies.
    onLookup = () => store.replace(withAppKey(() => ({ revokedAt: '2030-05-01T00:00:00Z' })));
    await expect(authenticate(auth, token)).resolves.toMatchObject({ appId: 'app_a' });
    // Whatever it cached was verified with the old record, which the store no longer returns.
    expectAuthError(
      await rejection(authenticate(auth, token)),
      refused.token('key_revoked', KEY.appA),
    );
  });

  it('hits racing a revocation: every request issued after it is refused', async () => {
    const auth = make();
    const token = await mint({ scope: 'app' });
    await cached(auth, token);
    const before = Array.from({ length: 10 }, () => authenticate(auth, token));
    store.replace(withAppKey(() => ({ revokedAt: '2030-05-01T00:00:00Z' })));
    const after = Array.from({ length: 10 }, () => authenticate(auth, token));
    // Those issued before looked the key up before the change (the memory store answers from
    // the snapshot of the moment): they may pass, like a request that was a moment earlier.
    await Promise.allSettled(before);
    for (const outcome of await Promise.allSettled(after)) expect(outcome.status).toBe('rejected');
    await refusesBoth(auth, token, 'key_revoked');
  });
});
