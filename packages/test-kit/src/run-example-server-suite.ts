/**
 * The suite every example server passes as a real process (contract sections 1 and 5), started as
 * `pnpm start` starts it: the one `listening on` line, the demo keys file by default, the
 * documented `pnpm --filter ./examples/<name> start`, a graceful SIGTERM (exit code 0), start-up
 * failures with exit code 1 and a message naming the problem (a keys file that does not match the
 * format, is not JSON or is missing, a bad `PORT`, `KEYSCOPE_RATE_LIMIT` or `KEYSCOPE_STORE`),
 * `KEYSCOPE_KEYS_FILE` with no limiter unless `KEYSCOPE_RATE_LIMIT` turns it on (429 with
 * `Retry-After` for the guessing address only), and edits of the keys file taking effect without a
 * restart, written in place or renamed over it, with the last good copy kept on a bad edit. How
 * long an edit took to take effect is printed (the contract's two seconds is a benchmark figure;
 * the suite waits up to 15 s).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { KeysDocument } from '@keyscope/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHALLENGES, TITLES } from './case-table.js';
import { basic } from './credentials.js';
import { createFixture } from './fixture.js';
import { sendRequest } from './send-request.js';
import { type RunningServer, serverProcess } from './server-process.js';

/** Options of {@link runExampleServerSuite}. */
export interface ExampleServerSuiteOptions {
  /** The example's directory: its `package.json`, `keys.demo.json` and `src/server.ts`. */
  readonly dir: string;
  /**
   * The server prints a JSON audit line on stdout per authentication and per refusal, after its
   * listening line (the Express example). Otherwise the listening line is all it prints.
   */
  readonly auditLog?: boolean;
}

/** The pause between two polls of a server that gives no event for what the test waits for. */
const POLL_MS = 20;
/** The bound on waiting for an edit to take effect: generous, far past the contract's 2 s. */
const EDIT_TIMEOUT_MS = 15_000;

/**
 * Registers the example server suite under `describe(name)`.
 *
 * @example
 * ```ts
 * // examples/koa/test/server.test.ts
 * runExampleServerSuite('examples/koa', { dir: fileURLToPath(new URL('..', import.meta.url)) });
 * ```
 */
