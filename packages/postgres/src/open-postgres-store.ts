/**
 * `openPostgresStore`: a `WritableKeyStore` on PostgreSQL, shared by any number of API instances.
 * A key lookup is one indexed query (the key by primary key, joined to its app or service account
 * by theirs); secrets are stored only encrypted (AES-256-GCM under the current master key). Each
 * instance keeps a cache (core's `createCachedStore`, ttl 30 s by default) and serves an unchanged
 * key as the same `KeyRecord` object, so core's per-record caches stay warm, while a changed key
 * is a new object. Every write runs in one transaction that also `NOTIFY`s the changed key or
 * entity id on the channel every instance `LISTEN`s on; each instance then drops that id from its
 * cache. Revocation bounds: while the listener is connected, the notification latency (typically
 * milliseconds); while it is disconnected, the cache ttl (and after it reconnects the whole cache
 * is cleared, since notifications may have been missed). A database that cannot answer makes
 * `findKey` reject (core answers 503, never a pass); the pool and the listener recover by
 * themselves when it returns.
 */
import { performance } from 'node:perf_hooks';
import {
  type CachedKeyStore,
  type CachedStoreOptions,
  ConfigurationError,
  type CreatedKey,
  type CreateKeyInput,
  createCachedStore,
  DEFAULT_MAX_ACTIVE_KEYS_PER_APP,
  type Entity,
  EntityExistsError,
  EntityNotFoundError,
  generateKey,
  InvalidArgumentError,
  type KeyFilter,
  type KeyInfo,
  KeyLimitError,
  KeyNotFoundError,
  type KeyRecord,
  type KeyStore,
  keyState,
  type ServiceAccountEntry,
  type WritableKeyStore,
} from '@keyscope/core';
import pg from 'pg';
import {
  type ConnectionOptions,
  describeDatabaseError,
  resolveConnection,
  toStoreError,
} from './internal/connection.js';
import { sealSecret } from './internal/crypto.js';
import { Lru } from './internal/lru.js';
import { SCHEMA_VERSION } from './internal/migrations.js';
import {
  KEY_COLUMNS,
  type KeyRow,
  keyFrom,
  SECRET_COLUMNS,
  type SecretRow,
  sameRecord,
  toKeyInfo,
  toKeyRecord,
} from './internal/records.js';
import { type ReencryptResult, reencryptAll } from './internal/reencrypt.js';
import {
  checkDisplayName,
  checkEntity,
  checkId,
  isId,
  quote,
  validDate,
} from './internal/validate.js';
import { type MasterKey, resolveMasterKeys } from './master-keys.js';
import { migrate, schemaVersion } from './migrate.js';
import {
  createRevocationListener,
  DEFAULT_CHANNEL,
  type RevocationListener,
  type RevocationListenerEvent,
} from './revocation-listener.js';

/** The default cache ttl, in ms: the revocation bound while the listener is disconnected. */
export const DEFAULT_CACHE_TTL = 30_000;

/**
 * What the store reports: its listener's events, and errors of idle pool connections (a
 * terminated backend, say), which the pool has already discarded.
 *
 * @example
 * ```ts
 * const onEvent = (event: PostgresStoreEvent) => {
 *   if (event.type !== 'listener-connected') console.warn(event.type, event.error?.message);
 * };
 * ```
 */
