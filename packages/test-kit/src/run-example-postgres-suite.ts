/**
 * The suite every example server passes on the PostgreSQL store (contract section 5,
 * `KEYSCOPE_STORE`), as a real process: started with `KEYSCOPE_STORE` and `KEYSCOPE_MASTER_KEY`,
 * it serves the keys and apps of the database, refuses a wrong secret as the contract says and
 * exits 0 on SIGTERM; without a usable store (no master key, a schema not migrated, a database out
 * of reach) it exits 1 with a message that never repeats the URL. The database comes from the
 * PostgreSQL test support of `@keyscope/postgres`, handed in by the caller: a random schema per
 * file, skipped with a notice when no server answers, a failure under `CI=true`.
 */
import { basename } from 'node:path';
import type { MasterKey } from '@keyscope/postgres';
import { expect, it } from 'vitest';
import { CHALLENGES, TITLES } from './case-table.js';
import { basic } from './credentials.js';
import { serverProcess } from './server-process.js';

/** What the suite uses of `packages/postgres/test/support/pg.ts`. */
export interface PostgresTestSupport {
  /** `describe`, run only when PostgreSQL answers. */
  describePg(name: string, body: () => void): void;
  /** The file's own migrated schema, dropped afterwards. */
  useSchema(prefix: string): { readonly url: string };
  /** A master key list (`KEYSCOPE_MASTER_KEY` text) and its parsed keys. */
  masterKeyList(...ids: string[]): { readonly text: string; readonly keys: readonly MasterKey[] };
  /** A connection string naming `schema`. */
  urlFor(schema: string): string;
  /** `prefix` and a random suffix. */
  uniqueName(prefix: string): string;
}

/** Options of {@link runExamplePostgresSuite}. */
export interface ExamplePostgresSuiteOptions {
  /** The example's directory: its `package.json` and `src/server.ts`. */
  readonly dir: string;
  /** The server prints JSON audit lines after its listening line (the Express example). */
  readonly auditLog?: boolean;
  /** The PostgreSQL test support of `@keyscope/postgres`. */
  readonly pg: PostgresTestSupport;
}

/**
 * Registers the PostgreSQL example suite under `describePg(name)`.
 *
 * @example
 * ```ts
 * import * as pg from '../../../packages/postgres/test/support/pg.js';
 * runExamplePostgresSuite('examples/koa', { dir: fileURLToPath(new URL('..', import.meta.url)), pg });
 * ```
 */
export function runExamplePostgresSuite(name: string, options: ExamplePostgresSuiteOptions): void {
  const { dir, auditLog = false, pg } = options;
  const { startServer, runToExit } = serverProcess(dir);
  const prefix = `ks_${basename(dir).replace(/[^a-z]/g, '')}`;

  pg.describePg(`${name} on PostgreSQL`, () => {
    const db = pg.useSchema(prefix);
    const master = pg.masterKeyList('k1');

    it('serves the keys of the database with KEYSCOPE_STORE, and exits 0 on SIGTERM', async () => {
      const { openPostgresStore } = await import('@keyscope/postgres');
      const store = await openPostgresStore({
        connectionString: db.url,
        masterKeys: master.keys,
        listen: false,
        cache: false,
      });
      await store.addApp({ id: 'app_a', accountId: 'acc_1' });
      await store.addApp({ id: 'app_b', accountId: 'acc_1' });
      const account = await store.createKey({ entity: { type: 'userAccount', id: 'acc_1' } });
      const app = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
      await store.close();

      const server = await startServer({
        KEYSCOPE_STORE: db.url,
        KEYSCOPE_MASTER_KEY: master.text,
      });
      try {
        const get = (path: string, authorization?: string) =>
          fetch(`${server.url}${path}`, authorization ? { headers: { authorization } } : {});
        const health = await get('/health');
        expect(health.status).toBe(200);
        expect(await health.json()).toStrictEqual({ ok: true });

        const apps = await get('/v2/apps', basic(account.record.id, account.secret));
        expect(apps.status).toBe(200);
        expect(await apps.json()).toStrictEqual({ apps: [{ id: 'app_a' }, { id: 'app_b' }] });

        const ok = await get('/v2/apps/app_a', basic(app.record.id, app.secret));
        expect(ok.status).toBe(200);
        expect(await ok.json()).toStrictEqual({ app: { id: 'app_a' } });

        const wrong = await get('/v2/apps/app_a', basic(app.record.id, `${app.secret}-not-it`));
        expect(wrong.status).toBe(401);
        expect(wrong.headers.get('www-authenticate')).toBe(CHALLENGES.both);
        expect(await wrong.json()).toStrictEqual({
          errors: [{ code: 'unauthorized', title: TITLES.invalid }],
        });

        const [first, ...rest] = server.output.stdout.trimEnd().split('\n');
        expect(first).toBe(`listening on ${server.url}`);
        if (!auditLog) expect(rest).toEqual([]);
        for (const secret of [account.secret, app.secret]) {
          expect(server.output.stdout + server.output.stderr).not.toContain(secret);
        }
      } finally {
        expect(await server.stop()).toBe(0);
      }
    }, 30_000);

    it('cannot start without a usable store: exit 1, the URL never repeated', async () => {
      const key = { KEYSCOPE_MASTER_KEY: master.text };
      const cases: [Record<string, string>, string][] = [
        [{ KEYSCOPE_STORE: db.url }, 'cannot start: KEYSCOPE_MASTER_KEY is not set'],
        [
          { ...key, KEYSCOPE_STORE: pg.urlFor(pg.uniqueName(`${prefix}_none`)) },
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
        expect(result.stderr).toContain(cases[i]?.[1]);
        expect(result.stderr).not.toContain('hunter2');
      });
    }, 30_000);
  });
}
