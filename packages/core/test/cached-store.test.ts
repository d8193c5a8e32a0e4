/**
 * Tests of `createCachedStore`: hits skip the store; the LRU holds at most `maxEntries` found keys
 * and evicts the least recently used; one lookup in flight per key id (100 concurrent callers, one
 * store call); unknown ids cached for `negativeTtl` in their own bounded LRU; errors never cached
 * (and a 503 through the authenticator, then recovery); `ttl` expiry with fake time, counted from
 * the lookup's start; `invalidate` and `clear`; `appsFor` cached the same way; the revocation bound.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  basicAuthorization,
  ConfigurationError,
  createAuthenticator,
  createCachedStore,
  createMemoryStore,
  type Entity,
  type KeyRecord,
  type KeyStore,
} from '../src/index.js';

const record = (id: string): KeyRecord => ({
  id,
  secret: `demo-${id}-secret-not-for-production`,
  entity: { type: 'app', id: 'app_a' },
  accountId: 'acc_1',
});

/** A store whose answers the test controls, counting calls. */
function fakeStore(known: readonly string[] = []) {
  const ids = new Set(known);
  const inner = {
    findKey: vi.fn(async (id: string) => (ids.has(id) ? record(id) : undefined)),
    appsFor: vi.fn(async (entity: Entity) => [`${entity.id}-app`]),
  };
  return { inner, ids };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createCachedStore: options', () => {
  it.each([
    [{ ttl: 0 }, 'ttl must be a positive number of milliseconds'],
    [{ ttl: -1 }, 'ttl must be a positive number of milliseconds'],
    [{ ttl: Number.POSITIVE_INFINITY }, 'ttl must be a positive number of milliseconds'],
    [{ maxEntries: 0 }, 'maxEntries must be a positive integer'],
    [{ maxEntries: 1.5 }, 'maxEntries must be a positive integer'],
    [{ negativeTtl: -1 }, 'negativeTtl must be a number of milliseconds, 0 or more'],
    [{ negativeTtl: Number.NaN }, 'negativeTtl must be a number of milliseconds, 0 or more'],
  ])('refuses %j', (options, message) => {
    expect(() => createCachedStore(fakeStore().inner, options)).toThrow(
      new ConfigurationError(message),
    );
  });

  it('refuses something that is not a store', () => {
    expect(() => createCachedStore({} as KeyStore)).toThrow(ConfigurationError);
    expect(() => createCachedStore(undefined as unknown as KeyStore)).toThrow(
      'store must implement findKey() and appsFor()',
    );
  });

  it('has defaults (ttl 1000 ms, negativeTtl 1000 ms) and exposes the store', async () => {
    const { inner } = fakeStore(['k']);
    const cached = createCachedStore(inner);
    expect(cached.store).toBe(inner);
    await cached.findKey('k');
    await cached.findKey('nope');
    vi.advanceTimersByTime(999);
    await cached.findKey('k');
    await cached.findKey('nope');
    expect(inner.findKey).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1);
    await cached.findKey('k');
    await cached.findKey('nope');
    expect(inner.findKey).toHaveBeenCalledTimes(4);
  });
});

