/**
 * Tests of `signToken`: every token it mints for an allowed key/scope pair authenticates through
 * the real verifier with the expected context; the header carries alg, kid and typ JWT; iat and exp
 * (15 minutes by default) are set; and it refuses, with typed errors, exactly what the verifier
 * would refuse (contract section 2): scopes the key cannot grant, appUser without a userId,
 * non-positive lifetimes, other algorithms, revoked or expired keys, malformed keys.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createAuthenticator,
  createMemoryStore,
  DEFAULT_TOKEN_LIFETIME,
  InvalidArgumentError,
  KeyNotUsableError,
  type KeyRecord,
  type Scope,
  ScopeNotAllowedError,
  type SignTokenOptions,
  signToken,
} from '../src/index.js';

const SECRETS = {
  app: 'demo-app-a-secret-not-for-production',
  account: 'demo-account-secret-not-for-production',
  service: 'demo-service-secret-not-for-production',
};
const store = createMemoryStore({
  version: 1,
  apps: [{ id: 'app_a', accountId: 'acc_1' }],
  serviceAccounts: [{ id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] }],
  keys: [
    { id: 'app_k', secret: SECRETS.app, entity: { type: 'app', id: 'app_a' } },
    { id: 'act_k', secret: SECRETS.account, entity: { type: 'userAccount', id: 'acc_1' } },
    { id: 'svc_k', secret: SECRETS.service, entity: { type: 'serviceAccount', id: 'svc_1' } },
  ],
});
const authenticator = createAuthenticator({ store, algorithms: ['HS256', 'HS384', 'HS512'] });
const key = async (id: string) => (await store.findKey(id)) as KeyRecord;
const verify = (token: string) => authenticator.authenticate({ authorization: `Bearer ${token}` });

afterEach(() => {
  vi.useRealTimers();
});

describe('signToken: tokens the verifier accepts', () => {
  it('app key, app scope', async () => {
    const token = await signToken({ key: await key('app_k'), scope: 'app' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', kid: 'app_k', typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'scope']);
    expect(claims.exp! - claims.iat!).toBe(DEFAULT_TOKEN_LIFETIME);
    expect(await verify(token)).toMatchObject({
      method: 'jwt',
      keyId: 'app_k',
      scope: 'app',
      appId: 'app_a',
    });
  });

  it('app key, appUser scope with a userId', async () => {
    const token = await signToken({ key: await key('app_k'), scope: 'appUser', userId: 'u 1' });
    expect(decodeJwt(token)).toMatchObject({ scope: 'appUser', userId: 'u 1' });
    expect(await verify(token)).toMatchObject({ scope: 'appUser', appId: 'app_a', userId: 'u 1' });
  });

  it.each([
    ['act_k', 'acc_1'],
    ['svc_k', 'acc_1'],
  ])('%s, account scope', async (id, accountId) => {
    const token = await signToken({ key: await key(id), scope: 'account' });
    expect(await verify(token)).toMatchObject({ scope: 'account', accountId, keyId: id });
  });

  it.each(['HS384', 'HS512'] as const)('signs with %s on request', async (algorithm) => {
    const token = await signToken({ key: await key('app_k'), scope: 'app', algorithm });
    expect(decodeProtectedHeader(token).alg).toBe(algorithm);
    expect(await verify(token)).toMatchObject({ scope: 'app' });
  });

  it.each([
    [60, 60],
    [0.2, 1],
    ['45s', 45],
    ['15m', 900],
    [' 12h ', 43200],
    ['7d', 604800],
  ])('expiresIn %j lasts %i s', async (expiresIn, seconds) => {
    const claims = decodeJwt(await signToken({ key: await key('app_k'), scope: 'app', expiresIn }));
    expect(claims.exp! - claims.iat!).toBe(seconds);
  });

  it('sets iat to now and the token stops working at exp', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const token = await signToken({ key: await key('app_k'), scope: 'app', expiresIn: '1m' });
    expect(decodeJwt(token).iat).toBe(Date.parse('2030-01-01T00:00:00Z') / 1000);
    await expect(verify(token)).resolves.toMatchObject({ scope: 'app' });
    vi.setSystemTime(new Date('2030-01-01T00:01:00Z'));
    await expect(verify(token)).rejects.toMatchObject({ status: 401, reason: 'token_expired' });
  });

  it('accepts a key whose revocation is scheduled later, and a plain key object', async () => {
    const later = new Date(Date.now() + 60_000);
    const token = await signToken({
      key: {
        id: 'app_k',
        secret: SECRETS.app,
        entity: { type: 'app' },
        revokedAt: later,
        expiresAt: later,
      },
      scope: 'app',
    });
    expect(await verify(token)).toMatchObject({ scope: 'app' });
  });
});

describe('signToken: refuses what the verifier refuses', () => {
  async function refusal(options: Partial<SignTokenOptions>): Promise<Error> {
    try {
      await signToken(options as SignTokenOptions);
    } catch (error) {
      return error as Error;
    }
    throw new Error('signToken did not refuse');
  }

  it.each([
    ['app_k', 'account', 'an app key can sign "app" or "appUser" tokens, not "account"'],
    ['app_k', 'user', 'an app key can sign "app" or "appUser" tokens, not "user"'],
    ['act_k', 'app', 'a user-account key can sign "account" tokens only, not "app"'],
    ['act_k', 'appUser', 'a user-account key can sign "account" tokens only, not "appUser"'],
    ['svc_k', 'app', 'a service-account key can sign "account" tokens only, not "app"'],
    ['svc_k', 'admin', 'a service-account key can sign "account" tokens only, not "admin"'],
    ['svc_k', undefined, 'a service-account key can sign "account" tokens only, not "undefined"'],
  ])('%s with scope %s: ScopeNotAllowedError', async (id, scope, message) => {
    const error = await refusal({ key: await key(id), scope: scope as Scope, userId: undefined });
    expect(error).toBeInstanceOf(ScopeNotAllowedError);
    expect(error).toMatchObject({ code: 'ERR_SCOPE_NOT_ALLOWED', message });
  });

  it.each([
    [{ scope: 'appUser' }, 'an appUser token needs a non-empty userId'],
    [{ scope: 'appUser', userId: '' }, 'an appUser token needs a non-empty userId'],
    [{ scope: 'appUser', userId: 42 }, 'an appUser token needs a non-empty userId'],
    [{ scope: 'app', userId: 'u1' }, 'userId is only for appUser tokens, not "app"'],
    [{ scope: 'app', expiresIn: 0 }, 'expiresIn must be a positive number'],
    [{ scope: 'app', expiresIn: -5 }, 'expiresIn must be a positive number'],
    [{ scope: 'app', expiresIn: Number.POSITIVE_INFINITY }, 'expiresIn must be a positive number'],
    [{ scope: 'app', expiresIn: Number.NaN }, 'expiresIn must be a positive number'],
    [{ scope: 'app', expiresIn: '0m' }, 'expiresIn must be a positive number'],
    [{ scope: 'app', expiresIn: '15x' }, 'expiresIn must be a positive number'],
    [{ scope: 'app', expiresIn: '-1h' }, 'expiresIn must be a positive number'],
    [{ scope: 'app', expiresIn: true }, 'expiresIn must be a positive number'],
    [{ scope: 'app', algorithm: 'none' }, 'algorithm must be HS256, HS384 or HS512'],
    [{ scope: 'app', algorithm: 'RS256' }, 'algorithm must be HS256, HS384 or HS512'],
  ])('%j: InvalidArgumentError', async (options, message) => {
    const error = await refusal({ key: await key('app_k'), ...(options as object) });
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it.each([
    [undefined, 'key must be an object with id, secret and entity'],
    [null, 'key must be an object with id, secret and entity'],
    [{ id: '', secret: 's', entity: { type: 'app' } }, 'key.id must be a non-empty string'],
    [{ id: 7, secret: 's', entity: { type: 'app' } }, 'key.id must be a non-empty string'],
    [{ id: 'a\nb', secret: 's', entity: { type: 'app' } }, 'key.id must be a non-empty string'],
    // The verifier treats an id over 256 characters as unknown: no token is signed for it.
    [
      { id: 'k'.repeat(257), secret: 's', entity: { type: 'app' } },
      'key.id must be a non-empty string of at most 256 characters without control characters',
    ],
    [{ id: 'k', secret: '', entity: { type: 'app' } }, 'key.secret must be a non-empty string'],
    [{ id: 'k', entity: { type: 'app' } }, 'key.secret must be a non-empty string'],
    [{ id: 'k', secret: 's' }, 'key.entity.type must be'],
    [{ id: 'k', secret: 's', entity: { type: 'account' } }, 'key.entity.type must be'],
  ])('key %j: InvalidArgumentError', async (bad, message) => {
    const error = await refusal({ key: bad as KeyRecord, scope: 'app' });
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('refuses a missing options object', async () => {
    await expect(signToken(undefined as unknown as SignTokenOptions)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it.each([
    ['revokedAt', 'revoked'],
    ['expiresAt', 'expired'],
  ] as const)('refuses a key whose %s has passed (KeyNotUsableError)', async (field, state) => {
    const record = { ...(await key('app_k')), [field]: new Date(Date.now() - 1) };
    const error = await refusal({ key: record, scope: 'app' });
    expect(error).toBeInstanceOf(KeyNotUsableError);
    expect(error).toMatchObject({
      code: 'ERR_KEY_NOT_USABLE',
      message: `key "app_k" is ${state}`,
      keyId: 'app_k',
    });
  });

  it('never puts the secret in a message', async () => {
    const errors = await Promise.all([
      refusal({ key: await key('app_k'), scope: 'account' }),
      refusal({ key: await key('app_k'), scope: 'appUser' }),
      refusal({ key: { ...(await key('app_k')), revokedAt: new Date(0) }, scope: 'app' }),
    ]);
    for (const error of errors) expect(error.message).not.toContain(SECRETS.app);
  });
});
