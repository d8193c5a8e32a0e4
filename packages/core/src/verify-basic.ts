/**
 * Verifies Basic credentials (`keyId:secret`) against the store. Secrets are compared as SHA-256
 * digests of a fixed size with `timingSafeEqual`, and an unknown key id goes through the same
 * hashing and comparison as a wrong secret, so timing does not tell them apart.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Refusals } from './challenge.js';
import { keyRefusal, lookupKey } from './internal/keys.js';
import { keyEnd } from './rules/key-state.js';
import { accountOf, keyScope } from './rules/records.js';
import type { AuthContext, KeyRecord, KeyStore } from './types.js';

/** Per record: the digest of its secret, and the secret it was computed from. */
const digests = new WeakMap<KeyRecord, { readonly secret: string; readonly digest: Buffer }>();
const UNKNOWN_KEY_DIGEST = randomBytes(32);

/** SHA-256 of the UTF-8 bytes of `text`, in one call (no Hash object). */
function sha256(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}

/** The digest of a record's secret, computed once per record (again if its secret changed). */
function storedDigest(record: KeyRecord): Buffer {
  let stored = digests.get(record);
  if (stored === undefined || stored.secret !== record.secret) {
    stored = { secret: record.secret, digest: sha256(record.secret) };
    digests.set(record, stored);
  }
  return stored.digest;
}

/** What {@link verifyBasic} needs besides the credentials. */
export interface VerifyBasicOptions {
  readonly store: KeyStore;
  readonly refusals: Refusals;
  readonly now: number;
}

/**
 * Checks Basic credentials and resolves key -> entity -> scope: an app key gets `app` scope, an
 * account key `account` scope. Basic never yields `appUser` scope.
 *
 * @throws {InvalidCredentialsError} unknown key, wrong secret, revoked or expired key.
 * @throws {StoreUnavailableError} the store could not answer.
 */
export function verifyBasic(
  keyId: string,
  secret: string,
  { store, refusals, now }: VerifyBasicOptions,
): Promise<AuthContext> {
  return lookupKey(store, keyId, 'basic', refusals).then((record) => {
    const expected = record === undefined ? UNKNOWN_KEY_DIGEST : storedDigest(record);
    const matches = timingSafeEqual(sha256(secret), expected);
    if (record === undefined) throw refusals.invalid('basic', 'unknown_key', { keyId });
    if (!matches) throw refusals.invalid('basic', 'wrong_secret', { keyId });
    const refusal = keyRefusal(record, now);
    if (refusal !== undefined) throw refusals.invalid('basic', refusal, { keyId });
    return contextForKey(record, 'basic');
  });
}

/** The context a key grants on its own: `app` scope for an app key, `account` for the others. */
export function contextForKey(record: KeyRecord, method: 'basic' | 'jwt'): AuthContext {
  const end = keyEnd(record);
  const expiresAt = end === undefined ? undefined : new Date(end);
  const entity = record.entity;
  if (keyScope(entity.type) === 'app') {
    return { method, keyId: record.id, entity, scope: 'app', appId: entity.id, expiresAt };
  }
  return {
    method,
    keyId: record.id,
    entity,
    scope: 'account',
    accountId: accountOf(record),
    expiresAt,
  };
}
