/**
 * `@keyscope/postgres`: a PostgreSQL key store for keyscope, shared by many API instances. Secrets
 * are encrypted at rest under rotatable master keys; writes notify every instance (LISTEN/NOTIFY)
 * so a revoked key is refused everywhere within milliseconds, or within the cache ttl while an
 * instance's listener is reconnecting. Start with `migrate(url)` once, then `openPostgresStore(url)`
 * in each instance.
 */

export { type ConnectionOptions, DEFAULT_SCHEMA } from './internal/connection.js';
export { SCHEMA_VERSION } from './internal/migrations.js';
export { isPostgresUrl } from './is-postgres-url.js';
export {
  generateMasterKey,
  MASTER_KEY_ENV,
  type MasterKey,
  parseMasterKeys,
} from './master-keys.js';
export { type MigrateOptions, type MigrateResult, migrate } from './migrate.js';
export { DEFAULT_CACHE_TTL, openPostgresStore } from './open-postgres-store.js';
export {
  type ReencryptOptions,
  type ReencryptResult,
  reencryptSecrets,
} from './reencrypt-secrets.js';
export {
  createRevocationListener,
  DEFAULT_CHANNEL,
  type RevocationListener,
  type RevocationListenerEvent,
  type RevocationListenerOptions,
} from './revocation-listener.js';
export type {
  PostgresHealth,
  PostgresKeyStore,
  PostgresStoreEvent,
  PostgresStoreOptions,
} from './types.js';
