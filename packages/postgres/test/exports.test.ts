/**
 * The public surface of `@keyscope/postgres`: its exported names (so additions are deliberate),
 * that the store is a `WritableKeyStore` from core, and the types of its entry points.
 */
import type { CachedStoreOptions, KeyStore, WritableKeyStore } from '@keyscope/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  MigrateResult,
  PostgresHealth,
  PostgresKeyStore,
  PostgresStoreOptions,
  ReencryptResult,
} from '../src/index.js';
import * as postgres from '../src/index.js';

describe('@keyscope/postgres exports', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(postgres).sort()).toStrictEqual([
      'DEFAULT_CACHE_TTL',
      'DEFAULT_CHANNEL',
      'DEFAULT_SCHEMA',
      'MASTER_KEY_ENV',
      'SCHEMA_VERSION',
      'createRevocationListener',
      'generateMasterKey',
      'isPostgresUrl',
      'migrate',
      'openPostgresStore',
      'parseMasterKeys',
      'reencryptSecrets',
    ]);
    expect(postgres).toMatchObject({
      DEFAULT_CACHE_TTL: 30_000,
      DEFAULT_CHANNEL: 'keyscope_keys',
      DEFAULT_SCHEMA: 'keyscope',
      MASTER_KEY_ENV: 'KEYSCOPE_MASTER_KEY',
      SCHEMA_VERSION: 1,
    });
  });

  it('isPostgresUrl tells a database URL from a file path', () => {
    expect(postgres.isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(postgres.isPostgresUrl(' POSTGRESQL://u@h/db')).toBe(true);
    expect(postgres.isPostgresUrl('keys.json')).toBe(false);
    expect(postgres.isPostgresUrl('/var/postgres://x')).toBe(false);
    expect(postgres.isPostgresUrl(undefined)).toBe(false);
  });

  it('types the store as a WritableKeyStore with health, re-encryption and close', () => {
    expectTypeOf<PostgresKeyStore>().toExtend<WritableKeyStore>();
    expectTypeOf<PostgresKeyStore>().toExtend<KeyStore>();
    expectTypeOf(postgres.openPostgresStore)
      .parameter(0)
      .toEqualTypeOf<string | PostgresStoreOptions>();
    expectTypeOf(postgres.openPostgresStore).returns.resolves.toEqualTypeOf<PostgresKeyStore>();
    expectTypeOf<PostgresKeyStore['health']>().returns.resolves.toEqualTypeOf<PostgresHealth>();
    expectTypeOf<PostgresKeyStore['close']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<
      PostgresKeyStore['reencryptSecrets']
    >().returns.resolves.toEqualTypeOf<ReencryptResult>();
    expectTypeOf(postgres.migrate).returns.resolves.toEqualTypeOf<MigrateResult>();
    expectTypeOf<PostgresStoreOptions['cache']>().toEqualTypeOf<
      CachedStoreOptions | false | undefined
    >();
  });
});