describe('createCachedStore: findKey', () => {
  it('answers a repeated lookup from the cache', async () => {
    const { inner } = fakeStore(['k']);
    const cached = createCachedStore(inner, { ttl: 5000 });
    const first = await cached.findKey('k');
    expect(first).toEqual(record('k'));
    expect(await cached.findKey('k')).toBe(first);
    expect(inner.findKey).toHaveBeenCalledTimes(1);
  });

  it('keeps at most maxEntries keys and evicts the least recently used', async () => {
    const { inner } = fakeStore(['a', 'b', 'c', 'd']);
    const cached = createCachedStore(inner, { ttl: 60_000, maxEntries: 3 });
    for (const id of ['a', 'b', 'c']) await cached.findKey(id);
    expect(inner.findKey).toHaveBeenCalledTimes(3);
    await cached.findKey('a'); // a is now the most recent; b the least
    await cached.findKey('d'); // evicts b
    expect(inner.findKey).toHaveBeenCalledTimes(4);
    for (const id of ['a', 'c', 'd']) await cached.findKey(id);
    expect(inner.findKey).toHaveBeenCalledTimes(4);
    await cached.findKey('b');
    expect(inner.findKey).toHaveBeenCalledTimes(5);
    expect(inner.findKey).toHaveBeenLastCalledWith('b');
  });

  it('makes one store call for 100 concurrent lookups of one id', async () => {
    const { inner } = fakeStore();
    const answer = deferred<KeyRecord | undefined>();
    inner.findKey.mockImplementation(() => answer.promise);
    const cached = createCachedStore(inner, { ttl: 1000 });
    const lookups = Array.from({ length: 100 }, () => cached.findKey('k'));
    expect(inner.findKey).toHaveBeenCalledTimes(1);
    answer.resolve(record('k'));
    const results = await Promise.all(lookups);
    expect(new Set(results).size).toBe(1);
    expect(results[0]).toEqual(record('k'));
    expect(inner.findKey).toHaveBeenCalledTimes(1);
    await cached.findKey('k');
    expect(inner.findKey).toHaveBeenCalledTimes(1);
  });

  it('runs lookups of different ids in parallel', async () => {
    const { inner } = fakeStore(['a', 'b']);
    const cached = createCachedStore(inner);
    await Promise.all([cached.findKey('a'), cached.findKey('b'), cached.findKey('a')]);
    expect(inner.findKey).toHaveBeenCalledTimes(2);
  });

  it('caches unknown ids for negativeTtl, separately from found keys', async () => {
    const { inner } = fakeStore(['k']);
    const cached = createCachedStore(inner, { ttl: 10_000, negativeTtl: 500, maxEntries: 2 });
    await cached.findKey('k');
    expect(await cached.findKey('random-1')).toBeUndefined();
    expect(await cached.findKey('random-1')).toBeUndefined();
    expect(inner.findKey).toHaveBeenCalledTimes(2);
    // A flood of unknown ids stays in its own LRU: the found key is not evicted.
    for (let i = 0; i < 10; i++) await cached.findKey(`random-${i}`);
    const calls = inner.findKey.mock.calls.length;
    await cached.findKey('k');
    expect(inner.findKey).toHaveBeenCalledTimes(calls);
    vi.advanceTimersByTime(500);
    await cached.findKey('random-9');
    expect(inner.findKey).toHaveBeenCalledTimes(calls + 1);
  });

  it('treats a null answer as unknown', async () => {
    const { inner } = fakeStore();
    inner.findKey.mockResolvedValue(null as unknown as undefined);
    const cached = createCachedStore(inner);
    expect(await cached.findKey('x')).toBeNull();
    expect(await cached.findKey('x')).toBeUndefined();
    expect(inner.findKey).toHaveBeenCalledTimes(1);
  });

  it('does not cache unknown ids when negativeTtl is 0', async () => {
    const { inner } = fakeStore();
    const cached = createCachedStore(inner, { negativeTtl: 0 });
    await cached.findKey('x');
    await cached.findKey('x');
    expect(inner.findKey).toHaveBeenCalledTimes(2);
  });

  it('never caches an error: every waiter gets it, the next lookup asks again', async () => {
    const { inner } = fakeStore(['k']);
    const failure = deferred<KeyRecord | undefined>();
    inner.findKey.mockImplementationOnce(() => failure.promise);
    const cached = createCachedStore(inner);
    const lookups = Array.from({ length: 100 }, () => cached.findKey('k'));
    failure.reject(new Error('connection refused'));
    const settled = await Promise.allSettled(lookups);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(inner.findKey).toHaveBeenCalledTimes(1);
    expect(await cached.findKey('k')).toEqual(record('k'));
    expect(inner.findKey).toHaveBeenCalledTimes(2);
  });

  it('turns a store that throws synchronously into a rejection', async () => {
    const cached = createCachedStore({
      findKey() {
        throw new Error('sync failure');
      },
      appsFor: async () => [],
    });
    await expect(cached.findKey('k')).rejects.toThrow('sync failure');
  });

  it('expires found keys after ttl, counted from the start of the lookup', async () => {
    const { inner } = fakeStore(['k']);
    const slow = deferred<KeyRecord | undefined>();
    inner.findKey.mockImplementationOnce(() => slow.promise);
    const cached = createCachedStore(inner, { ttl: 1000 });
    const pending = cached.findKey('k');
    vi.advanceTimersByTime(400); // the store takes 400 ms to answer
    slow.resolve(record('k'));
    await pending;
    vi.advanceTimersByTime(599);
    await cached.findKey('k');
    expect(inner.findKey).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1); // 1000 ms after the lookup started
    await cached.findKey('k');
    expect(inner.findKey).toHaveBeenCalledTimes(2);
  });

  it('invalidate(id) forgets the key, and a lookup in flight is neither joined nor kept', async () => {
    const { inner } = fakeStore(['k', 'other']);
    const cached = createCachedStore(inner, { ttl: 60_000 });
    await cached.findKey('k');
    await cached.findKey('other');
    cached.invalidate('k');
    await cached.findKey('k');
    await cached.findKey('other');
    expect(inner.findKey).toHaveBeenCalledTimes(3);

    cached.invalidate('k');
    const stale = deferred<KeyRecord | undefined>();
    inner.findKey.mockImplementationOnce(() => stale.promise);
    const before = cached.findKey('k');
    cached.invalidate('k'); // e.g. the key was revoked while the lookup ran
    const after = cached.findKey('k'); // a new lookup, not the stale one
    expect(inner.findKey).toHaveBeenCalledTimes(5);
    stale.resolve(record('k'));
    await Promise.all([before, after]);
    await cached.findKey('k'); // the fresh answer was kept, the stale one not
    expect(inner.findKey).toHaveBeenCalledTimes(5);
  });

  it('invalidate(id) during a failing lookup leaves the newer lookup in place', async () => {
    const { inner } = fakeStore(['k']);
    const failing = deferred<KeyRecord | undefined>();
    inner.findKey.mockImplementationOnce(() => failing.promise);
    const cached = createCachedStore(inner);
    const first = cached.findKey('k');
    cached.invalidate('k');
    const second = cached.findKey('k');
    failing.reject(new Error('boom'));
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toEqual(record('k'));
    await cached.findKey('k');
    expect(inner.findKey).toHaveBeenCalledTimes(2);
  });

  it('clear() forgets everything', async () => {
    const { inner } = fakeStore(['k']);
    const cached = createCachedStore(inner);
    await cached.findKey('k');
    await cached.findKey('unknown');
    await cached.appsFor({ type: 'app', id: 'app_a' });
    cached.clear();
    await cached.findKey('k');
    await cached.findKey('unknown');
    await cached.appsFor({ type: 'app', id: 'app_a' });
    expect(inner.findKey).toHaveBeenCalledTimes(4);
    expect(inner.appsFor).toHaveBeenCalledTimes(2);
  });
});

