/**
 * Steps shared by Basic and Bearer verification: looking a key up (a store failure becomes a 503,
 * never a pass), deciding whether the key is still usable, and the scope a key grants by itself.
 */
import type { Refusals } from '../challenge.js';
import type { CredentialMethod, RejectionReason } from '../errors.js';
import { isValidDate } from '../rules/arguments.js';
import { isEntityType, isId } from '../rules/identifiers.js';
import { type KeyState, keyStateAt } from '../rules/key-state.js';
import type { KeyRecord, KeyStore } from '../types.js';

const NOT_FOUND: Promise<undefined> = Promise.resolve(undefined);

/**
 * Finds a key; any store failure or malformed answer is a `StoreUnavailableError`. An id that
 * breaks the key-id rule (1 to 256 characters, no control characters) is unknown without a
 * lookup. One promise
 * step on top of the store's own (no async wrapper): this runs on every request.
 */
export function lookupKey(
  store: KeyStore,
  keyId: string,
  method: CredentialMethod,
  refuse: Refusals,
): Promise<KeyRecord | undefined> {
  // An id no store can hold is unknown without asking: a hostile id never reaches a database.
  if (!isId(keyId)) return NOT_FOUND;
  let answer: Promise<unknown>;
  try {
    // Promise.resolve returns a native promise as it is; a synchronous answer is wrapped.
    answer = Promise.resolve(store.findKey(keyId));
  } catch (cause) {
    return Promise.reject(refuse.unavailable(method, { keyId, cause }));
  }
  return answer.then(
    (record) => {
      if (record === undefined || record === null) return undefined;
      if (!isKeyRecord(record, keyId)) {
        // A store that answers with something else than the key asked for cannot be trusted.
        throw refuse.unavailable(method, {
          keyId,
          cause: new TypeError('store returned a malformed key'),
        });
      }
      return record;
    },
    (cause: unknown) => {
      throw refuse.unavailable(method, { keyId, cause });
    },
  );
}

/**
 * Whether a store's answer is a usable record of `keyId`. Instants may be a valid `Date` or
 * absent (`undefined`, or `null` as a database driver returns it); `accountId` a string or absent.
 */
function isKeyRecord(record: NonNullable<unknown>, keyId: string): record is KeyRecord {
  if (typeof record !== 'object') return false;
  const r = record as Record<string, unknown>;
  const entity = r.entity as Record<string, unknown> | null | undefined;
  return (
    r.id === keyId &&
    typeof r.secret === 'string' &&
    r.secret.length > 0 &&
    typeof entity === 'object' &&
    entity !== null &&
    typeof entity.id === 'string' &&
    entity.id.length > 0 &&
    isEntityType(entity.type) &&
    (r.accountId === undefined || r.accountId === null || typeof r.accountId === 'string') &&
    isInstant(r.createdAt) &&
    isInstant(r.expiresAt) &&
    isInstant(r.revokedAt)
  );
}

function isInstant(value: unknown): boolean {
  return value === undefined || value === null || isValidDate(value);
}

const REFUSAL: Readonly<Record<KeyState, RejectionReason | undefined>> = {
  active: undefined,
  revoked: 'key_revoked',
  expired: 'key_expired',
};

/** Why a found key may not be used at `now` (ms), or `undefined` when it may. */
export function keyRefusal(record: KeyRecord, now: number): RejectionReason | undefined {
  return REFUSAL[keyStateAt(record, now)];
}
