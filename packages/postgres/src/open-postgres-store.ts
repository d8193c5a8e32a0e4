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
 *
 * This file only puts the store together, in order, from its parts under `internal/store/`: the
 * settings, the pool, the queries, the reads and their cache, the listener, the key lifecycle and
 * the health check.
 */

import { checkBatchSize, reencryptAll } from './internal/reencrypt.js';
import { createStoreCache } from './internal/store/cache.js';
import { checkHealth } from './internal/store/health.js';
import { createKeyReader } from './internal/store/key-reader.js';
import { createKeyLifecycle } from './internal/store/lifecycle.js';
import { createStoreListener } from './internal/store/listener.js';
import { createPool, requireSchemaVersion } from './internal/store/pool.js';
import { createQueries } from './internal/store/queries.js';
import { resolveStoreSettings } from './internal/store/settings.js';
import { migrate } from './migrate.js';
import type { PostgresKeyStore, PostgresStoreOptions } from './types.js';

export { DEFAULT_CACHE_TTL } from './internal/store/cache.js';

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
  const settings = resolveStoreSettings(target);
  const { connection, masterKeys, channel } = settings;
  // No connection is opened before the first query: the options below are still checked first.
  const pool = createPool(connection, settings.pool, settings.emit);
  try {
    const queries = createQueries(connection.schema, connection.qualified, channel);
    const reader = createKeyReader({
      pool,
      queries,
      masterKeys,
      remember: settings.cache?.maxEntries ?? 10_000,
    });
    const cache = createStoreCache(reader, settings.cache);
    const listener = createStoreListener(settings, cache);
    const lifecycle = createKeyLifecycle({
      pool,
      queries,
      masterKey: settings.currentMasterKey,
      maxActiveKeysPerApp: settings.maxActiveKeysPerApp,
      changed: cache.invalidate,
      deleted: cache.forget,
    });

    if (settings.autoMigrate) await migrate({ ...settings.options, schema: connection.schema });
    await requireSchemaVersion(pool, connection);
    if (listener !== undefined) await listener.start();

    let closed = false;
    return {
      schema: connection.schema,
      channel,
      maxActiveKeysPerApp: settings.maxActiveKeysPerApp,
      currentMasterKeyId: settings.currentMasterKey.id,
      get listening() {
        return listener?.connected ?? false;
      },
      findKey: (id) => cache.reads.findKey(id),
      appsFor: (entity) => cache.reads.appsFor(entity),
      ...lifecycle,
      health: () => checkHealth(pool, queries, listener),
      async reencryptSecrets(options = {}) {
        const batchSize = checkBatchSize(options.batchSize);
        return reencryptAll(pool, connection.qualified, masterKeys, batchSize);
      },
      invalidate: cache.invalidate,
      clear: cache.clear,
      async close() {
        if (closed) return;
        closed = true;
        await listener?.close();
        await pool.end().catch(() => undefined);
      },
    };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
