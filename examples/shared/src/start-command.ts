/**
 * Test support: run an example server with the documented start command of the contract
 * (section 5), `pnpm --filter ./examples/<name> start` from the repository root, in a process
 * group of its own, the way a terminal, a process manager or a container runtime runs it; a
 * signal can then be sent to the whole group (pnpm and the server under it), as Ctrl-C and
 * `docker stop` do. Every inherited `KEYSCOPE_*` variable is dropped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** A server started with the documented command, leading its own process group. */
export interface CommandServer {
  readonly url: string;
  /** What the command printed so far. */
  readonly output: { stdout: string; stderr: string };
  /** Sends `signal` to the command's whole process group. */
  signalGroup(signal: NodeJS.Signals): void;
  /** The command's exit: its code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the whole group (SIGKILL); for clean-up after a failed test. */
  kill(): void;
}

/**
 * Runs `pnpm --filter ./examples/<example> start` detached (its own process group) and resolves
 * once it printed `listening on http://...`.
 *
 * @throws when the command exits first, or prints nothing within `timeout` ms.
 * @example
 * ```ts
 * const running = await startCommand('koa');
 * running.signalGroup('SIGTERM');
 * expect((await running.exited).code).toBe(0);
 * ```
 */
export async function startCommand(
  example: string,
  env: Record<string, string> = {},
  timeout = 30_000,
): Promise<CommandServer> {
  const base = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith('KEYSCOPE_')) delete base[name];
  const child: ChildProcess = spawn('pnpm', ['--filter', `./examples/${example}`, 'start'], {
    cwd: ROOT,
    env: { ...base, HOST: '127.0.0.1', PORT: '0', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    // 'close': the output streams have ended too, so nothing printed is missing.
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid as number;
  const signalGroup = (signal: NodeJS.Signals) => process.kill(-pid, signal);
  const kill = () => {
    try {
      signalGroup('SIGKILL');
    } catch {
      // The group is gone already.
    }
  };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      kill();
      reject(new Error(`no listening line within ${timeout} ms: ${JSON.stringify(output)}`));
    }, timeout);
    const onData = () => {
      const match = /^listening on (http:\/\/\S+)\n/m.exec(output.stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${signal ?? code}) before listening: ${JSON.stringify(output)}`));
    });
  });
  return { url, output, signalGroup, exited, kill };
}
