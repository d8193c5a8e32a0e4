/**
 * Property-based tests (fast-check) of the whole authentication path on hostile input: arbitrary
 * strings and lists of strings, valid Basic headers and JWTs mutated character by character or
 * segment by segment, and tokens with arbitrary headers and claims re-signed with the right key.
 * The authenticator must only ever resolve the right context for unmodified credentials (or for
 * a header that differs only in scheme case and optional whitespace), and otherwise reject with
 * one of its own errors: never another error, never a context for a modified credential.
 */
import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AuthContext,
  AuthError,
  createAuthenticator,
  createMemoryStore,
  parseAuthorization,
} from '../src/index.js';
import {
  basic,
  bearer,
  craftToken,
  KEY,
  keysDocument,
  mint,
  NOW,
  NOW_S,
  SECRET,
} from './support/fixtures.js';

const RUNS = { numRuns: 150 } as const;
const store = createMemoryStore(keysDocument());
const authenticator = createAuthenticator({ store });

type Outcome = { ok: true; context: AuthContext } | { ok: false; error: unknown };

async function attempt(authorization: string | string[]): Promise<Outcome> {
  try {
    return { ok: true, context: await authenticator.authenticate({ authorization }) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** A refusal by keyscope itself, with one of the statuses hostile input may earn. */
function expectRefused(outcome: Outcome, statuses: readonly number[] = [400, 401]) {
  if (outcome.ok) throw new Error(`resolved a context for ${outcome.context.keyId}`);
  expect(outcome.error).toBeInstanceOf(AuthError);
  expect(statuses).toContain((outcome.error as AuthError).status);
}

/** A header normalised the way the grammar allows: OWS trimmed, scheme lower-cased, one space. */
function normalise(header: string): string {
  const trimmed = header.replace(/^[ \t]+|[ \t]+$/g, '');
  const match = /^(\S+) +(.*)$/s.exec(trimmed);
  return match ? `${match[1]?.toLowerCase()} ${match[2]}` : trimmed;
}

interface Valid {
  readonly header: string;
  readonly context: AuthContext;
}
const valid: Valid[] = [];

beforeAll(async () => {
  vi.setSystemTime(NOW);
  const headers = [
    basic(KEY.appA, SECRET.appA),
    basic(KEY.user, SECRET.user),
    basic(KEY.svc, SECRET.svc),
    basic(KEY.colons, SECRET.colons),
    basic(KEY.unicode, SECRET.unicode),
    bearer(await mint({ scope: 'app' })),
    bearer(await mint({ scope: 'appUser', userId: 'u1', exp: NOW_S + 600 })),
    bearer(
      await mint({ scope: 'user', external_id: 'ext' }, { kid: KEY.appB, secret: SECRET.appB }),
    ),
    bearer(
      await mint({ scope: 'account', iat: NOW_S - 5 }, { kid: KEY.user, secret: SECRET.user }),
    ),
    bearer(await mint({ scope: 'account' }, { kid: KEY.svc, secret: SECRET.svc })),
  ];
  for (const header of headers) {
    valid.push({ header, context: await authenticator.authenticate({ authorization: header }) });
  }
  vi.useRealTimers();
});

beforeEach(() => {
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'grapheme', maxLength: 64 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
);

const mutation = fc.oneof(
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    text: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('whitespace' as const),
    at: fc.nat(),
    text: fc.constantFrom(' ', '\t', '  ', '\n', '\r\n', '\u00a0', '\u0000'),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), text: fc.constant('') }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), text: fc.constant('') }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), text: fc.constant('') }),
  fc.record({ kind: fc.constant('flipCase' as const), at: fc.nat(), text: fc.constant('') }),
);
type Mutation = { kind: string; at: number; text: string };

function mutate(value: string, { kind, at, text }: Mutation): string {
  if (value.length === 0) return text;
  const i = at % (value.length + 1);
  const j = at % value.length;
  switch (kind) {
    case 'replace':
      return value.slice(0, j) + text + value.slice(j + 1);
    case 'insert':
    case 'whitespace':
      return value.slice(0, i) + text + value.slice(i);
    case 'delete':
      return value.slice(0, j) + value.slice(j + 1);
    case 'swap': {
      const k = (j + 1) % value.length;
      const chars = [...value];
      [chars[j], chars[k]] = [chars[k] as string, chars[j] as string];
      return chars.join('');
    }
    case 'truncate':
      return value.slice(0, j);
    default: {
      const c = value[j] as string;
      const flipped = c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
      return value.slice(0, j) + flipped + value.slice(j + 1);
    }
  }
}

