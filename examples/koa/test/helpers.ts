/**
 * Test support for the Koa example: a keys document with secrets made fresh for each test run,
 * and the two kinds of credential (a Basic header, a JWT minted with jose). Nothing here is a real
 * secret, and nothing is committed but this code.
 */
import { randomBytes } from 'node:crypto';
import type { EntityType, KeysDocument } from '@keyscope/core';
import { type JWTPayload, SignJWT } from 'jose';

/** A key of the test document. */
export interface TestKey {
  readonly id: string;
  readonly secret: string;
  readonly entity: { readonly type: EntityType; readonly id: string };
}

const key = (prefix: string, type: EntityType, id: string): TestKey => ({
  id: `${prefix}_${randomBytes(12).toString('hex')}`,
  secret: `test-secret-${randomBytes(16).toString('hex')}`,
  entity: { type, id },
});

/**
 * Makes the test keys: app_a and app_b of acc_1, app_c of acc_2, the service account svc_1 of
 * acc_1 granted app_a, and a key for each, plus a revoked and an expired key of app_a.
 *
 * @example
 * ```ts
 * const { document, keys } = createTestKeys();
 * const app = createApp({ store: createMemoryStore(document) });
 * ```
 */
export function createTestKeys() {
  const keys = {
    appA: key('app', 'app', 'app_a'),
    appB: key('app', 'app', 'app_b'),
    appC: key('app', 'app', 'app_c'),
    account: key('act', 'userAccount', 'acc_1'),
    service: key('svc', 'serviceAccount', 'svc_1'),
    revoked: key('app', 'app', 'app_a'),
    expired: key('app', 'app', 'app_a'),
  };
  const document: KeysDocument = {
    version: 1,
    apps: [
      { id: 'app_a', accountId: 'acc_1' },
      { id: 'app_b', accountId: 'acc_1' },
      { id: 'app_c', accountId: 'acc_2' },
    ],
    serviceAccounts: [{ id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] }],
    keys: [
      keys.appA,
      keys.appB,
      keys.appC,
      keys.account,
      keys.service,
      { ...keys.revoked, revokedAt: '2020-01-01T00:00:00Z' },
      { ...keys.expired, expiresAt: '2020-01-01T00:00:00Z' },
    ],
  };
  return { document, keys };
}

/**
 * The `Authorization` value for HTTP Basic with a key.
 *
 * @example
 * ```ts
 * await request(app).get('/v2/apps/app_a').set('Authorization', basic(keys.appA));
 * ```
 */
export function basic(key: Pick<TestKey, 'id' | 'secret'>): string {
  return `Basic ${Buffer.from(`${key.id}:${key.secret}`, 'utf8').toString('base64')}`;
}

/**
 * The `Authorization` value for a Bearer JWT signed HS256 with the key's secret, `kid` = key id,
 * expiring in ten minutes unless the claims carry their own `exp`.
 *
 * @example
 * ```ts
 * const auth = await bearer(keys.appA, { scope: 'appUser', userId: 'user_1' });
 * ```
 */
export async function bearer(
  key: Pick<TestKey, 'id' | 'secret'>,
  claims: JWTPayload,
  secret: string = key.secret,
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: key.id, typ: 'JWT' })
    .setIssuedAt();
  if (claims.exp === undefined) jwt.setExpirationTime('10m');
  const token = await jwt.sign(new TextEncoder().encode(secret));
  return `Bearer ${token}`;
}

/** The challenges of the default realm, as the contract's section 4 spells them. */
export const CHALLENGE = {
  both: 'Basic realm="keyscope", charset="UTF-8", Bearer realm="keyscope"',
  invalidToken:
    'Basic realm="keyscope", charset="UTF-8", Bearer realm="keyscope", error="invalid_token"',
  invalidRequest: 'Bearer realm="keyscope", error="invalid_request"',
  insufficientScope: (scope: string) =>
    `Bearer realm="keyscope", error="insufficient_scope", scope="${scope}"`,
} as const;
