/**
 * Test support: run an example server (`node --import tsx src/server.ts`, from the example's
 * directory) with its stdout going to a separate reader process that the test can stall and
 * resume, the way a stuck log shipper or a paused terminal does. The reader is `cat` on a pipe
 * (`'pipe'`), or `script` holding a pseudo-terminal (`'terminal'`); `stall()` stops it with
 * SIGSTOP, so that it reads nothing more and the server's stdout fills up, and `resume()` lets it
 * read again. What the reader passes on is collected in `output.stdout`. Every inherited
 * `KEYSCOPE_*` variable is dropped, so a test sets exactly the environment it means.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/**
 * A server whose stdout goes through a reader the test controls.
 *
 * @example
 * ```ts
 * const piped = await startPipedServer(dir, {});
 * piped.stall();
 * ```
 */
export interface PipedServer {
  readonly url: string;
  /** The server's process id. */
  readonly pid: number;
  /** What the reader passed on (the server's stdout), and the server's stderr (pipe mode). */
  readonly output: { stdout: string; stderr: string };
  /** Stops the reader (SIGSTOP): it reads nothing until `resume()`. */
  stall(): void;
  /** Lets the reader read again (SIGCONT). */
  resume(): void;
  /** Sends `signal` to the server (not to the reader). */
  signal(signal: NodeJS.Signals): void;
  /**
   * Resolves once the server has exited and the reader has passed on all of its output, with the
   * server's exit code (pipe mode; `null` in terminal mode, where `script` stands between).
   */
  readonly exited: Promise<number | null>;
  /** Kills both processes (SIGKILL); for clean-up after a failed test. */
  kill(): void;
}

/** How the reader is attached: a pipe into `cat`, or a pseudo-terminal held by `script`. */
export type ReaderKind = 'pipe' | 'terminal';

function baseEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith('KEYSCOPE_')) delete base[name];
  return { ...base, HOST: '127.0.0.1', PORT: '0', ...env };
}

/** The process id of the only child of `pid` (the server under `script`), once it exists. */
async function childOf(pid: number, timeout: number): Promise<number> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
    const first = Number(children.trim().split(/\s+/)[0]);
    if (first > 0) return first;
    if (Date.now() > deadline) throw new Error(`no child of process ${pid} within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Starts the server of the example in `dir` with its stdout into a reader of `kind`, and
 * resolves once the reader passed on the `listening on` line.
 *
 * @throws when the server prints no `listening on` line within `timeout` ms.
 * @example
 * ```ts
 * const piped = await startPipedServer(exampleDir, { KEYSCOPE_LOG_BUFFER_BYTES: '4096' });
 * piped.stall();
 * await fetch(`${piped.url}/health`); // still answered
 * piped.resume();
 * ```
 */
export async function startPipedServer(
  dir: string,
  env: Record<string, string> = {},
  kind: ReaderKind = 'pipe',
  timeout = 15_000,
): Promise<PipedServer> {
  const output = { stdout: '', stderr: '' };
  let reader: ChildProcess;
  let server: ChildProcess | undefined;
  if (kind === 'pipe') {
    reader = spawn('cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
    server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: dir,
      env: baseEnv(env),
      // The server writes straight into cat's stdin: a pipe between the two processes only.
      stdio: ['ignore', reader.stdin ?? 'ignore', 'pipe'],
    });
    reader.stdin?.destroy();
    server.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output.stderr += chunk;
    });
  } else {
    // `script` runs the server on a new pseudo-terminal and copies it to its own stdout.
    reader = spawn('script', ['-qfec', 'exec node --import tsx src/server.ts', '/dev/null'], {
      cwd: dir,
      env: baseEnv(env),
      stdio: ['pipe', 'pipe', 'ignore'],
    });
  }
  reader.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
  });
  const readerDone = new Promise<void>((resolve) => reader.once('close', () => resolve()));
  const serverDone = server
    ? new Promise<number | null>((resolve) => server?.once('exit', (code) => resolve(code)))
    : Promise.resolve(null);
  const kill = () => {
    server?.kill('SIGKILL');
    reader.kill('SIGCONT');
    reader.kill('SIGKILL');
  };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`no listening line within ${timeout} ms: ${JSON.stringify(output)}`));
    }, timeout);
    const onData = () => {
      const match = /^listening on (http:\/\/\S+?)\r?\n/m.exec(output.stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      reader.stdout?.off('data', onData);
      resolve(match[1]);
    };
    reader.stdout?.on('data', onData);
    reader.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`reader exited with ${code} first: ${JSON.stringify(output)}`));
    });
  });
  const pid = server?.pid ?? (await childOf(reader.pid as number, timeout));

  return {
    url,
    pid,
    output,
    stall: () => reader.kill('SIGSTOP'),
    resume: () => reader.kill('SIGCONT'),
    signal: (signal) => process.kill(pid, signal),
    exited: Promise.all([serverDone, readerDone]).then(([code]) => code),
    kill,
  };
}