export function runExampleServerSuite(name: string, options: ExampleServerSuiteOptions): void {
  const { dir, auditLog = false } = options;
  const { startServer, runToExit } = serverProcess(dir);
  const demoText = readFileSync(join(dir, 'keys.demo.json'), 'utf8');
  const demo = JSON.parse(demoText) as KeysDocument;
  const demoAppKey = demo.keys.find((k) => k.entity.type === 'app' && k.entity.id === 'app_a');
  if (demoAppKey === undefined) throw new Error(`${dir}/keys.demo.json has no key of app_a`);
  const demoApp = { Authorization: basic(demoAppKey.id, demoAppKey.secret) };

  /** The listening line first; after it nothing, or (audit log) JSON lines without a secret. */
  function expectStdout(server: RunningServer): Record<string, unknown>[] {
    const [first, ...rest] = server.output.stdout.trimEnd().split('\n');
    expect(first).toBe(`listening on ${server.url}`);
    if (!auditLog) expect(rest).toEqual([]);
    for (const { secret } of demo.keys) expect(server.output.stdout).not.toContain(secret);
    return rest.map((line) => {
      const event = JSON.parse(line) as unknown;
      expect(typeof event).toBe('object');
      return event as Record<string, unknown>;
    });
  }

  describe(name, { timeout: 60_000 }, () => {
    let servers: RunningServer[] = [];
    let tmp: string;
    const start = async (...args: Parameters<typeof startServer>) => {
      const server = await startServer(...args);
      servers.push(server);
      return server;
    };
    beforeEach(async () => {
      tmp = await mkdtemp(join(tmpdir(), `keyscope-${basename(dir)}-`));
    });
    afterEach(async () => {
      await Promise.all(servers.map((server) => server.stop()));
      servers = [];
      await rm(tmp, { recursive: true, force: true });
    });

    describe('start-up', () => {
      it('serves the demo keys file by default, and prints the listening line first', async () => {
        const server = await start();
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const health = await fetch(`${server.url}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toStrictEqual({ ok: true });
        const app = await fetch(`${server.url}/v2/apps/app_a`, { headers: demoApp });
        expect(app.status).toBe(200);
        expect(await app.json()).toStrictEqual({ app: { id: 'app_a' } });
        const whoami = await fetch(`${server.url}/v2/whoami`, { headers: demoApp });
        expect(await whoami.json()).toMatchObject({ keyId: demoAppKey.id, scope: 'app' });
        const refused = await fetch(`${server.url}/v2/apps/app_b`, { headers: demoApp });
        expect(refused.status).toBe(403);
        await refused.arrayBuffer();
        if (auditLog) await server.waitForOutput('stdout', /"reason":"resource_not_allowed"/);
        expectStdout(server);
      });

      it(`starts with the documented command (pnpm --filter ./examples/${basename(dir)} start)`, async () => {
        const server = await start({}, { command: 'pnpm' });
        expect(server.output.stdout).toBe(`listening on ${server.url}\n`);
        expect((await fetch(`${server.url}/v2/whoami`)).status).toBe(401);
      });

      it('stops gracefully on SIGTERM with exit code 0', async () => {
        const server = await start();
        servers = [];
        expect(await server.stop()).toBe(0);
      });

      it('exits non-zero naming the entry when the keys file does not match the format', async () => {
        const file = join(tmp, 'keys.json');
        const bad = structuredClone(demo) as unknown as { keys: Record<string, unknown>[] };
        (bad.keys[1] as Record<string, unknown>).entity = { type: 'robot', id: 'acc_1' };
        await writeFile(file, JSON.stringify(bad));
        const result = await runToExit({ KEYSCOPE_KEYS_FILE: file });
        expect(result.code).not.toBe(0);
        expect(result.code).not.toBeNull();
        expect(result.stdout).toBe('');
        const entry = demo.keys[1] as KeysDocument['keys'][number];
        expect(result.stderr).toContain(
          `cannot start: ${file}: keys[1] ("${entry.id}"): entity.type must be "app", "userAccount" or "serviceAccount"`,
        );
        expect(result.stderr).not.toContain(entry.secret);
      });

      it('exits 1 when the keys file is not JSON or missing', async () => {
        const file = join(tmp, 'keys.json');
        await writeFile(file, '{ "version": 1, ');
        const notJson = await runToExit({ KEYSCOPE_KEYS_FILE: file });
        expect(notJson.code).toBe(1);
        expect(notJson.stderr).toContain(`${file}: not valid JSON`);
        const missing = await runToExit({ KEYSCOPE_KEYS_FILE: join(tmp, 'nope.json') });
        expect(missing.code).toBe(1);
        expect(missing.stderr).toContain('cannot read the keys file (ENOENT)');
      });

      it.each([
        [{ PORT: 'http' }, 'cannot start: PORT must be a port number'],
        [
          { KEYSCOPE_RATE_LIMIT: 'ten per minute' },
          'cannot start: KEYSCOPE_RATE_LIMIT must be <failures>/<seconds>',
        ],
      ])('exits 1 on a setting it cannot use: %o', async (env, message) => {
        const result = await runToExit(env);
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toContain(message);
      });

      it('exits 1 on a KEYSCOPE_STORE that is not a postgres:// URL, without repeating it', async () => {
        const result = await runToExit({
          KEYSCOPE_STORE: 'mysql://keyscope:hunter2-db-password@db.example/keys',
          KEYSCOPE_MASTER_KEY: `k1:${randomBytes(32).toString('base64')}`,
        });
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toBe('cannot start: KEYSCOPE_STORE must be a postgres:// URL\n');
      });
    });

    describe('KEYSCOPE_KEYS_FILE and KEYSCOPE_RATE_LIMIT', () => {
      const fixture = createFixture();
      const { appA, account } = fixture.keys;
      const wrong = { Authorization: basic(appA.id, 'test-wrong-secret') };
      const right = { Authorization: basic(appA.id, appA.secret) };
      let keysFile: string;
      beforeEach(async () => {
        keysFile = join(tmp, 'keys.json');
        // Only its owner may read a keys file (0600), as keyscope writes them.
        await writeFile(keysFile, JSON.stringify(fixture.document), { mode: 0o600 });
        await chmod(keysFile, 0o600);
      });

      it('says so on stderr when others may read KEYSCOPE_KEYS_FILE, and serves it', async () => {
        await chmod(keysFile, 0o644);
        const server = await start({ KEYSCOPE_KEYS_FILE: keysFile });
        const ok = await sendRequest(`${server.url}/v2/apps/app_a`, { headers: right });
        expect(ok.status).toBe(200);
        expect(server.output.stderr).toContain('KEYSCOPE_KEYS_FILE_MODE');
        expect(server.output.stderr).not.toContain(appA.secret);
      });

      it('serves KEYSCOPE_KEYS_FILE; unset KEYSCOPE_RATE_LIMIT: no limiter, every failure a 401', async () => {
        const server = await start({ KEYSCOPE_KEYS_FILE: keysFile });
        const url = `${server.url}/v2/apps/app_a`;
        for (let i = 0; i < 30; i++) {
          const refused = await sendRequest(url, { headers: wrong });
          expect(refused.status).toBe(401);
          expect(refused.headers['www-authenticate']).toBe(CHALLENGES.both);
          expect(JSON.parse(refused.body)).toStrictEqual({
            errors: [{ code: 'unauthorized', title: TITLES.invalid }],
          });
        }
        const ok = await sendRequest(url, { headers: right });
        expect(ok.status).toBe(200);
        expect(JSON.parse(ok.body)).toStrictEqual({ app: { id: 'app_a' } });
        expect(server.output.stderr).toBe('');
      });

      it('3/60: the fourth attempt from the guessing address is a 429, another address gets in', async () => {
        const server = await start({ KEYSCOPE_KEYS_FILE: keysFile, KEYSCOPE_RATE_LIMIT: '3/60' });
        const url = `${server.url}/v2/apps/app_a`;
        const firstFailure = performance.now();
        for (let i = 0; i < 3; i++)
          expect((await sendRequest(url, { headers: wrong })).status).toBe(401);
        // Past the limit even the right secret is refused from this address, before any check.
        for (const headers of [wrong, right]) {
          const limited = await sendRequest(url, { headers });
          // The window opened with the first failure: what is left of its 60 s, however slowly
          // this machine ran the requests since.
          const elapsed = Math.ceil((performance.now() - firstFailure) / 1000);
          expect(limited.status).toBe(429);
          expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(60 - elapsed);
          expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
          expect(limited.headers['www-authenticate']).toBeUndefined();
          expect(JSON.parse(limited.body)).toStrictEqual({
            errors: [{ code: 'too_many_requests', title: 'Too many failed attempts' }],
          });
        }
        expect((await sendRequest(url, { headers: right, from: '127.0.0.2' })).status).toBe(200);
        // Another key from the guessing address is not blocked either (30 per address by default).
        const other = { Authorization: basic(account.id, account.secret) };
        expect((await sendRequest(url, { headers: other })).status).toBe(200);
        if (auditLog) {
          await server.waitForOutput('stdout', /rate_limited[\s\S]*rate_limited/);
          const events = expectStdout(server);
          expect(events.filter((event) => event.reason === 'rate_limited')).toHaveLength(2);
        } else {
          expectStdout(server);
        }
      });
    });

    describe('edits of the keys file, without a restart', () => {
      const revoked = () => {
        const doc = structuredClone(demo) as unknown as { keys: Record<string, unknown>[] };
        const index = doc.keys.findIndex((k) => k.id === demoAppKey.id);
        (doc.keys[index] as Record<string, unknown>).revokedAt = '2020-01-01T00:00:00Z';
        return `${JSON.stringify(doc, null, 2)}\n`;
      };

      /**
       * Resolves how long after `since` the demo app key got `status` (the server gives no event
       * for a reload, so this polls); fails after a generous bound.
       */
      async function statusAfter(url: string, status: number, since: number): Promise<number> {
        for (;;) {
          const answer = await sendRequest(url, { headers: demoApp });
          if (answer.status === status) return Math.round(performance.now() - since);
          if (performance.now() - since > EDIT_TIMEOUT_MS) {
            throw new Error(`still ${answer.status} ${EDIT_TIMEOUT_MS} ms after the edit`);
          }
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
      }

      it.each([
        ['written in place', async (file: string) => writeFile(file, revoked())],
        [
          'renamed over the old file',
          async (file: string) => {
            await writeFile(`${file}.tmp`, revoked());
            await rename(`${file}.tmp`, file);
          },
        ],
      ])(
        'refuses a key revoked by an edit %s (contract: within 2 s; measured and printed)',
        async (how, edit) => {
          const file = join(tmp, 'keys.json');
          await writeFile(file, demoText);
          const server = await start({ KEYSCOPE_KEYS_FILE: file });
          const url = `${server.url}/v2/apps/app_a`;
          expect((await sendRequest(url, { headers: demoApp })).status).toBe(200);
          const edited = performance.now();
          await edit(file);
          const ms = await statusAfter(url, 401, edited);
          console.log(`[${name}] a key revoked by an edit ${how} was refused after ${ms} ms`);
        },
      );

      it('keeps the last good copy and says so on stderr when an edit is invalid', async () => {
        const file = join(tmp, 'keys.json');
        await writeFile(file, demoText);
        const server = await start({ KEYSCOPE_KEYS_FILE: file });
        await writeFile(file, '{ "version": 2 }');
        await server.waitForOutput('stderr', 'keeping the last good copy');
        expect(server.output.stderr).toContain('version: must be 1');
        const answer = await sendRequest(`${server.url}/v2/apps/app_a`, { headers: demoApp });
        expect(answer.status).toBe(200);
        if (auditLog) await server.waitForOutput('stdout', /"event":"authenticated"/);
        expectStdout(server);
      });
    });
  });
}
