/**
 * Tests of Bearer JWT verification through the authenticator, with tokens signed at test time (jose
 * `SignJWT`, or raw HMAC for tokens jose would not sign): the algorithm allow-list, `kid` rules,
 * headers that would take keys from the token, `typ`, signatures, time claims with and without
 * clock tolerance, non-finite numbers, the scope table of the contract, own-property claims, key
 * state, and the expiry reported in the context.
 */
import * as jose from 'jose';
import { generateKeyPair, SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AuthenticatorOptions,
  ConfigurationError,
  createAuthenticator,
  createMemoryStore,
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
  SCHEDULED_REVOCATION,
  SECRET,
} from './support/fixtures.js';

vi.mock('jose', async (importOriginal) => {
  const actual = await importOriginal<typeof import('jose')>();
  return { ...actual, jwtVerify: vi.fn(actual.jwtVerify) };
});

const store = createMemoryStore(keysDocument());
const make = (options: Partial<AuthenticatorOptions> = {}) =>
  createAuthenticator({ store, ...options });
const authenticator = make();
const authenticate = (token: string, auth = authenticator) =>
  auth.authenticate({ authorization: bearer(token) });
const refuses = async (
  token: string,
  reason: Parameters<typeof refused.token>[0],
  keyId?: string,
  auth = authenticator,
) => expectAuthError(await rejection(authenticate(token, auth)), refused.token(reason, keyId));

