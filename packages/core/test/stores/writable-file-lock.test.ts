/**
 * The lock of the writable keys file, against real processes and the failures of issue 18: two
 * writer processes (one of them in its own PID namespace, where `unshare --pid` is allowed) lose
 * nothing; a transaction slower than `staleLockAge` keeps its lock because it is refreshed; a writer
 * frozen until its lock was taken over does not rename over the other writer's work; a dangling
 * symbolic link at the lock path, or a stale lock that cannot be removed, ends with
 * `StoreLockedError` at the deadline after a bounded number of attempts instead of a busy loop.
 * The lock's system calls (`node:fs` `mkdir`, `rmdir`) are counted through a pass-through mock.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type KeysDocument,
  openWritableFileStore,
  StoreLockedError,
  type WritableFileKeyStore,
  type WritableFileStoreOptions,
} from '../../src/index.js';

const hooks = vi.hoisted(() => ({
  /** Runs after each `node:fs` `stat` callback. */
  afterStat: undefined as undefined | ((path: string, error: Error | null) => void),
}));

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    mkdir: vi.fn(actual.mkdir),
    rmdir: vi.fn(actual.rmdir),
    utimes: vi.fn(actual.utimes),
    stat: vi.fn((path: string, callback: (error: Error | null, stats?: unknown) => void) =>
      actual.stat(path, (error, stats) => {
        callback(error, stats);
        hooks.afterStat?.(path, error);
      }),
    ),
  };
});

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, open: vi.fn(actual.open), realpath: vi.fn(actual.realpath) };
});

const fsPromises = await import('node:fs/promises');
const real = await vi.importActual<typeof import('node:fs')>('node:fs');
const realPromises = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const writer = fileURLToPath(new URL('../lifecycle-fixtures/writer.ts', import.meta.url));

const BASE: KeysDocument = {
  version: 1,
  apps: [{ id: 'app_a', accountId: 'acc_1' }],
  serviceAccounts: [],
  keys: [],
};

/** Whether this machine lets us start a process in a new PID namespace (root, or user namespaces). */
const unshare = spawnSync('unshare', ['--pid', '--fork', 'true'], { stdio: 'ignore' });
const canUnshare = unshare.status === 0;
if (!canUnshare) {
  console.warn(
    'NOTICE: `unshare --pid --fork true` failed here; the PID-namespace writer test is skipped (run the tests as root on Linux to include it)',
  );
}

let dir: string;
let file: string;
let lockPath: string;
const opened: WritableFileKeyStore[] = [];

async function open(options: WritableFileStoreOptions = {}): Promise<WritableFileKeyStore> {
  const store = await openWritableFileStore(file, { watch: false, ...options });
  opened.push(store);
  return store;
}

async function onDisk(): Promise<KeysDocument> {
  return JSON.parse(await readFile(file, 'utf8')) as KeysDocument;
}

/** The calls of a `node:fs` function on the lock path so far. */
const callsOnLock = (fn: typeof fs.mkdir | typeof fs.rmdir) =>
  vi.mocked(fn).mock.calls.filter(([path]) => path === lockPath).length;

/**
 * The most attempts a wait of `lockTimeout` ms can make: the sleeps between attempts start at
 * 5 ms and double up to 100 ms, each at least half its nominal length (the jitter), and a last
 * attempt is made at the deadline. Sleeps are never shorter than asked, so a loaded machine only
 * makes fewer attempts.
 */
function maxAttempts(lockTimeout: number): number {
  let attempts = 1;
  let slept = 0;
  for (let delay = 5; slept < lockTimeout; delay = Math.min(delay * 2, 100)) {
    slept += delay / 2;
    attempts++;
  }
  return attempts;
}

/** A lock directory whose last refresh was `ageMs` ago. */
async function staleLock(ageMs: number): Promise<void> {
  await mkdir(lockPath);
  const then = new Date(Date.now() - ageMs);
  await utimes(lockPath, then, then);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyscope-lock-'));
  file = join(dir, 'keys.json');
  lockPath = `${file}.lock`;
  await writeFile(file, JSON.stringify(BASE), { mode: 0o600 });
  vi.mocked(fs.mkdir).mockClear();
  vi.mocked(fs.rmdir).mockClear();
});

