/**
 * The Express example server (`examples/express`, started as a real process the way its README
 * says) with and without `KEYSCOPE_DASHBOARD=1`: off by default (the API's own 404), and when on,
 * the dashboard at `/keyscope` on the same keys file, writing through it: a key created in the
 * dashboard authenticates against the API of the same process, and the dashboard's audit events
 * are JSON lines of the server's audit log, without the secret.
 *
 * The server loads the built packages (`pnpm build`, which `pnpm test` runs first); without a
 * build of this package the test is skipped with a notice, except under `CI=true`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const EXAMPLE = fileURLToPath(new URL('../../../examples/express/', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)));
const underCi = process.env.CI === 'true';
const ACCOUNT = {
  id: 'act_f6f328b4b5ad9353accba4be',
  secret: 'demo-account-secret-not-for-production',
};

if (!built && !underCi) {
  console.warn(
    '\n  NOTICE: packages/dashboard/dist is missing (run pnpm build): example-server test skipped\n',
  );
}

interface Running {
  readonly child: ChildProcess;
  readonly origin: string;
  readonly stdout: () => string;
}

const running: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGTERM');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'keyscope-example-'));
  dirs.push(dir);
  const file = join(dir, 'keys.json');
  copyFileSync(join(EXAMPLE, 'keys.demo.json'), file);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: EXAMPLE,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', KEYSCOPE_KEYS_FILE: file, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${err}`)), 20_000);
    const check = () => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  return { child, origin, stdout: () => out };
}

/** The cookies a response sets, as a `Cookie` header value. */
const cookiesOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0])
    .join('; ');

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
/** The one-time token of the form posting to `action`. */
const formTokenOf = (html: string, action: string) =>
  csrfOf(html.slice(Math.max(0, html.indexOf(`action="${action}"`))));

describe.skipIf(!built && !underCi)('the Express example server', () => {
  it('has no dashboard by default', async () => {
    const { origin } = await start({});
    const response = await fetch(`${origin}/keyscope/sign-in`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      errors: [{ code: 'not_found', title: 'No such route' }],
    });
  });

  it('serves the dashboard at /keyscope with KEYSCOPE_DASHBOARD=1, writing the keys file', async () => {
    const server = await start({ KEYSCOPE_DASHBOARD: '1' });
    const { origin } = server;
    const form = await fetch(`${origin}/keyscope/sign-in`);
    expect(form.status).toBe(200);
    const signedIn = await fetch(`${origin}/keyscope/sign-in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(form) },
      body: new URLSearchParams({
        _csrf: csrfOf(await form.text()),
        keyId: ACCOUNT.id,
        secret: ACCOUNT.secret,
      }),
    });
    expect(signedIn.status).toBe(303);
    const cookie = cookiesOf(signedIn)
      .split('; ')
      .find((c) => c.startsWith('keyscope_session='));
    const keysPage = await fetch(`${origin}/keyscope/apps/app_b`, {
      headers: { cookie: `${cookie}` },
    });
    expect(keysPage.status).toBe(200);
    const keysHtml = await keysPage.text();
    const created = await fetch(`${origin}/keyscope/apps/app_b/keys`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${cookie}` },
      body: new URLSearchParams({
        _csrf: formTokenOf(keysHtml, '/keyscope/apps/app_b/keys'),
        expires: 'never',
      }),
    });
    expect(created.status).toBe(303);
    const shown = await fetch(`${origin}${created.headers.get('location')}`, {
      headers: { cookie: `${cookie}` },
    });
    expect(shown.status).toBe(200);
    const page = await shown.text();
    const id = /id="created-key-id">([^<]+)</.exec(page)?.[1] as string;
    const secret = /id="created-key-secret" data-once>([^<]+)</.exec(page)?.[1] as string;

    const whoami = await fetch(`${origin}/v2/whoami`, {
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    });
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({ keyId: id, scope: 'app', appId: 'app_b' });

    const lines = server
      .stdout()
      .split('\n')
      .filter((line) => line.includes('"event":"dashboard"'))
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.action)).toEqual(['sign-in', 'key.created']);
    expect(lines[1]).toMatchObject({ keyId: id, appId: 'app_b' });
    expect(server.stdout()).not.toContain(secret);
    expect(server.stdout()).not.toContain(ACCOUNT.secret);
  });
});
