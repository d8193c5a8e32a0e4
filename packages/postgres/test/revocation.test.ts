/**
 * Tests of revocation across instances, against the real server: two stores on one database
 * (each with its own cache, ttl 30 s), a key revoked through one is refused by the other's
 * authenticator within one second (LISTEN/NOTIFY), grants reach the other's `appsFor` too; the
 * listener's connection killed with `pg_terminate_backend` reconnects by itself and invalidations
 * work again; while the listener cannot reconnect (a cut TCP proxy in front of it) a revoked key
 * is refused within the cache ttl, and on reconnection the whole cache is cleared, so a revocation
 * missed during the gap takes effect at once.
 */
import { basicAuthorization, type CreatedKey, createAuthenticator } from '@keyscope/core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  openPostgresStore,
  type PostgresKeyStore,
  type PostgresStoreEvent,
  type PostgresStoreOptions,
} from '../src/index.js';
import {
  describePg,
  masterKeyList,
  seedKey,
  uniqueName,
  until,
  urlFor,
  useSchema,
} from './support/pg.js';
import { startProxy, type TcpProxy } from './support/tcp-proxy.js';

const db = useSchema('ks_revoke');
const master = masterKeyList('k1');
const opened: PostgresKeyStore[] = [];
let proxy: TcpProxy;

interface Instance {
  store: PostgresKeyStore;
  events: PostgresStoreEvent[];
  applicationName: string;
  /** Resolves whether the instance authenticates the key now. */
  accepts(key: CreatedKey): Promise<boolean>;
}

async function instance(options: Partial<PostgresStoreOptions> = {}): Promise<Instance> {
  const events: PostgresStoreEvent[] = [];
  const applicationName = uniqueName('ks_rev');
  const store = await openPostgresStore({
    connectionString: db.url,
    masterKeys: master.text,
    applicationName,
    reconnectDelay: { min: 20, max: 100 },
    onEvent: (event) => events.push(event),
    ...options,
  });
  opened.push(store);
  const authenticator = createAuthenticator({ store });
  return {
    store,
    events,
    applicationName,
    async accepts({ record, secret }) {
      try {
        await authenticator.authenticate({
          authorization: basicAuthorization({ id: record.id, secret }),
        });
        return true;
      } catch (error) {
        expect(error).toMatchObject({ status: 401, reason: 'key_revoked' });
        return false;
      }
    },
  };
}

/**
 * A key written straight into the table: no notification, so a first lookup by another instance
 * is cached for sure (a creation notice arriving during that lookup would keep it out of the cache).
 */
async function newKey(): Promise<CreatedKey> {
  const { id, secret } = await seedKey(db.admin, db.schema, master.keys[0]!, {
    entity: { type: 'userAccount', id: 'acc_1' },
  });
  return { record: { id, entity: { type: 'userAccount', id: 'acc_1' } }, secret };
}

beforeAll(async () => {
  proxy = await startProxy();
});
afterAll(async () => {
  await proxy?.close();
});
beforeEach(async () => {
  await db.reset();
  proxy.set('pass');
  await db.admin.query(
    `INSERT INTO ${db.q}.apps (id, account_id) VALUES ('app_a', 'acc_1'), ('app_b', 'acc_1');
     INSERT INTO ${db.q}.service_accounts (id, account_id) VALUES ('svc_1', 'acc_1');`,
  );
});
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

