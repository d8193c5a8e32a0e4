/**
 * What a key record says about itself beyond its state: the account it acts for, the scope it
 * grants on its own and in tokens (contract section 2), and record identity, which decides
 * whether a freshly read record says the same as the one served before (stores then serve the
 * old object, so that caches keyed on a record, such as imported HMAC keys and verified tokens,
 * stay warm; a changed record is a new object).
 */
import type { EntityType, KeyRecord, Scope } from '../types.js';

/**
 * The account a key acts for: the record's `accountId` (an app's or a service account's account),
 * or, for a user-account key, the account itself. `undefined` for an orphan app or service
 * account.
 *
 * @example
 * ```ts
 * accountOf({ entity: { type: 'userAccount', id: 'acc_1' } }); // 'acc_1'
 * ```
 */
export function accountOf(key: Pick<KeyRecord, 'entity' | 'accountId'>): string | undefined {
  return key.accountId ?? (key.entity.type === 'userAccount' ? key.entity.id : undefined);
}

/**
 * The scope a key grants on its own (what Basic credentials get): `app` for an app key, `account`
 * for a user-account or service-account key.
 */
export function keyScope(type: EntityType): 'app' | 'account' {
  return type === 'app' ? 'app' : 'account';
}

const APP_TOKEN_SCOPES: readonly Scope[] = Object.freeze(['app', 'appUser']);
const ACCOUNT_TOKEN_SCOPES: readonly Scope[] = Object.freeze(['account']);

/**
 * The scopes a token signed with a key may carry: `app` and `appUser` for an app key, `account`
 * for the others.
 */
export function tokenScopes(type: EntityType): readonly Scope[] {
  return type === 'app' ? APP_TOKEN_SCOPES : ACCOUNT_TOKEN_SCOPES;
}

/**
 * Whether two records say exactly the same thing: same id, secret, entity, account, display name
 * and instants (compared by time, not by `Date` object).
 */
export function sameRecord(a: KeyRecord, b: KeyRecord): boolean {
  return (
    a.id === b.id &&
    a.secret === b.secret &&
    a.entity.type === b.entity.type &&
    a.entity.id === b.entity.id &&
    a.accountId === b.accountId &&
    a.displayName === b.displayName &&
    a.createdAt?.getTime() === b.createdAt?.getTime() &&
    a.expiresAt?.getTime() === b.expiresAt?.getTime() &&
    a.revokedAt?.getTime() === b.revokedAt?.getTime()
  );
}