afterEach(async () => {
  for (const store of opened.splice(0)) store.close();
  vi.mocked(fs.mkdir).mockImplementation(real.mkdir as typeof fs.mkdir);
  vi.mocked(fs.rmdir).mockImplementation(real.rmdir as typeof fs.rmdir);
  vi.mocked(fs.utimes).mockImplementation(real.utimes as typeof fs.utimes);
  vi.mocked(fsPromises.open).mockImplementation(realPromises.open);
  vi.mocked(fsPromises.realpath).mockImplementation(
    realPromises.realpath as typeof fsPromises.realpath,
  );
  hooks.afterStat = undefined;
  vi.restoreAllMocks();
  await chmod(dir, 0o700).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

/** Starts the writer fixture; `prefix` runs it through another command (`unshare ...`). */
function startWriter(
  args: string[],
  { prefix = [], env = {} }: { prefix?: string[]; env?: Record<string, string> } = {},
) {
  const command = [...prefix, process.execPath, '--import', 'tsx', writer, file, ...args];
  const child = spawn(command[0] as string, command.slice(1), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout, stderr })),
  );
  const said = (line: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.split('\n').includes(line)) resolve();
      };
      child.stdout.on('data', check);
      void exited.then(() => reject(new Error(`the writer exited before "${line}": ${stderr}`)));
    });
  return { child, exited, said };
}

