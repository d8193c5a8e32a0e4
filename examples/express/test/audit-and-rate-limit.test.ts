/**
 * The real Express example server's security features (issue 6), through its process: the audit
 * log on stdout (one pino JSON line per authentication and per refusal, with the reason, status,
 * credential method, key id, HTTP method and client address, and never a secret, a token or a
 * signature), and the failed-attempt limiter that `KEYSCOPE_RATE_LIMIT` turns on: 429 with
 * `Retry-After` from the guessing address, while the key's holder on another address (a second
 * loopback address) still gets in. Without the variable every answer stays the contract's.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { basic, bearer, createTestKeys } from './helpers.js';
import { type RunningServer, runToExit, startServer } from './process.js';

let server: RunningServer | undefined;
let dir: string;
let keysFile: string;
const { document, keys } = createTestKeys();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-express-audit-'));
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

/** The audit lines printed after the `listening on` line, once `count` of them are there. */
async function auditLines(
  running: RunningServer,
  count: number,
): Promise<Record<string, unknown>[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const lines = running.output.stdout.split('\n').filter((line) => line !== '');
    if (lines.length - 1 >= count) {
      expect(lines[0]).toBe(`listening on ${running.url}`);
      return lines.slice(1).map((line) => JSON.parse(line) as Record<string, unknown>);
    }
    if (Date.now() > deadline) throw new Error(`audit lines missing: ${running.output.stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('audit log', { timeout: 30_000 }, () => {
  it('prints one JSON line per authentication and per refusal, without credentials', async () => {
    server = await startServer({ KEYSCOPE_KEYS_FILE: keysFile });
    const { url } = server;
    const wrong = basic({ id: keys.appA.id, secret: 'test-wrong-secret' });
    const forged = await bearer(keys.appA, { scope: 'app' }, 'test-forged-secret');
    const user = await bearer(keys.appA, { scope: 'appUser', userId: 'u1' });
    const credentials = [basic(keys.appA), wrong, forged, user];

    expect((await send(`${url}/health`)).status).toBe(200);
    const answers = [
      await send(`${url}/v2/apps/app_a`, { headers: { Authorization: basic(keys.appA) } }),
      await send(`${url}/v2/apps/app_a`, { headers: { Authorization: wrong } }),
      await send(`${url}/v2/apps/app_b`, { headers: { Authorization: basic(keys.appA) } }),
      await send(`${url}/v2/whoami`, { headers: { Authorization: forged } }),
      await send(`${url}/v2/whoami`),
      await send(`${url}/v2/whoami`, { headers: { Authorization: 'Basic a b' } }),
      await send(`${url}/v2/apps/app_a/users/u1/messages`, {
        method: 'POST',
        headers: { Authorization: user, 'Content-Type': 'application/json' },
        body: '{"text":"hi"}',
      }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 403, 401, 401, 400, 201]);

    const lines = await auditLines(server, 8);
    for (const line of lines) {
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(line.level).toBe(line.event === 'authenticated' ? 30 : 40);
    }
    const shown = lines.map(({ time: _t, level: _l, msg: _m, ...rest }) => rest);
    const from = { httpMethod: 'GET', address: '127.0.0.1' };
    expect(shown).toEqual([
      { event: 'authenticated', method: 'basic', keyId: keys.appA.id, scope: 'app', ...from },
      {
        event: 'rejected',
        reason: 'wrong_secret',
        status: 401,
        method: 'basic',
        keyId: keys.appA.id,
        ...from,
      },
      { event: 'authenticated', method: 'basic', keyId: keys.appA.id, scope: 'app', ...from },
      {
        event: 'rejected',
        reason: 'resource_not_allowed',
        status: 403,
        method: 'basic',
        keyId: keys.appA.id,
        ...from,
      },
      {
        event: 'rejected',
        reason: 'bad_signature',
        status: 401,
        method: 'jwt',
        keyId: keys.appA.id,
        ...from,
      },
      { event: 'rejected', reason: 'missing_credentials', status: 401, method: 'none', ...from },
      { event: 'rejected', reason: 'malformed_header', status: 400, method: 'basic', ...from },
      {
        event: 'authenticated',
        method: 'jwt',
        keyId: keys.appA.id,
        scope: 'appUser',
        httpMethod: 'POST',
        address: '127.0.0.1',
      },
    ]);

    const text = server.output.stdout + server.output.stderr;
    for (const key of Object.values(keys)) expect(text).not.toContain(key.secret);
    for (const credential of credentials) {
      const value = credential.replace(/^\S+ /, '');
      expect(text).not.toContain(value);
      for (const segment of value.split('.')) expect(text).not.toContain(segment);
    }
    expect(text).not.toContain('test-wrong-secret');
    expect(text).not.toContain('u1');
  });
});

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
    const lines = await auditLines(server, 7);
    expect(lines.filter((line) => line.reason === 'rate_limited')).toHaveLength(2);
  });

  it('a malformed value stops the start-up with a clear message', async () => {
    const result = await runToExit({ KEYSCOPE_RATE_LIMIT: 'ten per minute' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('KEYSCOPE_RATE_LIMIT must be <failures>/<seconds>');
  });
});
