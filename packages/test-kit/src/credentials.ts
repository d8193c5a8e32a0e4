/**
 * Builders for the `Authorization` values tests send: Basic credentials, Bearer tokens signed at
 * test time with jose's `SignJWT`, and raw-crafted tokens for what jose refuses to sign on purpose
 * (`alg: none`, a `crit` header, a key embedded in the header...).
 */
import { createHmac } from 'node:crypto';
import { type JWTHeaderParameters, type JWTPayload, SignJWT } from 'jose';
import type { TestKey } from './fixture.js';

/**
 * An `Authorization: Basic` value for a key id and secret (RFC 7617, UTF-8).
 *
 * @example
 * ```ts
 * request(app).get('/v2/whoami').set('Authorization', basic(key.id, key.secret));
 * ```
 */
export function basic(keyId: string, secret: string): string {
  return `Basic ${Buffer.from(`${keyId}:${secret}`, 'utf8').toString('base64')}`;
}

/**
 * An `Authorization: Bearer` value for a token.
 *
 * @example
 * ```ts
 * bearer(await token(keys.appA, { scope: 'app' })); // 'Bearer eyJ...'
 * ```
 */
export function bearer(jwt: string): string {
  return `Bearer ${jwt}`;
}

/** Claims of a test token; `iat` and `exp` may be overridden or removed (`undefined`). */
export type TokenClaims = JWTPayload & Record<string, unknown>;

/**
 * Signs a JWT with a key's secret (HS256 by default). Defaults: `kid` = the key id, `typ: JWT`,
 * `iat` = now, `exp` = now + 5 minutes; a claim or header given as `undefined` is left out.
 *
 * @example
 * ```ts
 * const jwt = await token(keys.appA, { scope: 'appUser', userId: 'u_1' });
 * const expired = await token(keys.appA, { scope: 'app', exp: now - 60 });
 * const noKid = await token(keys.appA, { scope: 'app' }, { kid: undefined });
 * ```
 */
export async function token(
  key: TestKey,
  claims: TokenClaims,
  header: Partial<Record<keyof JWTHeaderParameters, unknown>> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = defined({ iat: now, exp: now + 300, ...claims });
  const protectedHeader = defined({ alg: 'HS256', typ: 'JWT', kid: key.id, ...header });
  return new SignJWT(payload)
    .setProtectedHeader(protectedHeader as unknown as JWTHeaderParameters)
    .sign(new TextEncoder().encode(key.secret));
}

/**
 * A token crafted by hand, for headers jose will not sign: `alg: none` (empty signature), `crit`,
 * `jwk`... Signed with HMAC-SHA256 over the key's secret unless `signature` is given.
 *
 * @example
 * ```ts
 * const none = rawToken({ alg: 'none', kid: key.id }, { scope: 'app' }, { signature: '' });
 * const crit = rawToken({ alg: 'HS256', kid: key.id, crit: ['exp'] }, { scope: 'app' }, { key });
 * ```
 */
export function rawToken(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  options: { readonly key?: TestKey; readonly signature?: string } = {},
): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part), 'utf8').toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const signature =
    options.signature ??
    createHmac('sha256', options.key?.secret ?? '')
      .update(input)
      .digest('base64url');
  return `${input}.${signature}`;
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
