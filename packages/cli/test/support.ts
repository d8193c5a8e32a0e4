/**
 * Helpers of the CLI tests: temporary keys files, `runCli` in-process with captured output, and
 * the real executable in a child process. `KEYSCOPE_CLI_BIN=dist` runs the built bin
 * (`node packages/cli/dist/cli.js`, after `pnpm --filter @keyscope/core --filter @keyscope/cli build`);
 * the default, `src`, runs `src/cli.ts` through tsx with the repository's path aliases, so the
 * tests need no build and always see the current sources of core.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KeysDocument } from '@keyscope/core';
import { type CliIo, runCli } from '../src/index.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const distCli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const srcCli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** Which executable the process tests run: the built bin or the sources through tsx. */
export const BIN_MODE: 'dist' | 'src' = process.env.KEYSCOPE_CLI_BIN === 'dist' ? 'dist' : 'src';

/** A keys file with two apps of acc_1, one of acc_2, and a service account of acc_1. */
export const BASE: KeysDocument = {
  version: 1,
  apps: [
    { id: 'app_a', accountId: 'acc_1' },
    { id: 'app_b', accountId: 'acc_1' },
    { id: 'app_x', accountId: 'acc_2' },
  ],
  serviceAccounts: [{ id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] }],
  keys: [],
};

export interface TempKeys {
  readonly dir: string;
  readonly file: string;
  cleanup(): Promise<void>;
}

/** A temporary directory with `keys.json` holding `document` (none when `null`). */
export async function tempKeys(document: unknown = BASE): Promise<TempKeys> {
  const dir = await mkdtemp(join(tmpdir(), 'keyscope-cli-'));
  const file = join(dir, 'keys.json');
  if (document !== null) await writeFile(file, JSON.stringify(document, null, 2), { mode: 0o600 });
  return { dir, file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `JSON.parse` of a result's stdout. */
export function json<T = Record<string, unknown>>(result: Result): T {
  return JSON.parse(result.stdout) as T;
}

/** Runs `runCli` in this process with captured output. */
export async function cli(
  argv: readonly string[],
  io: Partial<Omit<CliIo, 'stdout' | 'stderr'>> = {},
): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    env: {},
    ...io,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

/** The command that starts the executable (see {@link BIN_MODE}). */
export function binCommand(): { command: string; args: string[]; env: Record<string, string> } {
  if (BIN_MODE === 'dist') {
    if (!existsSync(distCli)) {
      throw new Error(
        'KEYSCOPE_CLI_BIN=dist: build first: pnpm --filter @keyscope/core --filter @keyscope/cli build',
      );
    }
    return { command: process.execPath, args: [distCli], env: {} };
  }
  return {
    command: process.execPath,
    args: ['--import', tsxLoader, srcCli],
    env: { TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.json') },
  };
}

/** Runs the `keyscope` executable in a child process. */
export function bin(
  argv: readonly string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<Result> {
  const { command, args, env } = binCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args, ...argv], {
      cwd: options.cwd ?? repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Retries `check` every 50 ms until it passes or `ms` have gone by. */
export async function within<T>(ms: number, check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((done) => setTimeout(done, 50));
    }
  }
}
