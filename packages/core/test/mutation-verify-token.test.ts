/**
 * Tests added for mutation testing (`pnpm mutation`) of `verify-token.ts`: behaviours the other
 * tests left open, each of which a surviving mutant changed. A token has exactly one spelling: a
 * segment of 4n + 1 characters, non-zero unused bits in any segment (including an HS512 signature,
 * whose last character carries four spare bits), or more than three segments are refused as
 * malformed before the store is asked. A polluted `Object.prototype` lends a token no `alg`, `iat`
 * or `exp`. A token of a changed key is looked up once per request, not twice. A flood of tokens
 * with distinct headers leaves memory as it found it (the decoded-header cache is bounded).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AuthError,
  createAuthenticator,
  createMemoryStore,
  type KeyStore,
} from '../src/index.js';
import {
  bearer,
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

beforeEach(() => {
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

/** A memory store that counts lookups. */
function countingStore() {
  const inner = createMemoryStore(keysDocument());
  const lookups: string[] = [];
  const store: KeyStore = {
    findKey: (id) => {
      lookups.push(id);
      return inner.findKey(id);
    },
    appsFor: (entity) => inner.appsFor(entity),
  };
  return { inner, store, lookups };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The segment with the given spare bits of its last character set. */
function withSpareBits(segment: string, bits: number): string {
  const last = ALPHABET.indexOf(segment.at(-1) as string);
  return segment.slice(0, -1) + ALPHABET[last | bits];
}

describe('JWT: one spelling per token', () => {
  it.each([0, 1, 2])(
    'segment %i of 4n + 1 characters is malformed, before any lookup',
    async (i) => {
      const { store, lookups } = countingStore();
      const auth = createAuthenticator({ store });
      const parts = (await mint({ scope: 'app' })).split('.');
      let segment = parts[i] as string;
      while (segment.length % 4 !== 1) segment += 'A';
      parts[i] = segment;
      const error = await rejection(auth.authenticate({ authorization: bearer(parts.join('.')) }));
      expectAuthError(error, refused.token('malformed_token'));
      expect((error as AuthError).keyId).toBeUndefined();
      expect(lookups).toEqual([]);
    },
  );

  it.each([
    ['four segments', '.AA'],
    ['five segments', '.A.AA'],
    ['five segments (JWE-like)', '.AAAA.AAAA'],
  ])('%s are malformed, before any lookup', async (_label, tail) => {
    const { store, lookups } = countingStore();
    const auth = createAuthenticator({ store });
    const token = `${await mint({ scope: 'app' })}${tail}`;
    const error = await rejection(auth.authenticate({ authorization: bearer(token) }));
    expectAuthError(error, refused.token('malformed_token'));
    expect((error as AuthError).keyId).toBeUndefined();
    expect(lookups).toEqual([]);
  });

  it('an HS512 signature whose last character differs only in its four spare bits is refused', async () => {
    const auth = createAuthenticator({
      store: createMemoryStore(keysDocument()),
      algorithms: ['HS512'],
    });
    const token = await mint({ scope: 'app' }, { alg: 'HS512' });
    const [h, p, s] = token.split('.') as [string, string, string];
    expect(s.length % 4).toBe(2);
    expect((await auth.authenticate({ authorization: bearer(token) })).keyId).toBe(KEY.appA);
    for (const bits of [0b0001, 0b0010, 0b0100, 0b1000]) {
      const altered = `${h}.${p}.${withSpareBits(s, bits)}`;
      const error = await rejection(auth.authenticate({ authorization: bearer(altered) }));
      expectAuthError(error, refused.token('malformed_token'));
    }
  });

  it('a header or claims segment with spare bits set is malformed, not a bad signature', async () => {
    const auth = createAuthenticator({ store: createMemoryStore(keysDocument()) });
    // Claims padded so that the segment is 4n + 2, then 4n + 3 characters long.
    for (const pad of ['x', 'xx', 'xxx', 'xxxx']) {
      const token = craftToken({ alg: 'HS256', kid: KEY.appA }, { scope: 'app', pad });
      const [h, p, s] = token.split('.') as [string, string, string];
      const spare = p.length % 4 === 2 ? 0b1111 : p.length % 4 === 3 ? 0b11 : 0;
      if (spare === 0) continue;
      for (const bits of [1, spare]) {
        const altered = `${h}.${withSpareBits(p, bits)}.${s}`;
        const error = await rejection(auth.authenticate({ authorization: bearer(altered) }));
        expectAuthError(error, refused.token('malformed_token'));
      }
    }
    let checked = 0;
    for (const pad of ['', 'x', 'xx', 'xxx']) {
      const token = craftToken({ alg: 'HS256', kid: KEY.appA, pad }, { scope: 'app' });
      const [h, p, s] = token.split('.') as [string, string, string];
      if (h.length % 4 < 2) continue;
      checked++;
      const error = await rejection(
        auth.authenticate({ authorization: bearer(`${withSpareBits(h, 1)}.${p}.${s}`) }),
      );
      expectAuthError(error, refused.token('malformed_token'));
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('an empty claims segment is still three segments: looked up, then a bad signature', async () => {
    const { store, lookups } = countingStore();
    const auth = createAuthenticator({ store });
    // Whole lengths of every remainder mod 4, so that no length happens to hide a slip.
    for (const pad of ['', 'x', 'xx', 'xxx']) {
      const [h, , s] = craftToken({ alg: 'HS256', kid: KEY.appA, pad }, { scope: 'app' }).split(
        '.',
      );
      const error = await rejection(auth.authenticate({ authorization: bearer(`${h}..${s}`) }));
      expectAuthError(error, refused.token('bad_signature', KEY.appA));
    }
    expect(lookups).toEqual([KEY.appA, KEY.appA, KEY.appA, KEY.appA]);
  });
});

describe('JWT: a polluted Object.prototype lends nothing', () => {
  const polluted = Object.prototype as unknown as Record<string, unknown>;
  afterEach(() => {
    for (const name of ['alg', 'iat', 'exp', 'nbf']) delete polluted[name];
  });

  it('no own alg: unsupported_algorithm, even with Object.prototype.alg = "HS256"', async () => {
    const auth = createAuthenticator({
      store: createMemoryStore(keysDocument()),
      tokenCache: false,
    });
    const token = craftToken({ kid: KEY.appA, typ: 'JWT' }, { scope: 'app' });
    polluted.alg = 'HS256';
    const error = await rejection(auth.authenticate({ authorization: bearer(token) }));
    expectAuthError(error, refused.token('unsupported_algorithm'));
  });

  it('no own iat or exp: accepted with no expiry, even with inherited ones', async () => {
    const auth = createAuthenticator({
      store: createMemoryStore(keysDocument()),
      tokenCache: false,
    });
    const token = craftToken({ alg: 'HS256', kid: KEY.appA }, { scope: 'app' });
    polluted.iat = NOW_S + 3600;
    polluted.exp = NOW_S + 60;
    const context = await auth.authenticate({ authorization: bearer(token) });
    expect(context.keyId).toBe(KEY.appA);
    expect(context.expiresAt).toBeUndefined();
  });
});

describe('JWT: the verified-token cache asks the store once per request', () => {
  it('a cached token whose key changed is looked up once, then verified afresh', async () => {
    const { inner, store, lookups } = countingStore();
    const auth = createAuthenticator({ store });
    const token = bearer(await mint({ scope: 'app' }));
    await auth.authenticate({ authorization: token });
    await auth.authenticate({ authorization: token });
    expect(lookups).toEqual([KEY.appA, KEY.appA]);
    // The same key, as a new record: the cached verification no longer applies.
    inner.replace(keysDocument());
    expect((await auth.authenticate({ authorization: token })).keyId).toBe(KEY.appA);
    expect(lookups).toEqual([KEY.appA, KEY.appA, KEY.appA]);
    // A new secret for the key: the token no longer verifies, with one lookup.
    const changed = keysDocument();
    const key = changed.keys.find((k) => k.id === KEY.appA) as { secret: string };
    key.secret = `${SECRET.appA}-rotated`;
    inner.replace(changed);
    expectAuthError(
      await rejection(auth.authenticate({ authorization: token })),
      refused.token('bad_signature', KEY.appA),
    );
    expect(lookups).toHaveLength(4);
  });
});

describe('JWT: a flood of distinct headers', () => {
  it('keeps memory bounded (60 000 headers never seen before)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const auth = createAuthenticator({ store: createMemoryStore(keysDocument()) });
    const payload = Buffer.from('{"scope":"app"}').toString('base64url');
    const flood = async (from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        // Refused once decoded (alg none), so the flood costs no cryptography.
        const header = Buffer.from(
          JSON.stringify({
            alg: 'none',
            kid: `${KEY.appA}-${i.toString(36).padStart(8, '0')}`,
            n: 'x'.repeat(40),
          }),
        ).toString('base64url');
        await auth.authenticate({ authorization: `Bearer ${header}.${payload}.` }).catch(() => {});
      }
    };
    await flood(0, 2000);
    gc();
    const before = process.memoryUsage().heapUsed;
    await flood(2000, 60_000);
    gc();
    // Kept, 60 000 headers of about 150 characters and their objects would take over 20 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(6 * 1024 * 1024);
  });
});
