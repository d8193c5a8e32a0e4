/**
 * What the timing benchmark measures: the credentials of each comparison (a known key with a
 * wrong secret against an unknown key id for Basic, a bad signature against an unknown `kid` for
 * JWTs; a guessed secret or signature wrong at its start against one wrong at its end; a positive
 * control that must be told apart and a null control that must not, so that the verdicts mean
 * something), and two ways to time one attempt: in process, through `createAuthenticator`, and
 * over HTTP, through the Express example server run as a process on 127.0.0.1 with keep-alive.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { createAuthenticator, createMemoryStore, type KeysDocument } from '@keyscope/core';

/** Two kinds of request whose answer times are compared. */
export interface Comparison {
  readonly name: string;
  /**
   * What a difference would give away: `secret`, how much of a guessed secret or signature is
   * right (keyscope promises nothing leaks); `existence`, whether a key id exists (keyscope does
   * the same cryptographic work for both; ids are identifiers, not secrets).
   */
  readonly kind: 'secret' | 'existence' | 'control';
  readonly a: { readonly label: string; readonly authorization: string; readonly status: number };
  readonly b: { readonly label: string; readonly authorization: string; readonly status: number };
  /**
   * A control of the method: `positive`, two kinds that differ (no lookup and no hashing against
   * a lookup and a hash) and must be told apart, or the method is blind; `null`, the same request
   * on both sides, which must not be, or the method sees differences where there are none.
   */
  readonly control?: 'positive' | 'null';
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const b64url = (part: object) => Buffer.from(JSON.stringify(part), 'utf8').toString('base64url');
function jwt(header: object, payload: object, secret: string): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The text with one character changed (to another of the same kind). */
function flip(text: string, at: number): string {
  const c = text[at] as string;
  const other =
    c === 'a' ? 'b' : c === '0' ? '1' : /[a-z]/.test(c) ? 'a' : /[0-9]/.test(c) ? '0' : 'x';
  return text.slice(0, at) + other + text.slice(at + 1);
}

/** The token with one bit of one signature byte flipped (still canonical base64url). */
function flipSignature(token: string, byte: number): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const bytes = Buffer.from(s, 'base64url');
  bytes[byte] = (bytes[byte] as number) ^ 0x80;
  return `${h}.${p}.${bytes.toString('base64url')}`;
}

/** A keys document with fresh secrets and the comparisons to run against it. */
export function createTimingFixtures(): { document: KeysDocument; comparisons: Comparison[] } {
  const appKey = { id: `app_${hex(12)}`, secret: `bench-${hex(24)}-not-for-production` };
  const document: KeysDocument = {
    version: 1,
    apps: [{ id: 'app_a', accountId: 'acc_1' }],
    keys: [{ id: appKey.id, secret: appKey.secret, entity: { type: 'app', id: 'app_a' } }],
  };
  // Same lengths everywhere, so that only the path through the code differs.
  const unknownId = `app_${hex(12)}`;
  const wrongSecret = `bench-${hex(24)}-not-for-production`;
  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;
  const exp = Math.floor(Date.now() / 1000) + 3600 * 24;
  const claims = { scope: 'app', exp };
  const header = (kid: string) => ({ alg: 'HS256', typ: 'JWT', kid });
  const good = jwt(header(appKey.id), claims, appKey.secret);
  return {
    document,
    comparisons: [
      {
        name: 'Basic: known key, wrong secret vs unknown key id',
        kind: 'existence',
        a: { label: 'wrong secret', authorization: basic(appKey.id, wrongSecret), status: 401 },
        b: { label: 'unknown key id', authorization: basic(unknownId, appKey.secret), status: 401 },
      },
      {
        name: 'JWT: bad signature vs unknown kid',
        kind: 'existence',
        a: {
          label: 'bad signature',
          authorization: `Bearer ${jwt(header(appKey.id), claims, wrongSecret)}`,
          status: 401,
        },
        b: {
          label: 'unknown kid',
          authorization: `Bearer ${jwt(header(unknownId), claims, wrongSecret)}`,
          status: 401,
        },
      },
      {
        name: 'Basic: wrong secret, first character wrong vs last character wrong',
        kind: 'secret',
        a: {
          label: 'first wrong',
          authorization: basic(appKey.id, flip(appKey.secret, 0)),
          status: 401,
        },
        b: {
          label: 'last wrong',
          authorization: basic(appKey.id, flip(appKey.secret, appKey.secret.length - 1)),
          status: 401,
        },
      },
      {
        name: 'JWT: signature wrong in its first byte vs in its last byte',
        kind: 'secret',
        a: {
          label: 'first byte wrong',
          authorization: `Bearer ${flipSignature(good, 0)}`,
          status: 401,
        },
        b: {
          label: 'last byte wrong',
          authorization: `Bearer ${flipSignature(good, 31)}`,
          status: 401,
        },
      },
      {
        name: 'null control: the same wrong secret on both sides',
        kind: 'control',
        control: 'null',
        a: { label: 'wrong secret', authorization: basic(appKey.id, wrongSecret), status: 401 },
        b: { label: 'wrong secret', authorization: basic(appKey.id, wrongSecret), status: 401 },
      },
      {
        name: 'control: malformed Basic (no colon, no lookup) vs wrong secret',
        kind: 'control',
        control: 'positive',
        a: {
          label: 'no colon',
          authorization: `Basic ${Buffer.from(`${appKey.id}-${wrongSecret}`).toString('base64')}`,
          status: 401,
        },
        b: { label: 'wrong secret', authorization: basic(appKey.id, wrongSecret), status: 401 },
      },
    ],
  };
}

