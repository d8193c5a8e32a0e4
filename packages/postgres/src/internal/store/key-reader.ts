/**
 * The store's reads straight from the database, before any cache: `findKey` (one indexed query, the
 * secret decrypted) and `appsFor`. An unchanged key is served as the same frozen `KeyRecord` object
 * it was served as before (the last record built for each key id is remembered, in a bounded LRU),
 * so core's per-record caches stay warm, while a changed key is a new object. Driver errors become
 * `StoreIoError`s: the authenticator answers them with 503, never a pass.
 */
import type { Entity, KeyRecord, KeyStore } from '@keyscope/core';
import { isId, sameRecord } from '@keyscope/core/rules';
import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import type { MasterKey } from '../../master-keys.js';
import { toStoreError } from '../connection.js';
import { type Queries, type SecretRow, toKeyRecord } from './queries.js';

/** The reads, and a way to forget the record remembered for a key. */
export interface KeyReader extends KeyStore {
  /** Forgets the record remembered for `id` (a deleted key). */
  forget(id: string): void;
}

/** What {@link createKeyReader} works with. */
export interface KeyReaderContext {
  readonly pool: pg.Pool;
  readonly queries: Queries;
  readonly masterKeys: readonly MasterKey[];
  /** How many records to remember for their identity. */
  readonly remember: number;
}

const NONE: readonly string[] = Object.freeze([]);

/** Reads over `pool`. */
export function createKeyReader(context: KeyReaderContext): KeyReader {
  const { pool, queries, masterKeys } = context;
  // A bad size is refused by the cache's own check (core's createCachedStore) right after.
  const remember =
    Number.isSafeInteger(context.remember) && context.remember > 0 ? context.remember : 10_000;
  const remembered = new LRUCache<string, KeyRecord>({ max: remember });

  async function findKey(id: string): Promise<KeyRecord | undefined> {
    if (!isId(id)) return undefined;
    let row: SecretRow | undefined;
    try {
      row = await queries.findKey(pool, id);
    } catch (error) {
      throw toStoreError(error, 'look up a key');
    }
    if (row === undefined) {
      remembered.delete(id);
      return undefined;
    }
    const record = toKeyRecord(row, masterKeys);
    const previous = remembered.get(id);
    if (previous !== undefined && sameRecord(previous, record)) return previous;
    remembered.set(id, record);
    return record;
  }

  async function appsFor(entity: Entity): Promise<readonly string[]> {
    const type = entity?.type;
    const id = entity?.id;
    if (!isId(id)) return NONE;
    try {
      return await queries.appIds(pool, { type, id });
    } catch (error) {
      throw toStoreError(error, 'list the apps of an entity');
    }
  }

  return {
    findKey,
    appsFor,
    forget: (id) => {
      remembered.delete(id);
    },
  };
}
