/**
 * Every SQL statement of the PostgreSQL store, and what its rows become. `createQueries` binds the
 * statements to a schema and a NOTIFY channel and returns named functions, each taking the
 * connection to run on: the pool for a single statement, a transaction's client inside one. The
 * rules they serve are core's (`@keyscope/core/rules`): which key counts as active towards the
 * per-app limit is written here in SQL only so that the database can enforce the limit
 * atomically. Rows become frozen `KeyRecord`s (secret decrypted) or `KeyInfo`s (no secret), with
 * the account core's `accountOf` gives.
 */
import type { Entity, EntityType, KeyInfo, KeyRecord } from '@keyscope/core';
import { accountOf } from '@keyscope/core/rules';
import type pg from 'pg';
import type { MasterKey } from '../../master-keys.js';
import { openSecret, type SealedSecret } from '../crypto.js';

/** Where a statement runs: the pool, or the client of a transaction. */
export type Db = Pick<pg.ClientBase, 'query'>;

/** A row as the key queries return it. */
export interface KeyRow {
  readonly id: string;
  readonly entity_type: EntityType;
  readonly entity_id: string;
  /** The account of the key's app or service account; `null` for a user-account key. */
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

/** A key to insert: its id, owner and fields, its secret already sealed. */
export interface NewKey {
  readonly id: string;
  readonly entity: Entity;
  readonly displayName: string | undefined;
  readonly createdAt: Date;
  readonly expiresAt: Date | undefined;
  readonly sealed: SealedSecret;
}

/**
 * What an insertion did: whether the key was written and, with a limit, how many active keys the
 * app had when it was counted (nothing is written when they are `limit` or more). Not inserted
 * below the limit means the generated id was taken: draw another.
 */
export interface InsertOutcome {
  readonly inserted: boolean;
  readonly active?: number | undefined;
}

/**
 * Which key counts towards the per-app limit at `at` (core's `countActiveKeys`: not revoked and
 * not expired at that instant, a revocation or expiry taking effect at its instant), written in
 * SQL over the columns of `api_keys`, for `at` a `timestamptz` parameter. The queries test checks
 * that the two agree on every case at and around the boundaries.
 */
export function activeAt(at: string): string {
  return `(revoked_at IS NULL OR revoked_at > ${at}) AND (expires_at IS NULL OR expires_at > ${at})`;
}

/** The columns of a key and its owner's account, from `api_keys k` joined as {@link keyFrom} does. */
const KEY_COLUMNS = `k.id, k.entity_type, k.entity_id, k.display_name, k.created_at,
  k.expires_at, k.revoked_at, COALESCE(a.account_id, s.account_id) AS account_id`;

/** The same, with the sealed secret. */
const SECRET_COLUMNS = `${KEY_COLUMNS}, k.secret_ciphertext, k.secret_iv, k.secret_tag,
  k.master_key_id`;

/** `api_keys k` with the app or service account that owns each key (each joined by primary key). */
function keyFrom(qualified: string): string {
  return `${qualified}.api_keys k
  LEFT JOIN ${qualified}.apps a ON a.id = k.app_id
  LEFT JOIN ${qualified}.service_accounts s ON s.id = k.service_account_id`;
}

const NONE: readonly string[] = Object.freeze([]);

/** The store's statements, as named functions over a connection. */
export interface Queries {
  /** The key with its account and sealed secret (a prepared statement: it runs on every lookup). */
  findKey(db: Db, id: string): Promise<SecretRow | undefined>;
  /** The ids of the apps an entity reaches directly, in creation or grant order. */
  appIds(db: Db, entity: Entity): Promise<readonly string[]>;
  /**
   * The account of an app or service account, its row locked until the transaction ends: an app
   * `FOR UPDATE`, so creations of keys for one app run one after the other (the per-app limit
   * holds), a service account `FOR SHARE`.
   */
  lockOwner(
    db: Db,
    entity: Entity & { type: 'app' | 'serviceAccount' },
  ): Promise<string | undefined>;
  /**
   * Inserts a key. With `limit`, the same statement counts the app's active keys at the key's
   * creation instant and inserts only while they are fewer than `limit` (core's `checkKeyLimit`
   * then refuses, with the count); run it after {@link lockOwner} in the same transaction, so no
   * other creation for the app runs in between.
   */
  insertKey(db: Db, key: NewKey, limit?: number): Promise<InsertOutcome>;
  /** The key, its row locked until the transaction ends. */
  lockKey(db: Db, id: string): Promise<KeyRow | undefined>;
  setRevokedAt(db: Db, id: string, at: Date): Promise<void>;
  deleteKey(db: Db, id: string): Promise<void>;
  /** The keys, in creation order, of one entity and/or one kind of entity (none: every key). */
  listKeys(
    db: Db,
    filter: { readonly entity?: Entity | undefined; readonly entityType?: EntityType | undefined },
  ): Promise<readonly KeyRow[]>;
  /** Inserts an app; `false` when the id is taken. */
  insertApp(db: Db, id: string, accountId: string): Promise<boolean>;
  /** Inserts a service account; `false` when the id is taken. */
  insertServiceAccount(db: Db, id: string, accountId: string): Promise<boolean>;
  /** The account of a service account, its row locked `FOR UPDATE` until the transaction ends. */
  lockServiceAccountForGrant(db: Db, id: string): Promise<string | undefined>;
  /** The account of an app. */
  appAccount(db: Db, id: string): Promise<string | undefined>;
  /** Grants an app; `false` when it was granted already. */
  insertGrant(db: Db, serviceAccountId: string, appId: string, accountId: string): Promise<boolean>;
  /** The apps granted to a service account, in grant order. */
  grantedAppIds(db: Db, serviceAccountId: string): Promise<string[]>;
  /** Tells every instance to forget `id` (a key or entity id), once the transaction commits. */
  notify(db: Db, id: string): Promise<void>;
  /** One round trip. */
  ping(db: Db): Promise<void>;
}

/** The statements of the store in the schema `qualified` (quoted), notifying `channel`. */
export function createQueries(schema: string, qualified: string, channel: string): Queries {
  const findStatement = `keyscope_find_key_${schema}`.slice(0, 63);
  const findText = `SELECT ${SECRET_COLUMNS} FROM ${keyFrom(qualified)} WHERE k.id = $1`;
  const appIdsText: Readonly<Record<EntityType, string>> = {
    app: `SELECT id FROM ${qualified}.apps WHERE id = $1`,
    userAccount: `SELECT id FROM ${qualified}.apps WHERE account_id = $1 ORDER BY seq`,
    serviceAccount: `SELECT app_id AS id FROM ${qualified}.service_account_apps
      WHERE service_account_id = $1 ORDER BY seq`,
  };
  const insertColumns = `id, entity_type, entity_id, display_name, created_at, expires_at,
    secret_ciphertext, secret_iv, secret_tag, master_key_id`;
  const insertValues = `$1::text, $2::text, $3::text, $4::text, $5::timestamptz,
    $6::timestamptz, $7::bytea, $8::bytea, $9::bytea, $10::text`;
  const insertText = `INSERT INTO ${qualified}.api_keys (${insertColumns})
    VALUES (${insertValues}) ON CONFLICT (id) DO NOTHING`;
  // One statement: the count and the insertion cannot be separated by another writer's insertion
  // of the same app, since lockOwner holds the app's row. The count runs after the lock was
  // granted (an earlier statement), so under READ COMMITTED its snapshot sees every key that the
  // transaction holding the lock before committed.
  const insertLimitedText = `WITH active AS (
      SELECT count(*)::int AS n FROM ${qualified}.api_keys
      WHERE entity_type = $2::text AND entity_id = $3::text AND ${activeAt('$5::timestamptz')}
    ), inserted AS (
      INSERT INTO ${qualified}.api_keys (${insertColumns})
      SELECT ${insertValues} FROM active WHERE active.n < $11::int
      ON CONFLICT (id) DO NOTHING RETURNING id
    )
    SELECT active.n AS active, (SELECT count(*)::int FROM inserted) AS inserted FROM active`;

  return {
    async findKey(db, id) {
      const { rows } = await db.query<SecretRow>({
        name: findStatement,
        text: findText,
        values: [id],
      });
      return rows[0];
    },

    async appIds(db, entity) {
      const text = Object.hasOwn(appIdsText, entity.type) ? appIdsText[entity.type] : undefined;
      if (text === undefined) return NONE;
      const { rows } = await db.query<{ id: string }>(text, [entity.id]);
      return Object.freeze(rows.map((row) => row.id));
    },

    async lockOwner(db, entity) {
      const [table, lock] =
        entity.type === 'app' ? ['apps', 'FOR UPDATE'] : ['service_accounts', 'FOR SHARE'];
      const { rows } = await db.query<{ account_id: string }>(
        `SELECT account_id FROM ${qualified}.${table} WHERE id = $1 ${lock}`,
        [entity.id],
      );
      return rows[0]?.account_id;
    },

    async insertKey(db, key, limit) {
      const values: unknown[] = [
        key.id,
        key.entity.type,
        key.entity.id,
        key.displayName ?? null,
        key.createdAt,
        key.expiresAt ?? null,
        key.sealed.ciphertext,
        key.sealed.iv,
        key.sealed.tag,
        key.sealed.masterKeyId,
      ];
      if (limit === undefined) {
        const { rowCount } = await db.query(insertText, values);
        return { inserted: rowCount === 1 };
      }
      const { rows } = await db.query<{ active: number; inserted: number }>(insertLimitedText, [
        ...values,
        limit,
      ]);
      return { inserted: rows[0]?.inserted === 1, active: rows[0]?.active ?? 0 };
    },

    async lockKey(db, id) {
      const { rows } = await db.query<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM ${keyFrom(qualified)} WHERE k.id = $1 FOR UPDATE OF k`,
        [id],
      );
      return rows[0];
    },

    async setRevokedAt(db, id, at) {
      await db.query(`UPDATE ${qualified}.api_keys SET revoked_at = $2 WHERE id = $1`, [id, at]);
    },

    async deleteKey(db, id) {
      await db.query(`DELETE FROM ${qualified}.api_keys WHERE id = $1`, [id]);
    },

    async listKeys(db, { entity, entityType }) {
      const where: string[] = [];
      const values: unknown[] = [];
      if (entity !== undefined) {
        values.push(entity.type, entity.id);
        where.push(`k.entity_type = $${values.length - 1} AND k.entity_id = $${values.length}`);
      }
      if (entityType !== undefined) {
        values.push(entityType);
        where.push(`k.entity_type = $${values.length}`);
      }
      const { rows } = await db.query<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM ${keyFrom(qualified)}
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY k.seq`,
        values,
      );
      return rows;
    },

    async insertApp(db, id, accountId) {
      const { rowCount } = await db.query(
        `INSERT INTO ${qualified}.apps (id, account_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
        [id, accountId],
      );
      return rowCount === 1;
    },

    async insertServiceAccount(db, id, accountId) {
      const { rowCount } = await db.query(
        `INSERT INTO ${qualified}.service_accounts (id, account_id) VALUES ($1, $2)
         ON CONFLICT (id) DO NOTHING`,
        [id, accountId],
      );
      return rowCount === 1;
    },

    async lockServiceAccountForGrant(db, id) {
      const { rows } = await db.query<{ account_id: string }>(
        `SELECT account_id FROM ${qualified}.service_accounts WHERE id = $1 FOR UPDATE`,
        [id],
      );
      return rows[0]?.account_id;
    },

    async appAccount(db, id) {
      const { rows } = await db.query<{ account_id: string }>(
        `SELECT account_id FROM ${qualified}.apps WHERE id = $1`,
        [id],
      );
      return rows[0]?.account_id;
    },

    async insertGrant(db, serviceAccountId, appId, accountId) {
      const { rowCount } = await db.query(
        `INSERT INTO ${qualified}.service_account_apps (service_account_id, app_id, account_id)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [serviceAccountId, appId, accountId],
      );
      return rowCount === 1;
    },

    async grantedAppIds(db, serviceAccountId) {
      const { rows } = await db.query<{ app_id: string }>(
        `SELECT app_id FROM ${qualified}.service_account_apps
         WHERE service_account_id = $1 ORDER BY seq`,
        [serviceAccountId],
      );
      return rows.map((row) => row.app_id);
    },

    async notify(db, id) {
      await db.query('SELECT pg_notify($1, $2)', [channel, id]);
    },

    async ping(db) {
      await db.query('SELECT 1');
    },
  };
}

/** A row as a `KeyInfo` (no secret); absent fields are left out, as the file store does. */
export function toKeyInfo(row: KeyRow): KeyInfo {
  const entity = { type: row.entity_type, id: row.entity_id };
  const info: { -readonly [K in keyof KeyInfo]: KeyInfo[K] } = {
    id: row.id,
    entity,
    accountId: accountOf({ entity, accountId: row.account_id ?? undefined }),
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
    accountId: accountOf({ entity, accountId: row.account_id ?? undefined }),
    displayName: row.display_name ?? undefined,
    createdAt: row.created_at ?? undefined,
    expiresAt: row.expires_at ?? undefined,
    revokedAt: row.revoked_at ?? undefined,
  });
}
