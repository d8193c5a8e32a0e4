/**
 * Tests of Basic verification through the authenticator: key -> entity -> scope for every kind of
 * key, every refusal with its exact status, code, reason and challenge, key expiry and scheduled
 * revocation under a frozen clock, and the constant-time path (an unknown key id is hashed and
 * compared like a wrong secret).
 */
import * as crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuthenticator, createMemoryStore } from '../src/index.js';
import {
  basic,
  expectAuthError,
  KEY,
  keysDocument,
  NOW,
  refused,
  rejection,
  SCHEDULED_EXPIRY,
  SCHEDULED_REVOCATION,
  SECRET,
} from './support/fixtures.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const authenticator = createAuthenticator({ store: createMemoryStore(keysDocument()) });
const authenticate = (authorization: string) => authenticator.authenticate({ authorization });

beforeEach(() => {
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Basic: keys that authenticate', () => {
  it('an app key gets app scope on its app', async () => {
    await expect(authenticate(basic(KEY.appA, SECRET.appA))).resolves.toEqual({
      method: 'basic',
      keyId: KEY.appA,
      entity: { type: 'app', id: 'app_a' },
      scope: 'app',
      appId: 'app_a',
      expiresAt: undefined,
    });
  });

  it('a user-account key gets account scope, its accountId being its own id', async () => {
    await expect(authenticate(basic(KEY.user, SECRET.user))).resolves.toEqual({
      method: 'basic',
      keyId: KEY.user,
      entity: { type: 'userAccount', id: 'acc_1' },
      scope: 'account',
      accountId: 'acc_1',
      expiresAt: undefined,
    });
  });

  it("a service-account key gets account scope with the service account's accountId", async () => {
    await expect(authenticate(basic(KEY.svc, SECRET.svc))).resolves.toEqual({
      method: 'basic',
      keyId: KEY.svc,
      entity: { type: 'serviceAccount', id: 'svc_1' },
      scope: 'account',
      accountId: 'acc_1',
      expiresAt: undefined,
    });
  });

  it('Basic never yields appUser scope, and sets no userId', async () => {
    const context = await authenticate(basic(KEY.appB, SECRET.appB));
    expect(context.scope).toBe('app');
    expect(context.userId).toBeUndefined();
  });

  it('a secret with colons is split at the first colon', async () => {
    const context = await authenticate(basic(KEY.colons, SECRET.colons));
    expect(context).toMatchObject({ keyId: KEY.colons, appId: 'app_b' });
  });

  it('a secret with non-ASCII characters is compared as UTF-8', async () => {
    const context = await authenticate(basic(KEY.unicode, SECRET.unicode));
    expect(context).toMatchObject({ keyId: KEY.unicode, appId: 'app_c' });
  });

  it('a key scheduled for revocation works until then, and says when it ends', async () => {
    const context = await authenticate(basic(KEY.scheduled, SECRET.scheduled));
    expect(context.expiresAt).toEqual(new Date(SCHEDULED_REVOCATION));
    expect(context.expiresAt?.getTime()).toBeLessThan(SCHEDULED_EXPIRY);
  });

  it('the scheme is case-insensitive', async () => {
    const value = basic(KEY.appA, SECRET.appA).replace('Basic', 'bAsIc');
    await expect(authenticate(value)).resolves.toMatchObject({ keyId: KEY.appA });
  });
});

