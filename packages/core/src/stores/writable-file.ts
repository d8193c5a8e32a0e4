/**
 * The writable keys-file store: the file store of `openFileStore` (reading, validation, live
 * reload, last good copy) plus the `WritableKeyStore` operations. Every write is one transaction:
 * take the lock `<file>.lock` (see `internal/file-lock.ts`: a directory refreshed while held, taken
 * over only once it has not been refreshed for `staleLockAge`; waited for with backoff up to
 * `lockTimeout`), re-read and re-validate the file under the lock, apply the change, validate the
 * result, write it to a temporary file in the same directory (mode 0600), fsync it, verify that the
 * lock is still ours and fresh, rename the temporary file over the keys file and fsync the
 * directory, then release the lock. So writers in several processes, hosts or containers never
 * lose each other's entries, a writer that lost its lock writes nothing, a reader never sees half
 * a file, and a corrupt or half-written file is refused with a message and never replaced.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { type FileLockSettings, MIN_STALE_LOCK_AGE, withFileLock } from '../internal/file-lock.js';
import { OWNER_ONLY_MODE } from '../internal/keys-file-mode.js';
import * as edits from '../internal/lifecycle.js';
import {
  InvalidArgumentError,
  StoreCorruptError,
  StoreIoError,
  StoreLockedError,
} from '../lifecycle-errors.js';
import { type FileKeyStore, type FileStoreOptions, openFileStore } from './file.js';
import { type KeysDocument, validateKeysDocument } from './keys-document.js';
import {
  DEFAULT_MAX_ACTIVE_KEYS_PER_APP,
  type KeyFilter,
  type WritableKeyStore,
} from './writable.js';

/** Options of {@link openWritableFileStore}: those of `openFileStore`, and the writer's own. */
export interface WritableFileStoreOptions extends FileStoreOptions {
  /** The most active keys an app may have: a positive integer, default 10. */
  readonly maxActiveKeysPerApp?: number;
  /**
   * How long a write waits for the lock before `StoreLockedError`, in ms (default 15000). Whatever
   * blocks the lock (a live writer, a stale lock that cannot be removed, a dangling symbolic link
   * in its place), the wait backs off and ends at this deadline.
   */
  readonly lockTimeout?: number;
  /**
   * How long after its last refresh a lock counts as abandoned and is taken over, in ms (default
   * 10000, at least 4000). A writer refreshes its lock every `staleLockAge / 4` ms while it works,
   * and commits only if it did so within `staleLockAge / 2`: the clocks of the hosts that share
   * the file must agree within `staleLockAge / 2`.
   */
  readonly staleLockAge?: number;
  /** Create the file with an empty keys document when it does not exist (default `false`). */
  readonly create?: boolean;
}

/**
 * A keys file that can be read (as `openFileStore`) and written (as `WritableKeyStore`).
 *
 * @example
 * ```ts
 * const store = await openWritableFileStore('keys.json', { watch: false });
 * const { record, secret } = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
 * store.close();
 * ```
 */
export interface WritableFileKeyStore extends FileKeyStore, WritableKeyStore {
  /** The lock writers take: the directory `<file>.lock`. */
  readonly lockPath: string;
  close(): void;
}

/** The document `create: true` writes: valid, and empty. */
const EMPTY_DOCUMENT: KeysDocument = { version: 1, apps: [], serviceAccounts: [], keys: [] };

/**
 * Opens a keys file for reading and writing.
 *
 * @throws {ConfigurationError} an option is out of range.
 * @throws {StoreLockedError} with `create: true`, the lock could not be taken within `lockTimeout`.
 * @throws {KeysFileError} the file cannot be read or does not match the format (as `openFileStore`).
 * @throws {StoreError} with `create: true`, the file could not be created.
 * @example
 * ```ts
 * import { openWritableFileStore } from '@keyscope/core';
 *
 * const store = await openWritableFileStore(process.env.KEYSCOPE_KEYS_FILE!, { watch: false });
 * try {
 *   await store.addApp({ id: 'app_a', accountId: 'acc_1' });
 *   const { record, secret } = await store.createKey({
 *     entity: { type: 'app', id: 'app_a' },
 *     displayName: 'CI',
 *   });
 *   console.log(record.id, secret); // show the secret once
 * } finally {
 *   store.close();
 * }
 * ```
 */
