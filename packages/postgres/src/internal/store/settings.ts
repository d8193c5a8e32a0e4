/**
 * The options of `openPostgresStore`, checked and resolved before anything connects: the
 * connection, the master keys, the per-app limit (core's default), pool sizing, listening, the
 * channel, the cache options, and `emit`, which reports an event to `onEvent` and ignores a hook
 * that throws. The cache options and the channel are checked where they are used (core's
 * `createCachedStore`, `createRevocationListener`), still before any connection is opened.
 */
import { type CachedStoreOptions, ConfigurationError } from '@keyscope/core';
import { DEFAULT_MAX_ACTIVE_KEYS_PER_APP } from '@keyscope/core/rules';
import { type MasterKey, resolveMasterKeys } from '../../master-keys.js';
import { DEFAULT_CHANNEL } from '../../revocation-listener.js';
import type { PostgresStoreEvent, PostgresStoreOptions } from '../../types.js';
import { type Connection, resolveConnection } from '../connection.js';

/** The resolved options of a store. */
export interface StoreSettings {
  /** The options as given (the listener takes its connection settings from them). */
  readonly options: PostgresStoreOptions;
  readonly connection: Connection;
  /** The master keys, the current one first. */
  readonly masterKeys: readonly MasterKey[];
  /** The current master key: new secrets are sealed under it. */
  readonly currentMasterKey: MasterKey;
  readonly maxActiveKeysPerApp: number;
  readonly pool: { readonly max: number; readonly idleTimeoutMillis: number };
  readonly listen: boolean;
  readonly channel: string;
  /** The cache options, `undefined` with `cache: false`. */
  readonly cache: CachedStoreOptions | undefined;
  readonly autoMigrate: boolean;
  /** Reports an event to `onEvent`; a hook that throws changes nothing. */
  readonly emit: (event: PostgresStoreEvent) => void;
}

const SOURCE = 'openPostgresStore';

/**
 * Checks and resolves the options of `openPostgresStore`.
 *
 * @throws {ConfigurationError} a bad option, no or bad master keys.
 */
export function resolveStoreSettings(target: string | PostgresStoreOptions): StoreSettings {
  const options: PostgresStoreOptions =
    typeof target === 'string' ? { connectionString: target } : (target ?? ({} as never));
  const connection = resolveConnection(options, SOURCE);
  const masterKeys = resolveMasterKeys(options.masterKeys);
  const maxActiveKeysPerApp = options.maxActiveKeysPerApp ?? DEFAULT_MAX_ACTIVE_KEYS_PER_APP;
  if (!(Number.isInteger(maxActiveKeysPerApp) && maxActiveKeysPerApp >= 1)) {
    throw new ConfigurationError(`${SOURCE}: maxActiveKeysPerApp must be a positive integer`);
  }
  const max = options.pool?.max ?? 10;
  if (!(Number.isInteger(max) && max >= 1)) {
    throw new ConfigurationError(`${SOURCE}: pool.max must be a positive integer`);
  }
  const idleTimeoutMillis = options.pool?.idleTimeoutMillis ?? 30_000;
  if (!(Number.isInteger(idleTimeoutMillis) && idleTimeoutMillis >= 0)) {
    throw new ConfigurationError(
      `${SOURCE}: pool.idleTimeoutMillis must be a whole number of milliseconds, 0 or more`,
    );
  }
  const { onEvent } = options;
  return {
    options,
    connection,
    masterKeys,
    // resolveMasterKeys refuses an empty list.
    currentMasterKey: masterKeys[0]!,
    maxActiveKeysPerApp,
    pool: { max, idleTimeoutMillis },
    listen: options.listen ?? true,
    channel: options.channel ?? DEFAULT_CHANNEL,
    cache: options.cache === false ? undefined : (options.cache ?? {}),
    autoMigrate: Boolean(options.autoMigrate),
    emit(event) {
      try {
        onEvent?.(event);
      } catch {
        // A failing hook changes nothing.
      }
    },
  };
}
