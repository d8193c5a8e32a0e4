/**
 * The three runtimes, each installed from the npm registry as a pinned dev dependency of this
 * package (`bun`, `deno`, `workerd`: each package ships its binary), and how to start the bundled
 * test server in it and learn its address. `find` says where a runtime's binary is, or why it is
 * missing; `start` spawns it on a fresh bundle in a scratch folder and resolves once it listens.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { bundle, ENTRIES } from './bundle.js';

const require = createRequire(import.meta.url);

/** A runtime under test. */
export type RuntimeName = keyof typeof ENTRIES;

/** A runtime's binary, or why it cannot run. */
export type Found =
  | { readonly ok: true; readonly binary: string; readonly version: string }
  | { readonly ok: false; readonly reason: string };

/** Where each package keeps its binary once its postinstall linked it. */
const BINARIES: Record<RuntimeName, string> = {
  bun: 'bin/bun.exe',
  deno: 'deno',
  workerd: 'bin/workerd',
};

/**
 * The Worker's `compatibilityDate`: the first on which `nodejs_compat` brings `node:fs`, which the
 * built core imports (for its file store) even where it is not used.
 */
export const COMPATIBILITY_DATE = '2025-09-15';

/**
 * Finds a runtime's binary and asks it for its version.
 *
 * @example
 * ```ts
 * const bun = find('bun'); // { ok: true, binary, version: '1.4.4' }
 * ```
 */
export function find(name: RuntimeName): Found {
  let binary: string;
  try {
    binary = join(dirname(require.resolve(`${name}/package.json`)), BINARIES[name]);
  } catch {
    return { ok: false, reason: `the ${name} package is not installed (pnpm install)` };
  }
  if (!existsSync(binary)) return { ok: false, reason: `${binary} is missing` };
  try {
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 });
    return { ok: true, binary, version: version.trim() };
  } catch (error) {
    return { ok: false, reason: `${binary} --version failed: ${(error as Error).message}` };
  }
}

/** A started runtime: where it listens, and how to stop it. */
export interface Running {
  readonly origin: string;
  stop(): Promise<void>;
}

/** Resolves the port of the first `listening on http://...:<port>` line of a stream. */
function portFrom(stream: Readable, child: ChildProcess, logs: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      seen += chunk;
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen)?.[1];
      if (port !== undefined) resolve(Number(port));
    });
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before listening: ${logs()}`)),
    );
  });
}

/** Resolves the port workerd reports on its control channel (`{"event":"listen","port":...}`). */
function controlPort(stream: Readable, child: ChildProcess, logs: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    let seen = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (seen + chunk).split('\n');
      seen = lines.pop() ?? ''; // an unfinished line waits for the rest
      for (const line of lines.filter((l) => l.trim() !== '')) {
        const event = JSON.parse(line) as { event?: string; port?: number };
        if (event.event === 'listen' && typeof event.port === 'number') resolve(event.port);
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before listening: ${logs()}`)),
    );
  });
}

/** The workerd configuration: one Worker, on 127.0.0.1 (the port is given at start). */
function workerdConfig(flags: readonly string[]): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.mjs", esModule = embed "worker.mjs")],
  compatibilityDate = "${COMPATIBILITY_DATE}",
  compatibilityFlags = [${flags.map((flag) => `"${flag}"`).join(', ')}],
  bindings = [(name = "DOCUMENT", text = embed "document.json")],
);
`;
}

/** Options of {@link start}. */
export interface StartOptions {
  /** workerd's compatibility flags (default `['nodejs_compat']`). */
  readonly compatibilityFlags?: readonly string[];
}

/**
 * Bundles the test server for `name` and starts it in `binary` with `document` as its keys.
 *
 * @throws {Error} when the bundle cannot be built or the runtime exits before it listens.
 * @example
 * ```ts
 * const deno = await start('deno', binary, fixture.document);
 * await fetch(`${deno.origin}/health`);
 * await deno.stop();
 * ```
 */
export async function start(
  name: RuntimeName,
  binary: string,
  document: unknown,
  options: StartOptions = {},
): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), `keyscope-${name}-`));
  const script = join(dir, name === 'workerd' ? 'worker.mjs' : 'server.mjs');
  await bundle(ENTRIES[name], script);
  const env = { ...process.env, KEYSCOPE_TEST_DOCUMENT: JSON.stringify(document) };
  let child: ChildProcess;
  if (name === 'bun') {
    child = spawn(binary, ['run', script], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  } else if (name === 'deno') {
    const allow = ['--allow-net=127.0.0.1', '--allow-env=KEYSCOPE_TEST_DOCUMENT'];
    const args = ['run', '--no-config', '--no-lock', '--no-prompt', ...allow, script];
    child = spawn(binary, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    writeFileSync(join(dir, 'document.json'), JSON.stringify(document));
    writeFileSync(
      join(dir, 'config.capnp'),
      workerdConfig(options.compatibilityFlags ?? ['nodejs_compat']),
    );
    const args = ['serve', 'config.capnp', '--control-fd=3', '--socket-addr=http=127.0.0.1:0'];
    child = spawn(binary, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  }
  let logs = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    logs += chunk;
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port =
      name === 'workerd'
        ? await controlPort(child.stdio[3] as Readable, child, () => logs)
        : await portFrom(child.stdout as Readable, child, () => logs);
    return { origin: `http://127.0.0.1:${port}`, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
