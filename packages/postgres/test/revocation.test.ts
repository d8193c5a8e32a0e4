/**
 * Tests of revocation across instances, against the real server: two stores on one database
 * (each with its own cache, ttl 30 s), a key revoked through one is refused by the other's
 * authenticator as soon as the notification arrives (LISTEN/NOTIFY), long before its ttl; grants
 * reach the other's `appsFor` too; the listener's connection killed with `pg_terminate_backend`
 * reconnects by itself and invalidations work again; while the listener cannot reconnect (a cut
 * TCP proxy in front of it) a revoked key is refused once the cache ttl has passed, and on
 * reconnection the whole cache is cleared, so a revocation missed during the gap takes effect at
 * once. Events are awaited with generous bounds (a loaded machine is slow, not wrong); the
 * measured delays are printed. The contract's 1 s bound is a figure to measure, not to assert here.
 */
import { basicAuthorization, type CreatedKey, createAuthenticator } from '@keyscope/core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
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

// Long enough for the generous waits below.
vi.setConfig({ testTimeout: 60_000 });

/** How long to wait for an event that normally takes milliseconds. */
const EVENT = 15_000;

/** Prints a measured delay, so the figure stays visible in the test output. */
function report(what: string, ms: number): void {
  console.log(`[revocation] ${what}: ${ms} ms`);
}

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
  it('a key revoked through one instance is refused by the other once notified, long before its ttl', async () => {
    const a = await instance();
    // A ttl no wait below can reach: only a notification makes b forget a key.
    const b = await instance({ cache: { ttl: 600_000 } });
    expect(b.store.listening).toBe(true);
    const key = await newKey();
    expect(await b.accepts(key)).toBe(true); // now in b's cache
    const record = await b.store.findKey(key.record.id);
    expect(await b.store.findKey(key.record.id)).toBe(record);
    // Without a notification (a revocation written by hand), b would keep the key for its ttl.
    const silent = await newKey();
    expect(await b.accepts(silent)).toBe(true);
    await db.admin.query(`UPDATE ${db.q}.api_keys SET revoked_at = now() WHERE id = $1`, [
      silent.record.id,
    ]);

    await a.store.revokeKey(key.record.id);
    report(
      'revoked key refused by the other instance after',
      await until(async () => !(await b.accepts(key)), EVENT, 5),
    );
    const changed = await b.store.findKey(key.record.id);
    expect(changed).not.toBe(record);
    expect(changed?.revokedAt).toBeInstanceOf(Date);
    expect(await b.accepts(silent)).toBe(true);

    // A deleted key too.
    const other = await newKey();
    expect(await b.accepts(other)).toBe(true);
    await a.store.deleteKey(other.record.id);
    report(
      'deleted key gone from the other instance after',
      await until(async () => (await b.store.findKey(other.record.id)) === undefined, EVENT, 5),
    );
  });

  it("another instance's grants and apps reach this one's cached appsFor once notified", async () => {
    const a = await instance();
    const b = await instance();
    expect(await b.store.appsFor({ type: 'serviceAccount', id: 'svc_1' })).toEqual([]);
    expect(await b.store.appsFor({ type: 'userAccount', id: 'acc_1' })).toEqual(['app_a', 'app_b']);
    await a.store.grantApp('svc_1', 'app_b');
    await a.store.addApp({ id: 'app_c', accountId: 'acc_1' });
    await until(
      async () => (await b.store.appsFor({ type: 'serviceAccount', id: 'svc_1' })).length === 1,
      EVENT,
    );
    await until(
      async () => (await b.store.appsFor({ type: 'userAccount', id: 'acc_1' })).length === 3,
      EVENT,
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
    await until(() => b.events.some((e) => e.type === 'listener-disconnected'), EVENT);
    await until(() => b.events.some((e) => e.type === 'listener-connected' && e.reconnect), EVENT);
    expect(b.store.listening).toBe(true);
    const [second] = await pid();
    expect(second).not.toBe(first);

    const key = await newKey();
    expect(await b.accepts(key)).toBe(true);
    await a.store.revokeKey(key.record.id);
    report(
      'after a reconnection, revoked key refused after',
      await until(async () => !(await b.accepts(key)), EVENT, 5),
    );
  });

  it('while the listener is cut off, revocation falls back to the ttl; on reconnection the cache is cleared', async () => {
    const ttl = 2500;
    const a = await instance();
    const listenerConnectionString = urlFor(db.schema, proxy.port);
    // short: its ttl runs out during the gap; long: only a cleared cache can refuse its key.
    const short = await instance({ cache: { ttl }, listenerConnectionString });
    const long = await instance({ cache: { ttl: 600_000 }, listenerConnectionString });
    expect(short.store.listening).toBe(true);
    expect(long.store.listening).toBe(true);
    const k = await newKey();
    const cachedAt = performance.now();
    expect(await short.accepts(k)).toBe(true);
    const l = await newKey();
    expect(await long.accepts(l)).toBe(true);

    proxy.set('refuse');
    for (const { events } of [short, long]) {
      await until(() => events.some((e) => e.type === 'listener-disconnected'), EVENT);
      await until(() => events.some((e) => e.type === 'listener-error'), EVENT);
    }
    expect(await short.store.health()).toMatchObject({
      ok: true,
      status: 'degraded',
      listener: 'disconnected',
    });

    // The notifications are lost: each instance keeps its key for its ttl.
    await a.store.revokeKey(k.record.id);
    await a.store.revokeKey(l.record.id);
    expect(await long.accepts(l)).toBe(true);
    await until(async () => !(await short.accepts(k)), ttl + EVENT, 20);
    const refusedAfter = Math.round(performance.now() - cachedAt);
    report(`listener cut off, revoked key refused (ttl ${ttl} ms) after`, refusedAfter);
    expect(refusedAfter).toBeGreaterThanOrEqual(ttl);

    // A revocation missed during the gap takes effect as soon as the listener is back.
    proxy.set('pass');
    await until(
      () => long.events.some((e) => e.type === 'listener-connected' && e.reconnect),
      EVENT,
    );
    expect(await long.accepts(l)).toBe(false);

    // And notifications flow again.
    const m = await newKey();
    expect(await long.accepts(m)).toBe(true);
    await a.store.revokeKey(m.record.id);
    report(
      'after the listener is back, revoked key refused after',
      await until(async () => !(await long.accepts(m)), EVENT, 5),
    );
    expect(await long.store.health()).toMatchObject({
      ok: true,
      status: 'ok',
      listener: 'connected',
    });
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
    await until(() => b.events.some((e) => e.type === 'listener-disconnected'), EVENT);
    await until(() => b.events.some((e) => e.type === 'listener-error'), EVENT);
    proxy.set('pass');
    await until(() => b.events.some((e) => e.type === 'listener-connected' && e.reconnect), EVENT);
    expect(b.store.listening).toBe(true);
  });
});
