/**
 * Tests of `openPostgresStore` as a `WritableKeyStore`, against the real server and with the same
 * expectations as core's keys-file store: every operation and its refusals (the same error classes,
 * codes and messages), the per-app limit of active keys (also across two store instances racing),
 * revocation that keeps the record, listing filters, apps, service accounts and grants (the
 * database refuses a grant across accounts by itself), lookups: the same `KeyRecord` object for an
 * unchanged key and a new object for a changed one, ids that no key can have (a NUL byte) refused
 * without a query, and the options refused at opening.
 */
import { createHmac } from 'node:crypto';
import {
  basicAuthorization,
  ConfigurationError,
  createAuthenticator,
  EntityExistsError,
  EntityNotFoundError,
  InvalidArgumentError,
  KeyLimitError,
  KeyNotFoundError,
  keyState,
  LifecycleError,
} from '@keyscope/core';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import {
  openPostgresStore,
  type PostgresKeyStore,
  type PostgresStoreOptions,
} from '../src/index.js';
import {
  caught,
  describePg,
  masterKeyList,
  seedKey,
  uniqueName,
  until,
  useSchema,
} from './support/pg.js';

const db = useSchema('ks_store');
const master = masterKeyList('k1');
const EXISTING_SECRET = 'demo-existing-secret-not-for-production';
const opened: PostgresKeyStore[] = [];

async function open(options: Partial<PostgresStoreOptions> = {}): Promise<PostgresKeyStore> {
  const store = await openPostgresStore({
    connectionString: db.url,
    masterKeys: master.text,
    listen: false,
    ...options,
  });
  opened.push(store);
  return store;
}

beforeEach(async () => {
  await db.reset();
  await db.admin.query(
    `INSERT INTO ${db.q}.apps (id, account_id) VALUES ('app_a', 'acc_1'), ('app_b', 'acc_1'), ('app_x', 'acc_2');
     INSERT INTO ${db.q}.service_accounts (id, account_id) VALUES ('svc_1', 'acc_1');
     INSERT INTO ${db.q}.service_account_apps (service_account_id, app_id, account_id) VALUES ('svc_1', 'app_a', 'acc_1');`,
  );
  await seedKey(db.admin, db.schema, master.keys[0]!, {
    id: 'app_existing',
    secret: EXISTING_SECRET,
    entity: { type: 'app', id: 'app_a' },
    displayName: 'hand-written',
    createdAt: new Date('2029-01-01T00:00:00Z'),
  });
});

afterEach(async () => {
  vi.useRealTimers();
  for (const store of opened.splice(0)) await store.close();
});

