/**
 * The real Express example server's audit log (issue 6), through its process: one pino JSON line
 * on stdout per authentication and per refusal, with the reason, status, credential method, key
 * id, HTTP method and client address, and never a secret, a token or a signature. (The limiter of
 * `KEYSCOPE_RATE_LIMIT` and the rest of the start-up are in the example server suite that every
 * example runs: `server.test.ts`.)
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  basic,
  bearer,
  createFixture,
  type RunningServer,
  sendRequest as send,
  serverProcess,
  token,
} from '@keyscope/test-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const { startServer } = serverProcess(fileURLToPath(new URL('..', import.meta.url)));

let server: RunningServer | undefined;
let dir: string;
let keysFile: string;
const { document, keys, secrets } = createFixture();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-express-audit-'));
  keysFile = join(dir, 'keys.json');
  await writeFile(keysFile, JSON.stringify(document), { mode: 0o600 });
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** The audit lines printed after the `listening on` line, once `count` of them are there. */
async function auditLines(
  running: RunningServer,
  count: number,
): Promise<Record<string, unknown>[]> {
  await running.waitForOutput('stdout', new RegExp(`^(.*\\n){${count + 1}}`));
  const [first, ...lines] = running.output.stdout.trimEnd().split('\n');
  expect(first).toBe(`listening on ${running.url}`);
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('audit log', { timeout: 30_000 }, () => {
  it('prints one JSON line per authentication and per refusal, without credentials', async () => {
    server = await startServer({ KEYSCOPE_KEYS_FILE: keysFile });
    const { url } = server;
    const right = basic(keys.appA.id, keys.appA.secret);
    const wrong = basic(keys.appA.id, 'test-wrong-secret');
    const forgedKey = { id: keys.appA.id, secret: 'test-forged-secret' };
    const forged = bearer(await token(forgedKey, { scope: 'app' }));
    const user = bearer(await token(keys.appA, { scope: 'appUser', userId: 'u1' }));
    const credentials = [right, wrong, forged, user];

    expect((await send(`${url}/health`)).status).toBe(200);
    const answers = [
      await send(`${url}/v2/apps/app_a`, { headers: { Authorization: right } }),
      await send(`${url}/v2/apps/app_a`, { headers: { Authorization: wrong } }),
      await send(`${url}/v2/apps/app_b`, { headers: { Authorization: right } }),
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
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const credential of credentials) {
      const value = credential.replace(/^\S+ /, '');
      expect(text).not.toContain(value);
      for (const segment of value.split('.')) expect(text).not.toContain(segment);
    }
    expect(text).not.toContain('test-wrong-secret');
    expect(text).not.toContain('u1');
  });
});