describe('Basic: keys that do not authenticate', () => {
  it('an unknown key id is 401 unknown_key', async () => {
    const error = await rejection(authenticate(basic('app_nope', SECRET.appA)));
    expectAuthError(error, refused.basic('unknown_key', 'app_nope'));
  });

  it('key ids are compared exactly (case differs)', async () => {
    const id = KEY.appA.toUpperCase();
    expectAuthError(
      await rejection(authenticate(basic(id, SECRET.appA))),
      refused.basic('unknown_key', id),
    );
  });

  it('a wrong secret is 401 wrong_secret', async () => {
    const error = await rejection(authenticate(basic(KEY.appA, SECRET.appB)));
    expectAuthError(error, refused.basic('wrong_secret', KEY.appA));
  });

  it.each([
    ['an empty secret', ''],
    ['a prefix of the secret', SECRET.appA.slice(0, -1)],
    ['the secret with a suffix', `${SECRET.appA}x`],
    ['the secret in upper case', SECRET.appA.toUpperCase()],
    ['the secret with a trailing space', `${SECRET.appA} `],
  ])('%s is a wrong secret', async (_l, secret) => {
    const error = await rejection(authenticate(basic(KEY.appA, secret)));
    expectAuthError(error, refused.basic('wrong_secret', KEY.appA));
  });

  it('a revoked key (revokedAt in the past) is 401 key_revoked', async () => {
    const error = await rejection(authenticate(basic(KEY.revoked, SECRET.revoked)));
    expectAuthError(error, refused.basic('key_revoked', KEY.revoked));
  });

  it('an expired key is 401 key_expired', async () => {
    const error = await rejection(authenticate(basic(KEY.expired, SECRET.expired)));
    expectAuthError(error, refused.basic('key_expired', KEY.expired));
  });

  it('a scheduled revocation takes effect at its instant exactly', async () => {
    vi.setSystemTime(SCHEDULED_REVOCATION - 1);
    await expect(authenticate(basic(KEY.scheduled, SECRET.scheduled))).resolves.toBeDefined();
    vi.setSystemTime(SCHEDULED_REVOCATION);
    expectAuthError(
      await rejection(authenticate(basic(KEY.scheduled, SECRET.scheduled))),
      refused.basic('key_revoked', KEY.scheduled),
    );
  });

  it('an expiry takes effect at its instant exactly', async () => {
    const store = createMemoryStore({
      ...keysDocument(),
      keys: [
        {
          id: 'app_k',
          secret: SECRET.appA,
          entity: { type: 'app', id: 'app_a' },
          expiresAt: '2030-06-01T00:00:01Z',
        },
      ],
    });
    const auth = createAuthenticator({ store });
    vi.setSystemTime(NOW + 999);
    await expect(
      auth.authenticate({ authorization: basic('app_k', SECRET.appA) }),
    ).resolves.toMatchObject({ expiresAt: new Date(NOW + 1000) });
    vi.setSystemTime(NOW + 1000);
    expectAuthError(
      await rejection(auth.authenticate({ authorization: basic('app_k', SECRET.appA) })),
      refused.basic('key_expired', 'app_k'),
    );
  });

  it('a wrong secret on a revoked key says wrong_secret (no state is revealed first)', async () => {
    const error = await rejection(authenticate(basic(KEY.revoked, SECRET.appA)));
    expectAuthError(error, refused.basic('wrong_secret', KEY.revoked));
  });

  it('the secret of another key does not open a key', async () => {
    const error = await rejection(authenticate(basic(KEY.user, SECRET.svc)));
    expectAuthError(error, refused.basic('wrong_secret', KEY.user));
  });
});

describe('Basic: constant-time comparison', () => {
  const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);

  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('compares fixed-size digests for a known key', async () => {
    await authenticate(basic(KEY.appA, SECRET.appA));
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqual.mock.calls[0] as [Buffer, Buffer];
    expect(a.length).toBe(32);
    expect(b.length).toBe(32);
    expect(timingSafeEqual.mock.results[0]?.value).toBe(true);
  });

  it('compares fixed-size digests for a wrong secret of any length', async () => {
    await rejection(authenticate(basic(KEY.appA, 'x'.repeat(3000))));
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqual.mock.calls[0] as [Buffer, Buffer];
    expect([a.length, b.length]).toEqual([32, 32]);
    expect(timingSafeEqual.mock.results[0]?.value).toBe(false);
  });

  it('does the same comparison for an unknown key id', async () => {
    await rejection(authenticate(basic('app_unknown', SECRET.appA)));
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqual.mock.calls[0] as [Buffer, Buffer];
    expect([a.length, b.length]).toEqual([32, 32]);
    expect(timingSafeEqual.mock.results[0]?.value).toBe(false);
  });

  it('an unknown key id does not match even the digest of an empty secret', async () => {
    const error = await rejection(authenticate(basic('app_unknown', '')));
    expectAuthError(error, refused.basic('unknown_key', 'app_unknown'));
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });
});
