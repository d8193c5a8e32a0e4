/**
 * Runs the example servers the fuzzer attacks as real processes, as `pnpm start` runs them (`node
 * --import tsx src/server.ts` in the example's folder) on 127.0.0.1 and a free port, with the
 * run's keys file. Everything they print is scanned for secrets and credentials as it arrives and
 * then dropped (the Express server logs one line per request); the resident memory of each process
 * is read from `/proc` on demand.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The example servers the fuzzer knows. */
export type TargetName = 'express' | 'koa';

/** A running example server. */
export interface Target {
  readonly name: TargetName;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Substrings found in the server's output that must never be there. */
  readonly leaks: string[];
  /** Lines the server printed (stdout and stderr), counted. */
  readonly lines: { count: number };
  /** The last few KiB the server printed, for diagnostics. */
  tail(): string;
  /** Resident set size in bytes, or `undefined` where `/proc` is not available. */
  rss(): number | undefined;
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts one example server and resolves once it printed its `listening on` line.
 *
 * @param forbidden - strings that must never appear in its output (secrets, credentials)
 */
export function startTarget(
  name: TargetName,
  keysFile: string,
  forbidden: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<Target> {
  const base = { ...process.env };
  for (const key of Object.keys(base)) if (key.startsWith('KEYSCOPE_')) delete base[key];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: join(REPO, 'examples', name),
    env: { ...base, HOST: '127.0.0.1', PORT: '0', KEYSCOPE_KEYS_FILE: keysFile, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const leaks: string[] = [];
  const lines = { count: 0 };
  let tail = '';
  let carry = '';
  const overlap = Math.max(0, ...forbidden.map((s) => s.length));
  const scan = (chunk: string) => {
    const text = carry + chunk;
    for (const secret of forbidden) {
      if (text.includes(secret) && !leaks.includes(secret)) leaks.push(secret);
    }
    carry = text.slice(-overlap);
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines.count++;
    tail = (tail + chunk).slice(-4096);
  };
  child.stdout?.setEncoding('utf8').on('data', scan);
  child.stderr?.setEncoding('utf8').on('data', scan);

  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name}: no "listening on" line within 30 s: ${tail}`));
    }, 30_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening: ${tail}`));
    };
    child.once('exit', onExit);
    const onData = () => {
      const match = /listening on (http:\/\/([\d.]+):(\d+))/.exec(tail);
      if (match === null) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      resolvePromise({
        name,
        url: match[1] as string,
        host: match[2] as string,
        port: Number(match[3]),
        child,
        leaks,
        lines,
        tail: () => tail,
        rss: () => readRss(child.pid),
        alive: () => child.exitCode === null && child.signalCode === null,
        stop() {
          if (child.exitCode !== null || child.signalCode !== null) {
            return Promise.resolve(child.exitCode);
          }
          const done = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
          child.kill('SIGTERM');
          const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
          return done.finally(() => clearTimeout(force));
        },
      });
    };
    child.stdout?.on('data', onData);
  });
}

function readRss(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}
