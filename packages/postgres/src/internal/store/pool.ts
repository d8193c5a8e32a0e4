/**
 * The store's connection pool: a `pg.Pool` on the resolved connection settings, whose idle
 * connections' errors (a terminated backend, say: the pool has discarded it already) are reported
 * as `pool-error` events; and the check, on opening, that the schema is at the version this build
 * reads and writes.
 */
import { ConfigurationError } from '@keyscope/core';
import pg from 'pg';
import { schemaVersion } from '../../migrate.js';
import type { PostgresStoreEvent } from '../../types.js';
import { type Connection, toStoreError } from '../connection.js';
import { SCHEMA_VERSION } from '../migrations.js';

/** A pool; it opens no connection before the first query. */
export function createPool(
  connection: Connection,
  sizing: { readonly max: number; readonly idleTimeoutMillis: number },
  emit: (event: PostgresStoreEvent) => void,
): pg.Pool {
  const pool = new pg.Pool({ ...connection.client, ...sizing });
  pool.on('error', (error) => emit({ type: 'pool-error', error }));
  return pool;
}

/**
 * Checks that the schema is migrated to this build's version.
 *
 * @throws {StoreIoError} the database cannot be reached.
 * @throws {ConfigurationError} the schema is at another version (not migrated, or newer).
 */
export async function requireSchemaVersion(pool: pg.Pool, connection: Connection): Promise<void> {
  let version: number;
  try {
    version = await schemaVersion((text) => pool.query(text), connection.qualified);
  } catch (error) {
    throw toStoreError(error, 'connect');
  }
  if (version === SCHEMA_VERSION) return;
  const { schema } = connection;
  throw new ConfigurationError(
    version < SCHEMA_VERSION
      ? `the schema "${schema}" is at version ${version}, this build needs ${SCHEMA_VERSION}: run \`keyscope migrate --store <url>\` (or the migrate() function) first`
      : `the schema "${schema}" is at version ${version}, newer than this build of @keyscope/postgres knows (${SCHEMA_VERSION}): upgrade it`,
  );
}
