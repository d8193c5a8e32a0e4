/**
 * Steps shared by Basic and Bearer verification: looking a key up (a store failure becomes a 503,
 * never a pass), deciding whether the key is still usable, and the scope a key grants by itself.
 */
import type { Refusals } from '../challenge.js';
import type { CredentialMethod, RejectionReason } from '../errors.js';
import type { KeyRecord, KeyStore } from '../types.js';

const ENTITY_TYPES = new Set<unknown>(['app', 'userAccount', 'serviceAccount']);

/** Finds a key; any store failure or malformed answer is a `StoreUnavailableError`. */
export async function lookupKey(
  store: KeyStore,
  keyId: string,
  method: CredentialMethod,
  refuse: Refusals,
): Promise<KeyRecord | undefined> {
  let record: KeyRecord | undefined;
  try {
    record = await store.findKey(keyId);
  } catch (cause) {
    throw refuse.unavailable(method, { keyId, cause });
  }
  if (record === undefined || record === null) return undefined;
  if (
    typeof record !== 'object' ||
    record.id !== keyId ||
    typeof record.secret !== 'string' ||
    record.secret.length === 0 ||
    typeof record.entity !== 'object' ||
    record.entity === null ||
    typeof record.entity.id !== 'string' ||
    !ENTITY_TYPES.has(record.entity.type)
  ) {
    // A store that answers with something else than the key asked for cannot be trusted.
    throw refuse.unavailable(method, {
      keyId,
      cause: new TypeError('store returned a malformed key'),
    });
  }
  return record;
}

/** Why a found key may not be used at `now` (ms), or `undefined` when it may. */
export function keyRefusal(record: KeyRecord, now: number): RejectionReason | undefined {
  if (record.revokedAt !== undefined && !(record.revokedAt.getTime() > now)) return 'key_revoked';
  if (record.expiresAt !== undefined && !(record.expiresAt.getTime() > now)) return 'key_expired';
  return undefined;
}

/** When the key stops working: the earlier of its expiry and a scheduled revocation. */
export function keyEnd(record: KeyRecord): number | undefined {
  const a = record.expiresAt?.getTime();
  const b = record.revokedAt?.getTime();
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
