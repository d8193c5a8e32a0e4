/**
 * Tests of the failed-attempt limiter: `createMemoryRateLimiter` on its own (counts per key id and
 * address and per address, windows, resets, address normalization, bounded memory under a flood of
 * addresses) and wired through `createAuthenticator({ rateLimiter })`: a 429 with `Retry-After`
 * before any store lookup or cryptography, the legitimate holder of a key not locked out by
 * someone else's failures on another address, only 401s counted, and every limiter failure
 * answered 503 (fail closed). The limiter never sees a secret or a token.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AuthenticatorOptions,
  ConfigurationError,
  createAuthenticator,
  createMemoryRateLimiter,
  createMemoryStore,
  type KeyStore,
  type RateLimitAttempt,
  type RateLimiter,
  type RejectionEvent,
} from '../src/index.js';
import {
  basic,
  bearer,
  CHALLENGE,
  type Expected,
  expectAuthError,
  KEY,
  keysDocument,
  mint,
  NOW,
  refused,
  rejection,
  SECRET,
} from './support/fixtures.js';

beforeEach(() => {
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

const A = '203.0.113.7';
const B = '198.51.100.20';
const attempt = (keyId: string | undefined, address: string | undefined): RateLimitAttempt => ({
  keyId,
  address,
  method: 'basic',
});

const rateLimited = (keyId?: string): Expected => ({
  status: 429,
  code: 'too_many_requests',
  reason: 'rate_limited',
  wwwAuthenticate: undefined,
  name: 'RateLimitedError',
  ...(keyId === undefined ? {} : { keyId }),
});

describe('createMemoryRateLimiter: options', () => {
  it.each([
    ['maxFailuresPerKeyAndAddress', 0],
    ['maxFailuresPerKeyAndAddress', 1.5],
    ['maxFailuresPerAddress', -1],
    ['windowMs', Number.NaN],
    ['windowMs', Number.POSITIVE_INFINITY],
    ['maxEntries', 0],
    ['ipv6PrefixLength', 0],
    ['ipv6PrefixLength', 129],
    ['maxEntries', '10'],
  ])('%s = %s is refused', (name, value) => {
    expect(() => createMemoryRateLimiter({ [name]: value })).toThrow(ConfigurationError);
  });

  it('has defaults: 10 per key and address, 100 per address, a 60 s window', () => {
    const limiter = createMemoryRateLimiter();
    for (let i = 0; i < 9; i++) limiter.recordFailure(attempt('k', A));
    expect(limiter.check(attempt('k', A))).toEqual({ allowed: true });
    limiter.recordFailure(attempt('k', A));
    expect(limiter.check(attempt('k', A))).toEqual({ allowed: false, retryAfter: 60 });
    for (let i = 0; i < 90; i++) limiter.recordFailure(attempt(`other_${i}`, A));
    expect(limiter.check(attempt('fresh', A))).toEqual({ allowed: false, retryAfter: 60 });
    expect(limiter.check(attempt('fresh', B))).toEqual({ allowed: true });
  });
});

describe('createMemoryRateLimiter: counting', () => {
  const options = { maxFailuresPerKeyAndAddress: 3, maxFailuresPerAddress: 5, windowMs: 30_000 };

  it('trips a key id on one address after its failures, not the same key elsewhere', () => {
    const limiter = createMemoryRateLimiter(options);
    for (let i = 0; i < 3; i++) {
      expect(limiter.check(attempt('k1', A)).allowed).toBe(true);
      limiter.recordFailure(attempt('k1', A));
    }
    expect(limiter.check(attempt('k1', A))).toEqual({ allowed: false, retryAfter: 30 });
    expect(limiter.check(attempt('k1', B))).toEqual({ allowed: true });
    expect(limiter.check(attempt('k2', A))).toEqual({ allowed: true });
  });

  it('trips an address after its failures across key ids', () => {
    const limiter = createMemoryRateLimiter(options);
    for (let i = 0; i < 5; i++) limiter.recordFailure(attempt(`k${i}`, A));
    expect(limiter.check(attempt('k9', A))).toEqual({ allowed: false, retryAfter: 30 });
    expect(limiter.check(attempt(undefined, A)).allowed).toBe(false);
    expect(limiter.check(attempt('k9', B)).allowed).toBe(true);
  });

  it('counts failures without a key id against the address only', () => {
    const limiter = createMemoryRateLimiter(options);
    for (let i = 0; i < 4; i++) limiter.recordFailure(attempt(undefined, A));
    expect(limiter.size).toBe(1);
    expect(limiter.check(attempt('k', A)).allowed).toBe(true);
    limiter.recordFailure(attempt('', A));
    expect(limiter.check(attempt('k', A)).allowed).toBe(false);
  });

  it('Retry-After counts down in whole seconds, rounded up, and the window then reopens', () => {
    const limiter = createMemoryRateLimiter(options);
    for (let i = 0; i < 3; i++) limiter.recordFailure(attempt('k', A));
    vi.setSystemTime(NOW + 10_500);
    expect(limiter.check(attempt('k', A))).toEqual({ allowed: false, retryAfter: 20 });
    vi.setSystemTime(NOW + 29_999);
    expect(limiter.check(attempt('k', A))).toEqual({ allowed: false, retryAfter: 1 });
    vi.setSystemTime(NOW + 30_000);
    expect(limiter.check(attempt('k', A))).toEqual({ allowed: true });
    limiter.recordFailure(attempt('k', A));
    expect(limiter.check(attempt('k', A))).toEqual({ allowed: true });
  });

  it('a window opens with its first failure: later failures do not extend it', () => {
    const limiter = createMemoryRateLimiter(options);
    limiter.recordFailure(attempt('k', A));
    vi.setSystemTime(NOW + 20_000);
    limiter.recordFailure(attempt('k', A));
    limiter.recordFailure(attempt('k', A));
    expect(limiter.check(attempt('k', A))).toEqual({ allowed: false, retryAfter: 10 });
  });

  it('when both counts are tripped, Retry-After is the later end', () => {
    const limiter = createMemoryRateLimiter(options);
    limiter.recordFailure(attempt('x', A));
    limiter.recordFailure(attempt('y', A));
    vi.setSystemTime(NOW + 12_000);
    for (let i = 0; i < 3; i++) limiter.recordFailure(attempt('k', A));
    // address window ends at 30 s, the (k, A) window at 42 s
    expect(limiter.check(attempt('k', A))).toEqual({ allowed: false, retryAfter: 30 });
    expect(limiter.check(attempt('z', A))).toEqual({ allowed: false, retryAfter: 18 });
  });

  it('a success forgets the key-and-address count, not the address count', () => {
    const limiter = createMemoryRateLimiter(options);
    for (let i = 0; i < 2; i++) limiter.recordFailure(attempt('k', A));
    limiter.recordSuccess(attempt('k', A));
    for (let i = 0; i < 2; i++) limiter.recordFailure(attempt('k', A));
    expect(limiter.check(attempt('k', A)).allowed).toBe(true);
    limiter.recordFailure(attempt('k', A));
    // five failures from A in all: the address is tripped despite the success
    expect(limiter.check(attempt('other', A)).allowed).toBe(false);
    limiter.recordSuccess(attempt(undefined, A));
    expect(limiter.check(attempt('other', A)).allowed).toBe(false);
  });

  it('clear() forgets everything', () => {
    const limiter = createMemoryRateLimiter(options);
    for (let i = 0; i < 5; i++) limiter.recordFailure(attempt('k', A));
    expect(limiter.size).toBe(2);
    limiter.clear();
    expect(limiter.size).toBe(0);
    expect(limiter.check(attempt('k', A)).allowed).toBe(true);
  });

  it('tolerates a missing attempt object (one shared unknown address)', () => {
    const limiter = createMemoryRateLimiter({ maxFailuresPerAddress: 1 });
    limiter.recordFailure(undefined as unknown as RateLimitAttempt);
    expect(limiter.check(attempt(undefined, undefined)).allowed).toBe(false);
  });
});

describe('createMemoryRateLimiter: addresses', () => {
  const trip = (address: string | undefined, options = {}) => {
    const limiter = createMemoryRateLimiter({ maxFailuresPerAddress: 1, ...options });
    limiter.recordFailure(attempt(undefined, address));
    return (other: string | undefined) => limiter.check(attempt(undefined, other)).allowed;
  };

  it('an IPv4-mapped IPv6 address is the IPv4 address', () => {
    expect(trip('::ffff:203.0.113.7')('203.0.113.7')).toBe(false);
    expect(trip('203.0.113.7')('::ffff:cb00:7107')).toBe(false);
    expect(trip('203.0.113.7')('::ffff:203.0.113.8')).toBe(true);
  });

  it('IPv6 addresses count by their /64 by default', () => {
    const allowed = trip('2001:db8:1:2::1');
    expect(allowed('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(false);
    expect(allowed('2001:0db8:0001:0002:0000:0000:0000:0009')).toBe(false);
    expect(allowed('[2001:db8:1:2::5]')).toBe(false);
    expect(allowed('2001:db8:1:2::5%eth0')).toBe(false);
    expect(allowed('2001:db8:1:3::1')).toBe(true);
  });

  it('ipv6PrefixLength sets the network size, down to single addresses', () => {
    expect(trip('2001:db8::1', { ipv6PrefixLength: 128 })('2001:db8::2')).toBe(true);
    expect(trip('2001:db8::1', { ipv6PrefixLength: 128 })('2001:db8:0::1')).toBe(false);
    expect(trip('2001:db8:1:2::1', { ipv6PrefixLength: 48 })('2001:db8:1:ff::1')).toBe(false);
    expect(trip('2001:db8:1:2::1', { ipv6PrefixLength: 56 })('2001:db8:1:ff::1')).toBe(false);
    expect(trip('2001:db8:1:2::1', { ipv6PrefixLength: 56 })('2001:db8:1:1ff::1')).toBe(true);
    expect(trip('2001:db8:1:2::1', { ipv6PrefixLength: 52 })('2001:db8:1:fff::1')).toBe(false);
    expect(trip('2001:db8:1:2::1', { ipv6PrefixLength: 52 })('2001:db8:1:1002::1')).toBe(true);
    expect(trip('::1')('::2')).toBe(false);
    expect(trip('64:ff9b::192.0.2.1', { ipv6PrefixLength: 128 })('64:ff9b::c000:201')).toBe(false);
  });

  it('no address, or an empty one, is one shared address; other labels count as given', () => {
    expect(trip(undefined)('')).toBe(false);
    expect(trip('')(undefined)).toBe(false);
    expect(trip('unix-socket')('unix-socket')).toBe(false);
    expect(trip('unix-socket')('unix')).toBe(true);
  });

  it('long key ids and addresses are stored under a fixed-size digest', () => {
    const limiter = createMemoryRateLimiter({ maxFailuresPerKeyAndAddress: 1 });
    const long = 'k'.repeat(8000);
    limiter.recordFailure(attempt(long, `x${'a'.repeat(5000)}`));
    expect(limiter.check(attempt(long, `x${'a'.repeat(5000)}`)).allowed).toBe(false);
    expect(limiter.check(attempt(`${long}k`, `x${'a'.repeat(5000)}`)).allowed).toBe(true);
  });
});

describe('createMemoryRateLimiter: bounded memory', () => {
  it('a flood of distinct addresses never holds more than maxEntries counters', () => {
    const limiter = createMemoryRateLimiter({ maxEntries: 1000 });
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200_000; i++) {
      const address = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      limiter.check(attempt(`app_${i}`, address));
      limiter.recordFailure(attempt(`app_${i}`, address));
      expect(limiter.size).toBeLessThanOrEqual(1000);
    }
    expect(limiter.size).toBe(1000);
    // 200 000 addresses stored would take tens of MB; 1000 counters take well under 2 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20 * 1024 * 1024);
  });

  it('keeps the counters in use: an attacker that keeps trying stays tripped during a flood', () => {
    const limiter = createMemoryRateLimiter({ maxFailuresPerAddress: 3, maxEntries: 100 });
    for (let i = 0; i < 3; i++) limiter.recordFailure(attempt(undefined, A));
    for (let i = 0; i < 5000; i++) {
      limiter.recordFailure(attempt(undefined, `10.0.${i >> 8}.${i & 255}`));
      if (i % 50 === 0) expect(limiter.check(attempt(undefined, A)).allowed).toBe(false);
    }
  });

  it('expired counters are dropped when next seen', () => {
    const limiter = createMemoryRateLimiter({ windowMs: 1000 });
    limiter.recordFailure(attempt('k', A));
    expect(limiter.size).toBe(2);
    vi.setSystemTime(NOW + 1000);
    limiter.check(attempt('k', A));
    expect(limiter.size).toBe(0);
  });
});

/** A store that records every lookup, to prove that a 429 did no verification work. */
function spyStore(): KeyStore & { readonly lookups: string[] } {
  const inner = createMemoryStore(keysDocument());
  const lookups: string[] = [];
  return {
    lookups,
    findKey: (id) => {
      lookups.push(id);
      return inner.findKey(id);
    },
    appsFor: (entity) => inner.appsFor(entity),
  };
}

