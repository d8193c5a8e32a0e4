/**
 * `reencryptSecrets`: the middle step of a master-key rotation, as a function a command (`keyscope
 * keys reencrypt`) or a deploy script can call without opening a full store: it connects, checks
 * that the schema is migrated, re-encrypts every secret not yet under the current master key (the
 * first in `KEYSCOPE_MASTER_KEY`), and disconnects. Safe to run while the API serves traffic, and
 * to run again (a second run re-encrypts nothing).
 */
import { ConfigurationError } from '@keyscope/core';
import pg from 'pg';
import { type ConnectionOptions, resolveConnection, toStoreError } from './internal/connection.js';
import { SCHEMA_VERSION } from './internal/migrations.js';
import { checkBatchSize, type ReencryptResult, reencryptAll } from './internal/reencrypt.js';
import { type MasterKey, resolveMasterKeys } from './master-keys.js';
import { schemaVersion } from './migrate.js';

export type { ReencryptResult } from './internal/reencrypt.js';

/** Options of {@link reencryptSecrets}. */
export interface ReencryptOptions extends ConnectionOptions {
  /** As the store's `masterKeys` (default `process.env.KEYSCOPE_MASTER_KEY`); the first is current. */
  readonly masterKeys?: string | readonly MasterKey[] | undefined;
  /** Secrets per transaction (default 100). */
  readonly batchSize?: number | undefined;
}

/**
 * Re-encrypts every secret under the current master key.
 *
 * Rotation: 1. put the new key first in `KEYSCOPE_MASTER_KEY`, the old one after it
 * (`new:<key>,old:<key>`), and roll that out to every instance (they can now read both, and write
 * under the new one); 2. run this (or `keyscope keys reencrypt`); 3. check `byMasterKey` lists
 * only the new id, then remove the old key from `KEYSCOPE_MASTER_KEY` everywhere.
 *
 * @param target - a `postgres://` URL (`?schema=` names the schema) or options
 * @throws {ConfigurationError} bad options, a schema not migrated, or secrets under a master key
 * that is not configured.
 * @throws {StoreError} a secret does not decrypt, or the database failed (that batch rolled back;
 * run it again).
 * @example
 * ```ts
 * import { reencryptSecrets } from '@keyscope/postgres';
 *
 * // KEYSCOPE_MASTER_KEY="k2:<new key>,k1:<old key>"
 * const { reencrypted, byMasterKey } = await reencryptSecrets(process.env.KEYSCOPE_STORE!);
 * console.log(`${reencrypted} secrets re-encrypted`, byMasterKey); // { k2: 42 }
 * ```
 */
export async function reencryptSecrets(
  target: string | ReencryptOptions,
): Promise<ReencryptResult> {
  const options: ReencryptOptions =
    typeof target === 'string' ? { connectionString: target } : target;
  const connection = resolveConnection(options, 'reencryptSecrets');
  const masterKeys = resolveMasterKeys(options.masterKeys);
  const batchSize = checkBatchSize(options.batchSize);
  const pool = new pg.Pool({
    ...connection.client,
    application_name: `${connection.applicationName}:reencrypt`,
    max: 1,
  });
  pool.on('error', () => {
    // An idle connection lost: the next statement fails and says so.
  });
  try {
    let version: number;
    try {
      version = await schemaVersion((text) => pool.query(text), connection.qualified);
    } catch (error) {
      throw toStoreError(error, 'connect');
    }
    if (version !== SCHEMA_VERSION) {
      throw new ConfigurationError(
        `the schema "${connection.schema}" is at version ${version}, this build needs ${SCHEMA_VERSION}: run \`keyscope migrate\` first`,
      );
    }
    return await reencryptAll(pool, connection.qualified, masterKeys, batchSize);
  } finally {
    await pool.end().catch(() => undefined);
  }
}
