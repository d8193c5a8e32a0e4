/**
 * The NestJS example on the PostgreSQL store, a smoke test of the wiring: started with
 * `KEYSCOPE_STORE` and `KEYSCOPE_MASTER_KEY` (as `pnpm start` runs it), it serves the keys of the
 * database, refuses a wrong secret as the contract says, and exits 0 on SIGTERM. Runs against
 * `KEYSCOPE_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`) in a random schema dropped
 * afterwards; skipped with a notice when no server answers, a failure under `CI=true`.
 */
import { fileURLToPath } from 'node:url';
import { basicAuthorization } from '@keyscope/nestjs';
import { openPostgresStore } from '@keyscope/postgres';
import { CHALLENGES, serverProcess } from '@keyscope/test-kit';
import { expect, it } from 'vitest';
import {
  describePg,
  masterKeyList,
  useSchema,
} from '../../../packages/postgres/test/support/pg.js';

const { startServer } = serverProcess(fileURLToPath(new URL('..', import.meta.url)));

describePg('the NestJS example on PostgreSQL', () => {
  const db = useSchema('ks_nestjs');
  const master = masterKeyList('k1');

  it('serves the keys of the database with KEYSCOPE_STORE, and exits 0 on SIGTERM', async () => {
    const store = await openPostgresStore({
      connectionString: db.url,
      masterKeys: master.keys,
      listen: false,
      cache: false,
    });
    await store.addApp({ id: 'app_a', accountId: 'acc_1' });
    const { record, secret } = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    await store.close();

    const server = await startServer({ KEYSCOPE_STORE: db.url, KEYSCOPE_MASTER_KEY: master.text });
    try {
      const send = (candidate: string) =>
        fetch(`${server.url}/v2/apps/app_a`, {
          headers: { authorization: basicAuthorization({ id: record.id, secret: candidate }) },
        });
      const ok = await send(secret);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ app: { id: 'app_a' } });
      const wrong = await send(`${secret}-not-it`);
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toBe(CHALLENGES.both);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});