describe('two writers never both hold the lock', () => {
  it.skipIf(!canUnshare)(
    `two writer processes, one in its own PID namespace, creating 20 keys each: all 40 are there${canUnshare ? '' : ' (SKIPPED: unshare --pid --fork is not permitted here)'}`,
    async () => {
      const startAt = String(Date.now() + 2000);
      const writers = [
        startWriter(['20', 'acc_host', startAt]),
        startWriter(['20', 'acc_ns', startAt], { prefix: ['unshare', '--pid', '--fork'] }),
      ];
      const results = await Promise.all(writers.map((w) => w.exited));
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const created = results.flatMap(({ stdout }) => JSON.parse(stdout) as string[]);
      expect(created).toHaveLength(40);
      const doc = await onDisk();
      expect(new Set(doc.keys.map((k) => k.id))).toEqual(new Set(created));
      expect(doc.keys.filter((k) => k.entity.id === 'acc_host')).toHaveLength(20);
      expect(doc.keys.filter((k) => k.entity.id === 'acc_ns')).toHaveLength(20);
      // The fixture names its keys after its pid: 1 in its own PID namespace.
      for (const key of doc.keys.filter((k) => k.entity.id === 'acc_ns')) {
        expect(key.displayName).toMatch(/^writer 1 #\d+$/);
      }
      expect(await readdir(dir)).toEqual(['keys.json']);
    },
    60_000,
  );

  it('a transaction slower than staleLockAge keeps its lock: a waiting writer process does not take it over', async () => {
    const options = { staleLockAge: 4000, lockTimeout: 60_000 };
    const store = await open(options);
    let other: ReturnType<typeof startWriter> | undefined;
    vi.mocked(fsPromises.realpath).mockImplementationOnce(async (path) => {
      // Under the lock: another writer starts waiting, and this transaction outlasts the stale age.
      other = startWriter(['1', 'acc_other', '0', JSON.stringify(options)]);
      await new Promise((done) => setTimeout(done, 6500));
      return realPromises.realpath(path);
    });
    await store.addApp({ id: 'app_slow', accountId: 'acc_1' });
    const result = await (other as ReturnType<typeof startWriter>).exited;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const doc = await onDisk();
    expect(doc.apps.map((app) => app.id)).toEqual(['app_a', 'app_slow']);
    expect(doc.keys.map((key) => key.id)).toEqual(JSON.parse(result.stdout));
  }, 60_000);

  it('a writer process frozen until its lock was taken over does not rename over the new holder', async () => {
    const options = { staleLockAge: 4000, lockTimeout: 60_000 };
    const frozen = startWriter(['1', 'acc_frozen', '0', JSON.stringify(options)], {
      env: { KEYSCOPE_TEST_STALL_MS: '9000' },
    });
    await frozen.said('stalling'); // it holds the lock and has read the file
    const store = await open(options);
    await store.addApp({ id: 'app_new_holder', accountId: 'acc_1' }); // waits until the lock is stale
    const result = await frozen.exited;
    expect(JSON.parse(result.stdout.split('\n')[1] as string), result.stderr).toEqual({
      error: 'ERR_STORE_LOCKED',
    });
    expect(result.code).toBe(3);
    const doc = await onDisk();
    expect(doc.apps.map((app) => app.id)).toEqual(['app_a', 'app_new_holder']);
    expect(doc.keys).toEqual([]);
    expect(await readdir(dir)).toEqual(['keys.json']);
  }, 60_000);
});

/** Runs `action` when the writer opens its temporary file: under the lock, before the commit. */
function beforeCommit(action: () => Promise<void>): void {
  vi.mocked(fsPromises.open).mockImplementation(async (path, flags, mode) => {
    if (String(path).endsWith('.tmp')) await action();
    return realPromises.open(path, flags, mode);
  });
}

describe('a writer that lost its lock writes nothing', () => {
  const FOREIGN: KeysDocument = {
    ...BASE,
    apps: [...BASE.apps, { id: 'app_foreign', accountId: 'acc_1' }],
  };

  it("its lock was replaced by another writer's (a takeover): it leaves the file and that lock alone", async () => {
    const store = await open();
    beforeCommit(async () => {
      // Another writer judged the lock abandoned, took it (a new directory) and wrote the file.
      await rm(lockPath, { recursive: true });
      await mkdir(lockPath);
      const second = new Date(Date.now() - 1000);
      await utimes(lockPath, second, second);
      await writeFile(file, JSON.stringify(FOREIGN));
    });
    const error = await store.addApp({ id: 'app_b', accountId: 'acc_1' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toBe(
      `${file}: this writer lost the lock ${lockPath} (another writer took it over); nothing was written, try again`,
    );
    expect(await onDisk()).toEqual(FOREIGN);
    expect((await readdir(dir)).sort()).toEqual(['keys.json', 'keys.json.lock']); // no temporary file
  });

  it('its lock was removed and the refresh noticed (onCompromised): no crash, no write', async () => {
    const store = await open({ staleLockAge: 4000 });
    beforeCommit(async () => {
      const noticed = new Promise<void>((resolve) => {
        hooks.afterStat = (path, error) => {
          if (path === lockPath && error) resolve();
        };
      });
      await rm(lockPath, { recursive: true });
      await noticed; // the library's next refresh (within a second) finds the lock gone
    });
    const error = await store.addApp({ id: 'app_b', accountId: 'acc_1' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${file}: this writer lost the lock ${lockPath} \\(the lock was lost: ENOENT: `),
    );
    expect(await onDisk()).toEqual(BASE);
    expect(await readdir(dir)).toEqual(['keys.json']);
  }, 30_000);

  it('its refreshes failed for staleLockAge / 2: it gives up before others may take the lock over', async () => {
    const store = await open({ staleLockAge: 4000 });
    let calls = 0;
    vi.mocked(fs.utimes).mockImplementation(((path, atime, mtime, callback) => {
      // The first call on the lock is the library's probe at creation; refreshes then fail.
      if (path === lockPath && ++calls > 1) {
        process.nextTick(callback, Object.assign(new Error('EIO: simulated'), { code: 'EIO' }));
        return;
      }
      real.utimes(path, atime, mtime, callback);
    }) as typeof fs.utimes);
    beforeCommit(async () => {
      await vi.waitFor(
        async () => {
          const { mtimeMs } = await realPromises.stat(lockPath);
          expect(Date.now() - mtimeMs).toBeGreaterThan(2000);
        },
        { timeout: 20_000, interval: 100 },
      );
    });
    const error = await store.addApp({ id: 'app_b', accountId: 'acc_1' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${file}: this writer lost the lock ${lockPath} \\(it was last refreshed \\d+ ms ago; other writers may take it over 4000 ms after that\\); nothing was written, try again$`,
      ),
    );
    expect(calls).toBeGreaterThan(1); // it did try to refresh
    expect(await onDisk()).toEqual(BASE);
    expect(await readdir(dir)).toEqual(['keys.json']); // its own lock is released
  }, 30_000);
});

describe('lock waits are bounded: no busy loop, StoreLockedError at the deadline', () => {
  it('a dangling symbolic link at the lock path', async () => {
    await symlink(join(dir, 'nowhere'), lockPath);
    const store = await open({ lockTimeout: 300 });
    const error = await store.addApp({ id: 'app_b', accountId: 'acc_1' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toBe(
      `${file}: the lock path ${lockPath} is a symbolic link to a missing file, not a lock; remove it (nothing was written)`,
    );
    // A few attempts in 300 ms (11 at most), never a busy loop. Each attempt calls mkdir twice:
    // the path exists but cannot be inspected (stat: ENOENT), so the library looks once more.
    expect(maxAttempts(300)).toBe(11);
    expect(callsOnLock(fs.mkdir)).toBeGreaterThanOrEqual(2 * 2);
    expect(callsOnLock(fs.mkdir)).toBeLessThanOrEqual(2 * maxAttempts(300));
    expect(await onDisk()).toEqual(BASE);
  }, 30_000);

  it('a stale lock that cannot be removed (EACCES: a directory the writer may not change)', async () => {
    await staleLock(60_000);
    vi.mocked(fs.rmdir).mockImplementation(((path: fs.PathLike, callback: fs.NoParamCallback) => {
      if (path === lockPath) {
        const error = Object.assign(new Error('EACCES: permission denied, rmdir'), {
          code: 'EACCES',
          syscall: 'rmdir',
        });
        process.nextTick(callback, error);
        return;
      }
      real.rmdir(path, callback);
    }) as typeof fs.rmdir);
    const store = await open({ lockTimeout: 300 });
    const error = await store.addApp({ id: 'app_b', accountId: 'acc_1' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${file}: the lock ${lockPath} was abandoned \\(not refreshed for \\d+ s\\) but cannot be removed \\(EACCES\\); remove it by hand \\(nothing was written\\)$`,
      ),
    );
    // One removal per attempt, and a bounded number of attempts.
    expect(callsOnLock(fs.rmdir)).toBeGreaterThanOrEqual(2);
    expect(callsOnLock(fs.rmdir)).toBeLessThanOrEqual(maxAttempts(300));
    expect(await onDisk()).toEqual(BASE);
  }, 30_000);

  it.skipIf(process.platform === 'win32')(
    'a stale lock in a directory the writer may not change, for real (as root: the writer runs as nobody)',
    async () => {
      await staleLock(60_000);
      const asRoot = process.getuid?.() === 0;
      let code: string | undefined;
      if (asRoot) {
        // Root may change any directory: run the writer as nobody in root's directory.
        await chmod(dir, 0o755);
        await chmod(file, 0o644);
        const child = spawnSync(
          process.execPath,
          [
            '--import',
            'tsx',
            writer,
            file,
            '1',
            'acc_1',
            '0',
            JSON.stringify({ lockTimeout: 300 }),
          ],
          { cwd: repoRoot, uid: 65534, gid: 65534, encoding: 'utf8', timeout: 30_000 },
        );
        expect(child.status, child.stderr).toBe(3);
        code = (JSON.parse(child.stdout) as { error: string }).error;
      } else {
        await chmod(dir, 0o555);
        const store = await open({ lockTimeout: 300 });
        code = await store.createKey({ entity: { type: 'userAccount', id: 'acc_1' } }).then(
          () => undefined,
          (e: StoreLockedError) => e.code,
        );
      }
      expect(code).toBe('ERR_STORE_LOCKED');
      expect(await onDisk()).toEqual(BASE);
    },
    30_000,
  );
});