beforeEach(() => {
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('JWT: tokens that authenticate (the scope table)', () => {
  it('app key + scope "app" -> app scope', async () => {
    await expect(authenticate(await mint({ scope: 'app' }))).resolves.toEqual({
      method: 'jwt',
      keyId: KEY.appA,
      entity: { type: 'app', id: 'app_a' },
      scope: 'app',
      appId: 'app_a',
      expiresAt: undefined,
    });
  });

  it('app key + scope "appUser" + userId -> appUser scope', async () => {
    await expect(authenticate(await mint({ scope: 'appUser', userId: 'u1' }))).resolves.toEqual({
      method: 'jwt',
      keyId: KEY.appA,
      entity: { type: 'app', id: 'app_a' },
      scope: 'appUser',
      appId: 'app_a',
      userId: 'u1',
      expiresAt: undefined,
    });
  });

  it('app key + scope "user" + external_id -> appUser scope', async () => {
    const token = await mint({ scope: 'user', external_id: 'ext-42' });
    await expect(authenticate(token)).resolves.toMatchObject({
      scope: 'appUser',
      appId: 'app_a',
      userId: 'ext-42',
    });
  });

  it('user-account key + scope "account" -> account scope, accountId its own id', async () => {
    const token = await mint({ scope: 'account' }, { kid: KEY.user, secret: SECRET.user });
    await expect(authenticate(token)).resolves.toEqual({
      method: 'jwt',
      keyId: KEY.user,
      entity: { type: 'userAccount', id: 'acc_1' },
      scope: 'account',
      accountId: 'acc_1',
      expiresAt: undefined,
    });
  });

  it('service-account key + scope "account" -> account scope, the service account\'s account', async () => {
    const token = await mint({ scope: 'account' }, { kid: KEY.svc, secret: SECRET.svc });
    await expect(authenticate(token)).resolves.toEqual({
      method: 'jwt',
      keyId: KEY.svc,
      entity: { type: 'serviceAccount', id: 'svc_1' },
      scope: 'account',
      accountId: 'acc_1',
      expiresAt: undefined,
    });
  });

  it('the secret is used as UTF-8 bytes', async () => {
    const token = await mint({ scope: 'app' }, { kid: KEY.unicode, secret: SECRET.unicode });
    await expect(authenticate(token)).resolves.toMatchObject({ appId: 'app_c' });
  });

  it.each(['JWT', 'jwt', 'application/jwt', 'Application/JWT'])(
    'typ "%s" is accepted',
    async (typ) => {
      const token = await mint({ scope: 'app' }, { header: { typ } });
      await expect(authenticate(token)).resolves.toMatchObject({ scope: 'app' });
    },
  );

  it('unknown claims and registered claims (iss, aud, sub, jti) are ignored', async () => {
    const token = await new SignJWT({ scope: 'app', extra: { nested: true } })
      .setProtectedHeader({ alg: 'HS256', kid: KEY.appA })
      .setIssuer('me')
      .setAudience('you')
      .setSubject('s')
      .setJti('j')
      .setIssuedAt()
      .setNotBefore(NOW_S - 10)
      .sign(new TextEncoder().encode(SECRET.appA));
    await expect(authenticate(token)).resolves.toMatchObject({ scope: 'app' });
  });
});

describe('JWT: algorithms', () => {
  it('alg "none" is refused', async () => {
    const token = craftToken({ alg: 'none', kid: KEY.appA }, { scope: 'app' }).replace(
      /[^.]+$/,
      '',
    );
    await refuses(token, 'unsupported_algorithm');
  });

  it.each(['none', 'None', 'NONE'])('alg "%s" is refused even with a signature', async (alg) => {
    await refuses(craftToken({ alg, kid: KEY.appA }, { scope: 'app' }), 'unsupported_algorithm');
  });

  it.each(['HS384', 'HS512'] as const)('%s is refused by default', async (alg) => {
    await refuses(await mint({ scope: 'app' }, { alg }), 'unsupported_algorithm');
  });

  it('HS384 is accepted when allowed by option', async () => {
    const auth = make({ algorithms: ['HS256', 'HS384'] });
    await expect(
      authenticate(await mint({ scope: 'app' }, { alg: 'HS384' }), auth),
    ).resolves.toMatchObject({ scope: 'app' });
    await expect(authenticate(await mint({ scope: 'app' }), auth)).resolves.toMatchObject({
      scope: 'app',
    });
    await refuses(
      await mint({ scope: 'app' }, { alg: 'HS512' }),
      'unsupported_algorithm',
      undefined,
      auth,
    );
  });

  it('HS256 is refused when only HS512 is allowed', async () => {
    const auth = make({ algorithms: ['HS512'] });
    await refuses(await mint({ scope: 'app' }), 'unsupported_algorithm', undefined, auth);
    await expect(
      authenticate(await mint({ scope: 'app' }, { alg: 'HS512' }), auth),
    ).resolves.toBeDefined();
  });

  it('an HS384 signature under an HS256 header is a bad signature', async () => {
    const token = craftToken(
      { alg: 'HS256', kid: KEY.appA },
      { scope: 'app' },
      SECRET.appA,
      'sha384',
    );
    await refuses(token, 'bad_signature', KEY.appA);
  });

  it.each(['RS256', 'ES256', 'PS256', 'EdDSA', 'hs256', 'HS1', ''])(
    'alg "%s" is refused',
    async (alg) => {
      await refuses(craftToken({ alg, kid: KEY.appA }, { scope: 'app' }), 'unsupported_algorithm');
    },
  );

  it('a genuine ES256 token is refused', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ scope: 'app' })
      .setProtectedHeader({ alg: 'ES256', kid: KEY.appA })
      .sign(privateKey);
    await refuses(token, 'unsupported_algorithm');
  });

  it.each([
    ['missing', {}],
    ['a number', { alg: 256 }],
    ['an array', { alg: ['HS256'] }],
  ])('alg %s is refused', async (_l, alg) => {
    await refuses(craftToken({ kid: KEY.appA, ...alg }, { scope: 'app' }), 'unsupported_algorithm');
  });

  it.each([
    ['an empty list', []],
    ['an asymmetric algorithm', ['RS256']],
    ['none', ['none']],
  ])('the algorithms option refuses %s', (_l, algorithms) => {
    expect(() => make({ algorithms: algorithms as never })).toThrow(ConfigurationError);
  });
});