export type PostgresStoreEvent =
  | RevocationListenerEvent
  | { readonly type: 'pool-error'; readonly error: Error };

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions extends ConnectionOptions {
  /**
   * The master keys: a list as `KEYSCOPE_MASTER_KEY` takes it (`key`, or `id1:key1,id2:key2`, the
   * first current), or the keys themselves. Default: `process.env.KEYSCOPE_MASTER_KEY`.
   */
  readonly masterKeys?: string | readonly MasterKey[] | undefined;
  /** Pool sizing: most connections (default 10), ms before an idle one closes (default 30000). */
  readonly pool?:
    | { readonly max?: number | undefined; readonly idleTimeoutMillis?: number | undefined }
    | undefined;
  /** The most active keys an app may have: a positive integer, default 10. */
  readonly maxActiveKeysPerApp?: number | undefined;
  /**
   * The cache (core's `createCachedStore` options; `ttl` defaults to 30000, the revocation bound
   * while the listener is disconnected), or `false` to ask the database on every lookup.
   */
  readonly cache?: CachedStoreOptions | false | undefined;
  /** Listen for other instances' writes (default `true`); `false` for short-lived tools (a CLI). */
  readonly listen?: boolean | undefined;
  /**
   * Where the listener connects, when it must differ from `connectionString`: behind PgBouncer in
   * transaction mode, `LISTEN` needs a direct connection to PostgreSQL.
   */
  readonly listenerConnectionString?: string | undefined;
  /** The LISTEN/NOTIFY channel (default `keyscope_keys`). */
  readonly channel?: string | undefined;
  /** The listener's first and longest wait between reconnection attempts, in ms (100 and 5000). */
  readonly reconnectDelay?: { readonly min?: number; readonly max?: number } | undefined;
  /**
   * How often the listener pings its connection to notice one that died silently, in ms (default
   * 10000; a ping fails after the statement timeout and as long again, at most 2 s more).
   */
  readonly listenerPingInterval?: number | undefined;
  /** Run `migrate` before opening (default `false`: run `keyscope migrate` when deploying). */
  readonly autoMigrate?: boolean | undefined;
  /** Events, for logs and metrics. Errors thrown by it are ignored. */
  readonly onEvent?: ((event: PostgresStoreEvent) => void) | undefined;
}

/**
 * What {@link PostgresKeyStore.health} finds: `ok` when the database answers; `status` is
 * `degraded` when it answers but the listener is disconnected (revocations then take up to the
 * cache ttl), `down` when it does not answer.
 *
 * @example
 * ```ts
 * const health: PostgresHealth = await store.health();
 * res.status(health.ok ? 200 : 503).json(health);
 * ```
 */
export interface PostgresHealth {
  readonly ok: boolean;
  readonly status: 'ok' | 'degraded' | 'down';
  readonly database: {
    readonly ok: boolean;
    readonly latencyMs?: number | undefined;
    readonly error?: string | undefined;
  };
  readonly listener: 'connected' | 'disconnected' | 'off';
  readonly pool: { readonly total: number; readonly idle: number; readonly waiting: number };
}

/**
 * A key store on PostgreSQL: the `WritableKeyStore` operations, plus health, re-encryption under
 * the current master key, cache control and `close()`.
 *
 * @example
 * ```ts
 * const store = await openPostgresStore(process.env.KEYSCOPE_STORE!);
 * const authenticator = createAuthenticator({ store });
 * process.once('SIGTERM', () => void store.close());
 * ```
 */
export interface PostgresKeyStore extends WritableKeyStore {
  /** The schema of the tables. */
  readonly schema: string;
  /** The LISTEN/NOTIFY channel. */
  readonly channel: string;
  /** Whether the listener is connected now (`false` too with `listen: false`). */
  readonly listening: boolean;
  /** The master key new secrets are encrypted under. */
  readonly currentMasterKeyId: string;
  /** Checks the database and the listener. Never rejects. */
  health(): Promise<PostgresHealth>;
  /**
   * Re-encrypts every secret under the current master key (the rotation step between adding the
   * new key and removing the old one).
   *
   * @throws {ConfigurationError} some secret is under a master key that is not configured.
   * @throws {StoreError} a secret does not decrypt, or the database failed (that batch rolled back).
   */
  reencryptSecrets(options?: { readonly batchSize?: number }): Promise<ReencryptResult>;
  /** Drops a key id (or entity id) from this instance's cache, as a notification does. */
  invalidate(id: string): void;
  /** Empties this instance's cache. */
  clear(): void;
  /** Stops the listener and closes the pool. Later calls do nothing. */
  close(): Promise<void>;
}

type Client = Pick<pg.PoolClient, 'query'>;

/**
 * Opens the PostgreSQL key store. Checks the options, the master keys, that the database answers
 * and that its schema is migrated, then starts the listener (if it cannot connect yet, it keeps
 * trying in the background and revocations fall back to the cache ttl meanwhile).
 *
 * @param target - a `postgres://` URL (`?schema=` names the schema) or the options
 * @throws {ConfigurationError} bad options; no or bad master keys; a schema not migrated (run
 * `keyscope migrate`) or migrated by a newer keyscope.
 * @throws {StoreIoError} the database cannot be reached.
 * @example
 * ```ts
 * import { createAuthenticator } from '@keyscope/core';
 * import { openPostgresStore } from '@keyscope/postgres';
 *
 * // KEYSCOPE_MASTER_KEY holds the master key(s).
 * const store = await openPostgresStore({
 *   connectionString: 'postgres://keyscope@db.internal:5432/app',
 *   pool: { max: 20 },
 *   statementTimeout: 2000,
 * });
 * const authenticator = createAuthenticator({ store });
 * ```
 */
