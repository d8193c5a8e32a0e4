/**
 * The store's revocation listener: `createRevocationListener` on the store's connection settings
 * (or `listenerConnectionString`), its notifications wired to the cache (`invalidate` each id, and
 * `clear` after every reconnection, since notifications sent meanwhile are lost) and its events to
 * the store's `onEvent`. Created, and so its options checked, before the store opens a connection;
 * started once the schema is known to be migrated.
 */
import { createRevocationListener, type RevocationListener } from '../../revocation-listener.js';
import type { StoreCache } from './cache.js';
import type { StoreSettings } from './settings.js';

/** The listener of a store, or `undefined` with `listen: false`. */
export function createStoreListener(
  settings: StoreSettings,
  cache: Pick<StoreCache, 'invalidate' | 'clear'>,
): RevocationListener | undefined {
  if (!settings.listen) return undefined;
  const { options } = settings;
  return createRevocationListener({
    ...options,
    connectionString: options.listenerConnectionString ?? options.connectionString,
    // The schema does not matter to LISTEN, and `listenerConnectionString` may name none.
    schema: undefined,
    channel: settings.channel,
    pingInterval: options.listenerPingInterval,
    onInvalidate: cache.invalidate,
    onResync: cache.clear,
    onEvent: settings.emit,
  });
}
