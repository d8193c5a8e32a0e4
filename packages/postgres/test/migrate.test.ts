/**
 * Tests of `migrate` against the real server: it creates the schema and its tables and records the
 * version; running it again changes nothing; six processes' worth of concurrent runs apply each
 * migration once (the advisory lock); `?schema=` in the URL and the `schema` option agree; a
 * store refuses a schema that is not migrated or is newer than it knows; an unreachable database
 * is a StoreIoError whose message never shows the password.
 */
import { ConfigurationError, StoreIoError } from '@keyscope/core';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, openPostgresStore, SCHEMA_VERSION } from '../src/index.js';
import {
  caught,
  describePg,
  masterKeyList,
  PG_URL,
  reachable,
  uniqueName,
  urlFor,
} from './support/pg.js';

const schemas: string[] = [];
let admin: pg.Pool;
const fresh = () => {
  const schema = uniqueName('ks_mig');
  schemas.push(schema);
  return schema;
};

beforeAll(() => {
  if (!reachable) return;
  admin = new pg.Pool({ connectionString: PG_URL, max: 2 });
});
afterAll(async () => {
  if (!reachable) return;
  for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

async function tables(schema: string): Promise<string[]> {
  const { rows } = await admin.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    [schema],
  );
  return rows.map((row) => row.table_name);
}

describePg('migrate', () => {
  it('creates the schema, its tables and the migrations record; a second run changes nothing', async () => {
    const schema = fresh();
    expect(await migrate(urlFor(schema))).toEqual({
      schema,
      applied: [1],
      version: SCHEMA_VERSION,
    });
    expect(await tables(schema)).toEqual([
      'api_keys',
      'apps',
      'keyscope_migrations',
      'service_account_apps',
      'service_accounts',
    ]);
    const { rows } = await admin.query(`SELECT version, name FROM "${schema}".keyscope_migrations`);
    expect(rows).toEqual([
      { version: 1, name: 'apps, service accounts, grants and encrypted api keys' },
    ]);
    expect(await migrate({ connectionString: PG_URL, schema })).toEqual({
      schema,
      applied: [],
      version: SCHEMA_VERSION,
    });
    expect(await tables(schema)).toHaveLength(5);
  });

  it('applies each migration once when many run at the same time (advisory lock)', async () => {
    const schema = fresh();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => migrate({ connectionString: PG_URL, schema })),
    );
    expect(results.flatMap((result) => result.applied)).toEqual([1]);
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM "${schema}".keyscope_migrations`,
    );
    expect(rows[0].n).toBe(1);
  });

  it('refuses bad options, and a ?schema= that contradicts the schema option', async () => {
    await expect(migrate('')).rejects.toThrow(ConfigurationError);
    await expect(migrate({ connectionString: PG_URL, schema: 'Bad-Name' })).rejects.toThrow(
      'migrate: the schema must be 1 to 63 lowercase letters',
    );
    await expect(migrate({ connectionString: urlFor('a_one'), schema: 'a_two' })).rejects.toThrow(
      "migrate: the schema option and the connection string's ?schema= disagree",
    );
  });

  it('a store refuses a schema that is not migrated, or newer than it knows', async () => {
    const { text } = masterKeyList('k1');
    const schema = fresh();
    const missing = await caught(
      openPostgresStore({ connectionString: urlFor(schema), masterKeys: text }),
    );
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect(missing.message).toBe(
      `the schema "${schema}" is at version 0, this build needs ${SCHEMA_VERSION}: run \`keyscope migrate --store <url>\` (or the migrate() function) first`,
    );
    await migrate(urlFor(schema));
    await admin.query(
      `INSERT INTO "${schema}".keyscope_migrations (version, name) VALUES (99, 'future')`,
    );
    const newer = await caught(
      openPostgresStore({ connectionString: urlFor(schema), masterKeys: text }),
    );
    expect(newer.message).toContain('newer than this build of @keyscope/postgres knows');
    await expect(migrate(urlFor(schema))).rejects.toThrow(
      `the schema "${schema}" is at version 99, newer than this build`,
    );
  });

  it('autoMigrate migrates before opening', async () => {
    const { text } = masterKeyList('k1');
    const schema = fresh();
    const store = await openPostgresStore({
      connectionString: urlFor(schema),
      masterKeys: text,
      autoMigrate: true,
      listen: false,
    });
    expect(await store.listKeys()).toEqual([]);
    await store.close();
  });

  it('an unreachable database is a StoreIoError without the password', async () => {
    const url = 'postgres://someone:hunter2-not-a-real-password@127.0.0.1:1/test';
    const error = await caught(migrate({ connectionString: url, connectionTimeout: 1000 }));
    expect(error).toBeInstanceOf(StoreIoError);
    expect(error.message).toMatch(/^PostgreSQL key store: cannot connect to migrate the schema: /);
    expect(error.message).not.toContain('hunter2');
    const { text } = masterKeyList('k1');
    const opening = await caught(
      openPostgresStore({ connectionString: url, masterKeys: text, connectionTimeout: 1000 }),
    );
    expect(opening).toBeInstanceOf(StoreIoError);
    expect(opening.message).not.toContain('hunter2');
  });
});