function setup(limiter: RateLimiter, extra: Partial<AuthenticatorOptions> = {}) {
  const store = spyStore();
  const events: [RejectionEvent, unknown][] = [];
  const auth = createAuthenticator({
    store,
    rateLimiter: limiter,
    onRejected: (event, request) => events.push([event, request]),
    ...extra,
  });
  return { store, events, auth };
}

const wrong = basic(KEY.appA, 'demo-wrong-secret-not-for-production');
const right = basic(KEY.appA, SECRET.appA);

describe('createAuthenticator({ rateLimiter })', () => {
  it('answers 429 with Retry-After once tripped, before any store lookup', async () => {
    const limiter = createMemoryRateLimiter({ maxFailuresPerKeyAndAddress: 3, windowMs: 60_000 });
    const { store, events, auth } = setup(limiter);
    for (let i = 0; i < 3; i++) {
      const error = await rejection(auth.authenticate({ authorization: wrong, address: A }));
      expectAuthError(error, refused.basic('wrong_secret', KEY.appA));
    }
    expect(store.lookups).toHaveLength(3);
    vi.setSystemTime(NOW + 15_200);
    const error = await rejection(
      auth.authenticate({ authorization: wrong, address: A, method: 'GET' }),
    );
    const e = expectAuthError(error, rateLimited(KEY.appA));
    expect(e.headers).toEqual({ 'Retry-After': '45' });
    expect(e.toBody()).toEqual({
      errors: [{ code: 'too_many_requests', title: 'Too many failed attempts' }],
    });
    expect(store.lookups).toHaveLength(3);
    expect(events.at(-1)).toEqual([
      { reason: 'rate_limited', status: 429, method: 'basic', keyId: KEY.appA },
      { address: A, method: 'GET' },
    ]);
  });

  it('refuses even the right secret from the tripped address (no guessing oracle)', async () => {
    const limiter = createMemoryRateLimiter({ maxFailuresPerKeyAndAddress: 2 });
    const { store, auth } = setup(limiter);
    for (let i = 0; i < 2; i++) {
      await rejection(auth.authenticate({ authorization: wrong, address: A }));
    }
    const error = await rejection(auth.authenticate({ authorization: right, address: A }));
    expectAuthError(error, rateLimited(KEY.appA));
    expect(store.lookups).toHaveLength(2);
  });

  it("does not lock the key's holder out: another address still authenticates, with Basic and JWT", async () => {
    const limiter = createMemoryRateLimiter({
      maxFailuresPerKeyAndAddress: 3,
      maxFailuresPerAddress: 1000,
    });
    const { auth } = setup(limiter);
    const forged = bearer(
      await mint({ scope: 'app' }, { secret: 'demo-forged-not-for-production' }),
    );
    for (let i = 0; i < 50; i++) {
      await rejection(auth.authenticate({ authorization: i % 2 ? wrong : forged, address: A }));
    }
    expectAuthError(
      await rejection(auth.authenticate({ authorization: right, address: A })),
      rateLimited(KEY.appA),
    );
    const context = await auth.authenticate({ authorization: right, address: B });
    expect(context.keyId).toBe(KEY.appA);
    const token = bearer(await mint({ scope: 'appUser', userId: 'u1' }));
    expect((await auth.authenticate({ authorization: token, address: B })).userId).toBe('u1');
    // and the attacker's address is refused for that key with a token too, before verification
    expectAuthError(
      await rejection(auth.authenticate({ authorization: token, address: A })),
      rateLimited(KEY.appA),
    );
  });

  it('counts a token by the kid its header presents', async () => {
    const limiter = createMemoryRateLimiter({ maxFailuresPerKeyAndAddress: 2 });
    const { auth } = setup(limiter);
    const forged = bearer(
      await mint({ scope: 'app' }, { secret: 'demo-forged-not-for-production' }),
    );
    for (let i = 0; i < 2; i++) {
      expectAuthError(
        await rejection(auth.authenticate({ authorization: forged, address: A })),
        refused.token('bad_signature', KEY.appA),
      );
    }
    const error = await rejection(auth.authenticate({ authorization: forged, address: A }));
    expectAuthError(error, rateLimited(KEY.appA));
    expect((error as { method: string }).method).toBe('jwt');
    expect(limiter.check({ keyId: KEY.appA, address: A, method: 'basic' }).allowed).toBe(false);
    // a token whose header cannot be read counts against the address only
    await rejection(auth.authenticate({ authorization: 'Bearer a.b.c', address: B }));
    expect(limiter.size).toBe(3);
  });

  it('trips on an address guessing many key ids', async () => {
    const limiter = createMemoryRateLimiter({ maxFailuresPerAddress: 5 });
    const { store, auth } = setup(limiter);
    for (let i = 0; i < 5; i++) {
      await rejection(
        auth.authenticate({ authorization: basic(`app_guess_${i}`, 'x'), address: A }),
      );
    }
    expectAuthError(
      await rejection(auth.authenticate({ authorization: right, address: A })),
      rateLimited(KEY.appA),
    );
    expect(store.lookups).toHaveLength(5);
    expect((await auth.authenticate({ authorization: right, address: B })).keyId).toBe(KEY.appA);
  });

  it('a success resets the key-and-address count', async () => {
    const limiter = createMemoryRateLimiter({ maxFailuresPerKeyAndAddress: 3 });
    const { auth } = setup(limiter);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) {
        await rejection(auth.authenticate({ authorization: wrong, address: A }));
      }
      await auth.authenticate({ authorization: right, address: A });
    }
  });

  it('counts only 401s: not 400s, missing credentials, other schemes, 503s or 403s', async () => {
    const limiter = {
      check: vi.fn(() => ({ allowed: true }) as const),
      recordFailure: vi.fn(),
      recordSuccess: vi.fn(),
    };
    const failing: KeyStore = {
      findKey: async () => {
        throw new Error('db down');
      },
      appsFor: async () => [],
    };
    const { auth } = setup(limiter);
    await rejection(auth.authenticate({ address: A }));
    await rejection(auth.authenticate({ authorization: 'Digest abc', address: A }));
    await rejection(auth.authenticate({ authorization: 'Basic a b', address: A }));
    await rejection(auth.authenticate({ authorization: [right, right], address: A }));
    await rejection(auth.authenticate({ authorization: 'Basic Og==', address: A }));
    expect(limiter.check).not.toHaveBeenCalled();

    const down = createAuthenticator({ store: failing, rateLimiter: limiter });
    expectAuthError(
      await rejection(down.authenticate({ authorization: right, address: A })),
      refused.unavailable(),
    );
    expect(limiter.check).toHaveBeenCalledTimes(1);
    expect(limiter.recordFailure).not.toHaveBeenCalled();
    expect(limiter.recordSuccess).not.toHaveBeenCalled();

    const context = await auth.authenticate({ authorization: right, address: A });
    expect(limiter.recordSuccess).toHaveBeenCalledWith({
      keyId: KEY.appA,
      address: A,
      method: 'basic',
    });
    await rejection(auth.authorize(context, 'app', { appId: 'app_b' }, { address: A }));
    expect(limiter.recordFailure).not.toHaveBeenCalled();

    await rejection(
      auth.authenticate({ authorization: basic(KEY.revoked, SECRET.revoked), address: A }),
    );
    expect(limiter.recordFailure).toHaveBeenCalledWith({
      keyId: KEY.revoked,
      address: A,
      method: 'basic',
    });
  });

  it('the limiter never sees a secret or a token', async () => {
    const seen: unknown[] = [];
    const limiter: RateLimiter = {
      check: (a) => {
        seen.push(a);
        return { allowed: true };
      },
      recordFailure: (a) => {
        seen.push(a);
      },
      recordSuccess: (a) => {
        seen.push(a);
      },
    };
    const { auth } = setup(limiter);
    const token = await mint({ scope: 'app' });
    const forged = await mint({ scope: 'app' }, { secret: 'demo-forged-not-for-production' });
    await auth.authenticate({ authorization: right, address: A });
    await auth.authenticate({ authorization: bearer(token), address: A });
    await rejection(auth.authenticate({ authorization: wrong, address: A }));
    await rejection(auth.authenticate({ authorization: bearer(forged), address: A }));
    const text = JSON.stringify(seen);
    expect(seen).toHaveLength(8);
    for (const secret of Object.values(SECRET)) expect(text).not.toContain(secret);
    expect(text).not.toContain('demo-wrong-secret');
    for (const segment of [...token.split('.'), ...forged.split('.')]) {
      expect(text).not.toContain(segment);
    }
  });

  it('works with an asynchronous limiter (a shared store)', async () => {
    const counts = new Map<string, number>();
    const limiter: RateLimiter = {
      async check({ keyId, address }) {
        await new Promise((resolve) => setImmediate(resolve));
        return (counts.get(`${keyId}|${address}`) ?? 0) >= 2
          ? { allowed: false, retryAfter: 0.2 }
          : { allowed: true };
      },
      async recordFailure({ keyId, address }) {
        await new Promise((resolve) => setImmediate(resolve));
        counts.set(`${keyId}|${address}`, (counts.get(`${keyId}|${address}`) ?? 0) + 1);
      },
    };
    const { auth } = setup(limiter);
    await rejection(auth.authenticate({ authorization: wrong, address: A }));
    await rejection(auth.authenticate({ authorization: wrong, address: A }));
    const error = expectAuthError(
      await rejection(auth.authenticate({ authorization: wrong, address: A })),
      rateLimited(KEY.appA),
    );
    expect(error.headers['Retry-After']).toBe('1');
    expect((await auth.authenticate({ authorization: right, address: B })).keyId).toBe(KEY.appA);
  });

  it('Retry-After is the decision rounded up to whole seconds', async () => {
    for (const [retryAfter, header] of [
      [0, '1'],
      [1, '1'],
      [61.2, '62'],
      [3600, '3600'],
    ] as const) {
      const { auth } = setup({ check: () => ({ allowed: false, retryAfter }), recordFailure() {} });
      const error = await rejection(auth.authenticate({ authorization: right }));
      expect(expectAuthError(error, rateLimited()).headers).toEqual({ 'Retry-After': header });
    }
  });
});

