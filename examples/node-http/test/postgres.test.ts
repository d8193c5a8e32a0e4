/**
 * The node:http example on the PostgreSQL store (issue 8), a smoke test of the wiring: started with
 * `KEYSCOPE_STORE` and `KEYSCOPE_MASTER_KEY` (`node --import tsx src/server.ts`, as `pnpm start`
 * runs it), it serves the keys of the database, refuses a wrong secret as the contract says, and
 * exits 0 on SIGTERM; a `KEYSCOPE_STORE` that is not a `postgres://` URL ends it with exit code 1
 * without repeating the URL. Runs against `KEYSCOPE_PG_URL` (default
 * `postgres://postgres@127.0.0.1:5432/test`) in a random schema dropped afterwards; skipped with a
 * notice when no server answers, a failure under `CI=true`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { basicAuthorization } from '@keyscope/core';
import { openPostgresStore } from '@keyscope/postgres';
import { expect, it } from 'vitest';
import {
  describePg,
  masterKeyList,
  useSchema,
} from '../../../packages/postgres/test/support/pg.js';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const BOTH = 'Basic realm="keyscope", charset="UTF-8", Bearer realm="keyscope"';

/** The server process with `env` (and none of this process's `KEYSCOPE_*` settings). */
function launch(env: Record<string, string>) {
  const base = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith('KEYSCOPE_')) delete base[name];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: EXAMPLE,
    env: { ...base, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening: ${output.stderr}`)), 20_000);
    child.stdout?.on('data', () => {
      const url = /^listening on (http:\/\/\S+)\n/m.exec(output.stdout)?.[1];
      if (url === undefined) return;
      clearTimeout(timer);
      resolve(url);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited before listening: ${output.stderr}`));
    });
  });
  listening.catch(() => undefined);
  return { child, output, exited, listening };
}

describePg('the node:http example on PostgreSQL', () => {
  const db = useSchema('ks_nodehttp');
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

    const server = launch({ KEYSCOPE_STORE: db.url, KEYSCOPE_MASTER_KEY: master.text });
    try {
      const url = await server.listening;
      const ok = await fetch(`${url}/v2/apps/app_a`, {
        headers: { authorization: basicAuthorization({ id: record.id, secret }) },
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ app: { id: 'app_a' } });
      const wrong = await fetch(`${url}/v2/apps/app_a`, {
        headers: {
          authorization: basicAuthorization({ id: record.id, secret: `${secret}-not-it` }),
        },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toBe(BOTH);
      expect(await wrong.json()).toEqual({
        errors: [{ code: 'unauthorized', title: expect.any(String) }],
      });
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, 30_000);

  it('refuses a KEYSCOPE_STORE that is not a postgres:// URL, without repeating it', async () => {
    const server = launch({
      KEYSCOPE_STORE: 'mysql://keyscope:hunter2-db-password@db.example/keys',
      KEYSCOPE_MASTER_KEY: master.text,
    });
    expect(await server.exited).toBe(1);
    expect(server.output.stdout).toBe('');
    expect(server.output.stderr).toBe('cannot start: KEYSCOPE_STORE must be a postgres:// URL\n');
  }, 30_000);
});
