/**
 * The real server process, started as `pnpm --filter ./examples/nestjs start` does
 * (`node --import tsx src/server.ts`, through `@keyscope/example-shared`'s process helpers): it
 * prints exactly one line, `listening on http://<host>:<port>`, serves the demo keys file by
 * default on Nest's Express platform (Fastify with `NEST_PLATFORM=fastify`), follows
 * `KEYSCOPE_KEYS_FILE`, refuses a bad keys file, a bad `NEST_PLATFORM` and a `KEYSCOPE_STORE` that
 * is not a `postgres://` URL with exit code 1 and a clear message, honours `KEYSCOPE_RATE_LIMIT`
 * (429 with `Retry-After` past the limit), and exits 0 on SIGTERM.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basic, createFixture, serverProcess } from '@keyscope/test-kit';
import { afterAll, describe, expect, it } from 'vitest';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const { startServer, runToExit } = serverProcess(EXAMPLE);
const demo = JSON.parse(readFileSync(join(EXAMPLE, 'keys.demo.json'), 'utf8')) as {
  keys: { id: string; secret: string }[];
};
const tmp = mkdtempSync(join(tmpdir(), 'keyscope-nestjs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the server process', () => {
  it.each(['express', 'fastify'])(
    'serves the demo keys on %s, prints one line, and exits 0 on SIGTERM',
    async (platform) => {
      const server = await startServer({ NEST_PLATFORM: platform });
      try {
        expect(server.output.stdout).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
        const [key] = demo.keys;
        const ok = await fetch(`${server.url}/v2/whoami`, {
          headers: { authorization: basic(key?.id ?? '', key?.secret ?? '') },
        });
        expect(ok.status).toBe(200);
        expect(await ok.json()).toMatchObject({ keyId: key?.id, method: 'basic' });
        const health = await fetch(`${server.url}/health`);
        expect(await health.json()).toEqual({ ok: true });
      } finally {
        expect(await server.stop()).toBe(0);
      }
      expect(server.output.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    },
  );

  it('serves KEYSCOPE_KEYS_FILE, and honours KEYSCOPE_RATE_LIMIT (429 with Retry-After)', async () => {
    const fixture = createFixture();
    const file = join(tmp, 'keys.json');
    writeFileSync(file, JSON.stringify(fixture.document));
    const server = await startServer({ KEYSCOPE_KEYS_FILE: file, KEYSCOPE_RATE_LIMIT: '2/60' });
    try {
      const { appA } = fixture.keys;
      const send = (secret: string) =>
        fetch(`${server.url}/v2/apps/app_a`, {
          headers: { authorization: basic(appA.id, secret) },
        });
      expect((await send(appA.secret)).status).toBe(200);
      expect((await send('wrong-1')).status).toBe(401);
      expect((await send('wrong-2')).status).toBe(401);
      const limited = await send('wrong-3');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });

  it.each([
    [
      'a keys file that does not exist',
      { KEYSCOPE_KEYS_FILE: join(tmp, 'missing.json') },
      /cannot start: /,
    ],
    ['an unknown NEST_PLATFORM', { NEST_PLATFORM: 'koa' }, /cannot start: NEST_PLATFORM must be/],
    [
      'a KEYSCOPE_STORE that is not a postgres:// URL (never repeated)',
      { KEYSCOPE_STORE: 'mysql://u:hunter2-db-password@db.example/keys', KEYSCOPE_MASTER_KEY: 'x' },
      /^cannot start: KEYSCOPE_STORE must be a postgres:\/\/ URL\n$/,
    ],
  ])('refuses %s: exit code 1, the reason on stderr', async (_what, env, message) => {
    const { code, stdout, stderr } = await runToExit(env);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr).not.toContain('hunter2');
  });
});
