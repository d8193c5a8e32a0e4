/**
 * The `WritableKeyStore` interface: a `KeyStore` that can also create, revoke, delete and list
 * keys, add apps and service accounts, and grant apps to service accounts. It is storage-neutral
 * and asynchronous, so the keys-file store (`openWritableFileStore`) and a database store implement
 * the same contract: the rules (key ids and secrets from `generateKey`, at most N active keys per
 * app, what a valid id is, revocation keeps the record) are part of the interface, and every error
 * is a `LifecycleError` with a stable code. The rules themselves (the id rule, key state, the
 * limit) are defined once in `rules/`.
 */

import type { KeyState } from '../rules/key-state.js';
import type { Entity, EntityType, KeyRecord, KeyStore } from '../types.js';
import type { AppEntry, ServiceAccountEntry } from './keys-document.js';

export { DEFAULT_MAX_ACTIVE_KEYS_PER_APP } from '../rules/key-state.js';

/**
 * A key without its secret: what listing, revoking and deleting return. Secrets are shown once,
 * when the key is created, and are otherwise only read by the verifier through `findKey`.
 *
 * @example
 * ```ts
 * const info: KeyInfo = { id: 'app_65f0c1d2e3f4a5b6c7d8e9f0', entity: { type: 'app', id: 'app_a' } };
 * ```
 */
export type KeyInfo = Omit<KeyRecord, 'secret'>;

/** What {@link WritableKeyStore.createKey} needs. */
export interface CreateKeyInput {
  /** The owner: an existing app, a user account (any account id), or an existing service account. */
  readonly entity: Entity;
  /** A label for people, at most 256 characters, without control characters. */
  readonly displayName?: string | undefined;
  /** When the key stops working; must be in the future. */
  readonly expiresAt?: Date | undefined;
}

/**
 * A newly created key: its record (without the secret) and the secret, which is shown here once
 * and cannot be read back through `listKeys`.
 *
 * @example
 * ```ts
 * const { record, secret } = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
 * console.log(record.id, secret);
 * ```
 */
export interface CreatedKey {
  readonly record: KeyInfo;
  readonly secret: string;
}

/**
 * Which keys {@link WritableKeyStore.listKeys} returns. Every field narrows the list; none means
 * every key.
 *
 * @example
 * ```ts
 * const active = await store.listKeys({ entity: { type: 'app', id: 'app_a' }, state: 'active' });
 * ```
 */
export interface KeyFilter {
  /** Only the keys of this entity. */
  readonly entity?: Entity | undefined;
  /** Only the keys of this kind of entity. */
  readonly entityType?: EntityType | undefined;
  /** Only the keys in this state now. */
  readonly state?: KeyState | undefined;
}

/**
 * A key store that can be written to. Implementations must:
 *
 * - make each call atomic and safe against concurrent writers (other processes included): a call
 *   never loses another writer's change;
 * - make ids with `generateKey` (`app_`/`act_`/`svc_` + 24 lowercase hex) and secrets of at least
 *   32 random bytes, base64url;
 * - refuse a new key when its app already has `maxActiveKeysPerApp` active keys (`KeyLimitError`);
 * - keep a revoked key's record (`revokeKey` only sets `revokedAt`); `deleteKey` removes it;
 * - throw `LifecycleError`s: `InvalidArgumentError`, `KeyNotFoundError`, `KeyLimitError`,
 *   `EntityNotFoundError`, `EntityExistsError` for refused requests, and a `StoreError`
 *   (`StoreCorruptError`, `StoreLockedError`, `StoreIoError`) when the store itself fails.
 *
 * @example
 * ```ts
 * async function rotate(store: WritableKeyStore, oldId: string) {
 *   const [old] = await store.listKeys().then((keys) => keys.filter((k) => k.id === oldId));
 *   if (!old) throw new KeyNotFoundError(oldId);
 *   const fresh = await store.createKey({ entity: old.entity, displayName: old.displayName });
 *   // ...deploy fresh.secret, then:
 *   await store.revokeKey(oldId);
 * }
 * ```
 */
export interface WritableKeyStore extends KeyStore {
  /** The most active keys an app may have (default 10). */
  readonly maxActiveKeysPerApp: number;
  /**
   * Creates a key for an entity and returns it with its secret (shown this once).
   *
   * @throws {InvalidArgumentError} a malformed entity, display name or expiry (past, invalid).
   * @throws {EntityNotFoundError} the app or service account does not exist.
   * @throws {KeyLimitError} the app already has `maxActiveKeysPerApp` active keys.
   * @throws {StoreError} the store failed; nothing was written.
   */
  createKey(input: CreateKeyInput): Promise<CreatedKey>;
  /**
   * Revokes a key at `at` (default now; a future instant schedules the revocation). The record is
   * kept. A key already revoked at or before `at` is left as it is.
   *
   * @throws {KeyNotFoundError | InvalidArgumentError | StoreError}
   */
  revokeKey(id: string, at?: Date): Promise<KeyInfo>;
  /**
   * Removes a key for good and returns what it was.
   *
   * @throws {KeyNotFoundError | StoreError}
   */
  deleteKey(id: string): Promise<KeyInfo>;
  /**
   * The keys matching `filter`, without their secrets, in creation order.
   *
   * @throws {StoreError}
   */
  listKeys(filter?: KeyFilter): Promise<readonly KeyInfo[]>;
  /**
   * Adds an app to an account.
   *
   * @throws {InvalidArgumentError | EntityExistsError | StoreError}
   */
  addApp(app: { readonly id: string; readonly accountId: string }): Promise<AppEntry>;
  /**
   * Creates a service account in an account, with no app granted yet.
   *
   * @throws {InvalidArgumentError | EntityExistsError | StoreError}
   */
  createServiceAccount(serviceAccount: {
    readonly id: string;
    readonly accountId: string;
  }): Promise<ServiceAccountEntry>;
  /**
   * Lets a service account reach an app of its own account. Granting again changes nothing.
   *
   * @throws {EntityNotFoundError} the service account or the app does not exist.
   * @throws {InvalidArgumentError} the app belongs to another account.
   * @throws {StoreError}
   */
  grantApp(serviceAccountId: string, appId: string): Promise<ServiceAccountEntry>;
  /** Releases what the store holds (watchers, connections). Optional. */
  close?(): void | Promise<void>;
}
