/**
 * The Express example on the PostgreSQL store: first the PostgreSQL example suite of
 * `@keyscope/test-kit` that every example runs (it serves the keys of the database, refuses a wrong
 * secret, exits 0 on SIGTERM, cannot start without a usable store). Then issue 8 end to end: two
 * Express example servers (`node --import tsx src/server.ts`, as `pnpm start` runs it) with
 * `KEYSCOPE_STORE` on one PostgreSQL database, and the real `keyscope` executable. A key created with the CLI works on both; revoked with the CLI, it is refused by
 * both (the time from the revocation being visible in the database to each server's first 401 is
 * printed: the contract's one second is a benchmark figure, the test waits up to 15 s). Then the
 * servers' database connections (pool and listener, found by the `application_name` their URL
 * sets) are terminated again and again while clients send valid and invalid credentials: nothing
 * invalid is ever accepted, valid credentials get 200 or 503 only, and the servers recover by
 * themselves (new lookups answer 200, the listeners reconnect and a revocation reaches both again;
 * the times are printed). Runs against `KEYSCOPE_PG_URL` (default
 * `postgres://postgres@127.0.0.1:5432/test`) in a random schema dropped afterwards; skipped with a
 * notice when no server answers, a failure under `CI=true`.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { basicAuthorization, signToken } from '@keyscope/core';
import { openPostgresStore, type PostgresKeyStore } from '@keyscope/postgres';
import {
  CHALLENGES,
  type RunningServer,
  runExamplePostgresSuite,
  serverProcess,
} from '@keyscope/test-kit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bin, json } from '../../../packages/cli/test/support.js';
import * as pg from '../../../packages/postgres/test/support/pg.js';

const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));
const { startServer } = serverProcess(EXAMPLE_DIR);
const { describePg, masterKeyList, uniqueName, useSchema } = pg;

runExamplePostgresSuite('examples/express', { dir: EXAMPLE_DIR, auditLog: true, pg });
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describePg('two Express servers on one PostgreSQL store', () => {
  const db = useSchema('ks_ex');
  const master = masterKeyList('k1');
  // The servers' connections carry this application_name (pool and listener alike), so the test
  // can find them in pg_stat_activity without touching anybody else's.
  const applicationName = uniqueName('ks_ex_srv');
  const cliEnv = () => ({ KEYSCOPE_STORE: db.url, KEYSCOPE_MASTER_KEY: master.text });
  let admin: PostgresKeyStore;
  let servers: RunningServer[] = [];

  beforeAll(async () => {
    admin = await openPostgresStore({
      connectionString: db.url,
      masterKeys: master.keys,
      listen: false,
      cache: false,
    });
    await admin.addApp({ id: 'app_a', accountId: 'acc_1' });
    const url = new URL(db.url);
    url.searchParams.set('application_name', applicationName);
    const env = { KEYSCOPE_STORE: url.toString(), KEYSCOPE_MASTER_KEY: master.text };
    servers = await Promise.all([startServer(env), startServer(env)]);
  }, 60_000);

  afterAll(async () => {
    const codes = await Promise.all(servers.map((server) => server.stop()));
    await admin?.close();
    // SIGTERM closes each server and its store cleanly.
    expect(codes).toEqual(servers.map(() => 0));
  }, 30_000);

  /** GET `path` on a server with an Authorization value. */
  const get = (server: RunningServer, path: string, authorization: string) =>
    fetch(`${server.url}${path}`, { headers: { authorization } });

  /**
   * Polls until `server` refuses `authorization` (a revocation sends no event a client could wait
   * for); resolves the instant of the first refusal, or fails after a generous `timeout`.
   */
  async function firstRefusal(server: RunningServer, authorization: string, timeout = 15_000) {
    const started = performance.now();
    for (;;) {
      const response = await get(server, '/v2/whoami', authorization);
      if (response.status !== 200) return { at: performance.now(), response };
      await response.arrayBuffer();
      if (performance.now() - started > timeout) throw new Error('never refused');
      await sleep(2);
    }
  }

  /** Polls the database until the key's `revoked_at` is visible; resolves that instant. */
  async function revocationVisible(keyId: string, timeout = 15_000) {
    const started = performance.now();
    for (;;) {
      const { rows } = await db.admin.query(
        `SELECT revoked_at FROM ${db.q}.api_keys WHERE id = $1`,
        [keyId],
      );
      if (rows[0]?.revoked_at) return performance.now();
      if (performance.now() - started > timeout) throw new Error('revocation never visible');
      await sleep(2);
    }
  }

  it('a key created with the CLI works on both; revoked with the CLI, both refuse it', async () => {
    const created = await bin(['keys', 'create', '--app', 'app_a', '--json'], { env: cliEnv() });
    expect(created.code, created.stderr).toBe(0);
    const { key, secret } = json<{ key: { id: string }; secret: string }>(created);
    const authorization = basicAuthorization({ id: key.id, secret });

    // Both accept it (twice: the second answer comes from each server's cache).
    for (const server of [...servers, ...servers]) {
      const response = await get(server, '/v2/whoami', authorization);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        method: 'basic',
        keyId: key.id,
        entity: { type: 'app', id: 'app_a' },
        scope: 'app',
        appId: 'app_a',
      });
    }

    // Revoke it with the CLI while both servers are asked again and again.
    const revoking = bin(['keys', 'revoke', key.id], { env: cliEnv() });
    const [visibleAt, ...refusals] = await Promise.all([
      revocationVisible(key.id),
      ...servers.map((server) => firstRefusal(server, authorization)),
    ]);
    const revoked = await revoking;
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(new RegExp(`^Revoked key ${key.id} \\(app app_a\\) at `));

    const latencies = refusals.map(({ at }) => Math.max(0, Math.round(at - (visibleAt as number))));
    console.log(
      `[revocation] refused by server A after ${latencies[0]} ms, by server B after ${latencies[1]} ms ` +
        '(from the revocation visible in the database to the first 401; the servers cache keys for 30 s, so only the NOTIFY can explain it)',
    );
    for (const { response } of refusals) {
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe(CHALLENGES.both);
      expect(await response.json()).toEqual({
        errors: [{ code: 'unauthorized', title: expect.any(String) }],
      });
    }
    // The audit log says why: the key is revoked (not unknown, not a store failure).
    for (const server of servers) {
      expect(server.output.stdout).toMatch(
        new RegExp(`"reason":"key_revoked"[^\\n]*"keyId":"${key.id}"`),
      );
    }
  }, 60_000);

  it('connections killed mid-traffic: nothing is wrongly accepted, and service resumes by itself', async () => {
    const valid = await admin.createKey({ entity: { type: 'app', id: 'app_a' } });
    const revoked = await admin.createKey({ entity: { type: 'app', id: 'app_a' } });
    await admin.revokeKey(revoked.record.id);
    const validKey = { id: valid.record.id, secret: valid.secret, entity: valid.record.entity };
    const token = await signToken({ key: validKey, scope: 'appUser', userId: 'u1' });
    const forged = await signToken({
      key: { ...validKey, secret: 'not-the-secret-of-this-key-0123456789ab' },
      scope: 'appUser',
      userId: 'u1',
    });
    const randomId = () => `app_${randomBytes(12).toString('hex')}`;
    // [label, route, Authorization value, valid?]
    const requests: Array<() => [string, string, string, boolean]> = [
      () => ['valid basic', '/v2/whoami', basicAuthorization(validKey), true],
      () => ['valid bearer', '/v2/apps/app_a/users/u1', `Bearer ${token}`, true],
      () => [
        'wrong secret',
        '/v2/whoami',
        basicAuthorization({
          id: valid.record.id,
          secret: 'wrong-secret-for-this-key-000000000000000',
        }),
        false,
      ],
      () => [
        'revoked key',
        '/v2/whoami',
        basicAuthorization({ id: revoked.record.id, secret: revoked.secret }),
        false,
      ],
      () => [
        'unknown key',
        '/v2/whoami',
        basicAuthorization({ id: randomId(), secret: 'whatever-secret-000000000000000000000000' }),
        false,
      ],
      () => ['forged token', '/v2/apps/app_a/users/u1', `Bearer ${forged}`, false],
    ];

    const seen = new Map<string, Map<number, number>>();
    const wrong: string[] = [];
    let stop = false;
    let sent = 0;
    let flowing = () => {};
    const everyKindAnswered = new Promise<void>((resolve) => {
      flowing = resolve;
    });
    async function client(worker: number) {
      for (let i = worker; !stop; i++) {
        const [label, path, authorization, isValid] = requests[i % requests.length]!();
        const server = servers[i % servers.length]!;
        let status: number;
        try {
          const response = await get(server, path, authorization);
          status = response.status;
          await response.arrayBuffer();
        } catch {
          continue; // A connection reset by the client library: no answer, nothing accepted.
        }
        sent++;
        const counts = seen.get(label) ?? new Map<number, number>();
        counts.set(status, (counts.get(status) ?? 0) + 1);
        seen.set(label, counts);
        if (seen.size === requests.length) flowing();
        const allowed = isValid ? [200, 503] : [401, 503];
        if (!allowed.includes(status)) wrong.push(`${label}: ${status}`);
      }
    }
    const clients = [0, 1, 2, 3].map(client);

    // Once every kind of request has had an answer, kill every connection of both servers (pool
    // and listener) every 100 ms for 2 s.
    await everyKindAnswered;
    let terminated = 0;
    const killUntil = performance.now() + 2000;
    while (performance.now() < killUntil) {
      const { rows } = await db.admin.query<{ killed: boolean }>(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
        [applicationName],
      );
      terminated += rows.filter((row) => row.killed).length;
      await sleep(100);
    }
    const killedAt = performance.now();

    // Service resumes: a key neither server has seen must be looked up in the database.
    const fresh = await admin.createKey({ entity: { type: 'app', id: 'app_a' } });
    const freshAuthorization = basicAuthorization({ id: fresh.record.id, secret: fresh.secret });
    let recovered = 0;
    for (const server of servers) {
      for (;;) {
        const response = await get(server, '/v2/whoami', freshAuthorization);
        await response.arrayBuffer();
        if (response.status === 200) break;
        expect(response.status).toBe(503);
        if (performance.now() - killedAt > 15_000) throw new Error('no recovery within 15 s');
        await sleep(50);
      }
      recovered = Math.round(performance.now() - killedAt);
    }
    stop = true;
    await Promise.all(clients);

    const summary = [...seen].map(
      ([label, counts]) =>
        `${label}: ${[...counts].map(([status, n]) => `${n}x${status}`).join(' ')}`,
    );
    console.log(
      `[outage] ${sent} answers while ${terminated} server connections were terminated; ${summary.join('; ')}; new lookups answered 200 on both ${recovered} ms after the last kill`,
    );
    expect(terminated).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
    for (const label of ['wrong secret', 'revoked key', 'unknown key', 'forged token']) {
      expect(seen.get(label)?.get(200)).toBeUndefined();
    }

    // The listeners are back by themselves: both servers' LISTEN connections exist again, and a
    // revocation reaches both within one second once more.
    const listening = async () => {
      const { rows } = await db.admin.query<{ n: number }>(
        // The listener's last statement is its LISTEN, or later its ping.
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND (query LIKE 'LISTEN%' OR query = 'SELECT 1')",
        [applicationName],
      );
      return rows[0]!.n;
    };
    const waitStarted = performance.now();
    while ((await listening()) < servers.length) {
      if (performance.now() - waitStarted > 15_000) throw new Error('no listener within 15 s');
      await sleep(50);
    }
    for (const server of servers) {
      expect(server.output.stderr).toContain('key store: revocation listener reconnected');
    }
    for (const server of servers) {
      expect((await get(server, '/v2/whoami', freshAuthorization)).status).toBe(200);
    }
    await admin.revokeKey(fresh.record.id);
    const revokedAt = performance.now();
    const refusals = await Promise.all(
      servers.map((server) => firstRefusal(server, freshAuthorization)),
    );
    console.log(
      `[revocation after the outage] refused by server A after ${Math.round(refusals[0]!.at - revokedAt)} ms, by server B after ${Math.round(refusals[1]!.at - revokedAt)} ms (from revokeKey returning to the first 401)`,
    );
    for (const { response } of refusals) expect(response.status).toBe(401);
  }, 60_000);
});
