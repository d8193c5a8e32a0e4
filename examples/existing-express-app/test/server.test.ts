/**
 * Acme Shop's real server process (`node --import tsx src/server.ts`, as `pnpm start` runs it):
 * it starts with the demo keys file and prints its `listening on` line, serves open and guarded
 * routes, stops on SIGTERM, and refuses to start with a bad keys file.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeysDocument } from '@keyscope/core';
import { basic, serverProcess } from '@keyscope/test-kit';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('..', import.meta.url));
const demo = JSON.parse(readFileSync(join(DIR, 'keys.demo.json'), 'utf8')) as KeysDocument;
const account = demo.keys.find((k) => k.entity.type === 'userAccount')!;
const { startServer, runToExit } = serverProcess(DIR);

describe('the server process', { timeout: 30_000 }, () => {
  it('starts with the demo keys, serves open and guarded routes, stops on SIGTERM', async () => {
    const server = await startServer();
    try {
      expect((await fetch(`${server.url}/products`)).status).toBe(200);
      expect((await fetch(`${server.url}/admin/stats`)).status).toBe(401);
      const stats = await fetch(`${server.url}/admin/stats`, {
        headers: { Authorization: basic(account.id, account.secret) },
      });
      expect(stats.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('exits with code 1 and the reason when the keys file is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyscope-shop-'));
    try {
      const file = join(dir, 'keys.json');
      await writeFile(file, JSON.stringify({ version: 1, apps: [], keys: [{ id: 'x' }] }));
      const { code, stderr } = await runToExit({ KEYSCOPE_KEYS_FILE: file });
      expect(code).toBe(1);
      expect(stderr).toContain(`cannot start: ${file}: keys[0] ("x")`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
