/**
 * The Koa example on the PostgreSQL store (issue 8): started with `KEYSCOPE_STORE` and
 * `KEYSCOPE_MASTER_KEY` (`node --import tsx src/server.ts`, as `pnpm start` runs it), it serves
 * the keys of the database, refuses others as the contract says, and exits 0 on SIGTERM; a
 * setting it cannot start with (a URL that is not `postgres://`, no master key, a schema not
 * migrated, a database out of reach) ends it with exit code 1 and a message that never repeats the
 * URL. Runs against `KEYSCOPE_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`) in a
 * random schema dropped afterwards; skipped with a notice when no server answers, a failure under
 * `CI=true`.
 */
import { basicAuthorization } from '@keyscope/core';
import { openPostgresStore } from '@keyscope/postgres';
import { expect, it } from 'vitest';
import {
  describePg,
  masterKeyList,
  uniqueName,
  urlFor,
  useSchema,
} from '../../../packages/postgres/test/support/pg.js';
import { runToExit, startServer } from './process.js';

const BOTH = 'Basic realm="keyscope", charset="UTF-8", Bearer realm="keyscope"';

describePg('the Koa example on PostgreSQL', () => {
  const db = useSchema('ks_koa');
  const master = masterKeyList('k1');

  it('serves the keys of the database with KEYSCOPE_STORE, and exits 0 on SIGTERM', async () => {
    const store = await openPostgresStore({
      connectionString: db.url,
      masterKeys: master.keys,
      listen: false,
      cache: false,
    });
    await store.addApp({ id: 'app_a', accountId: 'acc_1' });
    await store.addApp({ id: 'app_b', accountId: 'acc_1' });
    const { record, secret } = await store.createKey({
      entity: { type: 'userAccount', id: 'acc_1' },
    });
    await store.close();

    const server = await startServer({ KEYSCOPE_STORE: db.url, KEYSCOPE_MASTER_KEY: master.text });
    try {
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true });

      const apps = await fetch(`${server.url}/v2/apps`, {
        headers: { authorization: basicAuthorization({ id: record.id, secret }) },
      });
      expect(apps.status).toBe(200);
      expect(await apps.json()).toEqual({ apps: [{ id: 'app_a' }, { id: 'app_b' }] });

      const wrong = await fetch(`${server.url}/v2/apps`, {
        headers: {
          authorization: basicAuthorization({ id: record.id, secret: `${secret}-not-it` }),
        },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toBe(BOTH);
      expect(await wrong.json()).toEqual({
        errors: [{ code: 'unauthorized', title: expect.any(String) }],
      });
      expect(server.output.stdout).toBe(`listening on ${server.url}\n`);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 30_000);

  it('cannot start without a usable store: exit 1, the URL never repeated', async () => {
    const key = { KEYSCOPE_MASTER_KEY: master.text };
    const cases: Array<[Record<string, string>, string]> = [
      [
        { ...key, KEYSCOPE_STORE: 'mysql://keyscope:hunter2-db-password@db.example/keys' },
        'cannot start: KEYSCOPE_STORE must be a postgres:// URL\n',
      ],
      [{ KEYSCOPE_STORE: db.url }, 'cannot start: KEYSCOPE_MASTER_KEY is not set'],
      [
        { ...key, KEYSCOPE_STORE: urlFor(uniqueName('ks_koa_none')) },
        'is at version 0, this build needs 1: run `keyscope migrate --store <url>`',
      ],
      [
        { ...key, KEYSCOPE_STORE: 'postgres://keyscope:hunter2-db-password@127.0.0.1:1/test' },
        'cannot start: PostgreSQL key store: cannot connect: connect ECONNREFUSED 127.0.0.1:1',
      ],
    ];
    const results = await Promise.all(cases.map(([env]) => runToExit(env)));
    results.forEach((result, i) => {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(cases[i]![1]);
      expect(result.stderr).not.toContain('hunter2');
    });
  }, 30_000);
});