describePg('openPostgresStore: opening', () => {
  it.each([
    [
      { maxActiveKeysPerApp: 0 },
      'openPostgresStore: maxActiveKeysPerApp must be a positive integer',
    ],
    [{ pool: { max: 0 } }, 'openPostgresStore: pool.max must be a positive integer'],
    [{ pool: { idleTimeoutMillis: -1 } }, 'openPostgresStore: pool.idleTimeoutMillis must be'],
    [{ statementTimeout: 0 }, 'openPostgresStore: statementTimeout must be a positive number'],
    [{ connectionTimeout: Number.NaN }, 'openPostgresStore: connectionTimeout must be'],
    [
      { connectionString: '' },
      'openPostgresStore: a connection string (postgres://...) is required',
    ],
    [
      { connectionString: 'postgres://[bad' },
      'openPostgresStore: the connection string is not a valid URL',
    ],
    [{ masterKeys: '' }, 'masterKeys is not set'],
    [{ masterKeys: 'nope' }, 'masterKeys: entry 1: a master key must be 32 bytes'],
    [{ cache: { ttl: 0 } }, 'ttl must be a positive number of milliseconds'],
    [{ channel: 'Bad Channel', listen: true }, 'createRevocationListener: channel must be'],
  ])('refuses %j', async (options, message) => {
    const error = await caught(open(options as Partial<PostgresStoreOptions>));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('reads KEYSCOPE_MASTER_KEY when masterKeys is not given, and needs one', async () => {
    vi.stubEnv('KEYSCOPE_MASTER_KEY', master.text);
    try {
      const store = await open({ masterKeys: undefined });
      expect(store.currentMasterKeyId).toBe('k1');
      expect((await store.findKey('app_existing'))?.secret).toBe(EXISTING_SECRET);
      vi.stubEnv('KEYSCOPE_MASTER_KEY', '');
      await expect(open({ masterKeys: undefined })).rejects.toThrow(
        'KEYSCOPE_MASTER_KEY is not set',
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('exposes its schema, channel, limit and state; close() twice is fine', async () => {
    const store = await open({ maxActiveKeysPerApp: 3 });
    expect(store).toMatchObject({
      schema: db.schema,
      channel: 'keyscope_keys',
      maxActiveKeysPerApp: 3,
      listening: false,
      currentMasterKeyId: 'k1',
    });
    await store.close();
    await store.close();
  });
});

describePg('createKey', () => {
  it('creates app, user-account and service-account keys and returns the secret once', async () => {
    const store = await open();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-05-01T12:00:00Z'));
    const app = await store.createKey({ entity: { type: 'app', id: 'app_a' }, displayName: 'CI' });
    const act = await store.createKey({ entity: { type: 'userAccount', id: 'acc_1' } });
    const svc = await store.createKey({
      entity: { type: 'serviceAccount', id: 'svc_1' },
      expiresAt: new Date('2031-01-01T00:00:00Z'),
    });
    expect(app.record).toEqual({
      id: expect.stringMatching(/^app_[0-9a-f]{24}$/),
      entity: { type: 'app', id: 'app_a' },
      accountId: 'acc_1',
      displayName: 'CI',
      createdAt: new Date('2030-05-01T12:00:00Z'),
    });
    expect(act.record).toMatchObject({
      id: expect.stringMatching(/^act_[0-9a-f]{24}$/),
      accountId: 'acc_1',
    });
    expect(svc.record).toMatchObject({
      id: expect.stringMatching(/^svc_[0-9a-f]{24}$/),
      accountId: 'acc_1',
      expiresAt: new Date('2031-01-01T00:00:00Z'),
    });
    for (const created of [app, act, svc]) {
      expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(created.record).not.toHaveProperty('secret');
    }
    const { rows } = await db.admin.query(
      `SELECT id, entity_type, entity_id, display_name, created_at, expires_at, revoked_at, master_key_id
       FROM ${db.q}.api_keys ORDER BY seq`,
    );
    expect(rows.slice(1)).toEqual([
      {
        id: app.record.id,
        entity_type: 'app',
        entity_id: 'app_a',
        display_name: 'CI',
        created_at: new Date('2030-05-01T12:00:00Z'),
        expires_at: null,
        revoked_at: null,
        master_key_id: 'k1',
      },
      expect.objectContaining({
        id: act.record.id,
        entity_type: 'userAccount',
        entity_id: 'acc_1',
      }),
      expect.objectContaining({
        id: svc.record.id,
        entity_type: 'serviceAccount',
        expires_at: new Date('2031-01-01T00:00:00Z'),
      }),
    ]);
  });

  it('serves the new key at once, and it authenticates', async () => {
    const store = await open();
    const { record, secret } = await store.createKey({ entity: { type: 'app', id: 'app_b' } });
    expect((await store.findKey(record.id))?.secret).toBe(secret);
    const auth = await createAuthenticator({ store }).authenticate({
      authorization: basicAuthorization({ id: record.id, secret }),
    });
    expect(auth).toMatchObject({ scope: 'app', appId: 'app_b', keyId: record.id });
  });

  it.each([
    [
      { entity: { type: 'app', id: 'app_nope' } },
      EntityNotFoundError,
      'app "app_nope" does not exist',
    ],
    [
      { entity: { type: 'serviceAccount', id: 'svc_nope' } },
      EntityNotFoundError,
      'service account "svc_nope" does not exist',
    ],
    [{ entity: { type: 'account', id: 'acc_1' } }, InvalidArgumentError, 'entity.type must be'],
    [{ entity: { type: 'app', id: '' } }, InvalidArgumentError, 'entity.id must be a string'],
    [
      { entity: { type: 'app', id: 'a\u0000' } },
      InvalidArgumentError,
      'entity.id must be a string',
    ],
    [{ entity: { type: 'app', id: 'x'.repeat(257) } }, InvalidArgumentError, 'entity.id must be'],
    [{ entity: 'app_a' }, InvalidArgumentError, 'entity must be an object'],
    [{ entity: null }, InvalidArgumentError, 'entity must be an object'],
    [
      { entity: { type: 'app', id: 'app_a' }, displayName: 'x'.repeat(257) },
      InvalidArgumentError,
      'displayName must be a string of at most 256 characters',
    ],
    [
      { entity: { type: 'app', id: 'app_a' }, displayName: 'a\u001b[31mred' },
      InvalidArgumentError,
      'displayName must be',
    ],
    [{ entity: { type: 'app', id: 'app_a' }, displayName: 7 }, InvalidArgumentError, 'displayName'],
    [
      { entity: { type: 'app', id: 'app_a' }, expiresAt: new Date(Date.now() - 1000) },
      InvalidArgumentError,
      'expiresAt must be a valid date in the future',
    ],
    [
      { entity: { type: 'app', id: 'app_a' }, expiresAt: new Date('nope') },
      InvalidArgumentError,
      'expiresAt must be a valid date in the future',
    ],
    [
      { entity: { type: 'app', id: 'app_a' }, expiresAt: '2099-01-01' },
      InvalidArgumentError,
      'expiresAt must be a valid date in the future',
    ],
  ])('refuses %j, writing nothing', async (input, type, message) => {
    const store = await open();
    const error = await caught(store.createKey(input as never));
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(LifecycleError);
    expect(error.message.startsWith(message)).toBe(true);
    const { rows } = await db.admin.query(`SELECT count(*)::int AS n FROM ${db.q}.api_keys`);
    expect(rows[0].n).toBe(1);
  });

  it('refuses a missing input', async () => {
    const store = await open();
    await expect(store.createKey(undefined as never)).rejects.toThrow(
      new InvalidArgumentError('createKey needs an object with an entity'),
    );
  });

  it('allows at most 10 active keys per app by default, with a clear error', async () => {
    const store = await open();
    for (let i = 0; i < 9; i++) await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    const error = await caught(store.createKey({ entity: { type: 'app', id: 'app_a' } }));
    expect(error).toBeInstanceOf(KeyLimitError);
    expect(error).toMatchObject({
      code: 'ERR_KEY_LIMIT',
      appId: 'app_a',
      limit: 10,
      message:
        'app "app_a" already has 10 active keys, the most allowed; revoke or delete one first',
    });
    await store.createKey({ entity: { type: 'app', id: 'app_b' } });
    for (let i = 0; i < 12; i++)
      await store.createKey({ entity: { type: 'userAccount', id: 'acc_1' } });
    // A revoked key frees a place; a key whose revocation is only scheduled does not.
    await store.revokeKey('app_existing', new Date(Date.now() + 60_000));
    await expect(store.createKey({ entity: { type: 'app', id: 'app_a' } })).rejects.toBeInstanceOf(
      KeyLimitError,
    );
    await store.revokeKey('app_existing');
    await store.createKey({ entity: { type: 'app', id: 'app_a' } });
  });

  it('counts expired keys as inactive, and takes a configured limit', async () => {
    await db.admin.query(`UPDATE ${db.q}.api_keys SET expires_at = '2000-01-01T00:00:00Z'`);
    await seedKey(db.admin, db.schema, master.keys[0]!, {
      id: 'app_old',
      entity: { type: 'app', id: 'app_a' },
      revokedAt: new Date('2000-01-01T00:00:00Z'),
    });
    const store = await open({ maxActiveKeysPerApp: 2 });
    await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    await expect(store.createKey({ entity: { type: 'app', id: 'app_a' } })).rejects.toThrow(
      'app "app_a" already has 2 active keys',
    );
  });

  it('holds the limit when creations race from two stores on their own pools, all counting at once', {
    timeout: 60_000,
  }, async () => {
    const limit = 4;
    const racers = 12;
    const names = [uniqueName('ks_race'), uniqueName('ks_race')];
    const stores = await Promise.all(
      names.map((applicationName) =>
        open({
          maxActiveKeysPerApp: limit,
          pool: { max: racers / 2 },
          applicationName,
          statementTimeout: 30_000,
        }),
      ),
    );
    // Every insertion into api_keys waits until all the creations are under way: a store that
    // counted without holding the app's row would let all of them count the same keys.
    const blocker = await db.admin.connect();
    let results: PromiseSettledResult<unknown>[];
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${db.q}.api_keys IN SHARE ROW EXCLUSIVE MODE`);
      const creations = Array.from({ length: racers }, (_, i) =>
        stores[i % 2]!.createKey({ entity: { type: 'app', id: 'app_b' } }),
      );
      const settled = Promise.allSettled(creations);
      const waiting = async () => {
        const { rows } = await db.admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE application_name = ANY($1) AND wait_event_type = 'Lock'`,
          [names],
        );
        return rows[0]?.n;
      };
      await until(async () => (await waiting()) === racers, 15_000);
      await blocker.query('COMMIT');
      results = await settled;
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      blocker.release();
    }
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(fulfilled).toHaveLength(limit);
    for (const r of refused) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(KeyLimitError);
    }
    const { rows } = await db.admin.query(
      `SELECT count(*)::int AS n FROM ${db.q}.api_keys WHERE entity_id = 'app_b'`,
    );
    expect(rows[0].n).toBe(limit);
  });

  it('never loses a key among concurrent calls', async () => {
    const store = await open({ pool: { max: 4 } });
    const created = await Promise.all(
      Array.from({ length: 20 }, () =>
        store.createKey({ entity: { type: 'userAccount', id: 'acc_1' } }),
      ),
    );
    const ids = (await store.listKeys()).map((k) => k.id);
    expect(ids).toHaveLength(21);
    for (const { record } of created) expect(ids).toContain(record.id);
  });
});

describePg('revokeKey, deleteKey, listKeys', () => {
  it('revokes by setting revokedAt and keeping the record; the key is refused', async () => {
    const store = await open();
    const { record, secret } = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    const authenticator = createAuthenticator({ store });
    const authorization = basicAuthorization({ id: record.id, secret });
    await authenticator.authenticate({ authorization }); // cached now
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-02-03T04:05:06Z'));
    const revoked = await store.revokeKey(record.id);
    expect(revoked).toMatchObject({ id: record.id, revokedAt: new Date('2031-02-03T04:05:06Z') });
    const { rows } = await db.admin.query(`SELECT revoked_at FROM ${db.q}.api_keys WHERE id = $1`, [
      record.id,
    ]);
    expect(rows[0].revoked_at).toEqual(new Date('2031-02-03T04:05:06Z'));
    await expect(authenticator.authenticate({ authorization })).rejects.toMatchObject({
      status: 401,
      reason: 'key_revoked',
    });
  });

  it('schedules a revocation, brings it forward, and never postpones one', async () => {
    const store = await open();
    const later = new Date(Date.now() + 3_600_000);
    const soon = new Date(Date.now() + 60_000);
    expect((await store.revokeKey('app_existing', later)).revokedAt).toEqual(later);
    expect(keyState((await store.listKeys())[0]!)).toBe('active');
    expect((await store.revokeKey('app_existing', soon)).revokedAt).toEqual(soon);
    expect((await store.revokeKey('app_existing', later)).revokedAt).toEqual(soon);
    const { rows } = await db.admin.query(`SELECT revoked_at FROM ${db.q}.api_keys`);
    expect(rows[0].revoked_at).toEqual(soon);
  });

  it.each([
    ['revokeKey', (s: PostgresKeyStore) => s.revokeKey('app_nope'), 'app_nope'],
    ['deleteKey', (s: PostgresKeyStore) => s.deleteKey('app_nope'), 'app_nope'],
    ['revokeKey (not a string)', (s: PostgresKeyStore) => s.revokeKey(5 as never), '5'],
    ['deleteKey (a NUL byte)', (s: PostgresKeyStore) => s.deleteKey('app\u0000x'), 'app\u0000x'],
  ])('%s of an unknown id: KeyNotFoundError', async (_name, call, id) => {
    const store = await open();
    const error = await caught(call(store));
    expect(error).toBeInstanceOf(KeyNotFoundError);
    expect(error).toMatchObject({ code: 'ERR_KEY_NOT_FOUND', keyId: id });
  });

  it('quotes the id in the message, escaped and cut at 64 characters', async () => {
    const store = await open();
    const error = await caught(store.deleteKey(`\u001b[2J${'x'.repeat(100)}`));
    expect(error.message).toBe(`no key has the id "\\u001b[2J${'x'.repeat(60)}..."`);
  });

  it('refuses an invalid revocation instant', async () => {
    const store = await open();
    await expect(store.revokeKey('app_existing', new Date('x'))).rejects.toThrow(
      new InvalidArgumentError('the revocation instant must be a valid date'),
    );
  });

  it('deletes a key for good and returns what it was', async () => {
    const store = await open();
    expect(await store.findKey('app_existing')).toBeDefined();
    const { record } = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    const deleted = await store.deleteKey('app_existing');
    expect(deleted).toEqual({
      id: 'app_existing',
      entity: { type: 'app', id: 'app_a' },
      accountId: 'acc_1',
      displayName: 'hand-written',
      createdAt: new Date('2029-01-01T00:00:00Z'),
    });
    expect((await store.listKeys()).map((k) => k.id)).toEqual([record.id]);
    expect(await store.findKey('app_existing')).toBeUndefined();
  });

  it('lists keys without secrets, in creation order, filtered by entity, entity type and state', async () => {
    const seed = (key: Parameters<typeof seedKey>[3]) =>
      seedKey(db.admin, db.schema, master.keys[0]!, key);
    await seed({
      id: 'svc_k',
      entity: { type: 'serviceAccount', id: 'svc_1' },
      expiresAt: new Date('2001-01-01T00:00:00Z'),
      createdAt: new Date('2000-01-01T00:00:00Z'),
    });
    await seed({
      id: 'act_k',
      entity: { type: 'userAccount', id: 'acc_1' },
      revokedAt: new Date('2001-01-01T00:00:00Z'),
    });
    await seed({ id: 'app_b_k', entity: { type: 'app', id: 'app_b' } });
    const store = await open();
    const all = await store.listKeys();
    expect(all.map((k) => k.id)).toEqual(['app_existing', 'svc_k', 'act_k', 'app_b_k']);
    for (const key of all) expect(key).not.toHaveProperty('secret');
    expect(all[1]).toEqual({
      id: 'svc_k',
      entity: { type: 'serviceAccount', id: 'svc_1' },
      accountId: 'acc_1',
      createdAt: new Date('2000-01-01T00:00:00Z'),
      expiresAt: new Date('2001-01-01T00:00:00Z'),
    });
    expect(all[2]).toMatchObject({
      accountId: 'acc_1',
      revokedAt: new Date('2001-01-01T00:00:00Z'),
    });
    const ids = async (filter: Parameters<PostgresKeyStore['listKeys']>[0]) =>
      (await store.listKeys(filter)).map((k) => k.id);
    expect(await ids({ entity: { type: 'app', id: 'app_a' } })).toEqual(['app_existing']);
    expect(await ids({ entityType: 'app' })).toEqual(['app_existing', 'app_b_k']);
    expect(await ids({ state: 'active' })).toEqual(['app_existing', 'app_b_k']);
    expect(await ids({ state: 'expired' })).toEqual(['svc_k']);
    expect(await ids({ state: 'revoked' })).toEqual(['act_k']);
    expect(await ids({ entityType: 'app', state: 'revoked' })).toEqual([]);
    expect(await ids({ entity: { type: 'app', id: 'a\u0000' } })).toEqual([]);
  });
});

describePg('apps and service accounts', () => {
  it('adds an app, refuses a duplicate and malformed ids', async () => {
    const store = await open();
    expect(await store.appsFor({ type: 'userAccount', id: 'acc_9' })).toEqual([]);
    expect(await store.addApp({ id: 'app_new', accountId: 'acc_9' })).toEqual({
      id: 'app_new',
      accountId: 'acc_9',
    });
    // The store's own write is seen at once, although the empty answer was cached.
    expect(await store.appsFor({ type: 'userAccount', id: 'acc_9' })).toEqual(['app_new']);
    expect(await store.appsFor({ type: 'app', id: 'app_new' })).toEqual(['app_new']);
    const duplicate = await caught(store.addApp({ id: 'app_a', accountId: 'acc_1' }));
    expect(duplicate).toBeInstanceOf(EntityExistsError);
    expect(duplicate).toMatchObject({
      code: 'ERR_ENTITY_EXISTS',
      message: 'app "app_a" already exists',
      entity: { type: 'app', id: 'app_a' },
    });
    await expect(store.addApp({ id: '', accountId: 'a' })).rejects.toThrow(
      'the app id must be a string of 1 to 256 characters without control characters',
    );
    await expect(store.addApp({ id: 'ok', accountId: 'a\nb' })).rejects.toThrow(
      'the account id must be',
    );
    await expect(store.addApp(undefined as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('creates service accounts and refuses duplicates', async () => {
    const store = await open();
    expect(await store.createServiceAccount({ id: 'svc_2', accountId: 'acc_1' })).toEqual({
      id: 'svc_2',
      accountId: 'acc_1',
      appIds: [],
    });
    await expect(
      store.createServiceAccount({ id: 'svc_2', accountId: 'acc_1' }),
    ).rejects.toMatchObject({
      code: 'ERR_ENTITY_EXISTS',
      message: 'service account "svc_2" already exists',
    });
    await expect(
      store.createServiceAccount({ id: 'svc\u0000', accountId: 'acc_1' }),
    ).rejects.toThrow('the service account id must be');
    await expect(store.createServiceAccount(null as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('grants an app of the same account, once, in grant order', async () => {
    const store = await open();
    expect(await store.appsFor({ type: 'serviceAccount', id: 'svc_1' })).toEqual(['app_a']);
    expect(await store.grantApp('svc_1', 'app_b')).toEqual({
      id: 'svc_1',
      accountId: 'acc_1',
      appIds: ['app_a', 'app_b'],
    });
    expect(await store.appsFor({ type: 'serviceAccount', id: 'svc_1' })).toEqual([
      'app_a',
      'app_b',
    ]);
    expect((await store.grantApp('svc_1', 'app_b')).appIds).toEqual(['app_a', 'app_b']);
    expect(await store.appsFor({ type: 'userAccount', id: 'acc_1' })).toEqual(['app_a', 'app_b']);
    expect(await store.appsFor({ type: 'app', id: 'app_nope' })).toEqual([]);
    expect(await store.appsFor({ type: 'bogus', id: 'x' } as never)).toEqual([]);
  });

  it.each([
    ['svc_nope', 'app_a', EntityNotFoundError, 'service account "svc_nope" does not exist'],
    ['svc_1', 'app_nope', EntityNotFoundError, 'app "app_nope" does not exist'],
    [
      'svc_1',
      'app_x',
      InvalidArgumentError,
      'app "app_x" belongs to account "acc_2", not to "acc_1" of service account "svc_1"',
    ],
    ['svc_1', '', InvalidArgumentError, 'the app id must be'],
    ['', 'app_a', InvalidArgumentError, 'the service account id must be'],
  ])('grantApp(%j, %j) is refused', async (svc, app, type, message) => {
    const store = await open();
    const error = await caught(store.grantApp(svc, app));
    expect(error).toBeInstanceOf(type);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('the database itself refuses a grant across accounts and a key of a missing app', async () => {
    await expect(
      db.admin.query(
        `INSERT INTO ${db.q}.service_account_apps (service_account_id, app_id, account_id) VALUES ('svc_1', 'app_x', 'acc_1')`,
      ),
    ).rejects.toThrow(/foreign key/);
    await expect(
      seedKey(db.admin, db.schema, master.keys[0]!, { entity: { type: 'app', id: 'app_gone' } }),
    ).rejects.toThrow(/foreign key/);
  });
});

describePg('findKey', () => {
  it('answers the record with its account, and the same object while the key is unchanged', async () => {
    const store = await open({ cache: { ttl: 50 } });
    const first = await store.findKey('app_existing');
    expect(first).toEqual({
      id: 'app_existing',
      secret: EXISTING_SECRET,
      entity: { type: 'app', id: 'app_a' },
      accountId: 'acc_1',
      displayName: 'hand-written',
      createdAt: new Date('2029-01-01T00:00:00Z'),
      expiresAt: undefined,
      revokedAt: undefined,
    });
    expect(Object.isFrozen(first)).toBe(true);
    expect(await store.findKey('app_existing')).toBe(first);
    await new Promise((done) => setTimeout(done, 80)); // past the ttl: read again, same object
    expect(await store.findKey('app_existing')).toBe(first);
    store.clear();
    expect(await store.findKey('app_existing')).toBe(first);
    await store.revokeKey('app_existing', new Date(Date.now() + 60_000));
    const changed = await store.findKey('app_existing');
    expect(changed).not.toBe(first);
    expect(changed?.revokedAt).toBeInstanceOf(Date);
    expect(await store.findKey('app_existing')).toBe(changed);
  });

  it('without a cache, still serves an unchanged key as the same object', async () => {
    const store = await open({ cache: false });
    const first = await store.findKey('app_existing');
    expect(await store.findKey('app_existing')).toBe(first);
    await db.admin.query(`UPDATE ${db.q}.api_keys SET display_name = 'renamed'`);
    const changed = await store.findKey('app_existing');
    expect(changed).not.toBe(first);
    expect(changed?.displayName).toBe('renamed');
  });

  it('answers undefined for unknown ids, and for ids no key can have, without failing', async () => {
    const store = await open({ cache: false });
    for (const id of ['app_nope', '', 'x'.repeat(300), 'app\u0000x', 'a\u0007', 5 as never]) {
      expect(await store.findKey(id)).toBeUndefined();
    }
    // A JWT whose kid holds a NUL byte: refused as an unknown key (401), not a store failure (503).
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const signed = `${part({ alg: 'HS256', kid: 'app\u0000x' })}.${part({ scope: 'app' })}`;
    const signature = createHmac('sha256', 'demo-any-secret').update(signed).digest('base64url');
    await expect(
      createAuthenticator({ store }).authenticate({
        authorization: `Bearer ${signed}.${signature}`,
      }),
    ).rejects.toMatchObject({ status: 401, reason: 'unknown_key' });
  });

  it('gives a user-account key its own id as account', async () => {
    await db.reset();
    await seedKey(db.admin, db.schema, master.keys[0]!, {
      id: 'act_1',
      entity: { type: 'userAccount', id: 'acc_9' },
    });
    const store = await open();
    expect((await store.listKeys()).map((k) => ({ id: k.id, accountId: k.accountId }))).toEqual([
      { id: 'act_1', accountId: 'acc_9' },
    ]);
    expect((await store.findKey('act_1'))?.accountId).toBe('acc_9');
  });
});
