/**
 * `migrate`: brings a database's keyscope schema to the version this build uses. It takes a
 * session advisory lock (`pg_advisory_lock`) named after the schema, so several processes may run
 * it at once (each deploy's instances, say): one applies the missing migrations, the others wait
 * and then find nothing to do. Applied versions are recorded in `<schema>.keyscope_migrations`;
 * each migration runs in its own transaction with its record, so a failure leaves the previous
 * version intact. Running it again changes nothing.
 */
import { ConfigurationError } from '@keyscope/core';
import pg from 'pg';
import {
  type ConnectionOptions,
  type Connection as ResolvedConnection,
  resolveConnection,
  toStoreError,
} from './internal/connection.js';
import { MIGRATIONS, SCHEMA_VERSION } from './internal/migrations.js';

/** Options of {@link migrate}: where the database is (statements may take 60 s by default). */
export type MigrateOptions = ConnectionOptions;

/**
 * What {@link migrate} did.
 *
 * @example
 * ```ts
 * const { applied, version }: MigrateResult = await migrate(url);
 * ```
 */
export interface MigrateResult {
  /** The schema migrated. */
  readonly schema: string;
  /** The versions this call applied, in order (empty when the schema was up to date). */
  readonly applied: readonly number[];
  /** The schema's version now. */
  readonly version: number;
}

/** First half of the advisory lock key: "keys" in ASCII. The second half hashes the schema name. */
const LOCK_CLASS = 0x6b657973;

/**
 * Creates or upgrades keyscope's schema. Idempotent, and safe to run from several processes at
 * once.
 *
 * @param target - a `postgres://` URL (`?schema=` names the schema, default `keyscope`) or options
 * @throws {ConfigurationError} bad options, or a schema written by a newer version of keyscope.
 * @throws {StoreIoError} the database could not be reached or refused a statement; the migration
 * that failed was rolled back.
 * @example
 * ```ts
 * import { migrate } from '@keyscope/postgres';
 *
 * const { applied, version } = await migrate(process.env.KEYSCOPE_STORE!);
 * console.log(applied.length ? `migrated to version ${version}` : `already at version ${version}`);
 * ```
 */
export async function migrate(target: string | MigrateOptions): Promise<MigrateResult> {
  const options = typeof target === 'string' ? { connectionString: target } : target;
  const connection = resolveConnection(
    { ...options, statementTimeout: options?.statementTimeout ?? 60_000 },
    'migrate',
  );
  const client = new pg.Client({
    ...connection.client,
    application_name: `${connection.applicationName}:migrate`,
  });
  client.on('error', () => {
    // A connection lost between statements: the next statement fails and says so.
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw toStoreError(error, 'connect to migrate the schema');
  }
  try {
    return await migrateLocked(client, connection);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function migrateLocked(
  client: pg.Client,
  connection: ResolvedConnection,
): Promise<MigrateResult> {
  const { schema, qualified } = connection;
  const applied: number[] = [];
  let doing = 'take the migration lock';
  try {
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    try {
      doing = 'create the schema';
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${qualified}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${qualified}.keyscope_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`,
      );
      doing = 'read the applied migrations';
      const { rows } = await client.query<{ version: number }>(
        `SELECT version FROM ${qualified}.keyscope_migrations`,
      );
      const done = new Set(rows.map((row) => row.version));
      const newest = Math.max(0, ...done);
      if (newest > SCHEMA_VERSION) {
        throw new ConfigurationError(
          `the schema "${schema}" is at version ${newest}, newer than this build of @keyscope/postgres knows (${SCHEMA_VERSION}): upgrade it`,
        );
      }
      for (const migration of MIGRATIONS) {
        if (done.has(migration.version)) continue;
        doing = `apply migration ${migration.version} (${migration.name})`;
        await client.query('BEGIN');
        try {
          for (const statement of migration.statements) {
            await client.query(statement.replaceAll('$schema', qualified));
          }
          await client.query(
            `INSERT INTO ${qualified}.keyscope_migrations (version, name) VALUES ($1, $2)`,
            [migration.version, migration.name],
          );
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        applied.push(migration.version);
      }
    } finally {
      await client
        .query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, schema])
        .catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw toStoreError(error, doing);
  }
  return { schema, applied, version: SCHEMA_VERSION };
}

/**
 * The schema's version, or 0 when it was never migrated.
 *
 * @throws the driver's error when the database cannot answer.
 */
export async function schemaVersion(
  query: (text: string) => Promise<{ rows: Array<{ version: number | null }> }>,
  qualified: string,
): Promise<number> {
  try {
    const { rows } = await query(
      `SELECT max(version) AS version FROM ${qualified}.keyscope_migrations`,
    );
    return rows[0]?.version ?? 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '42P01' || code === '3F000') return 0;
    throw error;
  }
}
