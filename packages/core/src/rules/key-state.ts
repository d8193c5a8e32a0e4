/**
 * The lifecycle rules of a key, one definition for the verifier, every store, the CLI and the
 * dashboard: whether a key is active, revoked or expired at an instant (a revocation or expiry
 * takes effect at its instant; revocation wins when both have passed), when it stops working, and
 * the per-app limit of active keys (how active keys are counted, and the error past the limit).
 */
import { KeyLimitError } from '../lifecycle-errors.js';
import type { Entity } from '../types.js';

/** The default of `maxActiveKeysPerApp`: 10, as upstream. */
export const DEFAULT_MAX_ACTIVE_KEYS_PER_APP = 10;

/**
 * Where a key stands at an instant: `active`, or refused because it is `revoked` or `expired`
 * (revocation wins when both apply). A key whose `revokedAt` is still in the future is `active`.
 */
export type KeyState = 'active' | 'revoked' | 'expired';

/** The instants that decide a key's state (a `KeyRecord` or a `KeyInfo` fits). */
export interface KeyInstants {
  readonly expiresAt?: Date | undefined;
  readonly revokedAt?: Date | undefined;
}

/**
 * {@link keyState} at `now` in ms: the form the request path uses (no `Date` made). An instant
 * that is `null` (as a database driver returns it) counts as absent.
 */
export function keyStateAt(key: KeyInstants, now: number): KeyState {
  const revokedAt = key.revokedAt?.getTime();
  if (revokedAt !== undefined && !(revokedAt > now)) return 'revoked';
  const expiresAt = key.expiresAt?.getTime();
  if (expiresAt !== undefined && !(expiresAt > now)) return 'expired';
  return 'active';
}

/**
 * Whether a key works at `now` (default: the current time): the same rule as the verifier.
 *
 * @example
 * ```ts
 * const active = (await store.listKeys()).filter((key) => keyState(key) === 'active');
 * ```
 */
export function keyState(key: KeyInstants, now: Date = new Date()): KeyState {
  return keyStateAt(key, now.getTime());
}

/** When the key stops working (ms): the earlier of its expiry and a scheduled revocation. */
export function keyEnd(key: KeyInstants): number | undefined {
  const a = key.expiresAt?.getTime();
  const b = key.revokedAt?.getTime();
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/**
 * How many of `keys` count towards the limit of app `appId` at `now`: the keys of that app that
 * are active (not revoked, not expired). Keys of other entities are ignored.
 */
export function countActiveKeys(
  keys: Iterable<KeyInstants & { readonly entity: Entity }>,
  appId: string,
  now: Date,
): number {
  const t = now.getTime();
  let active = 0;
  for (const key of keys) {
    if (key.entity.type === 'app' && key.entity.id === appId && keyStateAt(key, t) === 'active') {
      active++;
    }
  }
  return active;
}

/**
 * Refuses a new key for app `appId` when it already has `active` active keys and the limit is
 * `limit` (a store that counts in SQL passes its count here, in the same transaction).
 *
 * @throws {KeyLimitError} `active >= limit`.
 */
export function checkKeyLimit(appId: string, active: number, limit: number): void {
  if (active >= limit) throw new KeyLimitError(appId, limit);
}