describe('properties: arbitrary input', () => {
  it('parseAuthorization returns or throws an AuthError, for any string', () => {
    fc.assert(
      fc.property(anyString, (value) => {
        try {
          const parsed = parseAuthorization(value);
          expect(['none', 'basic', 'bearer']).toContain(parsed.scheme);
        } catch (error) {
          expect(error).toBeInstanceOf(AuthError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('an arbitrary string never authenticates', async () => {
    await fc.assert(
      fc.asyncProperty(anyString, async (value) => {
        expectRefused(await attempt(value));
      }),
      RUNS,
    );
  });

  it('an arbitrary string after a supported scheme never authenticates', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Basic ', 'Bearer ', 'basic  ', 'BEARER '),
        anyString,
        async (scheme, rest) => {
          expectRefused(await attempt(scheme + rest));
        },
      ),
      RUNS,
    );
  });

  it('arbitrary bytes as Basic credentials never authenticate', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 80 }), async (bytes) => {
        expectRefused(await attempt(`Basic ${Buffer.from(bytes).toString('base64')}`), [401]);
      }),
      RUNS,
    );
  });

  it('a known key id with an arbitrary secret never authenticates', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.values(KEY)), anyString, async (id, secret) => {
        fc.pre(!Object.values(SECRET).includes(secret as never));
        expectRefused(await attempt(basic(id, secret)), [401]);
      }),
      RUNS,
    );
  });

  it('three arbitrary base64url segments never authenticate', async () => {
    const segment = fc
      .uint8Array({ maxLength: 60 })
      .map((b) => Buffer.from(b).toString('base64url'));
    await fc.assert(
      fc.asyncProperty(segment, segment, segment, async (h, p, s) => {
        expectRefused(await attempt(`Bearer ${h}.${p}.${s}`));
      }),
      RUNS,
    );
  });

  it('two or more Authorization values are always 400 multiple_headers', async () => {
    const value = fc.oneof(anyString, fc.constantFrom(...valid.map((v) => v.header)));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(value, fc.constant('')), { minLength: 2, maxLength: 4 }),
        async (values) => {
          const outcome = await attempt(values);
          expectRefused(outcome, [400]);
          expect((outcome as { error: AuthError }).error.reason).toBe('multiple_headers');
        },
      ),
      RUNS,
    );
  });
});