describe('JWT: kid', () => {
  it('a missing kid is refused', async () => {
    await refuses(await mint({ scope: 'app' }, { noKid: true }), 'missing_kid');
  });

  it.each([
    ['empty', ''],
    ['a number', 123],
    ['null', null],
    ['an array', [KEY.appA]],
    ['an object', { id: KEY.appA }],
    ['true', true],
  ])('a kid that is %s is refused', async (_l, kid) => {
    await refuses(craftToken({ alg: 'HS256', kid }, { scope: 'app' }), 'missing_kid');
  });

  it('an unknown kid is refused', async () => {
    await refuses(
      await mint({ scope: 'app' }, { kid: 'app_unknown' }),
      'unknown_key',
      'app_unknown',
    );
  });

  it('a kid whose case differs is an unknown key', async () => {
    const kid = KEY.appA.toUpperCase();
    await refuses(await mint({ scope: 'app' }, { kid }), 'unknown_key', kid);
  });

  it('a kid with surrounding spaces is an unknown key', async () => {
    const kid = ` ${KEY.appA}`;
    await refuses(await mint({ scope: 'app' }, { kid }), 'unknown_key', kid);
  });

  it('an unknown kid says unknown_key whatever else is wrong with the token', async () => {
    const token = await mint({ scope: 'app', exp: NOW_S - 100 }, { kid: 'app_unknown' });
    await refuses(token, 'unknown_key', 'app_unknown');
  });

  it('the kid of one key with the secret of another is a bad signature', async () => {
    await refuses(await mint({ scope: 'app' }, { kid: KEY.appB }), 'bad_signature', KEY.appB);
  });
});

describe('JWT: headers that are refused', () => {
  it.each([
    ['jwk', { kty: 'oct', k: Buffer.from(SECRET.appA).toString('base64url') }],
    ['jku', 'https://attacker.example/jwks.json'],
    ['x5u', 'https://attacker.example/cert.pem'],
    ['x5c', ['MIIB']],
    ['x5t', 'abc'],
    ['x5t#S256', 'abc'],
    ['crit', ['exp']],
  ])('a "%s" header is refused', async (name, value) => {
    const token = craftToken({ alg: 'HS256', kid: KEY.appA, [name]: value }, { scope: 'app' });
    await refuses(token, 'forbidden_header');
  });

  it('a "crit" header naming b64 is refused', async () => {
    const token = craftToken(
      { alg: 'HS256', kid: KEY.appA, b64: false, crit: ['b64'] },
      { scope: 'app' },
    );
    await refuses(token, 'forbidden_header');
  });

  it.each([
    ['at+jwt', 'at+jwt'],
    ['JOSE', 'JOSE'],
    ['JWS', 'JWS'],
    ['an empty string', ''],
    ['a number', 1],
    ['null', null],
  ])('typ %s is refused', async (_l, typ) => {
    await refuses(
      craftToken({ alg: 'HS256', kid: KEY.appA, typ }, { scope: 'app' }),
      'malformed_token',
      KEY.appA,
    );
  });
});

describe('JWT: malformed tokens', () => {
  it.each([
    ['one segment', 'abc'],
    ['two segments', 'abc.def'],
    ['four segments', 'a.b.c.d'],
    ['five segments (JWE)', 'a.b.c.d.e'],
    ['an empty header', '.eyJzY29wZSI6ImFwcCJ9.sig'],
    ['a header that is not base64url JSON', 'bm90IGpzb24.eyJzY29wZSI6ImFwcCJ9.sig'],
    ['a header that is a JSON array', `${Buffer.from('[1]').toString('base64url')}.e30.sig`],
    ['a header that is JSON null', `${Buffer.from('null').toString('base64url')}.e30.sig`],
    [
      'a header with invalid UTF-8',
      `${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.e30.sig`,
    ],
  ])('%s', async (_l, token) => {
    await refuses(token, 'malformed_token');
  });

  it.each([
    ['not JSON', 'not json'],
    ['a JSON array', '[{"scope":"app"}]'],
    ['a JSON string', '"app"'],
    ['empty', ''],
  ])('a payload that is %s is refused', async (_l, payload) => {
    const token = craftToken({ alg: 'HS256', kid: KEY.appA }, payload);
    const error = await rejection(authenticate(token));
    expectAuthError(error, refused.token('malformed_token', KEY.appA));
  });

  it('an empty signature is a bad signature', async () => {
    const token = (await mint({ scope: 'app' })).replace(/[^.]+$/, '');
    await refuses(token, 'bad_signature', KEY.appA);
  });

  it('a signature that is not base64url is refused', async () => {
    const token = (await mint({ scope: 'app' })).replace(/[^.]+$/, '%%%');
    // "%" is not token68: the header grammar refuses it first
    expectAuthError(await rejection(authenticate(token)), refused.malformed('malformed_header'));
  });
});

