/**
 * The real Koa example server's failed-attempt limiter (issue 6), through its process:
 * `KEYSCOPE_RATE_LIMIT` turns it on (429 with `Retry-After` from the guessing address, while the
 * key's holder on another address, a second loopback address, still gets in); without the
 * variable every answer stays the contract's.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, createTestKeys } from './helpers.js';
import { type RunningServer, runToExit, startServer } from './process.js';

let server: RunningServer | undefined;
let dir: string;
let keysFile: string;
const { document, keys } = createTestKeys();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-koa-rate-limit-'));
  keysFile = join(dir, 'keys.json');
  await writeFile(keysFile, JSON.stringify(document));
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** One HTTP request, optionally from a given local address (127.0.0.2 is another client). */
function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; from?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        ...(options.from && { localAddress: options.from }),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('KEYSCOPE_RATE_LIMIT', { timeout: 30_000 }, () => {
  it('unset: no limiter, every failure stays a 401', async () => {
    server = await startServer({ KEYSCOPE_KEYS_FILE: keysFile });
    const wrong = { Authorization: basic({ id: keys.appA.id, secret: 'test-wrong-secret' }) };
    for (let i = 0; i < 30; i++) {
      expect((await send(`${server.url}/v2/apps/app_a`, { headers: wrong })).status).toBe(401);
    }
    expect(server.output.stderr).toBe('');
  });

  it('3/60: the fourth attempt from the guessing address is a 429, another address gets in', async () => {
    server = await startServer({ KEYSCOPE_KEYS_FILE: keysFile, KEYSCOPE_RATE_LIMIT: '3/60' });
    const url = `${server.url}/v2/apps/app_a`;
    const wrong = { Authorization: basic({ id: keys.appA.id, secret: 'test-wrong-secret' }) };
    const right = { Authorization: basic(keys.appA) };
    for (let i = 0; i < 3; i++) expect((await send(url, { headers: wrong })).status).toBe(401);
    for (const headers of [wrong, right]) {
      const limited = await send(url, { headers });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(59);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.headers['www-authenticate']).toBeUndefined();
      expect(JSON.parse(limited.body)).toEqual({
        errors: [{ code: 'too_many_requests', title: 'Too many failed attempts' }],
      });
    }
    expect((await send(url, { headers: right, from: '127.0.0.2' })).status).toBe(200);
    // another key from the guessing address is not blocked either (30 per address by default)
    expect((await send(url, { headers: { Authorization: basic(keys.account) } })).status).toBe(200);
    expect(server.output.stdout).toBe(`listening on ${server.url}\n`);
  });

  it('a malformed value stops the start-up with a clear message', async () => {
    const result = await runToExit({ KEYSCOPE_RATE_LIMIT: 'ten per minute' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('KEYSCOPE_RATE_LIMIT must be <failures>/<seconds>');
  });
});