describe('createCachedStore: appsFor', () => {
  it('caches per entity for ttl, with one call in flight', async () => {
    const { inner } = fakeStore();
    const cached = createCachedStore(inner, { ttl: 1000 });
    const account: Entity = { type: 'userAccount', id: 'acc_1' };
    const answers = await Promise.all(Array.from({ length: 50 }, () => cached.appsFor(account)));
    expect(answers[0]).toEqual(['acc_1-app']);
    expect(inner.appsFor).toHaveBeenCalledTimes(1);
    expect(await cached.appsFor({ type: 'userAccount', id: 'acc_1' })).toBe(answers[0]);
    expect(inner.appsFor).toHaveBeenCalledTimes(1);
    await cached.appsFor({ type: 'serviceAccount', id: 'acc_1' }); // another entity
    expect(inner.appsFor).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(1000);
    await cached.appsFor(account);
    expect(inner.appsFor).toHaveBeenCalledTimes(3);
  });

  it('never caches an error', async () => {
    const { inner } = fakeStore();
    inner.appsFor.mockRejectedValueOnce(new Error('down'));
    const cached = createCachedStore(inner);
    await expect(cached.appsFor({ type: 'app', id: 'a' })).rejects.toThrow('down');
    await expect(cached.appsFor({ type: 'app', id: 'a' })).resolves.toEqual(['a-app']);
  });

  it('invalidate(id) also forgets the apps of an entity with that id', async () => {
    const { inner } = fakeStore();
    const cached = createCachedStore(inner, { ttl: 60_000 });
    await cached.appsFor({ type: 'serviceAccount', id: 'svc_1' });
    cached.invalidate('svc_1');
    await cached.appsFor({ type: 'serviceAccount', id: 'svc_1' });
    expect(inner.appsFor).toHaveBeenCalledTimes(2);
  });
});

