/**
 * Shared fixtures of the core tests: a keys document with one key of every kind (app, user
 * account, service account, revoked, expired, scheduled for revocation), demo secrets that are
 * minted here and nowhere else, helpers that build Basic headers and sign JWTs at test time, the
 * exact `WWW-Authenticate` values of the contract (written out, not computed by the code under
 * test), and an assertion for refusals.
 */
import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { expect } from 'vitest';
import {
  AuthError,
  type AuthErrorCode,
  type KeysDocument,
  type RejectionReason,
} from '../../src/index.js';

/** The instant the tests freeze the clock at (with `vi.setSystemTime`). */
export const NOW = Date.parse('2030-06-01T00:00:00Z');
export const NOW_S = NOW / 1000;

/** Demo secrets: obviously not for production, generated for the tests only. */
export const SECRET = {
  appA: 'demo-app-a-secret-not-for-production',
  appB: 'demo-app-b-secret-not-for-production',
  appC: 'demo-app-c-secret-not-for-production',
  user: 'demo-user-account-secret-not-for-production',
  svc: 'demo-service-account-secret-not-for-production',
  revoked: 'demo-revoked-secret-not-for-production',
  expired: 'demo-expired-secret-not-for-production',
  scheduled: 'demo-scheduled-secret-not-for-production',
  colons: 'demo:secret:with:colons-not-for-production',
  unicode: 'demo-ünïcødé-sécret-not-for-production-✓',
} as const;

/** Key ids, case-sensitive. */
export const KEY = {
  appA: 'app_65f0c1d2e3f4a5b6c7d8e9f0',
  appB: 'app_65f0c1d2e3f4a5b6c7d8e9fb',
  appC: 'app_65f0c1d2e3f4a5b6c7d8e9fc',
  user: 'act_65f0c1d2e3f4a5b6c7d8e9f1',
  svc: 'svc_65f0c1d2e3f4a5b6c7d8e9f2',
  revoked: 'app_revoked_0000000000000001',
  expired: 'app_expired_0000000000000002',
  scheduled: 'svc_scheduled_000000000000003',
  colons: 'app_colons_00000000000000004',
  unicode: 'app_unicode_0000000000000005',
} as const;

/** Past the scheduled key's revocation (`2030-07-01`), before its expiry (`2031-01-01`). */
export const SCHEDULED_REVOCATION = Date.parse('2030-07-01T00:00:00Z');
export const SCHEDULED_EXPIRY = Date.parse('2031-01-01T00:00:00Z');

/** A fresh keys document (format version 1) with one key of every kind. */
export function keysDocument(): KeysDocument {
  return {
    version: 1,
    apps: [
      { id: 'app_a', accountId: 'acc_1' },
      { id: 'app_b', accountId: 'acc_1' },
      { id: 'app_c', accountId: 'acc_2' },
    ],
    serviceAccounts: [{ id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] }],
    keys: [
      { id: KEY.appA, secret: SECRET.appA, entity: { type: 'app', id: 'app_a' } },
      { id: KEY.appB, secret: SECRET.appB, entity: { type: 'app', id: 'app_b' } },
      { id: KEY.appC, secret: SECRET.appC, entity: { type: 'app', id: 'app_c' } },
      { id: KEY.user, secret: SECRET.user, entity: { type: 'userAccount', id: 'acc_1' } },
      {
        id: KEY.svc,
        secret: SECRET.svc,
        entity: { type: 'serviceAccount', id: 'svc_1' },
        displayName: 'CI',
        expiresAt: null,
        revokedAt: null,
      },
      {
        id: KEY.revoked,
        secret: SECRET.revoked,
        entity: { type: 'app', id: 'app_a' },
        revokedAt: '2030-01-01T00:00:00Z',
      },
      {
        id: KEY.expired,
        secret: SECRET.expired,
        entity: { type: 'app', id: 'app_a' },
        createdAt: '2029-01-01T00:00:00Z',
        expiresAt: '2030-03-01T00:00:00.000+00:00',
      },
      {
        id: KEY.scheduled,
        secret: SECRET.scheduled,
        entity: { type: 'serviceAccount', id: 'svc_1' },
        revokedAt: '2030-07-01T00:00:00Z',
        expiresAt: '2031-01-01T00:00:00Z',
      },
      { id: KEY.colons, secret: SECRET.colons, entity: { type: 'app', id: 'app_b' } },
      { id: KEY.unicode, secret: SECRET.unicode, entity: { type: 'app', id: 'app_c' } },
    ],
  };
}

/** `Basic base64(keyId:secret)` of UTF-8 text. */
export function basic(keyId: string, secret: string): string {
  return `Basic ${Buffer.from(`${keyId}:${secret}`, 'utf8').toString('base64')}`;
}

/** Base64 of raw bytes, as a Basic credential (for crafting invalid UTF-8). */
export function basicBytes(bytes: Uint8Array | readonly number[]): string {
  return `Basic ${Buffer.from(bytes as Uint8Array).toString('base64')}`;
}

