/**
 * The processes of a benchmark: starting a server and waiting for its `listening on` line,
 * stopping it, driving it with autocannon (10 connections) and reading how much CPU time it used
 * meanwhile, from Linux's per-thread schedstat. Shared by the runner, the memory floods and the
 * profiler.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/** `BENCH_TSCONFIG` may name another (its `paths` can point @keyscope/core at another build). */
const SERVERS_TSCONFIG =
  process.env.BENCH_TSCONFIG ?? fileURLToPath(new URL('../tsconfig.servers.json', import.meta.url));

/** Connections autocannon keeps open. */
export const CONNECTIONS = 10;

let logDir: string | undefined;

/** Removes the servers' output, or keeps it (and says where) with `BENCH_KEEP_LOGS`. */
export function cleanLogs(): void {
  if (logDir === undefined) return;
  if (process.env.BENCH_KEEP_LOGS) console.error(`server output kept in ${logDir}`);
  else rmSync(logDir, { recursive: true, force: true });
  logDir = undefined;
}

/** A running target: its base URL and process. */
export interface Running {
  readonly url: string;
  readonly child: ChildProcess;
}

let serverCount = 0;

/**
 * Starts a server and resolves once it printed `listening on <url>`. Its output goes to a file,
 * not to a pipe: a server that logs synchronously (the examples' audit log) would otherwise wait
 * on this busy process to drain the pipe, and the figures would measure the runner.
 */
export async function start(
  command: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<Running> {
  const [cmd, ...args] = command as [string, ...string[]];
  logDir ??= mkdtempSync(join(tmpdir(), 'keyscope-bench-logs-'));
  const log = join(logDir, `server-${++serverCount}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(cmd, args, {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      // Without the root tsconfig's `paths`, @keyscope/* load from dist, as users run them (the
      // sources through tsx carry esbuild's keepNames helper on every closure).
      TSX_TSCONFIG_PATH: SERVERS_TSCONFIG,
      ...env,
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const began = Date.now();
    const timer = setInterval(() => {
      const text = readFileSync(log, 'utf8');
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) {
        clearInterval(timer);
        resolveUrl(match[1] as string);
      } else if (child.exitCode !== null || Date.now() - began > 60_000) {
        clearInterval(timer);
        child.kill('SIGKILL');
        reject(new Error(`${args.join(' ')} did not start (exit ${child.exitCode}):\n${text}`));
      }
    }, 50);
  });
  return { url, child };
}

/** Stops a server started by {@link start} and waits for it to exit. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** One autocannon run: requests/s, requests, answers that were not 2xx, server CPU time used. */
export interface Load {
  readonly rps: number;
  readonly total: number;
  readonly bad: number;
  /** CPU time the server process spent meanwhile (all its threads), in ns; 0 without a pid. */
  readonly cpuNs: number;
}

/** CPU time used so far by every thread of a process, in ns (Linux schedstat). */
export function cpuNs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return total;
}

/**
 * Drives `url` for `seconds`. A constant header is sent as is (autocannon builds the request once);
 * a changing one is set per request.
 */
export async function load(
  url: string,
  seconds: number,
  header?: (() => string) | string,
  pid?: number,
): Promise<Load> {
  const cpuBefore = cpuNs(pid);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    ...(typeof header === 'string' && { headers: { authorization: header } }),
    ...(typeof header === 'function' && {
      requests: [
        {
          method: 'GET',
          setupRequest: (req: autocannon.Request) => ({
            ...req,
            headers: { ...req.headers, authorization: header() },
          }),
        },
      ],
    }),
  });
  const total = result.requests.total;
  return {
    rps: total / Math.max(result.duration, 0.001),
    total,
    bad: result.non2xx + result.errors + result.timeouts,
    cpuNs: cpuNs(pid) - cpuBefore,
  };
}
