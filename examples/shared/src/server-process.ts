/**
 * Test support shared by the example servers' process tests: run the real server as a child
 * process (`node --import tsx src/server.ts`, as `pnpm start` does) from an example's directory,
 * start it and wait for its `listening on` line, or run it to its exit and collect what it printed.
 * Every inherited `KEYSCOPE_*` variable is dropped, so a test sets exactly the environment it means.
 */
import { type ChildProcess, spawn } from 'node:child_process';

/** A running server process. */
export interface RunningServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything printed so far. */
  readonly output: { stdout: string; stderr: string };
  /** Sends SIGTERM and resolves the exit code. */
  stop(): Promise<number | null>;
}

function launch(dir: string, env: Record<string, string>): ChildProcess {
  const base = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith('KEYSCOPE_')) delete base[name];
  return spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: dir,
    env: { ...base, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  // 'close' comes after the output streams ended, so nothing printed is lost.
  return new Promise((resolve) => child.once('close', (code) => resolve(code)));
}

/**
 * Starts the server and resolves once it printed `listening on http://...`.
 *
 * @throws when the process exits first, or prints nothing within `timeout` ms.
 * @example
 * ```ts
 * const server = await startServer({ KEYSCOPE_KEYS_FILE: file });
 * await fetch(`${server.url}/health`);
 * await server.stop();
 * ```
 */
function startServer(dir: string, env: Record<string, string> = {}, timeout = 15_000) {
  const child = launch(dir, env);
  const output = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
  });
  return new Promise<RunningServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line within ${timeout} ms: ${JSON.stringify(output)}`));
    }, timeout);
    const onData = () => {
      const match = /^listening on (http:\/\/\S+)\n/m.exec(output.stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve({
        url: match[1],
        child,
        output,
        stop() {
          const done = exited(child);
          child.kill('SIGTERM');
          return done;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${JSON.stringify(output)}`));
    });
  });
}

/**
 * Runs the server until it exits by itself (a start-up failure), or kills it after `timeout` ms.
 *
 * @example
 * ```ts
 * const { code, stderr } = await runToExit({ KEYSCOPE_KEYS_FILE: 'missing.json' });
 * ```
 */
async function runToExit(dir: string, env: Record<string, string>, timeout = 15_000) {
  const child = launch(dir, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const code = await exited(child);
  clearTimeout(timer);
  return { code, signal: child.signalCode, stdout, stderr };
}

/**
 * The process helpers of one example, bound to its directory.
 *
 * @example
 * ```ts
 * const { startServer, runToExit } = serverProcess(fileURLToPath(new URL('..', import.meta.url)));
 * const server = await startServer({ KEYSCOPE_RATE_LIMIT: '2/60' });
 * ```
 */
export function serverProcess(dir: string) {
  return {
    startServer: (env: Record<string, string> = {}, timeout = 15_000) =>
      startServer(dir, env, timeout),
    runToExit: (env: Record<string, string>, timeout = 15_000) => runToExit(dir, env, timeout),
  };
}
