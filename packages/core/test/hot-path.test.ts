/**
 * Tests of the shortcuts taken on the request path for speed, each against the slow, obvious
 * version: the canonical-base64url check of a JWT (a character-class test and the spare bits of
 * the last character, instead of decoding and encoding every segment) against the round trip
 * through `Buffer`; the canonical-base64 check of Basic credentials likewise; the memory of
 * decoded JWT headers, after which every header check must still run for each authenticator; and
 * the per-record caches (imported HMAC keys, Basic digests), which must notice a store that
 * changes a record's secret in place.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createAuthenticator,
  createMemoryStore,
  type KeyRecord,
  type KeyStore,
  parseAuthorization,
} from '../src/index.js';
import {
  basic,
  bearer,
  expectAuthError,
  KEY,
  keysDocument,
  mint,
  NOW,
  refused,
  rejection,
  SECRET,
} from './support/fixtures.js';

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const isCanonical = (text: string, encoding: 'base64url' | 'base64') =>
  Buffer.from(text, encoding).toString(encoding) === text;

beforeEach(() => {
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('JWT: canonical base64url, checked without decoding', () => {
  const authenticator = createAuthenticator({
    store: createMemoryStore(keysDocument()),
    tokenCache: false,
  });

  it('any signature segment: malformed unless canonical, then a bad signature', async () => {
    const [head, body] = (await mint({ scope: 'app' })).split('.') as [string, string];
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom(...BASE64URL), maxLength: 90 }),
        async (signature) => {
          const error = await rejection(
            authenticator.authenticate({ authorization: bearer(`${head}.${body}.${signature}`) }),
          );
          expectAuthError(
            error,
            isCanonical(signature, 'base64url')
              ? refused.token('bad_signature', KEY.appA)
              : refused.token('malformed_token'),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the last signature character: only the original verifies', async () => {
    const token = await mint({ scope: 'app' });
    const cut = token.slice(0, -1);
    for (const c of BASE64URL) {
      const result = authenticator.authenticate({ authorization: bearer(`${cut}${c}`) });
      if (c === token.at(-1)) await expect(result).resolves.toMatchObject({ appId: 'app_a' });
      else await expect(result).rejects.toMatchObject({ status: 401 });
    }
  });

  it('segments of every length modulo 4 in header and payload position', async () => {
    for (const segment of ['', 'A', 'AA', 'AQ', 'AAA', 'AAE', 'AAAA']) {
      for (const token of [`${segment}.e30.AAAA`, `eyJhbGciOiJIUzI1NiJ9.${segment}.AAAA`]) {
        const error = await rejection(authenticator.authenticate({ authorization: bearer(token) }));
        expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
        if (!isCanonical(segment, 'base64url')) {
          expect(error).toMatchObject({ reason: 'malformed_token' });
        }
      }
    }
  });
});

describe('JWT: headers decoded before are checked again, for each authenticator', () => {
  const store = createMemoryStore(keysDocument());

  it('an HS384 header remembered by one authenticator is refused by another', async () => {
    const token = await mint({ scope: 'app' }, { alg: 'HS384' });
    const lenient = createAuthenticator({ store, algorithms: ['HS256', 'HS384'] });
    const strict = createAuthenticator({ store });
    await expect(lenient.authenticate({ authorization: bearer(token) })).resolves.toBeDefined();
    expectAuthError(
      await rejection(strict.authenticate({ authorization: bearer(token) })),
      refused.token('unsupported_algorithm'),
    );
  });

  it('a forbidden header is refused every time, not only the first', async () => {
    const auth = createAuthenticator({ store });
    const token = await mint({ scope: 'app' }, { header: { jku: 'https://example.test/keys' } });
    for (let i = 0; i < 3; i++) {
      expectAuthError(
        await rejection(auth.authenticate({ authorization: bearer(token) })),
        refused.token('forbidden_header'),
      );
    }
  });

  it('long headers and many distinct headers are verified all the same', async () => {
    const auth = createAuthenticator({ store, tokenCache: false });
    const long = await mint({ scope: 'app' }, { header: { note: 'n'.repeat(600) } });
    await expect(auth.authenticate({ authorization: bearer(long) })).resolves.toBeDefined();
    await expect(auth.authenticate({ authorization: bearer(long) })).resolves.toBeDefined();
    for (let i = 0; i < 300; i++) {
      const token = await mint({ scope: 'app' }, { header: { n: i } });
      await expect(auth.authenticate({ authorization: bearer(token) })).resolves.toBeDefined();
    }
  });
});

describe('Basic: canonical base64, checked without encoding again', () => {
  it('matches the round trip through Buffer for any well-formed base64', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...BASE64), minLength: 1, maxLength: 40 }),
        fc.constantFrom('', '=', '=='),
        (chars, padding) => {
          const credentials = `${chars}${padding}`;
          let outcome: string;
          try {
            outcome = parseAuthorization(`Basic ${credentials}`).scheme;
          } catch (error) {
            outcome = (error as { reason: string }).reason;
          }
          if (outcome === 'basic') expect(isCanonical(credentials, 'base64')).toBe(true);
          if (!isCanonical(credentials, 'base64')) expect(outcome).toBe('malformed_basic');
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a padded last group with spare bits set is refused', () => {
    // "YQ==" is "a"; "YR==" decodes to the same byte with a spare bit set.
    expect(parseAuthorization('Basic YTpi')).toMatchObject({ keyId: 'a', secret: 'b' });
    for (const text of ['YTpj', 'YTpiYw==', 'YTpiYx==', 'YTpiYmM=', 'YTpiYmN=']) {
      let outcome: string;
      try {
        outcome = parseAuthorization(`Basic ${text}`).scheme;
      } catch (error) {
        outcome = (error as { reason: string }).reason;
      }
      expect(outcome).toBe(isCanonical(text, 'base64') ? 'basic' : 'malformed_basic');
    }
  });
});

describe('per-record caches notice a secret changed in place', () => {
  const record = {
    id: KEY.appA,
    secret: SECRET.appA,
    entity: { type: 'app', id: 'app_a' },
    accountId: 'acc_1',
  } as { -readonly [K in keyof KeyRecord]: KeyRecord[K] };
  const store: KeyStore = {
    findKey: async (id) => (id === record.id ? record : undefined),
    appsFor: async () => ['app_a'],
  };

  afterEach(() => {
    record.secret = SECRET.appA;
  });

  it('Basic: the stored digest follows the secret', async () => {
    const authenticator = createAuthenticator({ store });
    await expect(
      authenticator.authenticate({ authorization: basic(KEY.appA, SECRET.appA) }),
    ).resolves.toMatchObject({ appId: 'app_a' });
    record.secret = 'demo-changed-in-place-not-for-production';
    expectAuthError(
      await rejection(authenticator.authenticate({ authorization: basic(KEY.appA, SECRET.appA) })),
      refused.basic('wrong_secret', KEY.appA),
    );
    await expect(
      authenticator.authenticate({ authorization: basic(KEY.appA, record.secret) }),
    ).resolves.toMatchObject({ appId: 'app_a' });
  });

  it('JWT: the imported key follows the secret', async () => {
    const authenticator = createAuthenticator({ store, tokenCache: false });
    const token = await mint({ scope: 'app' });
    await expect(
      authenticator.authenticate({ authorization: bearer(token) }),
    ).resolves.toBeDefined();
    record.secret = 'demo-changed-in-place-not-for-production';
    expectAuthError(
      await rejection(authenticator.authenticate({ authorization: bearer(token) })),
      refused.token('bad_signature', KEY.appA),
    );
  });
});