describe('JWT: signatures', () => {
  it('a flipped signature character is a bad signature', async () => {
    const token = await mint({ scope: 'app' });
    const sig = token.split('.')[2] as string;
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    await refuses(token.replace(/[^.]+$/, flipped), 'bad_signature', KEY.appA);
  });

  it('a token signed with the wrong key is a bad signature', async () => {
    await refuses(await mint({ scope: 'app' }, { secret: SECRET.appB }), 'bad_signature', KEY.appA);
  });

  it('a payload swapped from another token is a bad signature', async () => {
    const a = (await mint({ scope: 'app' })).split('.');
    const b = (await mint({ scope: 'appUser', userId: 'u1' })).split('.');
    await refuses(`${a[0]}.${b[1]}.${a[2]}`, 'bad_signature', KEY.appA);
  });

  it('a header re-encoded with another kid is refused', async () => {
    const [, payload, sig] = (await mint({ scope: 'app' })).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: KEY.appB })).toString(
      'base64url',
    );
    await refuses(`${header}.${payload}.${sig}`, 'bad_signature', KEY.appB);
  });

  it('a token re-encoded with alg none and no signature is refused', async () => {
    const [, payload] = (await mint({ scope: 'app' })).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: KEY.appA })).toString(
      'base64url',
    );
    await refuses(`${header}.${payload}.`, 'unsupported_algorithm');
  });

  it('a token with "=" padding added to its signature is refused', async () => {
    const token = await mint({ scope: 'app' });
    await refuses(`${token}=`, 'malformed_token', undefined);
  });

  it('a signature whose last character differs only in its unused bits is refused', async () => {
    const token = await mint({ scope: 'app' });
    const sig = token.split('.')[2] as string;
    // 32 bytes = 43 base64url characters: the last one carries 2 bits and 4 unused zero bits.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1) as string);
    const sibling = alphabet[last ^ 1] as string;
    await refuses(`${token.slice(0, -1)}${sibling}`, 'malformed_token');
  });

  it('padding inside the token breaks the header grammar (400)', async () => {
    const [h, p, sig] = (await mint({ scope: 'app' })).split('.');
    for (const token of [`${h}=.${p}.${sig}`, `${h}.${p}==.${sig}`]) {
      expectAuthError(await rejection(authenticate(token)), refused.malformed('malformed_header'));
    }
  });

  it('a signature in the base64 alphabet ("+", "/") instead of base64url is refused', async () => {
    const token = craftToken({ alg: 'HS256', kid: KEY.appA }, { scope: 'app', n: 1 });
    const sig = token.split('.')[2] as string;
    const std = sig.replaceAll('-', '+').replaceAll('_', '/');
    const modified = std === sig ? `${sig.slice(0, -1)}+` : std;
    await refuses(token.replace(/[^.]+$/, modified), 'malformed_token');
  });
});

