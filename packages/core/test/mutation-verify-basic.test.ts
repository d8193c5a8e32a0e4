/**
 * Tests added for mutation testing (`pnpm mutation`) of `verify-basic.ts` (and the same case for
 * `verify-token.ts`): a store may change a record's secret in place (a driver reusing objects);
 * from then on the new secret opens the key and the old one does not, however the digest or the
 * imported HMAC key of the old secret was cached.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator, type KeyRecord, type KeyStore } from '../src/index.js';
import { basic, bearer, expectAuthError, refused, rejection } from './support/fixtures.js';

const ID = 'app_mutable_000000000000000001';
const OLD = 'demo-old-secret-not-for-production';
const NEW = 'demo-new-secret-not-for-production';

function mutableStore(): {
  store: KeyStore;
  record: { -readonly [K in keyof KeyRecord]: KeyRecord[K] };
} {
  const record = {
    id: ID,
    secret: OLD,
    entity: { type: 'app' as const, id: 'app_a' },
    accountId: 'acc_1',
  };
  return {
    record,
    store: {
      findKey: async (id) => (id === ID ? record : undefined),
      appsFor: async () => ['app_a'],
    },
  };
}

const token = (secret: string) =>
  new SignJWT({ scope: 'app' })
    .setProtectedHeader({ alg: 'HS256', kid: ID })
    .sign(new TextEncoder().encode(secret));

describe('a secret changed in place on the same record', () => {
  it('Basic: the new secret opens the key, the old one no longer does', async () => {
    const { store, record } = mutableStore();
    const auth = createAuthenticator({ store });
    expect((await auth.authenticate({ authorization: basic(ID, OLD) })).keyId).toBe(ID);
    record.secret = NEW;
    expectAuthError(
      await rejection(auth.authenticate({ authorization: basic(ID, OLD) })),
      refused.basic('wrong_secret', ID),
    );
    expect((await auth.authenticate({ authorization: basic(ID, NEW) })).keyId).toBe(ID);
  });

  it('JWT: a token signed with the new secret verifies, one signed with the old does not', async () => {
    const { store, record } = mutableStore();
    const auth = createAuthenticator({ store, tokenCache: false });
    const old = bearer(await token(OLD));
    expect((await auth.authenticate({ authorization: old })).keyId).toBe(ID);
    record.secret = NEW;
    expectAuthError(
      await rejection(auth.authenticate({ authorization: old })),
      refused.token('bad_signature', ID),
    );
    expect((await auth.authenticate({ authorization: bearer(await token(NEW)) })).keyId).toBe(ID);
  });
});
