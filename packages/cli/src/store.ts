/**
 * Where the CLI's keys live: the store target named on the command line, and the factory that
 * opens it. A target is a keys file (`--file`, default `KEYSCOPE_KEYS_FILE`), opened with core's
 * `openWritableFileStore`, or a PostgreSQL store (`--store postgres://...`, default
 * `KEYSCOPE_STORE`), opened with `@keyscope/postgres` without a listener or a cache (a command is
 * short-lived and must see the database as it is). The factory is the seam for other stores: a
 * factory passed to `runCli` in `io.openStore` returns any `WritableKeyStore`; no command changes.
 * A store URL may hold a password, so no message here ever repeats it. A keys file that its group
 * or other users may read is still opened, and reported through `onWarning`.
 */
import { isAbsolute, resolve } from 'node:path';
import { type KeysFileWarning, openWritableFileStore, type WritableKeyStore } from '@keyscope/core';
import { isPostgresUrl, openPostgresStore, parseMasterKeys } from '@keyscope/postgres';
import { UsageError } from './errors.js';

/**
 * The store a command works on: a keys file, or a PostgreSQL database.
 *
 * @example
 * ```ts
 * const file: StoreTarget = { kind: 'file', path: '/etc/keyscope/keys.json' };
 * const db: StoreTarget = { kind: 'url', url: 'postgres://keyscope@db.internal/app' };
 * ```
 */
export type StoreTarget =
  | {
      readonly kind: 'file';
      /** Absolute path of the keys file. */
      readonly path: string;
    }
  | {
      readonly kind: 'url';
      /** A `postgres://` URL (`?schema=` names the schema). May hold a password: never print it. */
      readonly url: string;
    };

/** What a command asks of the store it opens. */
export interface OpenStoreOptions {
  /**
   * Create an empty store when there is none (`keyscope init`): a new keys file, or the
   * PostgreSQL schema (migrated first).
   */
  readonly create?: boolean;
  /**
   * The environment of the command (`runCli`'s `io.env`): the PostgreSQL store reads its master
   * keys from `KEYSCOPE_MASTER_KEY` here. Default `process.env`.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Told about a keys file whose mode lets its group or other users read or change it
   * (`KEYSCOPE_KEYS_FILE_MODE`); the file is used all the same. `runCli` prints it on stderr as
   * `warning: <message>`.
   */
  readonly onWarning?: (warning: KeysFileWarning) => void;
}

/**
 * Opens a store target as a `WritableKeyStore`. The CLI closes it (if it has `close`) when the
 * command ends.
 *
 * @example
 * ```ts
 * const openStore: StoreFactory = async (target) => {
 *   if (target.kind !== 'file') throw new Error('files only');
 *   return openWritableFileStore(target.path, { watch: false });
 * };
 * ```
 */
export type StoreFactory = (
  target: StoreTarget,
  options: OpenStoreOptions,
) => Promise<WritableKeyStore>;

/**
 * The default factory. A keys file is opened without watching it (its mode reported through
 * `options.onWarning`, or else as a process warning); a PostgreSQL store without a
 * listener and without a cache, with the master keys of `options.env.KEYSCOPE_MASTER_KEY`, and
 * with `create` its schema is migrated first.
 *
 * @throws {KeysFileError} the keys file is unreadable or invalid.
 * @throws {ConfigurationError} no or malformed `KEYSCOPE_MASTER_KEY`, or a database schema that is
 * not migrated (run `keyscope migrate`).
 * @throws {StoreError} the keys file could not be created, or the database cannot be reached.
 * @example
 * ```ts
 * const store = await openStore({ kind: 'file', path: '/tmp/keys.json' }, {});
 * ```
 */
export const openStore: StoreFactory = async (target, options) => {
  if (target.kind === 'file') {
    return openWritableFileStore(target.path, {
      watch: false,
      create: options.create === true,
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
  }
  const env = options.env ?? process.env;
  return openPostgresStore({
    connectionString: target.url,
    masterKeys: parseMasterKeys(env.KEYSCOPE_MASTER_KEY ?? ''),
    listen: false,
    cache: false,
    autoMigrate: options.create === true,
  });
};

/** The store options a command line can give. */
export interface StoreOptions {
  /** `--file <path>`. */
  readonly file?: string | undefined;
  /** `--store <url>`. */
  readonly store?: string | undefined;
}

/**
 * The target named by `--file` or `--store`, or else by `KEYSCOPE_STORE` (a PostgreSQL URL),
 * or else by `KEYSCOPE_KEYS_FILE` (a path relative to `cwd`).
 *
 * @throws {UsageError} both `--file` and `--store` are given; a store setting is not a
 * `postgres://` URL; nothing names a store.
 * @example
 * ```ts
 * resolveStoreTarget({ store: 'postgres://db/app' }, process.env, process.cwd());
 * // { kind: 'url', url: 'postgres://db/app' }
 * ```
 */
export function resolveStoreTarget(
  options: StoreOptions,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): StoreTarget {
  if (options.file !== undefined && options.store !== undefined) {
    throw new UsageError('give either --file or --store, not both');
  }
  if (options.store !== undefined) return urlTarget(options.store, '--store');
  if (options.file === undefined) {
    const fromEnv = env.KEYSCOPE_STORE;
    if (fromEnv !== undefined && fromEnv.trim() !== '') return urlTarget(fromEnv, 'KEYSCOPE_STORE');
  }
  const path = options.file ?? env.KEYSCOPE_KEYS_FILE;
  if (path === undefined || path === '') {
    throw new UsageError(
      'no store: pass --file <path> or --store postgres://..., or set KEYSCOPE_KEYS_FILE or KEYSCOPE_STORE',
    );
  }
  return { kind: 'file', path: isAbsolute(path) ? path : resolve(cwd, path) };
}

function urlTarget(url: string, source: string): StoreTarget {
  if (!isPostgresUrl(url)) {
    throw new UsageError(`${source} must be a postgres:// or postgresql:// URL`);
  }
  return { kind: 'url', url: url.trim() };
}

/**
 * The PostgreSQL URL of a target.
 *
 * @throws {UsageError} the target is a keys file (`what` names the command that needs a database).
 */
export function requireUrl(target: StoreTarget, what: string): string {
  if (target.kind !== 'url') {
    throw new UsageError(
      `${what} works on a PostgreSQL store: pass --store postgres://... or set KEYSCOPE_STORE`,
    );
  }
  return target.url;
}
