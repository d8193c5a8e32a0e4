/**
 * The project's main command, `scripts/demo.mjs` (what `pnpm start` runs after the build): it
 * starts this example, prints three `curl` lines with the real status and body of each (200, 200,
 * 403), the printed lines work when pasted into a shell, a busy port falls back to a free one, and
 * Ctrl-C (SIGINT) stops the script and its server.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);

let demo: ChildProcess | undefined;
let blocker: Server | undefined;

afterEach(async () => {
  if (demo && demo.exitCode === null && demo.signalCode === null) {
    const child = demo;
    const closed = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    // On a loaded machine, give the script time to stop its server, then stop it hard.
    const hard = setTimeout(() => child.kill('SIGKILL'), 8_000);
    await closed;
    clearTimeout(hard);
  }
  demo = undefined;
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  blocker = undefined;
}, 30_000);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the demo and resolves its output up to the "press Ctrl-C" line. */
function startDemo(port: number): Promise<string> {
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1' };
  const child = spawn(process.execPath, ['scripts/demo.mjs'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  demo = child;
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output: ${stdout} ${stderr}`)), 20_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('press Ctrl-C')) {
        clearTimeout(timer);
        resolve(stdout);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}: ${stdout} ${stderr}`));
    });
  });
}

const curlAvailable = await run('curl', ['--version']).then(
  () => true,
  () => false,
);

describe('scripts/demo.mjs', { timeout: 90_000 }, () => {
  it('prints three curl lines with their real answers: 200, 200, 403', async () => {
    const port = await freePort();
    const output = await startDemo(port);
    const url = `http://127.0.0.1:${port}`;
    expect(output).toContain(`the Express example is listening on ${url}`);
    const curls = output.split('\n').filter((line) => line.startsWith('curl '));
    const results = [...output.matchAll(/^# {4}-> (\d{3}) (.*)$/gm)];
    expect(curls).toHaveLength(3);
    expect(results.map((m) => Number(m[1]))).toEqual([200, 200, 403]);
    expect(curls[0]).toMatch(new RegExp(`^curl -i -u '[^']+' ${url}/v2/apps/app_a$`));
    expect(curls[1]).toMatch(
      new RegExp(
        `^curl -i -H 'Authorization: Bearer [\\w-]+\\.[\\w-]+\\.[\\w-]+' ${url}/v2/apps/app_a/users/user_1$`,
      ),
    );
    expect(curls[2]).toMatch(new RegExp(`^curl -i -u '[^']+' ${url}/v2/apps/app_b$`));
    expect(results[0]?.[2]).toBe('{"app":{"id":"app_a"}}');
    expect(results[1]?.[2]).toBe('{"user":{"id":"user_1","appId":"app_a"}}');
    expect(results[2]?.[2]).toBe(
      '{"errors":[{"code":"forbidden","title":"Insufficient scope for this resource"}]}',
    );

    // The token printed is an appUser token for one hour.
    const token = /Bearer ([\w-]+\.[\w-]+\.[\w-]+)/.exec(curls[1] ?? '')?.[1] ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString());
    expect(claims).toMatchObject({ scope: 'appUser', userId: 'user_1' });
    expect(claims.exp - claims.iat).toBe(3600);

    // Pasted into a shell, each line gets the same answer.
    if (curlAvailable) {
      for (const [index, line] of curls.entries()) {
        const { stdout } = await run('sh', ['-c', `${line} -s -o /dev/null -w '%{http_code}'`]);
        expect(Number(stdout)).toBe(Number(results[index]?.[1]));
      }
    }
  });

  it('falls back to a free port when PORT is busy', async () => {
    const port = await freePort();
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(port, '127.0.0.1', resolve));
    const output = await startDemo(port);
    expect(output).toContain(`port ${port} is busy`);
    const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    expect(url).toBeDefined();
    expect(url).not.toBe(`http://127.0.0.1:${port}`);
    expect([...output.matchAll(/^# {4}-> (\d{3})/gm)].map((m) => Number(m[1]))).toEqual([
      200, 200, 403,
    ]);
  });

  it('stops itself and the server on SIGINT, with exit code 0', async () => {
    const port = await freePort();
    await startDemo(port);
    const child = demo!;
    const closed = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await closed).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});