describe('JWT: time claims', () => {
  it('exp in the past is refused', async () => {
    await refuses(await mint({ scope: 'app', exp: NOW_S - 1 }), 'token_expired', KEY.appA);
  });

  it('exp equal to now is refused', async () => {
    await refuses(await mint({ scope: 'app', exp: NOW_S }), 'token_expired', KEY.appA);
  });

  it('exp in the future is accepted and becomes expiresAt', async () => {
    const context = await authenticate(await mint({ scope: 'app', exp: NOW_S + 60 }));
    expect(context.expiresAt).toEqual(new Date(NOW + 60_000));
  });

  it('nbf in the future is refused', async () => {
    await refuses(await mint({ scope: 'app', nbf: NOW_S + 1 }), 'token_not_yet_valid', KEY.appA);
  });

  it('nbf now or in the past is accepted', async () => {
    await expect(authenticate(await mint({ scope: 'app', nbf: NOW_S }))).resolves.toBeDefined();
    await expect(
      authenticate(await mint({ scope: 'app', nbf: NOW_S - 100 })),
    ).resolves.toBeDefined();
  });

  it('iat in the future is refused', async () => {
    await refuses(await mint({ scope: 'app', iat: NOW_S + 1 }), 'token_issued_in_future', KEY.appA);
  });

  it('iat now or in the past is accepted', async () => {
    await expect(authenticate(await mint({ scope: 'app', iat: NOW_S }))).resolves.toBeDefined();
    await expect(authenticate(await mint({ scope: 'app', iat: 0 }))).resolves.toBeDefined();
  });

  describe('with a clock tolerance of 30 s', () => {
    const tolerant = make({ clockTolerance: 30 });

    it('accepts exp up to 30 s in the past', async () => {
      await expect(
        authenticate(await mint({ scope: 'app', exp: NOW_S - 29 }), tolerant),
      ).resolves.toMatchObject({ expiresAt: new Date(NOW - 29_000) });
      await refuses(
        await mint({ scope: 'app', exp: NOW_S - 30 }),
        'token_expired',
        KEY.appA,
        tolerant,
      );
    });

    it('accepts nbf up to 30 s in the future', async () => {
      await expect(
        authenticate(await mint({ scope: 'app', nbf: NOW_S + 30 }), tolerant),
      ).resolves.toBeDefined();
      await refuses(
        await mint({ scope: 'app', nbf: NOW_S + 31 }),
        'token_not_yet_valid',
        KEY.appA,
        tolerant,
      );
    });

    it('accepts iat up to 30 s in the future', async () => {
      await expect(
        authenticate(await mint({ scope: 'app', iat: NOW_S + 30 }), tolerant),
      ).resolves.toBeDefined();
      await refuses(
        await mint({ scope: 'app', iat: NOW_S + 31 }),
        'token_issued_in_future',
        KEY.appA,
        tolerant,
      );
    });

    it('the default tolerance is zero', async () => {
      await refuses(await mint({ scope: 'app', exp: NOW_S - 1 }), 'token_expired', KEY.appA);
      await refuses(await mint({ scope: 'app', nbf: NOW_S + 1 }), 'token_not_yet_valid', KEY.appA);
    });
  });

  it('a tolerance of 60 s is allowed', () => {
    expect(() => make({ clockTolerance: 60 })).not.toThrow();
    expect(() => make({ clockTolerance: 0 })).not.toThrow();
  });

  it.each([61, 60.5, -1, Number.NaN, Number.POSITIVE_INFINITY, '10' as unknown as number])(
    'a tolerance of %s throws ConfigurationError',
    (clockTolerance) => {
      expect(() => make({ clockTolerance })).toThrow(ConfigurationError);
    },
  );

  it.each([
    ['exp', '1e400', 'invalid_claims'],
    ['exp', '-1e400', 'token_expired'],
    ['nbf', '-1e400', 'invalid_claims'],
    ['nbf', '1e400', 'token_not_yet_valid'],
    ['iat', '1e400', 'invalid_claims'],
    ['iat', '-1e400', 'invalid_claims'],
  ] as const)('a non-finite %s (%s) is refused as %s', async (claim, number, reason) => {
    const token = craftToken(
      { alg: 'HS256', kid: KEY.appA },
      `{"scope":"app","${claim}":${number}}`,
    );
    await refuses(token, reason, KEY.appA);
  });

  it.each([
    ['exp', 8.64e12 + 1],
    ['exp', Number.MAX_SAFE_INTEGER],
    ['nbf', -8.64e12 - 1],
    ['iat', -Number.MAX_VALUE],
  ] as const)(
    '%s = %s, beyond the range of a Date, is refused as invalid_claims',
    async (claim, value) => {
      await refuses(await mint({ scope: 'app', [claim]: value }), 'invalid_claims', KEY.appA);
    },
  );

  it('exp at the end of the Date range is accepted, and expiresAt is a valid Date', async () => {
    const context = await authenticate(await mint({ scope: 'app', exp: 8.64e12, iat: -8.64e12 }));
    expect(context.expiresAt?.toISOString()).toBe('+275760-09-13T00:00:00.000Z');
  });

  it.each([
    ['exp', `"${NOW_S + 60}"`],
    ['nbf', `"${NOW_S - 60}"`],
    ['iat', `"${NOW_S - 60}"`],
    ['exp', 'null'],
    ['exp', 'true'],
    ['exp', `[${NOW_S + 60}]`],
  ] as const)('%s as %s is refused as invalid_claims', async (claim, value) => {
    const token = craftToken(
      { alg: 'HS256', kid: KEY.appA },
      `{"scope":"app","${claim}":${value}}`,
    );
    await refuses(token, 'invalid_claims', KEY.appA);
  });
});