/** Times one attempt, in nanoseconds, and checks the answer's status. */
export type Timer = (authorization: string, status: number) => Promise<number>;

/** Times `createAuthenticator(...).authenticate` in this process. */
export function inProcessTimer(document: KeysDocument): Timer {
  const authenticator = createAuthenticator({ store: createMemoryStore(document) });
  return async (authorization, status) => {
    const start = process.hrtime.bigint();
    let answered = 200;
    try {
      await authenticator.authenticate({ authorization, method: 'GET' });
    } catch (error) {
      answered = (error as { status?: number }).status ?? 500;
    }
    const elapsed = Number(process.hrtime.bigint() - start);
    if (answered !== status) throw new Error(`expected ${status}, got ${answered}`);
    return elapsed;
  };
}

/** An example server (Express by default), started with the document as its keys file. */
export async function httpTimer(
  document: KeysDocument,
  dir: string,
  example: 'express' | 'koa' = 'express',
): Promise<{ timer: Timer; stop(): Promise<void> }> {
  const repo = resolve(import.meta.dirname, '../..');
  const keysFile = join(dir, 'timing-keys.json');
  writeFileSync(keysFile, JSON.stringify(document));
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('KEYSCOPE_')) delete env[name];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: join(repo, 'examples', example),
    env: { ...env, HOST: '127.0.0.1', PORT: '0', KEYSCOPE_KEYS_FILE: keysFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((done, fail) => {
    let seen = '';
    const timer = setTimeout(() => fail(new Error(`no listening line: ${seen}`)), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (seen.length < 1024) seen += chunk;
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        done(Number(match[1]));
      }
    });
    child.once('exit', (code) => fail(new Error(`server exited with ${code}: ${seen}`)));
  });
  // One connection, kept alive: no connection set-up in the measurement.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const timer: Timer = (authorization, status) =>
    new Promise((done, fail) => {
      const start = process.hrtime.bigint();
      const req = request(
        { host: '127.0.0.1', port, path: '/v2/whoami', agent, headers: { authorization } },
        (res) => {
          res.resume();
          res.on('end', () => {
            const elapsed = Number(process.hrtime.bigint() - start);
            if (res.statusCode !== status)
              fail(new Error(`expected ${status}, got ${res.statusCode}`));
            else done(elapsed);
          });
        },
      );
      req.on('error', fail);
      req.end();
    });
  return {
    timer,
    async stop() {
      agent.destroy();
      const exited = new Promise((done) => child.once('close', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