export async function openWritableFileStore(
  path: string,
  options: WritableFileStoreOptions = {},
): Promise<WritableFileKeyStore> {
  const maxActiveKeysPerApp = options.maxActiveKeysPerApp ?? DEFAULT_MAX_ACTIVE_KEYS_PER_APP;
  if (!(Number.isInteger(maxActiveKeysPerApp) && maxActiveKeysPerApp >= 1)) {
    throw new ConfigurationError('maxActiveKeysPerApp must be a positive integer');
  }
  const lockTimeout = options.lockTimeout ?? 15_000;
  if (!(Number.isFinite(lockTimeout) && lockTimeout >= 0)) {
    throw new ConfigurationError('lockTimeout must be a number of milliseconds, 0 or more');
  }
  const staleLockAge = options.staleLockAge ?? 10_000;
  if (!(Number.isFinite(staleLockAge) && staleLockAge >= MIN_STALE_LOCK_AGE)) {
    throw new ConfigurationError(
      `staleLockAge must be a number of milliseconds, ${MIN_STALE_LOCK_AGE} or more`,
    );
  }
  const file = resolve(path);
  const lockPath = `${file}.lock`;
  const lock: FileLockSettings = { lockPath, lockTimeout, staleLockAge, file };

  if (options.create) await createIfMissing(file, lock);
  const base = await openFileStore(file, options);

  // Writes of this process run one after the other; the lock file orders them with other processes.
  let queue: Promise<unknown> = Promise.resolve();

  function transact<T>(edit: (draft: edits.Draft, now: Date) => T): Promise<T> {
    const run = queue.then(async () => {
      const result = await withFileLock(lock, async (verify) => {
        const target = await writeTarget(file);
        const document = await readCurrent(file);
        const draft = edits.toDraft(document);
        const value = edit(draft, new Date());
        if (JSON.stringify(draft) === JSON.stringify(document)) return value;
        let next: KeysDocument;
        try {
          next = validateKeysDocument(draft, file);
        } catch (error) {
          throw new InvalidArgumentError(
            `the change would make the keys file invalid: ${(error as Error).message}`,
            { cause: error },
          );
        }
        await writeAtomic(target, `${JSON.stringify(next, null, 2)}\n`, 'replace', verify);
        return value;
      });
      // Serve the new copy at once (the watcher would, within its interval).
      await base.reload().catch(() => false);
      return result;
    });
    queue = run.catch(() => undefined);
    return run;
  }

  async function current(): Promise<KeysDocument> {
    try {
      await base.reload();
    } catch (error) {
      throw storeError(error);
    }
    return base.document;
  }

  return {
    path: base.path,
    lockPath,
    maxActiveKeysPerApp,
    get document() {
      return base.document;
    },
    findKey: (id) => base.findKey(id),
    appsFor: (entity) => base.appsFor(entity),
    reload: () => base.reload(),
    close: () => base.close(),
    createKey: (input) =>
      transact((draft, now) => edits.createKey(draft, input, { maxActiveKeysPerApp, now })),
    revokeKey: (id, at) => transact((draft, now) => edits.revokeKey(draft, id, at ?? now)),
    deleteKey: (id) => transact((draft) => edits.deleteKey(draft, id)),
    addApp: (app) => transact((draft) => edits.addApp(draft, app)),
    createServiceAccount: (svc) => transact((draft) => edits.createServiceAccount(draft, svc)),
    grantApp: (svcId, appId) => transact((draft) => edits.grantApp(draft, svcId, appId)),
    async listKeys(filter: KeyFilter = {}) {
      return edits.listKeys(await current(), filter, new Date());
    },
  };
}

/** Creates the file with an empty document unless it exists; never replaces a file. */
async function createIfMissing(file: string, lock: FileLockSettings): Promise<void> {
  if (await exists(file)) return;
  await withFileLock(lock, async (verify) => {
    if (await exists(file)) return;
    await writeAtomic(file, `${JSON.stringify(EMPTY_DOCUMENT, null, 2)}\n`, 'create', verify);
  });
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (errno(error) === 'ENOENT') return false;
    throw new StoreIoError(`${file}: cannot read the keys file (${errno(error)})`, {
      cause: error,
    });
  }
}

/** The file a write replaces: the target of a symbolic link, so the link survives. */
async function writeTarget(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch (error) {
    throw new StoreIoError(`${file}: cannot read the keys file (${errno(error)})`, {
      cause: error,
    });
  }
}

/** The file's current document, read and validated under the lock. */
async function readCurrent(file: string): Promise<KeysDocument> {
  let problem = '';
  // A writer that does not take the lock (an editor) may be half-way through: look twice.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) await sleep(100);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new StoreIoError(`${file}: cannot read the keys file (${errno(error)})`, {
        cause: error,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      // The parser's message quotes the text, which may hold a secret: give the line only.
      const at = /position (\d+)/.exec((error as Error).message);
      problem = `${file}: not valid JSON${at ? ` at line ${text.slice(0, Number(at[1])).split('\n').length}` : ''}`;
      continue;
    }
    try {
      return validateKeysDocument(json, file);
    } catch (error) {
      problem = (error as Error).message;
    }
  }
  throw new StoreCorruptError(
    `${problem}; refusing to write over a corrupt keys file: fix or restore it, then try again`,
  );
}

type WriteMode = 'replace' | 'create';

/**
 * Writes `text` to a temporary file next to `file`, fsyncs it, checks with `verify` that the lock
 * is still ours, then at once renames it over `file` (`replace`) or links it as `file` only if
 * there is none (`create`), and fsyncs the directory. The result is readable and writable by its
 * owner only (0600), whatever the mode of the file it replaces; when run as root, the replaced
 * file's owner is kept.
 */
async function writeAtomic(
  file: string,
  text: string,
  mode: WriteMode,
  verify: () => Promise<void>,
): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let step = 'create a temporary file';
  try {
    const previous = mode === 'replace' ? await stat(file).catch(() => undefined) : undefined;
    const handle = await open(temp, 'wx', OWNER_ONLY_MODE);
    try {
      step = 'write the temporary file';
      await handle.chmod(OWNER_ONLY_MODE); // whatever the umask
      if (
        previous !== undefined &&
        (previous.uid !== process.getuid?.() || previous.gid !== process.getgid?.())
      ) {
        // Running as root for a file another user owns: keep it theirs, or they lose it.
        await handle.chown(previous.uid, previous.gid).catch(() => undefined);
      }
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    step = 'replace the keys file';
    await verify();
    if (mode === 'create') {
      await link(temp, file);
      await unlink(temp);
    } else {
      await rename(temp, file);
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    if (error instanceof StoreLockedError) throw error;
    throw new StoreIoError(
      `${file}: cannot ${step} (${errno(error)}); the keys file was left unchanged`,
      { cause: error },
    );
  }
  await syncDirectory(dir);
}

/** Makes the rename durable. Some platforms cannot fsync a directory; the rename stands anyway. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort.
  }
}

function storeError(error: unknown): Error {
  const cause = (error as Error).cause;
  const message = (error as Error).message;
  return errno(cause) === 'error'
    ? new StoreCorruptError(message, { cause: error })
    : new StoreIoError(message, { cause: error });
}

function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