describe('createCachedStore behind an authenticator', () => {
  const doc = (revokedAt?: string) => ({
    version: 1,
    apps: [{ id: 'app_a', accountId: 'acc_1' }],
    keys: [
      {
        id: 'app_k',
        secret: 'demo-app-k-secret-not-for-production',
        entity: { type: 'app', id: 'app_a' },
        ...(revokedAt ? { revokedAt } : {}),
      },
    ],
  });
  const authorization = basicAuthorization({
    id: 'app_k',
    secret: 'demo-app-k-secret-not-for-production',
  });

  it('a store error is a 503, not cached: the next request succeeds', async () => {
    const memory = createMemoryStore(doc());
    const flaky: KeyStore = {
      findKey: vi.fn(memory.findKey).mockRejectedValueOnce(new Error('db down')),
      appsFor: memory.appsFor,
    };
    const authenticator = createAuthenticator({ store: createCachedStore(flaky) });
    await expect(authenticator.authenticate({ authorization })).rejects.toMatchObject({
      status: 503,
      code: 'service_unavailable',
      headers: {},
    });
    await expect(authenticator.authenticate({ authorization })).resolves.toMatchObject({
      scope: 'app',
    });
  });

  it('a revocation in the store is refused at the latest ttl ms later, at once after invalidate', async () => {
    const memory = createMemoryStore(doc());
    const cached = createCachedStore(memory, { ttl: 2000 });
    const authenticator = createAuthenticator({ store: cached });
    await expect(authenticator.authenticate({ authorization })).resolves.toBeDefined();
    memory.replace(doc(new Date().toISOString()));
    vi.advanceTimersByTime(1999); // within the bound: the cached record still passes
    await expect(authenticator.authenticate({ authorization })).resolves.toBeDefined();
    vi.advanceTimersByTime(1);
    await expect(authenticator.authenticate({ authorization })).rejects.toMatchObject({
      status: 401,
      reason: 'key_revoked',
    });

    memory.replace(doc());
    cached.clear();
    await authenticator.authenticate({ authorization });
    memory.replace(doc(new Date().toISOString()));
    cached.invalidate('app_k');
    await expect(authenticator.authenticate({ authorization })).rejects.toMatchObject({
      reason: 'key_revoked',
    });
  });

  it('a revocation scheduled in the cached record takes effect exactly on time', async () => {
    const at = new Date(Date.now() + 500).toISOString();
    const authenticator = createAuthenticator({
      store: createCachedStore(createMemoryStore(doc(at)), { ttl: 60_000 }),
    });
    await expect(authenticator.authenticate({ authorization })).resolves.toBeDefined();
    vi.advanceTimersByTime(500);
    await expect(authenticator.authenticate({ authorization })).rejects.toMatchObject({
      reason: 'key_revoked',
    });
  });
});