describe('JWT: scopes the key cannot grant (401 scope_not_allowed)', () => {
  const user = { kid: KEY.user, secret: SECRET.user };
  const svc = { kid: KEY.svc, secret: SECRET.svc };

  it.each([
    ['app key signing "account"', { scope: 'account' }, {}],
    ['app key without scope', {}, {}],
    ['app key with scope null', { scope: null }, {}],
    ['app key with scope ["app"]', { scope: ['app'] }, {}],
    ['app key with scope "App"', { scope: 'App' }, {}],
    ['app key with scope "app account" (space-separated)', { scope: 'app account' }, {}],
    ['app key with scope "admin"', { scope: 'admin' }, {}],
    ['appUser without userId', { scope: 'appUser' }, {}],
    ['appUser with an empty userId', { scope: 'appUser', userId: '' }, {}],
    ['appUser with a numeric userId', { scope: 'appUser', userId: 42 }, {}],
    ['appUser with a null userId', { scope: 'appUser', userId: null }, {}],
    ['appUser with an object userId', { scope: 'appUser', userId: { id: 'u1' } }, {}],
    ['appUser with external_id instead of userId', { scope: 'appUser', external_id: 'u1' }, {}],
    ['user without external_id', { scope: 'user' }, {}],
    ['user with an empty external_id', { scope: 'user', external_id: '' }, {}],
    ['user with a numeric external_id', { scope: 'user', external_id: 7 }, {}],
    ['user with userId instead of external_id', { scope: 'user', userId: 'u1' }, {}],
    ['user-account key signing "app"', { scope: 'app' }, user],
    ['user-account key signing "appUser"', { scope: 'appUser', userId: 'u1' }, user],
    ['user-account key signing "user"', { scope: 'user', external_id: 'u1' }, user],
    ['user-account key without scope', {}, user],
    ['service-account key signing "app"', { scope: 'app' }, svc],
    ['service-account key signing "appUser"', { scope: 'appUser', userId: 'u1' }, svc],
  ] as const)('%s', async (_l, claims, key) => {
    const token = await mint(claims as Record<string, unknown>, key);
    const kid = 'kid' in key ? key.kid : KEY.appA;
    await refuses(token, 'scope_not_allowed', kid);
  });
});

