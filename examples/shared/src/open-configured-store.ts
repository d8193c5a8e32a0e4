/**
 * Opens the key store an example server's configuration names: the PostgreSQL store of
 * `KEYSCOPE_STORE` (its master keys from `KEYSCOPE_MASTER_KEY`) when it is set, else the keys
 * file, followed live (a change that does not validate is refused and the last good copy kept;
 * a keys file that others may read is reported on stderr, except the example's demo file).
 * A store it cannot open ends the process as every example does: `cannot start: <reason>` on
 * stderr and exit code 1, the reason never repeating the URL. The PostgreSQL store's listener and
 * pool events go to stderr.
 */
import { type FileKeyStore, openFileStore, openWritableFileStore } from '@keyscope/core';
import {
  openPostgresStore,
  type PostgresKeyStore,
  type PostgresStoreEvent,
} from '@keyscope/postgres';
import type { ServerConfig } from './read-config.js';
import { exitOnStartupError } from './startup-error.js';

/**
 * A store opened by {@link openConfiguredStore}; `close()` it on shutdown (a database store
 * releases its pool, a keys file stops being watched).
 */
export type ConfiguredStore = FileKeyStore | PostgresKeyStore;

/**
 * Options of {@link openConfiguredStore}.
 *
 * @example
 * ```ts
 * const options: OpenConfiguredStoreOptions = { writable: true };
 * ```
 */
export interface OpenConfiguredStoreOptions {
  /**
   * Open the keys file writable (`openWritableFileStore`), for a server that also edits keys
   * (the Express example's dashboard). Default `false`. The PostgreSQL store is always writable.
   */
  readonly writable?: boolean;
}

/**
 * Opens the configured store, or ends the process with `cannot start: <reason>` (exit code 1)
 * when the keys file, the master key or the database cannot serve.
 *
 * @throws only errors that are not start-up failures (a bug); those are rethrown unchanged.
 * @example
 * ```ts
 * const store = await openConfiguredStore(readConfig(process.env, 'keys.demo.json'));
 * process.once('SIGTERM', () => void store.close());
 * ```
 */
export async function openConfiguredStore(
  config: Pick<ServerConfig, 'store' | 'keysFile'> & Partial<Pick<ServerConfig, 'demoKeysFile'>>,
  options: OpenConfiguredStoreOptions = {},
): Promise<ConfiguredStore> {
  try {
    if (config.store) {
      return await openPostgresStore({ connectionString: config.store, onEvent: logStoreEvent });
    }
    const open = options.writable ? openWritableFileStore : openFileStore;
    return await open(config.keysFile, {
      // The demo keys file's secrets are in the repository: its mode (git checks files out 0644)
      // reveals nothing. Any other keys file that others may read is reported (core's default).
      ...(config.demoKeysFile ? { onWarning: () => {} } : {}),
      onReloadError: (error) =>
        console.error(`keys file change refused, keeping the last good copy: ${error.message}`),
    });
  } catch (error) {
    // A bad master key, a schema not migrated, a database that cannot be reached: the messages
    // never repeat the URL.
    return exitOnStartupError(error);
  }
}

/** The PostgreSQL store's listener and pool events, on stderr (never a URL or a secret). */
function logStoreEvent(event: PostgresStoreEvent): void {
  if (event.type === 'listener-connected') {
    if (event.reconnect) console.error('key store: revocation listener reconnected');
    return;
  }
  const reason = event.error === undefined ? '' : `: ${event.error.message}`;
  console.error(`key store: ${event.type}${reason}`);
}