describePg('revocation across instances (LISTEN/NOTIFY)', () => {
  it('a key revoked through one instance is refused by the other within one second', async () => {
    const a = await instance();
    const b = await instance();
    expect(b.store.listening).toBe(true);
    const key = await newKey();
    expect(await b.accepts(key)).toBe(true); // now in b's cache, for 30 s
    const record = await b.store.findKey(key.record.id);
    expect(await b.store.findKey(key.record.id)).toBe(record);
    // Without a notification (a revocation written by hand), b would keep the key for its ttl.
    const silent = await newKey();
    expect(await b.accepts(silent)).toBe(true);
    await db.admin.query(`UPDATE ${db.q}.api_keys SET revoked_at = now() WHERE id = $1`, [
      silent.record.id,
    ]);

    const revokedAt = Date.now();
    await a.store.revokeKey(key.record.id);
    const waited = await until(async () => !(await b.accepts(key)), 1000, 5);
    expect(waited).toBeLessThan(1000);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
    const changed = await b.store.findKey(key.record.id);
    expect(changed).not.toBe(record);
    expect(changed?.revokedAt).toBeInstanceOf(Date);
    expect(await b.accepts(silent)).toBe(true);

    // A deleted key too.
    const other = await newKey();
    expect(await b.accepts(other)).toBe(true);
    await a.store.deleteKey(other.record.id);
    await until(async () => (await b.store.findKey(other.record.id)) === undefined, 1000, 5);
  });

  it("another instance's grants and apps reach this one's cached appsFor within one second", async () => {
    const a = await instance();
    const b = await instance();
    expect(await b.store.appsFor({ type: 'serviceAccount', id: 'svc_1' })).toEqual([]);
    expect(await b.store.appsFor({ type: 'userAccount', id: 'acc_1' })).toEqual(['app_a', 'app_b']);
    await a.store.grantApp('svc_1', 'app_b');
    await a.store.addApp({ id: 'app_c', accountId: 'acc_1' });
    await until(
      async () => (await b.store.appsFor({ type: 'serviceAccount', id: 'svc_1' })).length === 1,
      1000,
    );
    await until(
      async () => (await b.store.appsFor({ type: 'userAccount', id: 'acc_1' })).length === 3,
      1000,
    );
  });

  it('reconnects by itself when its listener connection is terminated, and invalidates again', async () => {
    const a = await instance();
    const b = await instance();
    const pid = async () => {
      const { rows } = await db.admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [`${b.applicationName}:listener`],
      );
      return rows.map((row) => row.pid);
    };
    const [first] = await pid();
    expect(first).toBeTypeOf('number');
    await db.admin.query('SELECT pg_terminate_backend($1)', [first]);
    await until(() => b.events.some((e) => e.type === 'listener-disconnected'), 3000);
    await until(() => b.events.some((e) => e.type === 'listener-connected' && e.reconnect), 3000);
    expect(b.store.listening).toBe(true);
    const [second] = await pid();
    expect(second).not.toBe(first);

    const key = await newKey();
    expect(await b.accepts(key)).toBe(true);
    await a.store.revokeKey(key.record.id);
    expect(await until(async () => !(await b.accepts(key)), 1000, 5)).toBeLessThan(1000);
  });

  it('while the listener is cut off, revocation falls back to the ttl; on reconnection the cache is cleared', async () => {
    const ttl = 2500;
    const a = await instance();
    const b = await instance({
      cache: { ttl },
      listenerConnectionString: urlFor(db.schema, proxy.port),
    });
    expect(b.store.listening).toBe(true);
    const k = await newKey();
    const cachedAt = Date.now();
    expect(await b.accepts(k)).toBe(true);

    proxy.set('refuse');
    await until(() => b.events.some((e) => e.type === 'listener-disconnected'), 3000);
    await until(() => b.events.some((e) => e.type === 'listener-error'), 3000);
    expect(await b.store.health()).toMatchObject({
      ok: true,
      status: 'degraded',
      listener: 'disconnected',
    });

    // The notification is lost: b keeps the key for at most the ttl, then asks the database.
    await a.store.revokeKey(k.record.id);
    await until(async () => !(await b.accepts(k)), ttl + 1000, 20);
    const refusedAfter = Date.now() - cachedAt;
    expect(refusedAfter).toBeLessThanOrEqual(ttl + 250);

    // A revocation missed during the gap takes effect as soon as the listener is back.
    const l = await newKey();
    const lCachedAt = Date.now();
    expect(await b.accepts(l)).toBe(true);
    await a.store.revokeKey(l.record.id);
    expect(await b.accepts(l)).toBe(true); // still cached, still cut off
    proxy.set('pass');
    await until(() => b.events.some((e) => e.type === 'listener-connected' && e.reconnect), 3000);
    expect(await b.accepts(l)).toBe(false);
    expect(Date.now() - lCachedAt).toBeLessThan(ttl);

    // And notifications flow again.
    const m = await newKey();
    expect(await b.accepts(m)).toBe(true);
    await a.store.revokeKey(m.record.id);
    expect(await until(async () => !(await b.accepts(m)), 1000, 5)).toBeLessThan(1000);
    expect(await b.store.health()).toMatchObject({ ok: true, status: 'ok', listener: 'connected' });
  });

  it('notices a listener connection that died silently (ping), and reconnects', async () => {
    const b = await instance({
      listenerConnectionString: urlFor(db.schema, proxy.port),
      listenerPingInterval: 100,
      statementTimeout: 200,
      connectionTimeout: 300,
    });
    expect(b.store.listening).toBe(true);
    proxy.set('freeze'); // the socket stays open; nothing gets through any more
    await until(() => b.events.some((e) => e.type === 'listener-disconnected'), 3000);
    await until(() => b.events.some((e) => e.type === 'listener-error'), 3000);
    proxy.set('pass');
    await until(() => b.events.some((e) => e.type === 'listener-connected' && e.reconnect), 3000);
    expect(b.store.listening).toBe(true);
  });
});
