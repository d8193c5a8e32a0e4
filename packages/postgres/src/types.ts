/**
 * The public types of the PostgreSQL store: its options, the events it reports, what its health
 * check finds and the store object itself. They live in a file of their own, which imports no
 * module of the store, so that `openPostgresStore` and each of its internal parts can name them
 * without importing each other.
 */
import type { CachedStoreOptions, WritableKeyStore } from '@keyscope/core';
import type { ConnectionOptions } from './internal/connection.js';
import type { ReencryptResult } from './internal/reencrypt.js';
import type { MasterKey } from './master-keys.js';
import type { RevocationListenerEvent } from './revocation-listener.js';

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

/** Options of `openPostgresStore`. */
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
