/**
 * The Express example's audit log never blocks serving (issue 20.1), through the real process
 * with its stdout going to a reader that the test stops (SIGSTOP), as a stuck log shipper or a
 * paused terminal does: while the reader is stalled, `/health` and an authenticated route keep
 * answering, well past the point where the pipe (64 KiB) or the terminal is full; once it reads
 * again, every line arrives. With a small log buffer, the lines past it are dropped, counted, and
 * reported by exactly one line when the reader is back. On SIGTERM and SIGINT the server drains
 * and flushes: a reader that is slow but alive gets every line, and the exit code is 0.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PipedServer, startPipedServer } from '@keyscope/example-shared';
import { basic, createFixture } from '@keyscope/test-kit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const EXAMPLE_DIR = fileURLToPath(new URL('..', import.meta.url));
const fixture = createFixture();
const authorization = basic(fixture.keys.appA.id, fixture.keys.appA.secret);
let dir: string;
let keysFile: string;
let running: PipedServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-express-log-'));
  keysFile = join(dir, 'keys.json');
  await writeFile(keysFile, JSON.stringify(fixture.document), { mode: 0o600 });
});

afterEach(async () => {
  running?.kill();
  running = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** GETs `path`; a server that does not answer within 10 s fails the test. */
async function get(url: string, path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

/** Sends `count` authenticated requests and a `/health` every tenth; resolves every status. */
async function traffic(url: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let n = 1; n <= count; n += 1) {
    statuses.push(await get(url, '/v2/apps/app_a', { Authorization: authorization }));
    if (n % 10 === 0) statuses.push(await get(url, '/health'));
  }
  return statuses;
}

/** The JSON lines after the `listening on` line. */
function logLines(stdout: string): Record<string, unknown>[] {
  const lines = stdout.split(/\r?\n/).filter((line) => line !== '');
  expect(lines[0]).toMatch(/^listening on http:\/\//);
  return lines.slice(1).map((line) => JSON.parse(line) as Record<string, unknown>);
}

const audit = (lines: Record<string, unknown>[]) =>
  lines.filter((line) => line.event === 'authenticated');
const bytes = (lines: Record<string, unknown>[]) =>
  lines.reduce((sum, line) => sum + JSON.stringify(line).length + 1, 0);

describe('a stalled stdout reader', { timeout: 120_000 }, () => {
  it('never stops the answers; once it reads again, every line arrives', async () => {
    running = await startPipedServer(EXAMPLE_DIR, { KEYSCOPE_KEYS_FILE: keysFile });
    running.stall();
    const statuses = await traffic(running.url, 400);
    expect(statuses).toHaveLength(440);
    expect(statuses.every((status) => status === 200)).toBe(true);

    running.resume();
    const server = running;
    await vi.waitFor(() => expect(audit(logLines(server.output.stdout))).toHaveLength(400), {
      timeout: 20_000,
      interval: 50,
    });
    const lines = logLines(server.output.stdout);
    // The premise: more than a full pipe (64 KiB) was written while the reader was stopped.
    expect(bytes(lines)).toBeGreaterThan(64 * 1024);
    expect(lines.filter((line) => line.event === 'log_lines_dropped')).toEqual([]);
  });

  it('drops the lines past the buffer, counts them, and says so once when the reader is back', async () => {
    running = await startPipedServer(EXAMPLE_DIR, {
      KEYSCOPE_KEYS_FILE: keysFile,
      KEYSCOPE_LOG_BUFFER_BYTES: '4096',
    });
    running.stall();
    const statuses = await traffic(running.url, 600);
    expect(statuses.every((status) => status === 200)).toBe(true);

    running.resume();
    const server = running;
    const reported = () => logLines(server.output.stdout).find((line) => line.dropped);
    await vi.waitFor(() => expect(reported()).toBeDefined(), { timeout: 20_000, interval: 50 });
    // Logging goes on after the report.
    expect(await get(server.url, '/v2/whoami', { Authorization: authorization })).toBe(200);
    await vi.waitFor(() => expect(audit(logLines(server.output.stdout))).not.toHaveLength(0));
    await vi.waitFor(() => expect(logLines(server.output.stdout).at(-1)?.httpMethod).toBe('GET'), {
      timeout: 20_000,
      interval: 50,
    });

    const lines = logLines(server.output.stdout);
    const reports = lines.filter((line) => line.event === 'log_lines_dropped');
    expect(reports).toEqual([
      {
        level: 40,
        time: expect.any(String),
        event: 'log_lines_dropped',
        dropped: expect.any(Number),
        msg: 'log lines dropped: stdout was not read',
      },
    ]);
    const dropped = reports[0]?.dropped as number;
    const before = audit(lines.slice(0, lines.indexOf(reports[0] as Record<string, unknown>)));
    // Every one of the 600 lines either arrived before the report or is counted in it.
    expect(dropped).toBeGreaterThan(0);
    expect(before.length + dropped).toBe(600);
    expect(lines.at(-1)).toMatchObject({ event: 'authenticated', keyId: fixture.keys.appA.id });
    console.log(
      `[stalled reader] 4 KiB log buffer, 600 requests while stdout was not read: ${before.length} lines delivered, ${dropped} dropped and reported`,
    );
  });

  let hasScript = true;
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
  } catch {
    hasScript = false;
  }
  it.skipIf(!hasScript)(
    'a paused terminal (stdout a pseudo-terminal) never stops the answers',
    async () => {
      running = await startPipedServer(EXAMPLE_DIR, { KEYSCOPE_KEYS_FILE: keysFile }, 'terminal');
      running.stall();
      const statuses = await traffic(running.url, 400);
      expect(statuses.every((status) => status === 200)).toBe(true);
      running.resume();
      const server = running;
      await vi.waitFor(() => expect(audit(logLines(server.output.stdout))).toHaveLength(400), {
        timeout: 20_000,
        interval: 50,
      });
      // The premise: far more than a terminal holds (about 20 KiB) was written while it was paused.
      expect(bytes(logLines(server.output.stdout))).toBeGreaterThan(64 * 1024);
    },
  );
});

