/**
 * The lock writers of a keys file take, on `proper-lockfile` (pinned): the lock is the directory
 * `<file>.lock`, made with `mkdir` (atomic on local and network file systems). Its holder refreshes
 * its modification time every `staleLockAge / 4` ms while it works, and another writer takes it
 * over only once it has not been refreshed for `staleLockAge` ms. So liveness is judged by the
 * lock's own mtime, never by a pid (pids mean nothing across PID namespaces or hosts) nor by a time
 * the holder wrote down once, and a slow transaction keeps its lock for as long as it runs. The
 * library tells us when our lock was compromised (removed or replaced while we held it); on top of
 * it, `verify()` runs immediately before the commit (the rename) and refuses unless the lock is
 * still ours (same directory, the mtime we last set, not compromised) and was refreshed within
 * `staleLockAge / 2`, so that no writer whose clock is less than `staleLockAge / 2` ahead of ours
 * can judge it stale before the rename lands. A writer that lost its lock therefore writes nothing.
 * To know the mtime we set, each attempt hands the library its own `fs` (its documented `fs`
 * option), which passes every call to `node:fs` and notes the times of our refreshes. Waiting is a
 * loop of single attempts with exponential backoff (5 ms doubling to 100 ms, with jitter) up to the
 * deadline, whatever blocks the lock: a live holder, a stale lock that cannot be removed (a
 * directory the writer may not change), a dangling symbolic link in its place; the deadline ends it
 * with a `StoreLockedError` that names the obstacle. Only a lock that cannot even be created (no
 * directory, read-only file system) is a `StoreIoError` at once. The library is imported on the
 * first write, so that readers never load it (it installs an exit handler that removes held locks).
 */
import {
  lstat,
  mkdir,
  type NoParamCallback,
  type PathLike,
  rmdir,
  rmdirSync,
  type Stats,
  stat,
  utimes,
} from 'node:fs';
import { StoreIoError, StoreLockedError } from '../lifecycle-errors.js';

/** Where the lock is and how long to wait for it. */
export interface FileLockSettings {
  /** The keys file the lock protects (named in messages). */
  readonly file: string;
  /** The lock directory: `<file>.lock`. */
  readonly lockPath: string;
  /** How long to wait for the lock, in ms, before `StoreLockedError`. */
  readonly lockTimeout: number;
  /** How long after its last refresh a lock is abandoned and may be taken over, in ms. */
  readonly staleLockAge: number;
}

/** The smallest `staleLockAge`: refreshes every second at least, verified within two. */
export const MIN_STALE_LOCK_AGE = 4000;

/** A lock this writer holds. */
export interface HeldLock {
  /**
   * Resolves if the lock is still this writer's and fresh; call it right before the commit.
   *
   * @throws {StoreLockedError} the lock was lost or is about to be judged abandoned.
   */
  verify(): Promise<void>;
  /** Removes the lock if it is still this writer's (never another writer's). */
  release(): Promise<void>;
}

/** What kept the lock from us at the last attempt. */
type Obstacle =
  | { readonly kind: 'held' }
  | { readonly kind: 'unremovable'; readonly code: string }
  | { readonly kind: 'uninspectable'; readonly code: string };

/** What our `fs` saw of our own lock during one attempt and while it is held. */
interface Observed {
  /** The mtime we last set (ms), once a refresh succeeded. */
  mtime?: number;
  /** The mtime of a refresh under way. */
  pending?: number;
  /** Why the library judged the lock compromised. */
  compromised?: Error;
}

/**
 * Runs `task` holding the lock. `task` receives `verify`, to call just before it commits; the lock
 * is released afterwards, whatever `task` did.
 *
 * @throws {StoreLockedError} the lock could not be taken before the deadline.
 * @throws {StoreIoError} the lock could not be created at all.
 */
