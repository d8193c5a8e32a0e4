/**
 * The real server process, started as `pnpm --filter ./examples/fastify start` does
 * (`node --import tsx src/server.ts`): it prints exactly `listening on http://<host>:<port>`, serves
 * the demo keys file by default, follows `KEYSCOPE_KEYS_FILE`, refuses `KEYSCOPE_STORE` and a bad
 * keys file with a non-zero exit and a clear message, honours `KEYSCOPE_RATE_LIMIT` (429 with
 * `Retry-After` past the limit), and stops on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { basic, createFixture } from '@keyscope/test-kit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));
const demo = JSON.parse(readFileSync(join(EXAMPLE, 'keys.demo.json'), 'utf8')) as {
  keys: { id: string; secret: string }[];
};
const tmp = mkdtempSync(join(tmpdir(), 'keyscope-fastify-'));
const running: ChildProcess[] = [];

/** Signals the child's whole process group (pnpm runs the server as its own child). */
function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}

afterEach(() => {
  for (const child of running.splice(0)) stop(child, 'SIGKILL');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stdout: () => string;
}

function start(
  env: Record<string, string>,
  command = ['node', '--import', 'tsx', 'src/server.ts'],
  cwd = EXAMPLE,
) {
  const child = spawn(command[0] as string, command.slice(1), {
    cwd,
    detached: true,
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr, stdout })),
  );
  const listening = new Promise<Started>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const found = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (found) resolve({ child, url: found[1] as string, stdout: () => stdout });
    });
    void exited.then(({ code }) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  // Tests that expect a refusal only wait for the exit.
  listening.catch(() => {});
  return { listening, exited };
}

describe('the server process', () => {
  it('prints exactly the listening line and serves the demo keys file', async () => {
    const { listening, exited } = start({});
    const { url, stdout, child } = await listening;
    expect(stdout()).toBe(`listening on ${url}\n`);
    expect(await (await fetch(`${url}/health`)).json()).toStrictEqual({ ok: true });
    const appKey = demo.keys.find((k) => k.id.startsWith('app_'));
    const whoami = await fetch(`${url}/v2/whoami`, {
      headers: { authorization: basic(appKey!.id, appKey!.secret) },
    });
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({ keyId: appKey!.id, scope: 'app' });
    stop(child);
    expect((await exited).code).toBe(0);
  });

  it('starts with the documented command (pnpm --filter ./examples/fastify start)', async () => {
    const root = join(EXAMPLE, '..', '..');
    const command = ['pnpm', '--filter', './examples/fastify', 'start'];
    const { listening } = start({}, command, root);
    const { url, stdout, child } = await listening;
    expect(stdout()).toBe(`listening on ${url}\n`);
    expect((await fetch(`${url}/v2/whoami`)).status).toBe(401);
    stop(child);
  });

  it('serves KEYSCOPE_KEYS_FILE, with no limiter when KEYSCOPE_RATE_LIMIT is unset', async () => {
    const fixture = createFixture();
    const file = join(tmp, 'keys.json');
    writeFileSync(file, JSON.stringify(fixture.document));
    const { listening, exited } = start({ KEYSCOPE_KEYS_FILE: file });
    const { url, child } = await listening;
    const { appA } = fixture.keys;
    for (let i = 0; i < 8; i++) {
      const wrong = await fetch(`${url}/v2/whoami`, {
        headers: { authorization: basic(appA.id, 'test-wrong-secret') },
      });
      expect(wrong.status).toBe(401);
    }
    const ok = await fetch(`${url}/v2/apps/app_a`, {
      headers: { authorization: basic(appA.id, appA.secret) },
    });
    expect(ok.status).toBe(200);
    stop(child);
    expect((await exited).stderr).toBe('');
  });

  it('KEYSCOPE_RATE_LIMIT=2/60: the third wrong secret is a 429 with Retry-After', async () => {
    const fixture = createFixture();
    const file = join(tmp, 'keys-limited.json');
    writeFileSync(file, JSON.stringify(fixture.document));
    const { listening } = start({ KEYSCOPE_KEYS_FILE: file, KEYSCOPE_RATE_LIMIT: '2/60' });
    const { url, stdout, child } = await listening;
    const { appA } = fixture.keys;
    const wrong = { authorization: basic(appA.id, 'test-wrong-secret') };
    for (let i = 0; i < 2; i++) {
      const refused = await fetch(`${url}/v2/apps/app_a`, { headers: wrong });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe(
        'Basic realm="keyscope", charset="UTF-8", Bearer realm="keyscope"',
      );
      expect(await refused.json()).toStrictEqual({
        errors: [{ code: 'unauthorized', title: 'Invalid credentials' }],
      });
    }
    // Past the limit even the right secret is refused from this address, before any check.
    for (const headers of [wrong, { authorization: basic(appA.id, appA.secret) }]) {
      const limited = await fetch(`${url}/v2/apps/app_a`, { headers });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(limited.headers.get('www-authenticate')).toBeNull();
      expect(await limited.json()).toStrictEqual({
        errors: [{ code: 'too_many_requests', title: 'Too many failed attempts' }],
      });
    }
    expect(stdout()).toBe(`listening on ${url}\n`);
    stop(child);
  });

  it('refuses a malformed KEYSCOPE_RATE_LIMIT with a clear message', async () => {
    const { code, stdout, stderr } = await start({ KEYSCOPE_RATE_LIMIT: 'ten per minute' }).exited;
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('cannot start: KEYSCOPE_RATE_LIMIT must be <failures>/<seconds>');
  });

  it('refuses a keys file that does not match the format, naming the entry', async () => {
    const file = join(tmp, 'bad-keys.json');
    writeFileSync(file, JSON.stringify({ version: 1, apps: [], keys: [{ id: 'k1' }] }));
    const { code, stderr } = await start({ KEYSCOPE_KEYS_FILE: file }).exited;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/cannot start: .*keys/);
  });

  it('refuses a PORT that is not a port number', async () => {
    const { code, stderr } = await start({ PORT: 'http' }).exited;
    expect(code).not.toBe(0);
    expect(stderr).toContain('PORT');
  });
});
