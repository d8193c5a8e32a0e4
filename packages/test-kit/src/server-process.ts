/**
 * The example servers as real processes: run an example's `src/server.ts` the way `pnpm start`
 * does (`node --import tsx src/server.ts`, or the documented `pnpm --filter ./examples/<name>
 * start` itself), start it and wait for its `listening on` line, or run it to its exit and collect
 * what it printed. Waiting is event-driven: a start or an expected line resolves on the output
 * event that brings it, never after a sleep. Every inherited `KEYSCOPE_*` variable is dropped, so a
 * test sets exactly the environment it means.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { basename, dirname } from 'node:path';

/** How to launch the server: its entry file through tsx, or the documented pnpm command. */
export type LaunchCommand = 'node' | 'pnpm';

/** Options of `startServer` and `runToExit`. */
export interface ServerProcessOptions {
  /** How long to wait for the listening line, or for the exit, in ms (default 15 000). */
  readonly timeout?: number;
  /** `node` (default): `node --import tsx src/server.ts`; `pnpm`: `pnpm --filter <dir> start`. */
  readonly command?: LaunchCommand;
}

/** A running server process. */
export interface RunningServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything printed so far. */
  readonly output: { readonly stdout: string; readonly stderr: string };
  /**
   * Resolves once `stream` has printed text that matches `pattern`.
   *
   * @throws when it has not after `timeout` ms (default 15 000) or the process ended first.
   */
  waitForOutput(
    stream: 'stdout' | 'stderr',
    pattern: string | RegExp,
    timeout?: number,
  ): Promise<void>;
  /** Sends SIGTERM (to the whole process group of a pnpm launch) and resolves the exit code. */
  stop(): Promise<number | null>;
}

/** What a server printed before it exited by itself. */
export interface ExitedServer {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The process helpers of one example, bound to its directory. */
export interface ServerProcess {
  /**
   * Starts the server and resolves once it printed `listening on http://...`.
   *
   * @throws when the process exits first, or prints no listening line within the timeout.
   */
  startServer(env?: Record<string, string>, options?: ServerProcessOptions): Promise<RunningServer>;
  /** Runs the server until it exits by itself (a start-up failure), or kills it at the timeout. */
  runToExit(env?: Record<string, string>, options?: ServerProcessOptions): Promise<ExitedServer>;
}

interface Launched {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  /** Called after every chunk of output and when the process closes. */
  readonly watchers: Set<() => void>;
  readonly closed: Promise<number | null>;
  signal(signal: NodeJS.Signals): void;
}

function launch(dir: string, env: Record<string, string>, command: LaunchCommand): Launched {
  const base = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith('KEYSCOPE_')) delete base[name];
  const options = {
    env: { ...base, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
  };
  // pnpm runs the server as its own child: a process group of their own lets a signal reach both.
  const root = dirname(dirname(dir));
  const filter = `./${basename(dirname(dir))}/${basename(dir)}`;
  const child =
    command === 'pnpm'
      ? spawn('pnpm', ['--filter', filter, 'start'], { ...options, cwd: root, detached: true })
      : spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { ...options, cwd: dir });
  const output = { stdout: '', stderr: '' };
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watcher of [...watchers]) watcher();
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].setEncoding('utf8').on('data', (chunk: string) => {
      output[stream] += chunk;
      notify();
    });
  }
  // 'close' comes after the output streams ended, so nothing printed is lost.
  const closed = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      resolve(code);
      notify();
    }),
  );
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
      if (command === 'pnpm') process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // Already gone.
    }
  };
  return { child, output, watchers, closed, signal };
}

/** Resolves when `test()` holds after some output; rejects on the process closing or the timeout. */
function until(launched: Launched, test: () => boolean, timeout: number, what: string) {
  return new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      launched.watchers.delete(check);
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => {
      done(new Error(`${what} within ${timeout} ms: ${JSON.stringify(launched.output)}`));
    }, timeout);
    const check = () => {
      if (test()) done();
      else if (launched.child.exitCode !== null || launched.child.signalCode !== null) {
        done(new Error(`${what}: the server exited: ${JSON.stringify(launched.output)}`));
      }
    };
    launched.watchers.add(check);
    check();
  });
}

async function startServer(
  dir: string,
  env: Record<string, string>,
  options: ServerProcessOptions,
): Promise<RunningServer> {
  const timeout = options.timeout ?? 15_000;
  const launched = launch(dir, env, options.command ?? 'node');
  const listening = () => /^listening on (http:\/\/\S+)\n/m.exec(launched.output.stdout)?.[1];
  try {
    await until(launched, () => listening() !== undefined, timeout, 'no listening line');
  } catch (error) {
    launched.signal('SIGKILL');
    throw error;
  }
  return {
    url: listening() as string,
    child: launched.child,
    output: launched.output,
    waitForOutput(stream, pattern, wait = 15_000) {
      const matches = () =>
        typeof pattern === 'string'
          ? launched.output[stream].includes(pattern)
          : pattern.test(launched.output[stream]);
      return until(launched, matches, wait, `no ${stream} output matching ${String(pattern)}`);
    },
    stop() {
      launched.signal('SIGTERM');
      return launched.closed;
    },
  };
}

async function runToExit(
  dir: string,
  env: Record<string, string>,
  options: ServerProcessOptions,
): Promise<ExitedServer> {
  const launched = launch(dir, env, options.command ?? 'node');
  const timer = setTimeout(() => launched.signal('SIGKILL'), options.timeout ?? 15_000);
  const code = await launched.closed;
  clearTimeout(timer);
  const { stdout, stderr } = launched.output;
  return { code, signal: launched.child.signalCode, stdout, stderr };
}

/**
 * The process helpers of one example, bound to its directory.
 *
 * @example
 * ```ts
 * const { startServer, runToExit } = serverProcess(fileURLToPath(new URL('..', import.meta.url)));
 * const server = await startServer({ KEYSCOPE_RATE_LIMIT: '2/60' });
 * await server.waitForOutput('stderr', 'keeping the last good copy');
 * ```
 */
export function serverProcess(dir: string): ServerProcess {
  return {
    startServer: (env = {}, options = {}) => startServer(dir, env, options),
    runToExit: (env = {}, options = {}) => runToExit(dir, env, options),
  };
}