export async function withFileLock<T>(
  settings: FileLockSettings,
  task: (verify: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const held = await acquireFileLock(settings);
  try {
    return await task(() => held.verify());
  } finally {
    await held.release();
  }
}

/**
 * Takes the lock, waiting with backoff up to `lockTimeout`.
 *
 * @throws {StoreLockedError} the lock could not be taken before the deadline.
 * @throws {StoreIoError} the lock could not be created at all.
 */
export async function acquireFileLock(settings: FileLockSettings): Promise<HeldLock> {
  const { lock } = await import('proper-lockfile');
  const deadline = performance.now() + settings.lockTimeout;
  let delay = 5;
  for (;;) {
    const observed: Observed = {};
    let obstacle: Obstacle;
    try {
      const release = await lock(settings.file, {
        lockfilePath: settings.lockPath,
        realpath: false,
        retries: 0,
        stale: settings.staleLockAge,
        update: settings.staleLockAge / 4,
        fs: observingFs(settings.lockPath, observed),
        onCompromised: (error) => {
          observed.compromised = error;
        },
      });
      return await holding(settings, observed, release);
    } catch (error) {
      obstacle = classify(settings, error);
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw await timedOut(settings, obstacle);
    await sleep(Math.min(remaining, delay / 2 + Math.random() * delay));
    delay = Math.min(delay * 2, 100);
  }
}

/** The lock just taken: its identity, and the checks made against it. */
async function holding(
  settings: FileLockSettings,
  observed: Observed,
  release: () => Promise<void>,
): Promise<HeldLock> {
  const { file, lockPath, staleLockAge } = settings;
  let taken: Stats;
  try {
    taken = await statOf(lockPath);
  } catch (error) {
    await release().catch(() => undefined);
    throw new StoreIoError(`${lockPath}: cannot read the lock (${errno(error)})`, { cause: error });
  }
  // The library's probe may have set a time the file system rounded: start from what it stored.
  observed.mtime = taken.mtime.getTime();

  /** Why the lock is no longer ours, or `undefined` while it is. */
  async function lost(): Promise<string | undefined> {
    if (observed.compromised) return `the lock was lost: ${observed.compromised.message}`;
    let now: Stats;
    try {
      now = await statOf(lockPath);
    } catch (error) {
      return errno(error) === 'ENOENT'
        ? 'the lock was removed'
        : `cannot read it (${errno(error)})`;
    }
    const mtime = now.mtime.getTime();
    const ours =
      now.ino === taken.ino &&
      now.dev === taken.dev &&
      (mtime === observed.mtime || mtime === observed.pending);
    return ours ? undefined : 'another writer took it over';
  }

  return {
    async verify() {
      const reason = await lost();
      const age = Date.now() - (observed.mtime ?? 0);
      if (reason === undefined && age <= staleLockAge / 2) return;
      throw new StoreLockedError(
        `${file}: this writer lost the lock ${lockPath} (${reason ?? `it was last refreshed ${age} ms ago; other writers may take it over ${staleLockAge} ms after that`}); nothing was written, try again`,
      );
    },
    async release() {
      if ((await lost()) === undefined) await release().catch(() => undefined);
    },
  };
}

/** What an attempt's failure means: an obstacle to wait for, or a lock that cannot be made. */
function classify(settings: FileLockSettings, error: unknown): Obstacle {
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (code === 'ELOCKED') return { kind: 'held' };
  if (syscall === 'rmdir') return { kind: 'unremovable', code: code ?? 'error' };
  if (syscall === 'stat') return { kind: 'uninspectable', code: code ?? 'error' };
  throw new StoreIoError(`${settings.lockPath}: cannot create the lock (${errno(error)})`, {
    cause: error,
  });
}

/** The `StoreLockedError` at the deadline, naming what blocked the lock. */
async function timedOut(settings: FileLockSettings, obstacle: Obstacle): Promise<StoreLockedError> {
  const { file, lockPath, lockTimeout, staleLockAge } = settings;
  const link = await lstatOf(lockPath).catch(() => undefined);
  if (link?.isSymbolicLink() && (await statOf(lockPath).catch(errno)) === 'ENOENT') {
    return new StoreLockedError(
      `${file}: the lock path ${lockPath} is a symbolic link to a missing file, not a lock; remove it (nothing was written)`,
    );
  }
  if (obstacle.kind === 'unremovable') {
    const age = link ? Math.round((Date.now() - link.mtime.getTime()) / 1000) : 0;
    return new StoreLockedError(
      `${file}: the lock ${lockPath} was abandoned (not refreshed for ${age} s) but cannot be removed (${obstacle.code}); remove it by hand (nothing was written)`,
    );
  }
  if (obstacle.kind === 'uninspectable') {
    return new StoreLockedError(
      `${file}: the lock ${lockPath} cannot be inspected (${obstacle.code}); if no keyscope writer is running, remove it (nothing was written)`,
    );
  }
  return new StoreLockedError(
    `${file}: another writer holds the lock ${lockPath} and did not release it within ${lockTimeout} ms (nothing was written); a lock whose writer died is taken over ${staleLockAge} ms after its last refresh`,
  );
}

/**
 * The `fs` handed to the library for one lock: `node:fs` itself, except that the times of our
 * refreshes (`utimes` on the lock) are noted, to tell our lock from a new one in its place.
 */
function observingFs(lockPath: string, observed: Observed) {
  return {
    mkdir: (path: PathLike, callback: NoParamCallback) => mkdir(path, callback),
    rmdir: (path: PathLike, callback: NoParamCallback) => rmdir(path, callback),
    rmdirSync: (path: PathLike) => rmdirSync(path),
    stat: (path: PathLike, callback: (error: Error | null, stats: Stats) => void) =>
      stat(path, callback),
    utimes(path: PathLike, atime: Date, mtime: Date, callback: NoParamCallback) {
      const ours = path === lockPath;
      const time = mtime.getTime();
      if (ours) observed.pending = time;
      utimes(path, atime, mtime, (error) => {
        if (ours) {
          if (!error) observed.mtime = time;
          if (observed.pending === time) delete observed.pending;
        }
        callback(error);
      });
    },
  };
}

function statOf(path: string): Promise<Stats> {
  return new Promise((resolve, reject) =>
    stat(path, (error, stats) => (error ? reject(error) : resolve(stats))),
  );
}

function lstatOf(path: string): Promise<Stats> {
  return new Promise((resolve, reject) =>
    lstat(path, (error, stats) => (error ? reject(error) : resolve(stats))),
  );
}

function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
