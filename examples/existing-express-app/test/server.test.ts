/**
 * Acme Shop's real server process (`node --import tsx src/server.ts`, as `pnpm start` runs it):
 * it starts with the demo keys file and prints its `listening on` line, serves open and guarded
 * routes, stops on SIGTERM, and refuses to start with a bad keys file.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeysDocument } from '@keyscope/core';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('..', import.meta.url));
const demo = JSON.parse(readFileSync(join(DIR, 'keys.demo.json'), 'utf8')) as KeysDocument;
const account = demo.keys.find((k) => k.entity.type === 'userAccount')!;

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: DIR,
    env: { ...process.env, KEYSCOPE_KEYS_FILE: '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, output, closed };
}

describe('the server process', { timeout: 30_000 }, () => {
  it('starts with the demo keys, serves open and guarded routes, stops on SIGTERM', async () => {
    const { child, output, closed } = run({});
    const deadline = Date.now() + 15_000;
    let url: string | undefined;
    while (url === undefined) {
      url = /^listening on (http:\/\/\S+)$/m.exec(output.stdout)?.[1];
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(JSON.stringify(output));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      expect((await fetch(`${url}/products`)).status).toBe(200);
      expect((await fetch(`${url}/admin/stats`)).status).toBe(401);
      const basic = Buffer.from(`${account.id}:${account.secret}`).toString('base64');
      const stats = await fetch(`${url}/admin/stats`, {
        headers: { Authorization: `Basic ${basic}` },
      });
      expect(stats.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await closed).toBe(0);
  });

  it('exits with code 1 and the reason when the keys file is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyscope-shop-'));
    try {
      const file = join(dir, 'keys.json');
      await writeFile(file, JSON.stringify({ version: 1, apps: [], keys: [{ id: 'x' }] }));
      const { output, closed } = run({ KEYSCOPE_KEYS_FILE: file });
      expect(await closed).toBe(1);
      expect(output.stderr).toContain(`cannot start: ${file}: keys[0] ("x")`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
