/**
 * Where the CLI's keys live: the store target named on the command line, and the factory that
 * opens it. Today the only target is a keys file (`--file`, default `KEYSCOPE_KEYS_FILE`), opened
 * with core's `openWritableFileStore`. The factory is the seam for other stores: a later
 * `--store postgres://...` option resolves to a `{ kind: 'url' }` target here, and a factory that
 * knows it (passed to `runCli` in `io.openStore`, or added to `openStore`) returns any
 * `WritableKeyStore`; no command changes.
 */
import { isAbsolute, resolve } from 'node:path';
import { openWritableFileStore, type WritableKeyStore } from '@keyscope/core';
import { UsageError } from './errors.js';

/**
 * The store a command works on.
 *
 * @example
 * ```ts
 * const target: StoreTarget = { kind: 'file', path: '/etc/keyscope/keys.json' };
 * ```
 */
export interface StoreTarget {
  readonly kind: 'file';
  /** Absolute path of the keys file. */
  readonly path: string;
}

/** What a command asks of the store it opens. */
export interface OpenStoreOptions {
  /** Create an empty store when there is none (`keyscope init`). */
  readonly create?: boolean;
}

/**
 * Opens a store target as a `WritableKeyStore`. The CLI closes it (if it has `close`) when the
 * command ends.
 *
 * @example
 * ```ts
 * const openStore: StoreFactory = async (target) => openWritableFileStore(target.path, { watch: false });
 * ```
 */
export type StoreFactory = (
  target: StoreTarget,
  options: OpenStoreOptions,
) => Promise<WritableKeyStore>;

/**
 * The default factory: a keys file, without watching it (a command is short-lived).
 *
 * @throws {KeysFileError} the file is unreadable or invalid.
 * @throws {StoreError} with `create`, the file could not be created.
 * @example
 * ```ts
 * const store = await openStore({ kind: 'file', path: '/tmp/keys.json' }, {});
 * ```
 */
export const openStore: StoreFactory = (target, options) =>
  openWritableFileStore(target.path, { watch: false, create: options.create === true });

/**
 * The target named by `--file`, or else by `KEYSCOPE_KEYS_FILE`, relative to `cwd`.
 *
 * @throws {UsageError} neither names a file.
 */
export function resolveStoreTarget(
  file: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): StoreTarget {
  const path = file ?? env.KEYSCOPE_KEYS_FILE;
  if (path === undefined || path === '') {
    throw new UsageError('no keys file: pass --file <path> or set KEYSCOPE_KEYS_FILE');
  }
  return { kind: 'file', path: isAbsolute(path) ? path : resolve(cwd, path) };
}