describe('properties: mutated valid credentials', () => {
  const credential = () => fc.constantFrom(...valid);

  it('the unmodified credentials authenticate to their context', async () => {
    for (const { header, context } of valid) {
      const outcome = await attempt(header);
      expect(outcome).toEqual({ ok: true, context });
    }
  });

  it('a mutated header resolves only to the same credential, else is refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        credential(),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        async (v, mutations) => {
          const mutated = mutations.reduce(mutate, v.header);
          const outcome = await attempt(mutated);
          if (outcome.ok) {
            expect(normalise(mutated)).toBe(normalise(v.header));
            expect(outcome.context).toEqual(v.context);
          } else {
            expectRefused(outcome);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('any change to the credentials themselves is refused', async () => {
    await fc.assert(
      fc.asyncProperty(credential(), mutation, async (v, m) => {
        const [scheme, credentials] = v.header.split(' ') as [string, string];
        const mutated = `${scheme} ${mutate(credentials, m)}`;
        // Spaces added between the scheme and the credentials, or around the value, change nothing.
        fc.pre(normalise(mutated) !== normalise(v.header));
        expectRefused(await attempt(mutated));
      }),
      { numRuns: 400 },
    );
  });

  const tokens = () => fc.constantFrom(...valid.filter((v) => v.header.startsWith('Bearer ')));
  const segments = (v: Valid) =>
    v.header.slice('Bearer '.length).split('.') as [string, string, string];

  it('JWT segments swapped, dropped or taken from another token are refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        tokens(),
        tokens(),
        fc.array(fc.constantFrom(0, 1, 2, 3, 4, 5), { minLength: 1, maxLength: 4 }),
        async (a, b, picks) => {
          const pool = [...segments(a), ...segments(b)];
          const parts = picks.map((i) => pool[i] as string);
          const token = parts.join('.');
          fc.pre(token !== segments(a).join('.') && token !== segments(b).join('.'));
          expectRefused(await attempt(`Bearer ${token}`));
        },
      ),
      RUNS,
    );
  });

  it('a JWT header re-encoded with another alg, kid or parameter is refused', async () => {
    const change = fc.record(
      {
        alg: fc.constantFrom('none', 'HS384', 'HS512', 'RS256', 'hs256', ''),
        kid: fc.constantFrom(...Object.values(KEY), '', 'other'),
        typ: fc.constantFrom('JWT', 'jwt', 'at+jwt'),
        extra: fc.constantFrom('jwk', 'jku', 'x5u', 'x5c', 'crit', 'b64', 'cty', 'zip'),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(tokens(), change, async (v, c) => {
        const [h, p, s] = segments(v);
        const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<
          string,
          unknown
        >;
        const next: Record<string, unknown> = { ...header };
        if (c.alg !== undefined) next.alg = c.alg;
        if (c.kid !== undefined) next.kid = c.kid;
        if (c.typ !== undefined) next.typ = c.typ;
        if (c.extra !== undefined) next[c.extra] = c.extra === 'crit' ? ['exp'] : 'x';
        const encoded = Buffer.from(JSON.stringify(next)).toString('base64url');
        fc.pre(encoded !== h);
        expectRefused(await attempt(`Bearer ${encoded}.${p}.${s}`), [401]);
      }),
      RUNS,
    );
  });

  it('a JWT payload re-encoded with other claims is refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        tokens(),
        fc.dictionary(
          fc.constantFrom('scope', 'userId', 'external_id', 'exp', 'nbf', 'iat', 'x'),
          fc.jsonValue({ maxDepth: 1 }),
        ),
        async (v, claims) => {
          const [h, p, s] = segments(v);
          const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<
            string,
            unknown
          >;
          const encoded = Buffer.from(JSON.stringify({ ...payload, ...claims })).toString(
            'base64url',
          );
          fc.pre(encoded !== p);
          expectRefused(await attempt(`Bearer ${h}.${encoded}.${s}`), [401]);
        },
      ),
      RUNS,
    );
  });
});