describe('JWT: claims are read as own properties only', () => {
  it('a "__proto__" member with a scope does not grant it', async () => {
    const token = craftToken(
      { alg: 'HS256', kid: KEY.user },
      '{"__proto__":{"scope":"account"}}',
      SECRET.user,
    );
    await refuses(token, 'scope_not_allowed', KEY.user);
  });

  it('a "__proto__" member with a userId does not grant appUser', async () => {
    const token = craftToken(
      { alg: 'HS256', kid: KEY.appA },
      '{"scope":"appUser","__proto__":{"userId":"u1"}}',
    );
    await refuses(token, 'scope_not_allowed', KEY.appA);
  });

  it('a "constructor" or "__proto__" claim does not pollute prototypes', async () => {
    const token = craftToken(
      { alg: 'HS256', kid: KEY.appA },
      '{"scope":"app","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
    );
    await expect(authenticate(token)).resolves.toMatchObject({ scope: 'app' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('inherited properties are not claims (even if Object.prototype is polluted)', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    const token = await mint({}, { kid: KEY.user, secret: SECRET.user });
    const appUser = await mint({ scope: 'appUser' });
    proto.scope = 'account';
    proto.userId = 'u1';
    try {
      await refuses(token, 'scope_not_allowed', KEY.user);
      await refuses(appUser, 'scope_not_allowed', KEY.appA);
    } finally {
      delete proto.scope;
      delete proto.userId;
    }
  });

  it('inherited header parameters are not a kid', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    const token = await mint({ scope: 'app' }, { noKid: true });
    proto.kid = KEY.appA;
    try {
      await refuses(token, 'missing_kid');
    } finally {
      delete proto.kid;
    }
  });
});

describe('JWT: the key behind the token', () => {
  it('a valid token of a revoked key is refused', async () => {
    const token = await mint({ scope: 'app' }, { kid: KEY.revoked, secret: SECRET.revoked });
    await refuses(token, 'key_revoked', KEY.revoked);
  });

  it('a valid token of an expired key is refused', async () => {
    const token = await mint({ scope: 'app' }, { kid: KEY.expired, secret: SECRET.expired });
    await refuses(token, 'key_expired', KEY.expired);
  });

  it('a key scheduled for revocation works until then', async () => {
    const key = { kid: KEY.scheduled, secret: SECRET.scheduled };
    const token = await mint({ scope: 'account' }, key);
    await expect(authenticate(token)).resolves.toMatchObject({
      expiresAt: new Date(SCHEDULED_REVOCATION),
    });
    vi.setSystemTime(SCHEDULED_REVOCATION);
    await refuses(token, 'key_revoked', KEY.scheduled);
  });

  it('expiresAt is the earlier of exp and the end of the key (key first)', async () => {
    const key = { kid: KEY.scheduled, secret: SECRET.scheduled };
    const later = SCHEDULED_REVOCATION / 1000 + 3600;
    const context = await authenticate(await mint({ scope: 'account', exp: later }, key));
    expect(context.expiresAt).toEqual(new Date(SCHEDULED_REVOCATION));
  });

  it('expiresAt is the earlier of exp and the end of the key (exp first)', async () => {
    const key = { kid: KEY.scheduled, secret: SECRET.scheduled };
    const context = await authenticate(await mint({ scope: 'account', exp: NOW_S + 90 }, key));
    expect(context.expiresAt).toEqual(new Date(NOW + 90_000));
  });

  it('expiresAt is undefined when neither the token nor the key ends', async () => {
    const context = await authenticate(await mint({ scope: 'app' }));
    expect(context.expiresAt).toBeUndefined();
  });
});

describe('JWT: the work done', () => {
  const jwtVerify = vi.mocked(jose.jwtVerify);

  beforeEach(() => {
    jwtVerify.mockClear();
  });

  it('passes the algorithm allow-list, the tolerance and the clock to jose on every call', async () => {
    const auth = make({ algorithms: ['HS384', 'HS256'], clockTolerance: 5 });
    await authenticate(await mint({ scope: 'app' }), auth);
    await rejection(authenticate(await mint({ scope: 'app' }, { secret: SECRET.appB }), auth));
    expect(jwtVerify).toHaveBeenCalledTimes(2);
    for (const call of jwtVerify.mock.calls) {
      expect(call[2]).toEqual({
        algorithms: ['HS384', 'HS256'],
        clockTolerance: 5,
        currentDate: new Date(NOW),
      });
    }
  });

  it('verifies a token of an unknown kid against a throw-away key, like a bad signature', async () => {
    const error = await rejection(
      authenticate(await mint({ scope: 'app' }, { kid: 'app_unknown' })),
    );
    expectAuthError(error, refused.token('unknown_key', 'app_unknown'));
    expect(jwtVerify).toHaveBeenCalledTimes(1);
    expect((error as Error).cause).toBeInstanceOf(jose.errors.JWSSignatureVerificationFailed);
  });

  it('keeps the jose error as cause of a refusal', async () => {
    const error = await rejection(authenticate(await mint({ scope: 'app', exp: NOW_S - 1 })));
    expect((error as Error).cause).toBeInstanceOf(jose.errors.JWTExpired);
  });

  it('never asks jose about a token refused by the header checks', async () => {
    await rejection(authenticate(craftToken({ alg: 'none', kid: KEY.appA }, { scope: 'app' })));
    await rejection(authenticate(craftToken({ alg: 'HS256', kid: KEY.appA, jku: 'x' }, {})));
    await rejection(authenticate(await mint({ scope: 'app' }, { noKid: true })));
    expect(jwtVerify).not.toHaveBeenCalled();
  });
});
