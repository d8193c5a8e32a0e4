/**
 * The real Express example server, run as `pnpm start` runs it (`node --import tsx
 * src/server.ts`): the one `listening on` line, the demo keys file, start-up failures (bad keys
 * file, bad `PORT`) with a non-zero exit and a clear message, graceful SIGTERM,
 * and keys-file edits taking effect within two seconds without a restart.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeysDocument } from '@keyscope/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic } from './helpers.js';
import { EXAMPLE_DIR, type RunningServer, runToExit, startServer } from './process.js';

const demoText = readFileSync(join(EXAMPLE_DIR, 'keys.demo.json'), 'utf8');
const demo = JSON.parse(demoText) as KeysDocument;
const demoAppKey = demo.keys.find((k) => k.entity.type === 'app' && k.entity.id === 'app_a')!;

let server: RunningServer | undefined;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-express-example-'));
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** One `listening on` line first; every later stdout line is a JSON audit event (pino). */
function expectListeningThenAuditLines(running: RunningServer): void {
  const [first, ...rest] = running.output.stdout.trimEnd().split('\n');
  expect(first).toBe(`listening on ${running.url}`);
  for (const line of rest) {
    const event = JSON.parse(line) as { event?: string };
    expect(typeof event).toBe('object');
    expect(line).not.toContain('demo-');
  }
}

describe('start-up', { timeout: 30_000 }, () => {
  it('serves the demo keys file by default and prints exactly one line', async () => {
    server = await startServer();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    const app = await fetch(`${server.url}/v2/apps/app_a`, {
      headers: { Authorization: basic(demoAppKey) },
    });
    expect(app.status).toBe(200);
    expect(await app.json()).toEqual({ app: { id: 'app_a' } });
    const refused = await fetch(`${server.url}/v2/apps/app_b`, {
      headers: { Authorization: basic(demoAppKey) },
    });
    expect(refused.status).toBe(403);
    expectListeningThenAuditLines(server);
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    server = await startServer();
    const running = server;
    server = undefined;
    expect(await running.stop()).toBe(0);
  });

  it('exits non-zero with the KeysFileError message when the keys file is invalid', async () => {
    const file = join(dir, 'keys.json');
    const bad = structuredClone(demo) as unknown as { keys: Record<string, unknown>[] };
    bad.keys[1]!.entity = { type: 'robot', id: 'acc_1' };
    await writeFile(file, JSON.stringify(bad));
    const result = await runToExit({ KEYSCOPE_KEYS_FILE: file });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `${file}: keys[1] ("${demo.keys[1]!.id}"): entity.type must be "app", "userAccount" or "serviceAccount"`,
    );
    expect(result.stderr).not.toContain(demo.keys[1]!.secret);
  });

  it('exits non-zero when the keys file is not JSON or missing', async () => {
    const file = join(dir, 'keys.json');
    await writeFile(file, '{ "version": 1, ');
    const notJson = await runToExit({ KEYSCOPE_KEYS_FILE: file });
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain(`${file}: not valid JSON`);
    const missing = await runToExit({ KEYSCOPE_KEYS_FILE: join(dir, 'nope.json') });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read the keys file (ENOENT)');
  });

  it('exits non-zero on a PORT that is not a port number', async () => {
    const result = await runToExit({ PORT: 'http' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT must be a port number');
  });
});

describe('live reload of the keys file', { timeout: 30_000 }, () => {
  async function waitForStatus(url: string, status: number, deadline: number): Promise<number> {
    for (;;) {
      const res = await fetch(url, { headers: { Authorization: basic(demoAppKey) } });
      await res.arrayBuffer();
      if (res.status === status) return Date.now();
      if (Date.now() > deadline) throw new Error(`still ${res.status} after the deadline`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const revoked = () => {
    const doc = structuredClone(demo) as unknown as { keys: Record<string, unknown>[] };
    const index = doc.keys.findIndex((k) => k.id === demoAppKey.id);
    doc.keys[index]!.revokedAt = '2020-01-01T00:00:00Z';
    return `${JSON.stringify(doc, null, 2)}\n`;
  };

  it('refuses a key revoked by an in-place edit within 2 s', async () => {
    const file = join(dir, 'keys.json');
    await writeFile(file, demoText);
    server = await startServer({ KEYSCOPE_KEYS_FILE: file });
    const url = `${server.url}/v2/apps/app_a`;
    await waitForStatus(url, 200, Date.now());
    const edited = Date.now();
    await writeFile(file, revoked());
    const refusedAt = await waitForStatus(url, 401, edited + 2000);
    expect(refusedAt - edited).toBeLessThanOrEqual(2000);
  });

  it('refuses a key revoked by renaming a new file over the old one within 2 s', async () => {
    const file = join(dir, 'keys.json');
    await writeFile(file, demoText);
    server = await startServer({ KEYSCOPE_KEYS_FILE: file });
    const url = `${server.url}/v2/apps/app_a`;
    await waitForStatus(url, 200, Date.now());
    await writeFile(join(dir, 'keys.json.tmp'), revoked());
    const edited = Date.now();
    await rename(join(dir, 'keys.json.tmp'), file);
    const refusedAt = await waitForStatus(url, 401, edited + 2000);
    expect(refusedAt - edited).toBeLessThanOrEqual(2000);
  });

  it('keeps the last good copy and says so on stderr when an edit is invalid', async () => {
    const file = join(dir, 'keys.json');
    await writeFile(file, demoText);
    server = await startServer({ KEYSCOPE_KEYS_FILE: file });
    const url = `${server.url}/v2/apps/app_a`;
    await writeFile(file, '{ "version": 2 }');
    const deadline = Date.now() + 3000;
    while (!server.output.stderr.includes('keeping the last good copy')) {
      if (Date.now() > deadline) throw new Error(`no reload error: ${server.output.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(server.output.stderr).toContain('version: must be 1');
    const res = await fetch(url, { headers: { Authorization: basic(demoAppKey) } });
    expect(res.status).toBe(200);
    expectListeningThenAuditLines(server);
  });
});