export interface MintOptions {
  readonly kid?: string | undefined;
  readonly alg?: 'HS256' | 'HS384' | 'HS512';
  readonly secret?: string;
  /** Extra protected header parameters. */
  readonly header?: Record<string, unknown>;
  /** Leave `kid` out of the header. */
  readonly noKid?: boolean;
}

/** Signs a JWT with jose, now, with the given key's secret (default: app A). */
export async function mint(claims: Record<string, unknown>, options: MintOptions = {}) {
  const alg = options.alg ?? 'HS256';
  const header: Record<string, unknown> = { alg, ...(options.header ?? {}) };
  if (!options.noKid) header.kid = options.kid ?? KEY.appA;
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .sign(new TextEncoder().encode(options.secret ?? SECRET.appA));
}

/**
 * Builds a JWS compact token from raw header and payload text (or objects), HMAC-signed with
 * node:crypto: for tokens jose would refuse to sign (`crit`, `1e400`, odd headers).
 */
export function craftToken(
  header: string | Record<string, unknown>,
  payload: string | Record<string, unknown>,
  secret: string = SECRET.appA,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const encode = (part: string | Record<string, unknown>) =>
    Buffer.from(typeof part === 'string' ? part : JSON.stringify(part), 'utf8').toString(
      'base64url',
    );
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

export const bearer = (token: string) => `Bearer ${token}`;

/** The exact `WWW-Authenticate` values of the contract, for the default realm. */
export const CHALLENGE = {
  both: 'Basic realm="keyscope", charset="UTF-8", Bearer realm="keyscope"',
  invalidToken:
    'Basic realm="keyscope", charset="UTF-8", Bearer realm="keyscope", error="invalid_token"',
  invalidRequest: 'Bearer realm="keyscope", error="invalid_request"',
  insufficientScope: (scope: string) =>
    `Bearer realm="keyscope", error="insufficient_scope", scope="${scope}"`,
} as const;

export interface Expected {
  readonly status: number;
  readonly code: AuthErrorCode;
  readonly reason: RejectionReason;
  /** The exact `WWW-Authenticate` value, or `undefined` when there must be none. */
  readonly wwwAuthenticate: string | undefined;
  readonly name?: string;
  readonly keyId?: string | undefined;
}

/** Asserts an `AuthError` with exactly this status, code, reason and challenge. */
export function expectAuthError(error: unknown, expected: Expected): AuthError {
  expect(error).toBeInstanceOf(AuthError);
  const e = error as AuthError;
  expect({
    status: e.status,
    code: e.code,
    reason: e.reason,
    wwwAuthenticate: e.headers['WWW-Authenticate'],
  }).toEqual({
    status: expected.status,
    code: expected.code,
    reason: expected.reason,
    wwwAuthenticate: expected.wwwAuthenticate,
  });
  expect(e.toBody().errors[0].code).toBe(expected.code);
  if (expected.name !== undefined) expect(e.name).toBe(expected.name);
  if ('keyId' in expected) expect(e.keyId).toBe(expected.keyId);
  return e;
}

/** Awaits a promise that must reject, and returns the rejection. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** Calls a function that must throw, and returns what it threw. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but the function returned');
}

/** Shorthands for the common refusals. */
export const refused = {
  malformed: (reason: RejectionReason): Expected => ({
    status: 400,
    code: 'bad_request',
    reason,
    wwwAuthenticate: CHALLENGE.invalidRequest,
    name: 'MalformedAuthorizationError',
  }),
  required: (reason: RejectionReason): Expected => ({
    status: 401,
    code: 'unauthorized',
    reason,
    wwwAuthenticate: CHALLENGE.both,
    name: 'CredentialsRequiredError',
  }),
  basic: (reason: RejectionReason, keyId?: string): Expected => ({
    status: 401,
    code: 'unauthorized',
    reason,
    wwwAuthenticate: CHALLENGE.both,
    name: 'InvalidCredentialsError',
    ...(keyId === undefined ? {} : { keyId }),
  }),
  token: (reason: RejectionReason, keyId?: string): Expected => ({
    status: 401,
    code: 'unauthorized',
    reason,
    wwwAuthenticate: CHALLENGE.invalidToken,
    name: 'InvalidCredentialsError',
    ...(keyId === undefined ? {} : { keyId }),
  }),
  forbidden: (reason: RejectionReason, scope: string, method: 'basic' | 'jwt'): Expected => ({
    status: 403,
    code: 'forbidden',
    reason,
    wwwAuthenticate: method === 'jwt' ? CHALLENGE.insufficientScope(scope) : undefined,
    name: 'ForbiddenError',
  }),
  unavailable: (): Expected => ({
    status: 503,
    code: 'service_unavailable',
    reason: 'store_unavailable',
    wwwAuthenticate: undefined,
    name: 'StoreUnavailableError',
  }),
} as const;