describe.each(['SIGTERM', 'SIGINT'] as const)(
  '%s with a slow reader',
  { timeout: 120_000 },
  (signal) => {
    it('stops listening, then flushes every audit line to the reader once it reads again, and exits 0', async () => {
      running = await startPipedServer(EXAMPLE_DIR, { KEYSCOPE_KEYS_FILE: keysFile });
      running.stall();
      const statuses = await traffic(running.url, 450);
      expect(statuses.every((status) => status === 200)).toBe(true);

      running.signal(signal);
      // The server has stopped listening (it is draining) before its reader reads again.
      const { url } = running;
      await vi.waitFor(
        async () => {
          await expect(
            fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) }),
          ).rejects.toThrow();
        },
        { timeout: 20_000, interval: 50 },
      );
      running.resume();
      expect(await running.exited).toBe(0);
      const lines = logLines(running.output.stdout);
      expect(audit(lines)).toHaveLength(450);
      expect(bytes(lines)).toBeGreaterThan(64 * 1024);
    });
  },
);

describe('stdout to a file', { timeout: 60_000 }, () => {
  it('writes every audit line after the listening line, and flushes them on SIGTERM', async () => {
    const logFile = join(dir, 'stdout.log');
    const fd = openSync(logFile, 'w');
    const base = { ...process.env };
    for (const name of Object.keys(base)) if (name.startsWith('KEYSCOPE_')) delete base[name];
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: EXAMPLE_DIR,
      env: { ...base, HOST: '127.0.0.1', PORT: '0', KEYSCOPE_KEYS_FILE: keysFile },
      stdio: ['ignore', fd, 'ignore'],
    });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let url = '';
      await vi.waitFor(
        () => {
          const match = /^listening on (http:\/\/\S+)\n/.exec(readFileSync(logFile, 'utf8'));
          expect(match).not.toBeNull();
          url = match?.[1] as string;
        },
        { timeout: 15_000, interval: 50 },
      );
      const statuses = await traffic(url, 50);
      expect(statuses.every((status) => status === 200)).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(audit(logLines(readFileSync(logFile, 'utf8')))).toHaveLength(50);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
