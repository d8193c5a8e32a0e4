/**
 * Every example server (Express, Koa, Fastify, node:http), as a real process, against clients
 * that hold connections: one that sends nothing, one that drips its headers a line at a time
 * (slowloris), an authenticated upload that drips its body, and one that stays idle after its
 * answer on a keep-alive connection. With the timeouts made small through the environment, each
 * connection is closed by the server (all but the idle keep-alive one with 408) within a generous
 * bound; with the defaults, a slowloris connection is held
 * for the 10 s headers timeout (never less) and closed long before Node's own minute.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basic, createFixture, type RunningServer, serverProcess } from '@keyscope/test-kit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HeldConnection, holdConnection } from '../src/index.js';

const EXAMPLES = ['express', 'koa', 'fastify', 'node-http'] as const;
const exampleDir = (name: string) => fileURLToPath(new URL(`../../${name}`, import.meta.url));
const fixture = createFixture();
// An app key reaches every user of its app.
const authorization = basic(fixture.keys.appA.id, fixture.keys.appA.secret);
let dir: string;
let keysFile: string;
const servers: RunningServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-slow-clients-'));
  keysFile = join(dir, 'keys.json');
  await writeFile(keysFile, JSON.stringify(fixture.document), { mode: 0o600 });
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(example: string, env: Record<string, string> = {}) {
  const server = await serverProcess(exampleDir(example)).startServer({
    KEYSCOPE_KEYS_FILE: keysFile,
    ...env,
  });
  servers.push(server);
  return server;
}

const SMALL = {
  KEYSCOPE_HEADERS_TIMEOUT_MS: '500',
  KEYSCOPE_REQUEST_TIMEOUT_MS: '2000',
  KEYSCOPE_KEEP_ALIVE_TIMEOUT_MS: '500',
};

describe.each(EXAMPLES)('the %s example', { timeout: 60_000 }, (example) => {
  it.each([
    ['that sends nothing', 'idle', /^HTTP\/1\.1 408 /],
    ['that drips its headers (slowloris)', 'slow-headers', /^HTTP\/1\.1 408 /],
    ['kept alive and idle after its answer', 'keep-alive', /^HTTP\/1\.1 200 OK\r\n/],
  ] as const)('closes a connection %s (timeouts from the environment)', async (_, how, answer) => {
    const server = await start(example, SMALL);
    const closed = await holdConnection(server.url, how as HeldConnection, { giveUpMs: 15_000 });
    expect(closed.received).toMatch(answer);
    console.log(
      `[slow clients] ${example}, ${how}, timeouts 500 ms: closed after ${closed.heldMs} ms`,
    );
    // The server still serves everyone else.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('closes an authenticated upload that drips its body, with 408 after the request timeout', async () => {
    const server = await start(example, SMALL);
    const closed = await holdConnection(server.url, 'slow-body', {
      giveUpMs: 15_000,
      path: '/v2/apps/app_a/users/u_1/messages',
      headers: { Authorization: authorization },
    });
    expect(closed.received).toMatch(/^HTTP\/1\.1 408 /);
    // Never before the request timeout (2 s here); the upper bound is the give-up time.
    expect(closed.heldMs).toBeGreaterThanOrEqual(1_900);
    console.log(
      `[slow clients] ${example}, slow-body, request timeout 2000 ms: closed after ${closed.heldMs} ms`,
    );
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe('the default limits', { timeout: 90_000 }, () => {
  it('hold a slowloris for the 10 s headers timeout and an idle keep-alive connection for 5 s, never Node’s minute', async () => {
    const running = await Promise.all(EXAMPLES.map((example) => start(example)));
    const held = await Promise.all(
      running.flatMap((server) => [
        holdConnection(server.url, 'slow-headers', { giveUpMs: 30_000 }),
        holdConnection(server.url, 'keep-alive', { giveUpMs: 30_000 }),
      ]),
    );
    for (const [index, example] of EXAMPLES.entries()) {
      const [slowloris, keepAlive] = [held[2 * index], held[2 * index + 1]];
      expect(slowloris?.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(keepAlive?.received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      // Never before the timeouts; the upper bound is the give-up time above.
      expect(slowloris?.heldMs).toBeGreaterThanOrEqual(9_900);
      expect(keepAlive?.heldMs).toBeGreaterThanOrEqual(4_900);
      console.log(
        `[slow clients] ${example}, default limits: slowloris closed after ${slowloris?.heldMs} ms, idle keep-alive after ${keepAlive?.heldMs} ms`,
      );
    }
  });
});