describe('createAuthenticator({ rateLimiter }): fail closed', () => {
  const boom = new Error('limiter down');

  it.each([
    [
      'check throws',
      {
        check: () => {
          throw boom;
        },
        recordFailure() {},
      },
    ],
    ['check rejects', { check: () => Promise.reject(boom), recordFailure() {} }],
    ['check answers nothing', { check: () => undefined, recordFailure() {} }],
    ['check answers a string', { check: () => 'yes', recordFailure() {} }],
    ['check answers allowed: "true"', { check: () => ({ allowed: 'true' }), recordFailure() {} }],
    ['check refuses without retryAfter', { check: () => ({ allowed: false }), recordFailure() {} }],
    [
      'check refuses with NaN',
      { check: () => ({ allowed: false, retryAfter: Number.NaN }), recordFailure() {} },
    ],
    [
      'check refuses with Infinity',
      {
        check: () => ({ allowed: false, retryAfter: Number.POSITIVE_INFINITY }),
        recordFailure() {},
      },
    ],
    [
      'check refuses with a negative time',
      { check: () => ({ allowed: false, retryAfter: -1 }), recordFailure() {} },
    ],
  ])('%s: 503 for the right secret, before any lookup', async (_label, limiter) => {
    const { store, events, auth } = setup(limiter as unknown as RateLimiter);
    const error = await rejection(auth.authenticate({ authorization: right, address: A }));
    const e = expectAuthError(error, refused.unavailable());
    expect(e.keyId).toBe(KEY.appA);
    expect(store.lookups).toHaveLength(0);
    expect(events[0]?.[0]).toEqual({
      reason: 'store_unavailable',
      status: 503,
      method: 'basic',
      keyId: KEY.appA,
    });
  });

  it('a check error is kept as the cause', async () => {
    const { auth } = setup({ check: () => Promise.reject(boom), recordFailure() {} });
    const error = await rejection(auth.authenticate({ authorization: right }));
    expect((error as Error).cause).toBe(boom);
  });

  it('recordFailure failing turns the 401 into a 503', async () => {
    const { auth } = setup({
      check: () => ({ allowed: true }),
      recordFailure: () => Promise.reject(boom),
    });
    const error = await rejection(auth.authenticate({ authorization: wrong, address: A }));
    expectAuthError(error, refused.unavailable());
    expect((error as Error).cause).toBe(boom);
    const token = await rejection(auth.authenticate({ authorization: 'Bearer a.b.c', address: A }));
    expectAuthError(token, refused.unavailable());
  });

  it('recordSuccess failing leaves the success alone', async () => {
    const { auth } = setup({
      check: () => ({ allowed: true }),
      recordFailure() {},
      recordSuccess: () => {
        throw boom;
      },
    });
    expect((await auth.authenticate({ authorization: right })).keyId).toBe(KEY.appA);
  });

  it.each([
    ['not an object', 'redis://'],
    ['no check', { recordFailure() {} }],
    ['no recordFailure', { check: () => ({ allowed: true }) }],
    [
      'a recordSuccess that is not a function',
      { check() {}, recordFailure() {}, recordSuccess: 1 },
    ],
    ['null', null],
  ])('a limiter with %s is a ConfigurationError', (_label, rateLimiter) => {
    expect(() =>
      createAuthenticator({
        store: createMemoryStore(keysDocument()),
        rateLimiter: rateLimiter as unknown as RateLimiter,
      }),
    ).toThrow(ConfigurationError);
  });

  it('without a limiter nothing changes: failures never turn into 429', async () => {
    const auth = createAuthenticator({ store: createMemoryStore(keysDocument()) });
    for (let i = 0; i < 200; i++) {
      const error = await rejection(auth.authenticate({ authorization: wrong, address: A }));
      expectAuthError(error, refused.basic('wrong_secret', KEY.appA));
    }
    expect(CHALLENGE.both).toContain('Basic');
  });
});
