/**
 * Verifies Basic credentials (`keyId:secret`) against the store. Secrets are compared as SHA-256
 * digests of a fixed size with `timingSafeEqual`, and an unknown key id goes through the same
 * hashing and comparison as a wrong secret, so timing does not tell them apart.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Refusals } from './challenge.js';
import { keyEnd, keyRefusal, lookupKey } from './internal/keys.js';
import type { AuthContext, KeyRecord, KeyStore } from './types.js';

const digests = new WeakMap<KeyRecord, Buffer>();
const UNKNOWN_KEY_DIGEST = randomBytes(32);

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function storedDigest(record: KeyRecord): Buffer {
  let digest = digests.get(record);
  if (digest === undefined) {
    digest = sha256(record.secret);
    digests.set(record, digest);
  }
  return digest;
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
export async function verifyBasic(
  keyId: string,
  secret: string,
  { store, refusals, now }: VerifyBasicOptions,
): Promise<AuthContext> {
  const record = await lookupKey(store, keyId, 'basic', refusals);
  const expected = record === undefined ? UNKNOWN_KEY_DIGEST : storedDigest(record);
  const matches = timingSafeEqual(sha256(secret), expected);
  if (record === undefined) throw refusals.invalid('basic', 'unknown_key', { keyId });
  if (!matches) throw refusals.invalid('basic', 'wrong_secret', { keyId });
  const refusal = keyRefusal(record, now);
  if (refusal !== undefined) throw refusals.invalid('basic', refusal, { keyId });
  return contextForKey(record, 'basic');
}

/** The context a key grants on its own: `app` scope for an app key, `account` for the others. */
export function contextForKey(record: KeyRecord, method: 'basic' | 'jwt'): AuthContext {
  const end = keyEnd(record);
  const expiresAt = end === undefined ? undefined : new Date(end);
  const entity = record.entity;
  if (entity.type === 'app') {
    return { method, keyId: record.id, entity, scope: 'app', appId: entity.id, expiresAt };
  }
  const accountId = record.accountId ?? (entity.type === 'userAccount' ? entity.id : undefined);
  return { method, keyId: record.id, entity, scope: 'account', accountId, expiresAt };
}
