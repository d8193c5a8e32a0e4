/**
 * The JSON keys-file store of the contract. It loads and validates the file at start-up (refusing
 * a bad file whole), then follows edits without a restart: a directory watcher reacts at once and a
 * stat poll (every 500 ms by default) catches what watchers miss, so any change is live within two
 * seconds however it was made, in place or by renaming a new file over the old one. A bad edit
 * keeps the last good copy and is reported through `onReloadError`. A file whose mode lets users
 * other than its owner read or change it is used, and reported once at open (`onWarning`).
 */
import { type FSWatcher, type StatsListener, unwatchFile, watch, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ConfigurationError, KeysFileError } from '../errors.js';
import { checkKeysFileMode, type KeysFileWarning } from '../internal/keys-file-mode.js';
import type { KeyStore } from '../types.js';
import type { KeysDocument } from './keys-document.js';
import { createMemoryStore } from './memory.js';

export type { KeysFileWarning } from '../internal/keys-file-mode.js';

/** Options of {@link openFileStore}. */
export interface FileStoreOptions {
  /** Follow changes to the file (default `true`). */
  readonly watch?: boolean;
  /** Interval of the stat poll that backs up the watcher, in ms (default 500, at most 1000). */
  readonly pollInterval?: number;
  /** Called after a changed file was loaded. */
  readonly onReload?: (document: KeysDocument) => void;
  /**
   * Called when a changed file was refused; the last good copy stays in service. Default: one
   * line on `console.error`. The error's message names the offending entry, never a secret.
   */
  readonly onReloadError?: (error: Error) => void;
  /**
   * Called at open when the file's mode lets its group or other users read or change it (code
   * `KEYSCOPE_KEYS_FILE_MODE`); the file is used all the same. Default: `process.emitWarning`,
   * one line on stderr. Not checked on Windows.
   */
  readonly onWarning?: (warning: KeysFileWarning) => void;
}

/**
 * A `KeyStore` backed by a JSON keys file, following its changes.
 *
 * @example
 * ```ts
 * const store = await openFileStore('keys.json');
 * process.on('SIGTERM', () => store.close());
 * ```
 */
export interface FileKeyStore extends KeyStore {
  /** The absolute path of the file. */
  readonly path: string;
  /** The document currently served (the last good copy). */
  readonly document: KeysDocument;
  /**
   * Reads the file again now. Resolves `true` when a new copy was loaded, `false` when the file
   * did not change.
   *
   * @throws {KeysFileError} when the file is unreadable or invalid; the last good copy stays.
   */
  reload(): Promise<boolean>;
  /** Stops following the file. */
  close(): void;
}

/**
 * Opens a keys file: reads and validates it, then follows its changes.
 *
 * @throws {KeysFileError} when the file cannot be read or does not match the format; the message
 * names the file and the offending entry.
 * @example
 * ```ts
 * import { createAuthenticator, openFileStore } from '@keyscope/core';
 *
 * const store = await openFileStore(process.env.KEYSCOPE_KEYS_FILE ?? 'keys.json');
 * const authenticator = createAuthenticator({ store });
 * ```
 */
export async function openFileStore(
  path: string,
  options: FileStoreOptions = {},
): Promise<FileKeyStore> {
  const file = resolve(path);
  const interval = options.pollInterval ?? 500;
  if (!(interval >= 10 && interval <= 1000)) {
    throw new ConfigurationError('pollInterval must be between 10 and 1000 ms');
  }
  const reportError =
    options.onReloadError ??
    ((error: Error) =>
      console.error(`keyscope: keeping the last good keys file: ${error.message}`));

  let lastText = await readText(file);
  const memory = createMemoryStore(parse(lastText, file), file);
  await checkKeysFileMode(file, options.onWarning);
  let pending: Promise<boolean> | undefined;
  let again = false;
  let watcher: FSWatcher | undefined;
  let closed = false;

  async function load(): Promise<boolean> {
    const text = await readText(file);
    if (text === lastText) return false;
    memory.replace(parse(text, file));
    lastText = text;
    options.onReload?.(memory.document);
    return true;
  }

  // One read at a time; a change seen during a read triggers one more read after it, whose
  // failure is retried and reported like any other change (nobody else awaits it).
  function reload(): Promise<boolean> {
    if (pending) {
      again = true;
      return pending;
    }
    pending = load().finally(() => {
      pending = undefined;
      if (again) {
        again = false;
        onChange();
      }
    });
    return pending;
  }

  function onChange(): void {
    if (closed) return;
    reload().catch((error: Error) => {
      // A writer may be half-way through; look once more before reporting.
      setTimeout(() => {
        if (closed) return;
        reload().catch(reportError);
      }, 150).unref();
      void error;
    });
  }

  const poll: StatsListener = (current, previous) => {
    if (
      current.mtimeMs !== previous.mtimeMs ||
      current.size !== previous.size ||
      current.ino !== previous.ino
    ) {
      onChange();
    }
  };

  if (options.watch ?? true) {
    watchFile(file, { interval, persistent: false }, poll);
    try {
      const name = basename(file);
      watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
        if (changed === null || changed === name) onChange();
      });
      watcher.on('error', () => watcher?.close());
    } catch {
      // The stat poll alone still meets the two-second bound.
    }
  }

  return {
    path: file,
    get document() {
      return memory.document;
    },
    findKey: (id) => memory.findKey(id),
    appsFor: (entity) => memory.appsFor(entity),
    reload,
    close() {
      closed = true;
      unwatchFile(file, poll);
      watcher?.close();
    },
  };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new KeysFileError(`${file}: cannot read the keys file (${code})`, { cause: error });
  }
}

function parse(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the fault, which may be a secret: give the line only.
    const at = /position (\d+)/.exec((error as Error).message);
    const line = at ? ` at line ${text.slice(0, Number(at[1])).split('\n').length}` : '';
    throw new KeysFileError(`${file}: not valid JSON${line}`);
  }
}
