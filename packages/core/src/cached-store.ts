/**
 * A caching layer for slow key stores (a database): a bounded LRU of `findKey` answers and of
 * `appsFor` answers, each kept for `ttl` ms; unknown key ids kept for `negativeTtl` ms in their own
 * bounded LRU, so a flood of random ids neither reaches the store nor evicts the keys in use; one
 * lookup in flight per key id (or entity), however many requests wait on it. Errors are never
 * cached: each waiting request gets the rejection (the authenticator answers 503) and the next one
 * asks the store again.
 *
 * Revocation bound: a key revoked or deleted in the underlying store can still authenticate, in a
 * process using this cache, for at most `ttl` ms after the store answered (the age of an answer is
 * counted from the moment its lookup started), unless `invalidate(id)` or `clear()` is called. An
 * expiry or a revocation scheduled in the record (`expiresAt`, a future `revokedAt`) is exact,
 * since the verifier checks it on every request. A key created after its id was looked up is
 * refused for at most `negativeTtl` ms.
 */
import { ConfigurationError } from './errors.js';
import type { Entity, KeyRecord, KeyStore } from './types.js';

/** Options of {@link createCachedStore}. All durations are in milliseconds. */
export interface CachedStoreOptions {
  /**
   * How long a found key (and an `appsFor` answer) is served from the cache: the revocation bound.
   * Default 1000, which keeps the contract's two-second bound for edits.
   */
  readonly ttl?: number;
  /**
   * The most entries in each of the three caches (found keys, unknown ids, `appsFor` answers).
   * Default 10000. The least recently used entry goes first.
   */
  readonly maxEntries?: number;
  /** How long an unknown key id is remembered as unknown; 0 turns it off. Default 1000. */
  readonly negativeTtl?: number;
}

/**
 * A `KeyStore` that answers from its cache when it can.
 *
 * @example
 * ```ts
 * await pg.revokeKey(id);
 * cached.invalidate(id); // refused from now on in this process, not `ttl` ms later
 * ```
 */
export interface CachedKeyStore extends KeyStore {
  /** The store behind the cache. */
  readonly store: KeyStore;
  /** Forgets what is cached for this key id (and for an entity with this id), and any lookup of it in flight. */
  invalidate(id: string): void;
  /** Forgets everything. */
  clear(): void;
}

interface Entry<V> {
  readonly value: V;
  readonly expires: number;
}

/** A Map used as an LRU: iteration order is recency, oldest first. */
class Lru<V> {
  private readonly entries = new Map<string, Entry<V>>();
  constructor(private readonly max: number) {}

  get(key: string, now: number): Entry<V> | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expires <= now) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, value: V, expires: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expires });
    if (this.entries.size > this.max) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * Wraps a store with a cache. Share one cached store per process; give the authenticator the
 * cached store and call `invalidate(id)` where the process itself revokes or deletes a key.
 *
 * @throws {ConfigurationError} `store` is not a `KeyStore`, `ttl` is not positive, `maxEntries`
 * is not a positive integer, or `negativeTtl` is negative.
 * @example
 * ```ts
 * import { createAuthenticator, createCachedStore } from '@keyscope/core';
 *
 * const store = createCachedStore(postgresStore, { ttl: 1000, maxEntries: 10_000, negativeTtl: 1000 });
 * const authenticator = createAuthenticator({ store });
 * ```
 */
export function createCachedStore(
  store: KeyStore,
  options: CachedStoreOptions = {},
): CachedKeyStore {
  if (typeof store?.findKey !== 'function' || typeof store.appsFor !== 'function') {
    throw new ConfigurationError('store must implement findKey() and appsFor()');
  }
  const ttl = options.ttl ?? 1000;
  if (!(Number.isFinite(ttl) && ttl > 0)) {
    throw new ConfigurationError('ttl must be a positive number of milliseconds');
  }
  const maxEntries = options.maxEntries ?? 10_000;
  if (!(Number.isInteger(maxEntries) && maxEntries > 0)) {
    throw new ConfigurationError('maxEntries must be a positive integer');
  }
  const negativeTtl = options.negativeTtl ?? 1000;
  if (!(Number.isFinite(negativeTtl) && negativeTtl >= 0)) {
    throw new ConfigurationError('negativeTtl must be a number of milliseconds, 0 or more');
  }

  const found = new Lru<KeyRecord>(maxEntries);
  const unknown = new Lru<true>(maxEntries);
  const apps = new Lru<readonly string[]>(maxEntries);
  const keyFlights = new Map<string, Promise<KeyRecord | undefined>>();
  const appFlights = new Map<string, Promise<readonly string[]>>();
  const entityKey = (entity: Entity) => `${entity.type}\u0000${entity.id}`;

  /** One call to the store per id at a time; its answer is kept only if nobody invalidated it. */
  function fly<V>(
    flights: Map<string, Promise<V>>,
    key: string,
    ask: () => Promise<V>,
    keep: (value: V, started: number) => void,
  ): Promise<V> {
    const pending = flights.get(key);
    if (pending !== undefined) return pending;
    const started = Date.now();
    const flight: Promise<V> = new Promise<V>((resolve) => resolve(ask())).then(
      (value) => {
        if (flights.get(key) === flight) {
          flights.delete(key);
          keep(value, started);
        }
        return value;
      },
      (error: unknown) => {
        if (flights.get(key) === flight) flights.delete(key);
        throw error;
      },
    );
    flights.set(key, flight);
    return flight;
  }

  return {
    store,
    findKey(id) {
      const now = Date.now();
      const hit = found.get(id, now);
      if (hit !== undefined) return Promise.resolve(hit.value);
      if (unknown.get(id, now) !== undefined) return Promise.resolve(undefined);
      return fly(
        keyFlights,
        id,
        () => store.findKey(id),
        (record, started) => {
          if (record === undefined || record === null) {
            if (negativeTtl > 0) unknown.set(id, true, started + negativeTtl);
          } else {
            found.set(id, record, started + ttl);
          }
        },
      );
    },
    appsFor(entity) {
      const key = entityKey(entity);
      const hit = apps.get(key, Date.now());
      if (hit !== undefined) return Promise.resolve(hit.value);
      return fly(
        appFlights,
        key,
        () => store.appsFor(entity),
        (value, started) => apps.set(key, value, started + ttl),
      );
    },
    invalidate(id) {
      found.delete(id);
      unknown.delete(id);
      keyFlights.delete(id);
      for (const type of ['app', 'userAccount', 'serviceAccount'] as const) {
        const key = entityKey({ type, id });
        apps.delete(key);
        appFlights.delete(key);
      }
    },
    clear() {
      found.clear();
      unknown.clear();
      apps.clear();
      keyFlights.clear();
      appFlights.clear();
    },
  };
}
