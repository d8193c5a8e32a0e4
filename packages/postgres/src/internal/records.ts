/**
 * Rows of `api_keys` and what the store makes of them: the one query that finds a key with its
 * account (the key's primary key, joined to its app or service account by theirs), frozen
 * `KeyRecord`s with the secret decrypted, `KeyInfo`s without it, and the comparison that decides
 * whether a freshly read record is the same as the one served before.
 */
import type { EntityType, KeyInfo, KeyRecord } from '@keyscope/core';
import type { MasterKey } from '../master-keys.js';
import { openSecret } from './crypto.js';

/** A row as the key queries return it. */
export interface KeyRow {
  readonly id: string;
  readonly entity_type: EntityType;
  readonly entity_id: string;
  readonly account_id: string | null;
  readonly display_name: string | null;
  readonly created_at: Date | null;
  readonly expires_at: Date | null;
  readonly revoked_at: Date | null;
}

/** A row with its sealed secret. */
export interface SecretRow extends KeyRow {
  readonly secret_ciphertext: Buffer;
  readonly secret_iv: Buffer;
  readonly secret_tag: Buffer;
  readonly master_key_id: string;
}

/** The columns of a key and its account, from `api_keys k` joined as {@link keyFrom} does. */
export const KEY_COLUMNS = `k.id, k.entity_type, k.entity_id, k.display_name, k.created_at,
  k.expires_at, k.revoked_at,
  CASE k.entity_type WHEN 'app' THEN a.account_id WHEN 'serviceAccount' THEN s.account_id
    ELSE k.entity_id END AS account_id`;

/** The same, with the sealed secret. */
export const SECRET_COLUMNS = `${KEY_COLUMNS}, k.secret_ciphertext, k.secret_iv, k.secret_tag,
  k.master_key_id`;

/** `api_keys k` with the app or service account that owns each key (each joined by primary key). */
export function keyFrom(qualified: string): string {
  return `${qualified}.api_keys k
  LEFT JOIN ${qualified}.apps a ON a.id = k.app_id
  LEFT JOIN ${qualified}.service_accounts s ON s.id = k.service_account_id`;
}

/** A row as a `KeyInfo` (no secret); absent fields are left out, as the file store does. */
export function toKeyInfo(row: KeyRow): KeyInfo {
  const info: { -readonly [K in keyof KeyInfo]: KeyInfo[K] } = {
    id: row.id,
    entity: { type: row.entity_type, id: row.entity_id },
    accountId: row.account_id ?? undefined,
  };
  if (row.display_name !== null) info.displayName = row.display_name;
  if (row.created_at !== null) info.createdAt = row.created_at;
  if (row.expires_at !== null) info.expiresAt = row.expires_at;
  if (row.revoked_at !== null) info.revokedAt = row.revoked_at;
  return info;
}

/**
 * A row as a frozen `KeyRecord`, its secret decrypted.
 *
 * @throws {StoreCorruptError} the secret does not decrypt.
 */
export function toKeyRecord(row: SecretRow, masterKeys: readonly MasterKey[]): KeyRecord {
  const entity = Object.freeze({ type: row.entity_type, id: row.entity_id });
  const secret = openSecret(
    {
      ciphertext: row.secret_ciphertext,
      iv: row.secret_iv,
      tag: row.secret_tag,
      masterKeyId: row.master_key_id,
    },
    { keyId: row.id, entity },
    masterKeys,
  );
  return Object.freeze({
    id: row.id,
    secret,
    entity,
    accountId: row.account_id ?? undefined,
    displayName: row.display_name ?? undefined,
    createdAt: row.created_at ?? undefined,
    expiresAt: row.expires_at ?? undefined,
    revokedAt: row.revoked_at ?? undefined,
  });
}

/** Whether two records of one key say exactly the same thing. */
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