describe('properties: tokens with arbitrary headers and claims, signed with the right key', () => {
  const keys = keysDocument().keys;
  const secretOf = (kid: unknown) => keys.find((k) => k.id === kid)?.secret;
  const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
  const FORBIDDEN = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit'];

  /** Mostly `likely`, sometimes `rarely`. */
  const mostly = <T, U>(likely: fc.Arbitrary<T>, rarely: fc.Arbitrary<U>) =>
    fc.oneof({ arbitrary: likely, weight: 3 }, { arbitrary: rarely, weight: 1 });
  const absent = fc.constant(undefined);
  const weird = fc.constantFrom(
    'soon',
    null,
    0,
    Number.MAX_SAFE_INTEGER,
    8.64e12,
    8.64e12 + 1,
    -8.64e12 - 1,
  );
  /** A time claim: mostly absent or on the good side of now, sometimes anything. */
  const time = (good: fc.Arbitrary<number>) =>
    fc.oneof(
      { arbitrary: absent, weight: 4 },
      { arbitrary: good, weight: 2 },
      { arbitrary: fc.integer({ min: -3600, max: 3600 }).map((d) => NOW_S + d), weight: 1 },
      { arbitrary: weird, weight: 1 },
    );
  const future = fc.integer({ min: 1, max: 3600 }).map((d) => NOW_S + d);
  const past = fc.integer({ min: 0, max: 3600 }).map((d) => NOW_S - d);
  const header = fc.record({
    alg: mostly(fc.constant('HS256'), fc.constantFrom('HS384', 'HS512', 'none', 'RS256')),
    kid: mostly(fc.constantFrom(...Object.values(KEY)), fc.constantFrom('', 'nope', 1, null)),
    typ: mostly(
      fc.constantFrom(undefined, 'JWT', 'jwt', 'application/jwt'),
      fc.constantFrom('JOSE', 1),
    ),
    extra: mostly(fc.constantFrom(undefined, 'cty', 'b64'), fc.constantFrom(...FORBIDDEN)),
  });
  /** Claims, with a scope that mostly suits the key (so that a fair share is accepted). */
  const claimsFor = (kid: unknown) => {
    const entity = keys.find((k) => k.id === kid)?.entity.type;
    const suits = entity === 'app' ? ['app', 'appUser', 'user'] : ['account'];
    return fc.record({
      scope: fc.oneof(
        { arbitrary: fc.constantFrom(...suits), weight: 4 },
        { arbitrary: fc.constantFrom('app', 'appUser', 'user', 'account'), weight: 1 },
        { arbitrary: fc.constantFrom(undefined, 'App', 'admin', '', 1), weight: 1 },
      ),
      userId: mostly(fc.constantFrom(undefined, 'u1'), fc.constantFrom('', 2, null)),
      external_id: mostly(fc.constantFrom(undefined, 'e1'), fc.constantFrom('', 3)),
      exp: time(future),
      nbf: time(past),
      iat: time(past),
    });
  };
  const headerAndClaims = header.chain((h) => claimsFor(h.kid).map((c) => [h, c] as const));
  const defined = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

  /** What the contract says the default authenticator must answer. */
  function expected(h: Record<string, unknown>, c: Record<string, unknown>) {
    if (FORBIDDEN.some((name) => name in h)) return undefined;
    if (h.alg !== 'HS256') return undefined;
    const key = keys.find((k) => k.id === h.kid);
    if (key === undefined) return undefined;
    if (
      'typ' in h &&
      !(typeof h.typ === 'string' && ['jwt', 'application/jwt'].includes(h.typ.toLowerCase()))
    ) {
      return undefined;
    }
    for (const at of [key.revokedAt, key.expiresAt]) {
      if (typeof at === 'string' && Date.parse(at) <= NOW) return undefined;
    }
    const num = (name: string) =>
      c[name] === undefined || (typeof c[name] === 'number' && Math.abs(c[name]) <= 8.64e12);
    if (!num('exp') || !num('nbf') || !num('iat')) return undefined;
    if (typeof c.exp === 'number' && c.exp <= NOW_S) return undefined;
    if (typeof c.nbf === 'number' && c.nbf > NOW_S) return undefined;
    if (typeof c.iat === 'number' && c.iat > NOW_S) return undefined;
    const nonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;
    if (key.entity.type !== 'app') return c.scope === 'account' ? { scope: 'account' } : undefined;
    if (c.scope === 'app') return { scope: 'app', appId: key.entity.id };
    if (c.scope === 'appUser' && nonEmpty(c.userId)) {
      return { scope: 'appUser', appId: key.entity.id, userId: c.userId };
    }
    if (c.scope === 'user' && nonEmpty(c.external_id)) {
      return { scope: 'appUser', appId: key.entity.id, userId: c.external_id };
    }
    return undefined;
  }

  it('resolves exactly when the contract allows, with the scope it grants', async () => {
    let allowed = 0;
    await fc.assert(
      fc.asyncProperty(headerAndClaims, async ([h, c]) => {
        const head = defined({ alg: h.alg, kid: h.kid, typ: h.typ });
        if (h.extra !== undefined) head[h.extra] = h.extra === 'crit' ? ['exp'] : 'x';
        const payload = defined(c);
        const hash = HASH[h.alg as keyof typeof HASH] ?? 'sha256';
        const token = craftToken(
          head,
          payload,
          secretOf(h.kid) ?? 'demo-unknown-not-for-production',
          hash,
        );
        const outcome = await attempt(`Bearer ${token}`);
        const want = expected(head, payload);
        if (want === undefined) {
          expectRefused(outcome, [401]);
        } else {
          allowed++;
          expect(outcome.ok).toBe(true);
          const end = (outcome as { context: AuthContext }).context.expiresAt;
          if (end !== undefined) expect(Number.isFinite(end.getTime())).toBe(true);
          expect((outcome as { context: AuthContext }).context).toMatchObject({
            ...want,
            method: 'jwt',
            keyId: h.kid,
          });
        }
      }),
      { numRuns: 400 },
    );
    expect(allowed).toBeGreaterThan(20);
  });
});