export async function openPostgresStore(
  target: string | PostgresStoreOptions,
): Promise<PostgresKeyStore> {
  const options: PostgresStoreOptions =
    typeof target === 'string' ? { connectionString: target } : (target ?? ({} as never));
  const source = 'openPostgresStore';
  const connection = resolveConnection(options, source);
  const { qualified, schema } = connection;
  const masterKeys = resolveMasterKeys(options.masterKeys);
  const current = masterKeys[0]!;

  const maxActiveKeysPerApp = options.maxActiveKeysPerApp ?? DEFAULT_MAX_ACTIVE_KEYS_PER_APP;
  if (!(Number.isInteger(maxActiveKeysPerApp) && maxActiveKeysPerApp >= 1)) {
    throw new ConfigurationError(`${source}: maxActiveKeysPerApp must be a positive integer`);
  }
  const max = options.pool?.max ?? 10;
  if (!(Number.isInteger(max) && max >= 1)) {
    throw new ConfigurationError(`${source}: pool.max must be a positive integer`);
  }
  const idleTimeoutMillis = options.pool?.idleTimeoutMillis ?? 30_000;
  if (!(Number.isInteger(idleTimeoutMillis) && idleTimeoutMillis >= 0)) {
    throw new ConfigurationError(
      `${source}: pool.idleTimeoutMillis must be a whole number of milliseconds, 0 or more`,
    );
  }
  const listen = options.listen ?? true;
  const channel = options.channel ?? DEFAULT_CHANNEL;
  const onEvent = options.onEvent;
  const emit = (event: PostgresStoreEvent) => {
    try {
      onEvent?.(event);
    } catch {
      // A failing hook changes nothing.
    }
  };

  // Records served before, by key id: an unchanged key is served as the same object.
  const cacheOptions = options.cache === false ? undefined : (options.cache ?? {});
  const remembered = new Lru<KeyRecord>(cacheOptions?.maxEntries ?? 10_000);
  const findStatement = `keyscope_find_key_${schema}`.slice(0, 63);

  const raw: KeyStore = {
    async findKey(id) {
      if (!isId(id)) return undefined;
      let rows: SecretRow[];
      try {
        ({ rows } = await pool.query<SecretRow>({
          name: findStatement,
          text: `SELECT ${SECRET_COLUMNS} FROM ${keyFrom(qualified)} WHERE k.id = $1`,
          values: [id],
        }));
      } catch (error) {
        throw toStoreError(error, 'look up a key');
      }
      const row = rows[0];
      if (row === undefined) {
        remembered.delete(id);
        return undefined;
      }
      const record = toKeyRecord(row, masterKeys);
      const previous = remembered.get(id);
      if (previous !== undefined && sameRecord(previous, record)) return previous;
      remembered.set(id, record);
      return record;
    },
    async appsFor(entity) {
      const type = entity?.type;
      const id = entity?.id;
      if (!isId(id)) return NONE;
      const text =
        type === 'app'
          ? `SELECT id FROM ${qualified}.apps WHERE id = $1`
          : type === 'userAccount'
            ? `SELECT id FROM ${qualified}.apps WHERE account_id = $1 ORDER BY seq`
            : type === 'serviceAccount'
              ? `SELECT app_id AS id FROM ${qualified}.service_account_apps WHERE service_account_id = $1 ORDER BY seq`
              : undefined;
      if (text === undefined) return NONE;
      try {
        const { rows } = await pool.query<{ id: string }>(text, [id]);
        return Object.freeze(rows.map((row) => row.id));
      } catch (error) {
        throw toStoreError(error, 'list the apps of an entity');
      }
    },
  };
  const cached: CachedKeyStore | undefined =
    cacheOptions === undefined
      ? undefined
      : createCachedStore(raw, { ...cacheOptions, ttl: cacheOptions.ttl ?? DEFAULT_CACHE_TTL });
  const reader: KeyStore = cached ?? raw;

  const invalidate = (id: string) => {
    cached?.invalidate(id);
  };
  // Created (and its options checked) before any connection is opened; started once the schema is.
  const listener: RevocationListener | undefined = listen
    ? createRevocationListener({
        ...options,
        connectionString: options.listenerConnectionString ?? options.connectionString,
        schema: undefined,
        channel,
        pingInterval: options.listenerPingInterval,
        onInvalidate: invalidate,
        onResync: () => cached?.clear(),
        onEvent: emit,
      })
    : undefined;

  if (options.autoMigrate) await migrate({ ...options, schema });

  const pool = new pg.Pool({ ...connection.client, max, idleTimeoutMillis });
  pool.on('error', (error) => emit({ type: 'pool-error', error }));

  let version: number;
  try {
    version = await schemaVersion((text) => pool.query(text), qualified);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toStoreError(error, 'connect');
  }
  if (version !== SCHEMA_VERSION) {
    await pool.end().catch(() => undefined);
    throw new ConfigurationError(
      version < SCHEMA_VERSION
        ? `the schema "${schema}" is at version ${version}, this build needs ${SCHEMA_VERSION}: run \`keyscope migrate --store <url>\` (or the migrate() function) first`
        : `the schema "${schema}" is at version ${version}, newer than this build of @keyscope/postgres knows (${SCHEMA_VERSION}): upgrade it`,
    );
  }

  if (listener !== undefined) await listener.start();

  /** Runs `work` in one transaction; a driver error becomes a `StoreIoError`. */
  async function transaction<T>(doing: string, work: (client: Client) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toStoreError(error, doing);
    }
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const value = await work(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      const failure = toStoreError(error, doing);
      // A refused request leaves the connection clean; after a driver error, do not reuse it.
      if (failure === error) {
        await client.query('ROLLBACK').catch((rollback: Error) => {
          broken = rollback;
        });
      } else {
        broken = failure;
        await client.query('ROLLBACK').catch(() => undefined);
      }
      throw failure;
    } finally {
      client.release(broken);
    }
  }

  const notify = (client: Client, id: string) =>
    client.query('SELECT pg_notify($1, $2)', [channel, id]);

  async function lockedKey(client: Client, id: string): Promise<KeyRow> {
    const { rows } = await client.query<KeyRow>(
      `SELECT ${KEY_COLUMNS} FROM ${keyFrom(qualified)} WHERE k.id = $1 FOR UPDATE OF k`,
      [id],
    );
    const row = rows[0];
    if (row === undefined) throw new KeyNotFoundError(id);
    return row;
  }

  function keyId(id: unknown): string {
    // Not a string, or text no key id can be (a NUL byte would even make PostgreSQL fail).
    if (!isId(id)) throw new KeyNotFoundError(String(id));
    return id;
  }

  let closed = false;

  return {
    schema,
    channel,
    maxActiveKeysPerApp,
    currentMasterKeyId: current.id,
    get listening() {
      return listener?.connected ?? false;
    },
    findKey: (id) => reader.findKey(id),
    appsFor: (entity) => reader.appsFor(entity),

    async createKey(input: CreateKeyInput): Promise<CreatedKey> {
      if (typeof input !== 'object' || input === null) {
        throw new InvalidArgumentError('createKey needs an object with an entity');
      }
      const entity = checkEntity(input.entity);
      const created = await transaction('create a key', async (client) => {
        const accountId = await ownerAccount(client, entity);
        const now = new Date();
        const displayName = checkDisplayName(input.displayName);
        const { expiresAt } = input;
        if (expiresAt !== undefined && !(validDate(expiresAt) && expiresAt > now)) {
          throw new InvalidArgumentError('expiresAt must be a valid date in the future');
        }
        if (entity.type === 'app') {
          const { rows } = await client.query<{ active: number }>(
            `SELECT count(*)::int AS active FROM ${qualified}.api_keys
             WHERE entity_type = 'app' AND entity_id = $1
               AND (revoked_at IS NULL OR revoked_at > $2)
               AND (expires_at IS NULL OR expires_at > $2)`,
            [entity.id, now],
          );
          if ((rows[0]?.active ?? 0) >= maxActiveKeysPerApp) {
            throw new KeyLimitError(entity.id, maxActiveKeysPerApp);
          }
        }
        for (;;) {
          const generated = generateKey(entity.type);
          const sealed = sealSecret(generated.secret, { keyId: generated.id, entity }, current);
          const { rowCount } = await client.query(
            `INSERT INTO ${qualified}.api_keys (id, entity_type, entity_id, display_name,
               created_at, expires_at, secret_ciphertext, secret_iv, secret_tag, master_key_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO NOTHING`,
            [
              generated.id,
              entity.type,
              entity.id,
              displayName ?? null,
              now,
              expiresAt ?? null,
              sealed.ciphertext,
              sealed.iv,
              sealed.tag,
              sealed.masterKeyId,
            ],
          );
          if (rowCount !== 1) continue; // an id already taken: draw another
          await notify(client, generated.id);
          const record: KeyInfo = toKeyInfo({
            id: generated.id,
            entity_type: entity.type,
            entity_id: entity.id,
            account_id: accountId,
            display_name: displayName ?? null,
            created_at: now,
            expires_at: expiresAt ?? null,
            revoked_at: null,
          });
          return { record, secret: generated.secret };
        }
      });
      invalidate(created.record.id);
      return created;
    },

    async revokeKey(id: string, at?: Date): Promise<KeyInfo> {
      const wanted = keyId(id);
      const info = await transaction('revoke a key', async (client) => {
        const row = await lockedKey(client, wanted);
        const when = at ?? new Date();
        if (!validDate(when)) {
          throw new InvalidArgumentError('the revocation instant must be a valid date');
        }
        if (row.revoked_at !== null && row.revoked_at.getTime() <= when.getTime()) {
          return toKeyInfo(row);
        }
        await client.query(`UPDATE ${qualified}.api_keys SET revoked_at = $2 WHERE id = $1`, [
          wanted,
          when,
        ]);
        await notify(client, wanted);
        return toKeyInfo({ ...row, revoked_at: when });
      });
      invalidate(wanted);
      return info;
    },

    async deleteKey(id: string): Promise<KeyInfo> {
      const wanted = keyId(id);
      const info = await transaction('delete a key', async (client) => {
        const row = await lockedKey(client, wanted);
        await client.query(`DELETE FROM ${qualified}.api_keys WHERE id = $1`, [wanted]);
        await notify(client, wanted);
        return toKeyInfo(row);
      });
      remembered.delete(wanted);
      invalidate(wanted);
      return info;
    },

    async listKeys(filter: KeyFilter = {}): Promise<readonly KeyInfo[]> {
      const { entity, entityType, state } = filter ?? {};
      const where: string[] = [];
      const values: unknown[] = [];
      if (entity !== undefined) {
        if (!isId(entity?.id)) return [];
        values.push(entity.type, entity.id);
        where.push(`k.entity_type = $${values.length - 1} AND k.entity_id = $${values.length}`);
      }
      if (entityType !== undefined) {
        values.push(entityType);
        where.push(`k.entity_type = $${values.length}`);
      }
      let rows: KeyRow[];
      try {
        ({ rows } = await pool.query<KeyRow>(
          `SELECT ${KEY_COLUMNS} FROM ${keyFrom(qualified)}
           ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY k.seq`,
          values,
        ));
      } catch (error) {
        throw toStoreError(error, 'list keys');
      }
      const now = new Date();
      return rows
        .map(toKeyInfo)
        .filter((info) => state === undefined || keyState(info, now) === state);
    },

    async addApp(app) {
      const id = checkId(app?.id, 'the app id');
      const accountId = checkId(app.accountId, 'the account id');
      await transaction('add an app', async (client) => {
        const { rowCount } = await client.query(
          `INSERT INTO ${qualified}.apps (id, account_id) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
          [id, accountId],
        );
        if (rowCount !== 1) throw new EntityExistsError({ type: 'app', id });
        await notify(client, id);
        await notify(client, accountId);
      });
      invalidate(id);
      invalidate(accountId);
      return { id, accountId };
    },

    async createServiceAccount(serviceAccount) {
      const id = checkId(serviceAccount?.id, 'the service account id');
      const accountId = checkId(serviceAccount.accountId, 'the account id');
      await transaction('create a service account', async (client) => {
        const { rowCount } = await client.query(
          `INSERT INTO ${qualified}.service_accounts (id, account_id) VALUES ($1, $2)
           ON CONFLICT (id) DO NOTHING`,
          [id, accountId],
        );
        if (rowCount !== 1) throw new EntityExistsError({ type: 'serviceAccount', id });
        await notify(client, id);
      });
      invalidate(id);
      return { id, accountId, appIds: [] };
    },

    async grantApp(serviceAccountId: string, appId: string): Promise<ServiceAccountEntry> {
      const svcId = checkId(serviceAccountId, 'the service account id');
      checkId(appId, 'the app id');
      const entry = await transaction('grant an app', async (client) => {
        const svc = await client.query<{ account_id: string }>(
          `SELECT account_id FROM ${qualified}.service_accounts WHERE id = $1 FOR UPDATE`,
          [svcId],
        );
        const svcAccount = svc.rows[0]?.account_id;
        if (svcAccount === undefined) {
          throw new EntityNotFoundError({ type: 'serviceAccount', id: svcId });
        }
        const app = await client.query<{ account_id: string }>(
          `SELECT account_id FROM ${qualified}.apps WHERE id = $1`,
          [appId],
        );
        const appAccount = app.rows[0]?.account_id;
        if (appAccount === undefined) throw new EntityNotFoundError({ type: 'app', id: appId });
        if (appAccount !== svcAccount) {
          throw new InvalidArgumentError(
            `app ${quote(appId)} belongs to account ${quote(appAccount)}, not to ${quote(svcAccount)} of service account ${quote(svcId)}`,
          );
        }
        const { rowCount } = await client.query(
          `INSERT INTO ${qualified}.service_account_apps (service_account_id, app_id, account_id)
           VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
          [svcId, appId, svcAccount],
        );
        if (rowCount === 1) await notify(client, svcId);
        const { rows } = await client.query<{ app_id: string }>(
          `SELECT app_id FROM ${qualified}.service_account_apps
           WHERE service_account_id = $1 ORDER BY seq`,
          [svcId],
        );
        return { id: svcId, accountId: svcAccount, appIds: rows.map((row) => row.app_id) };
      });
      invalidate(svcId);
      return entry;
    },

    async health(): Promise<PostgresHealth> {
      const started = performance.now();
      let database: PostgresHealth['database'];
      try {
        await pool.query('SELECT 1');
        database = { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
      } catch (error) {
        database = { ok: false, error: describeDatabaseError(error) };
      }
      const listenerState =
        listener === undefined ? 'off' : listener.connected ? 'connected' : 'disconnected';
      return {
        ok: database.ok,
        status: !database.ok ? 'down' : listenerState === 'disconnected' ? 'degraded' : 'ok',
        database,
        listener: listenerState,
        pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
      };
    },

    async reencryptSecrets(reencryptOptions = {}) {
      const batchSize = reencryptOptions.batchSize ?? 100;
      if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
        throw new ConfigurationError('reencryptSecrets: batchSize must be a positive integer');
      }
      try {
        return await reencryptAll(pool, qualified, masterKeys, batchSize);
      } catch (error) {
        if (error instanceof ConfigurationError) throw error;
        throw toStoreError(error, 're-encrypt the secrets');
      }
    },

    invalidate,
    clear() {
      // The remembered records stay: they only let an unchanged key keep its object identity.
      cached?.clear();
    },

    async close() {
      if (closed) return;
      closed = true;
      await listener?.close();
      await pool.end().catch(() => undefined);
    },
  };

  /** The account of the key's owner; the app's row is locked so the per-app limit holds. */
  async function ownerAccount(client: Client, entity: Entity): Promise<string> {
    if (entity.type === 'userAccount') return entity.id;
    const table = entity.type === 'app' ? 'apps' : 'service_accounts';
    const { rows } = await client.query<{ account_id: string }>(
      `SELECT account_id FROM ${qualified}.${table} WHERE id = $1 ${entity.type === 'app' ? 'FOR UPDATE' : 'FOR SHARE'}`,
      [entity.id],
    );
    const accountId = rows[0]?.account_id;
    if (accountId === undefined) throw new EntityNotFoundError(entity);
    return accountId;
  }
}

const NONE: readonly string[] = Object.freeze([]);
