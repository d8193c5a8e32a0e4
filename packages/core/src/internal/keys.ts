/**
 * Steps shared by Basic and Bearer verification: looking a key up (a store failure becomes a 503,
 * never a pass), deciding whether the key is still usable, and the scope a key grants by itself.
 */
import { isDate } from 'node:util/types';
import type { Refusals } from '../challenge.js';
import type { CredentialMethod, RejectionReason } from '../errors.js';
import type { KeyRecord, KeyStore } from '../types.js';

const ENTITY_TYPES = new Set<unknown>(['app', 'userAccount', 'serviceAccount']);
/** The key-id rule of the keys file: 1 to 256 characters, no control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const KEY_ID = /^[^\u0000-\u001f\u007f-\u009f]{1,256}$/;
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
  if (!KEY_ID.test(keyId)) return NOT_FOUND;
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
    ENTITY_TYPES.has(entity.type) &&
    (r.accountId === undefined || r.accountId === null || typeof r.accountId === 'string') &&
    isInstant(r.createdAt) &&
    isInstant(r.expiresAt) &&
    isInstant(r.revokedAt)
  );
}

function isInstant(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    // isDate, not instanceof: a Date from another realm (vm, a mocked clock) is a Date too.
    (isDate(value) && !Number.isNaN(value.getTime()))
  );
}

/** Why a found key may not be used at `now` (ms), or `undefined` when it may. */
export function keyRefusal(record: KeyRecord, now: number): RejectionReason | undefined {
  const revokedAt = record.revokedAt?.getTime();
  const expiresAt = record.expiresAt?.getTime();
  if (revokedAt !== undefined && !(revokedAt > now)) return 'key_revoked';
  if (expiresAt !== undefined && !(expiresAt > now)) return 'key_expired';
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
