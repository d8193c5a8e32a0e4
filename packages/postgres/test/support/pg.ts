/**
 * The PostgreSQL the tests run against: `KEYSCOPE_PG_URL`, default
 * `postgres://postgres@127.0.0.1:5432/test` (trust auth). When it cannot be reached the suites are
 * skipped with a visible warning, except under `CI=true`, where that is a failure. Each test file
 * works in its own randomly named schema, migrated here and dropped after; `seedKey` writes a key
 * with a chosen id straight into the table (encrypted as the store would), for fixtures.
 */
import { randomBytes } from 'node:crypto';
import { type Entity, generateKey } from '@keyscope/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type MasterKey, migrate, parseMasterKeys } from '../../src/index.js';
import { sealSecret } from '../../src/internal/crypto.js';

export const PG_URL = process.env.KEYSCOPE_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** The URL without its password, for messages. */
const shown = PG_URL.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

async function probe(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export const reachable = await probe();

/**
 * `describe`, run only when PostgreSQL answers: skipped with a warning otherwise, failed under CI.
 */
export function describePg(name: string, body: () => void): void {
  if (!reachable) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs PostgreSQL', () => {
          throw new Error(`PostgreSQL is not reachable at ${shown}, and CI=true: failing`);
        });
      });
      return;
    }
    console.warn(
      `\n[@keyscope/postgres] PostgreSQL is not reachable at ${shown} (set KEYSCOPE_PG_URL): SKIPPING "${name}"\n`,
    );
  }
  describe.skipIf(!reachable)(name, body);
}

/** A connection string naming `schema`, optionally through another host and port. */
export function urlFor(schema: string, port?: number): string {
  const url = new URL(PG_URL);
  if (port !== undefined) {
    url.hostname = '127.0.0.1';
    url.port = String(port);
  }
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** A random name, for schemas and application names. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A test master key list with its parsed keys. */
export function masterKeyList(...ids: string[]): { text: string; keys: readonly MasterKey[] } {
  const text = ids.map((id) => `${id}:${randomBytes(32).toString('base64')}`).join(',');
  return { text, keys: parseMasterKeys(text) };
}

/**
 * The file's own schema: migrated before its tests, dropped after. `admin` runs raw SQL;
 * `reset()` empties the tables.
 */
export function useSchema(prefix = 'ks_test') {
  const context = {
    schema: uniqueName(prefix),
    admin: undefined as unknown as pg.Pool,
    get url() {
      return urlFor(context.schema);
    },
    get q() {
      return `"${context.schema}"`;
    },
    async reset() {
      await context.admin.query(
        `TRUNCATE ${context.q}.api_keys, ${context.q}.service_account_apps, ${context.q}.service_accounts, ${context.q}.apps`,
      );
    },
  };
  beforeAll(async () => {
    if (!reachable) return;
    context.admin = new pg.Pool({ connectionString: PG_URL, max: 4 });
    context.admin.on('error', () => undefined);
    await migrate(context.url);
  });
  afterAll(async () => {
    if (!reachable) return;
    await context.admin.query(`DROP SCHEMA IF EXISTS ${context.q} CASCADE`);
    await context.admin.end();
  });
  return context;
}

/** A key row written directly, encrypted under `master` as the store would write it. */
export interface SeedKey {
  readonly id?: string;
  readonly secret?: string;
  readonly entity: Entity;
  readonly displayName?: string;
  readonly createdAt?: Date;
  readonly expiresAt?: Date;
  readonly revokedAt?: Date;
}

/** Writes a key row with a chosen id and returns its id and secret. */
export async function seedKey(
  admin: pg.Pool,
  schema: string,
  master: MasterKey,
  key: SeedKey,
): Promise<{ id: string; secret: string }> {
  const generated = generateKey(key.entity.type);
  const id = key.id ?? generated.id;
  const secret = key.secret ?? generated.secret;
  const sealed = sealSecret(secret, { keyId: id, entity: key.entity }, master);
  await admin.query(
    `INSERT INTO "${schema}".api_keys (id, entity_type, entity_id, display_name, created_at,
       expires_at, revoked_at, secret_ciphertext, secret_iv, secret_tag, master_key_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      key.entity.type,
      key.entity.id,
      key.displayName ?? null,
      key.createdAt ?? new Date(),
      key.expiresAt ?? null,
      key.revokedAt ?? null,
      sealed.ciphertext,
      sealed.iv,
      sealed.tag,
      sealed.masterKeyId,
    ],
  );
  return { id, secret };
}

/** Resolves once `check` returns true (polled every `every` ms), or rejects after `timeout` ms. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeout = 5000,
  every = 10,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeout) throw new Error(`condition not met within ${timeout} ms`);
    await new Promise((done) => setTimeout(done, every));
  }
}

/** The rejection of a promise (fails when it resolves). */
export async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
