/**
 * Tests of failure behaviour against the real server, through a small HTTP server in front of the
 * store: the pool's connections terminated mid-traffic (`pg_terminate_backend` on the store's
 * `application_name`) and a full outage (a TCP proxy cut off, then black-holed) never let a
 * request through wrongly (only 200 for a valid key, 401 for a bad credential, 503 while the store
 * cannot answer, with the exact bodies and challenges) and service resumes by itself; `health()`
 * follows; a statement blocked by a lock ends with `statementTimeout` (503 for a lookup, a
 * StoreIoError for a write) instead of hanging. Traffic is paced by answers received, not by
 * sleeps; waits are bounded generously (a loaded machine is slow, not wrong) and the measured
 * durations are printed.
 */
import { StoreIoError } from '@keyscope/core';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import {
  openPostgresStore,
  type PostgresKeyStore,
  type PostgresStoreOptions,
} from '../src/index.js';
import { type Answer, startServer, type TestServer } from './support/http.js';
import {
  caught,
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

/** How long to wait for something that normally takes well under a second. */
const EVENT = 15_000;

/** Prints a measured duration, so the figure stays visible in the test output. */
function report(what: string, ms: number): void {
  console.log(`[outage] ${what}: ${ms} ms`);
}

/** Milliseconds since `started` (a `performance.now()` reading). */
const since = (started: number) => Math.round(performance.now() - started);

const CHALLENGE = 'Basic realm="keyscope", charset="UTF-8", Bearer realm="keyscope"';
const db = useSchema('ks_outage');
const master = masterKeyList('k1');
const stores: PostgresKeyStore[] = [];
const servers: TestServer[] = [];
let proxy: TcpProxy;

type Kind = 'valid' | 'wrongSecret' | 'unknown' | 'revoked';
interface Credentials {
  valid: { id: string; secret: string };
  wrongSecret: { id: string; secret: string };
  unknown: { id: string; secret: string };
  revoked: { id: string; secret: string };
}
let credentials: Credentials;

async function serve(options: Partial<PostgresStoreOptions>) {
  const applicationName = uniqueName('ks_out');
  const store = await openPostgresStore({
    connectionString: db.url,
    masterKeys: master.text,
    applicationName,
    cache: false,
    reconnectDelay: { min: 20, max: 200 },
    ...options,
  });
  stores.push(store);
  const server = await startServer(store);
  servers.push(server);
  return { store, server, applicationName };
}

/** Checks one answer against what its credential deserves; a 503 is allowed only if `outage`. */
function check(kind: Kind, answer: Answer, outage: boolean): void {
  if (answer.status === 503) {
    expect(outage, `${kind}: 503 outside an outage`).toBe(true);
    expect(answer).toEqual({ status: 503, code: 'service_unavailable', wwwAuthenticate: null });
  } else if (kind === 'valid') {
    expect(answer).toEqual({ status: 200, code: undefined, wwwAuthenticate: null });
  } else {
    expect(answer).toEqual({ status: 401, code: 'unauthorized', wwwAuthenticate: CHALLENGE });
  }
}

const KINDS: readonly Kind[] = ['valid', 'wrongSecret', 'unknown', 'revoked'];

beforeAll(async () => {
  proxy = await startProxy();
});
afterAll(async () => {
  await proxy?.close();
});
beforeEach(async () => {
  await db.reset();
  proxy.set('pass');
  await db.admin.query(`INSERT INTO ${db.q}.apps (id, account_id) VALUES ('app_a', 'acc_1')`);
  const seed = (revokedAt?: Date) =>
    seedKey(db.admin, db.schema, master.keys[0]!, {
      entity: { type: 'app', id: 'app_a' },
      revokedAt,
    });
  const valid = await seed();
  const revoked = await seed(new Date(Date.now() - 1000));
  credentials = {
    valid,
    wrongSecret: { id: valid.id, secret: `${valid.secret}x` },
    unknown: { id: 'app_000000000000000000000000', secret: valid.secret },
    revoked,
  };
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const store of stores.splice(0)) await store.close();
});

