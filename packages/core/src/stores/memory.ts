/**
 * The in-memory key store: a validated keys document held in memory. Useful for tests, for keys
 * loaded from somewhere else at start-up, and as the base of the file store.
 */
import { buildSnapshot, type Snapshot } from '../internal/snapshot.js';
import type { Entity, KeyRecord, KeyStore } from '../types.js';
import { type KeysDocument, validateKeysDocument } from './keys-document.js';

/**
 * A `KeyStore` over a keys document held in memory.
 *
 * @example
 * ```ts
 * store.replace({ ...store.document, keys: [] }); // every key is gone at once
 * ```
 */
export interface MemoryKeyStore extends KeyStore {
  /** The document currently served. */
  readonly document: KeysDocument;
  /**
   * Validates and swaps in a new document atomically. Unchanged key records stay the same objects.
   *
   * @throws {KeysFileError} when the document is invalid; the current one stays in place.
   */
  replace(document: unknown): void;
}

/**
 * Creates an in-memory store from a keys document (the format of the keys file).
 *
 * @throws {KeysFileError} when the document does not match the format.
 * @example
 * ```ts
 * const store = createMemoryStore({
 *   version: 1,
 *   apps: [{ id: 'app_a', accountId: 'acc_1' }],
 *   keys: [{ id: 'app_key_1', secret: 'demo-secret', entity: { type: 'app', id: 'app_a' } }],
 * });
 * ```
 */
export function createMemoryStore(document: unknown, source = 'keys document'): MemoryKeyStore {
  let snapshot: Snapshot = buildSnapshot(validateKeysDocument(document, source));
  return {
    get document() {
      return snapshot.document;
    },
    replace(next) {
      snapshot = buildSnapshot(validateKeysDocument(next, source), snapshot);
    },
    findKey(id: string): Promise<KeyRecord | undefined> {
      return Promise.resolve(snapshot.keys.get(id));
    },
    appsFor(entity: Entity): Promise<readonly string[]> {
      return Promise.resolve(snapshot.appsFor(entity));
    },
  };
}
