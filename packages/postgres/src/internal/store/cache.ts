/**
 * The cache in front of the store's reads: core's `createCachedStore` (ttl 30 s by default), or
 * none with `cache: false`. The listener and the store's own writes reach it through
 * `invalidate(id)` (a key or entity id, from a notification or a commit) and `clear()` (after the
 * listener reconnects, since notifications may have been missed meanwhile).
 */
import { type CachedStoreOptions, createCachedStore, type KeyStore } from '@keyscope/core';
import type { KeyReader } from './key-reader.js';

/** The default cache ttl, in ms: the revocation bound while the listener is disconnected. */
export const DEFAULT_CACHE_TTL = 30_000;

/** The reads as the store serves them, and the cache's controls. */
export interface StoreCache {
  /** `findKey` and `appsFor`, cached (or straight from the reader without a cache). */
  readonly reads: KeyStore;
  /** Drops a key or entity id from the cache. */
  invalidate(id: string): void;
  /** Drops a deleted key: from the cache, and the record remembered for its identity. */
  forget(id: string): void;
  /** Empties the cache. The remembered records stay: they only keep an unchanged key's identity. */
  clear(): void;
}

/**
 * Puts a cache in front of `reader`, or none when `options` is `undefined`.
 *
 * @throws {ConfigurationError} bad cache options (core's `createCachedStore` checks them).
 */
export function createStoreCache(
  reader: KeyReader,
  options: CachedStoreOptions | undefined,
): StoreCache {
  const cached =
    options === undefined
      ? undefined
      : createCachedStore(reader, { ...options, ttl: options.ttl ?? DEFAULT_CACHE_TTL });
  const invalidate = (id: string) => {
    cached?.invalidate(id);
  };
  return {
    reads: cached ?? reader,
    invalidate,
    forget(id) {
      reader.forget(id);
      invalidate(id);
    },
    clear() {
      cached?.clear();
    },
  };
}