describePg('database failures', () => {
  it('connections terminated mid-traffic: nothing wrongly accepted, service resumes', async () => {
    const { server, applicationName } = await serve({ pool: { max: 4 } });
    const answers: Array<{ kind: Kind; answer: Answer }> = [];
    let terminated = 0;
    let stop = false;
    const traffic = Array.from({ length: 8 }, async (_, worker) => {
      for (let i = 0; !stop; i++) {
        const kind = KINDS[(worker + i) % KINDS.length]!;
        answers.push({ kind, answer: await server.request(credentials[kind]) });
      }
    });
    /** Lets traffic run until `count` more answers have come back. */
    const answered = (count: number) => {
      const target = answers.length + count;
      return until(() => answers.length >= target, EVENT);
    };
    for (let round = 0; round < 3; round++) {
      await answered(12);
      const { rows } = await db.admin.query<{ killed: boolean }>(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      terminated += rows.filter((row) => row.killed).length;
    }
    await answered(12);
    stop = true;
    await Promise.all(traffic);

    expect(terminated).toBeGreaterThan(0);
    expect(answers.length).toBeGreaterThanOrEqual(48);
    for (const { kind, answer } of answers) check(kind, answer, true);
    const accepted = answers.filter((a) => a.answer.status === 200);
    expect(accepted.every((a) => a.kind === 'valid')).toBe(true);
    expect(server.handled).toBe(accepted.length);
    // Resumed: every kind answered as it deserves, no 503.
    for (const kind of KINDS) check(kind, await server.request(credentials[kind]), false);
  });

  it('a full outage answers 503 (also when connections hang), health says so, and service resumes', async () => {
    const { store, server } = await serve({
      connectionString: urlFor(db.schema, proxy.port),
      connectionTimeout: 500,
    });
    for (const kind of KINDS) check(kind, await server.request(credentials[kind]), false);
    expect(await store.health()).toMatchObject({ ok: true, status: 'ok', listener: 'connected' });

    proxy.set('refuse');
    for (const kind of KINDS) {
      expect(await server.request(credentials[kind])).toEqual({
        status: 503,
        code: 'service_unavailable',
        wwwAuthenticate: null,
      });
    }
    const error = await caught(store.findKey(credentials.valid.id));
    expect(error).toBeInstanceOf(StoreIoError);
    expect(error.message).toMatch(/^PostgreSQL key store: cannot look up a key: /);
    await expect(store.createKey({ entity: { type: 'app', id: 'app_a' } })).rejects.toBeInstanceOf(
      StoreIoError,
    );
    expect(await store.health()).toMatchObject({
      ok: false,
      status: 'down',
      database: { ok: false },
    });

    proxy.set('blackhole');
    const started = performance.now();
    expect((await server.request(credentials.valid)).status).toBe(503);
    // connectionTimeout is 500 ms: the answer comes, it does not hang.
    report('black-holed database answered 503 after', since(started));
    expect(since(started)).toBeLessThan(EVENT);

    proxy.set('pass');
    await until(async () => (await server.request(credentials.valid)).status === 200, EVENT, 50);
    for (const kind of KINDS) check(kind, await server.request(credentials[kind]), false);
    await until(() => store.listening, EVENT);
    expect(await store.health()).toMatchObject({ ok: true, status: 'ok' });
    expect(server.handled).toBeGreaterThan(0);
    const { rows } = await db.admin.query(`SELECT count(*)::int AS n FROM ${db.q}.api_keys`);
    expect(rows[0].n).toBe(2); // the refused write wrote nothing
  });

  it('a statement blocked by a lock ends at statementTimeout: 503 for a lookup, StoreIoError for a write', async () => {
    const { store, server } = await serve({ statementTimeout: 300, listen: false });
    const blocker: pg.PoolClient = await db.admin.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT * FROM ${db.q}.apps WHERE id = 'app_a' FOR UPDATE`);
      const writing = performance.now();
      const write = await caught(store.createKey({ entity: { type: 'app', id: 'app_a' } }));
      expect(write).toBeInstanceOf(StoreIoError);
      expect(write.message).toMatch(/statement_timeout reached$/);
      report('blocked write (statementTimeout 300 ms) failed after', since(writing));
      expect(since(writing)).toBeLessThan(EVENT);

      await blocker.query(`LOCK TABLE ${db.q}.api_keys IN ACCESS EXCLUSIVE MODE`);
      const reading = performance.now();
      expect((await server.request(credentials.valid)).status).toBe(503);
      report('blocked lookup (statementTimeout 300 ms) answered 503 after', since(reading));
      expect(since(reading)).toBeLessThan(EVENT);
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
    for (const kind of KINDS) check(kind, await server.request(credentials[kind]), false);
    await store.createKey({ entity: { type: 'app', id: 'app_a' } });
  });
});
