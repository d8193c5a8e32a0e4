/**
 * The errors of the key lifecycle: creating, revoking and deleting keys, adding apps and service
 * accounts, and minting credentials (`signToken`, `basicAuthorization`). They are not `AuthError`s:
 * they answer an operator or a back end, not an HTTP caller. One base class, `LifecycleError`, with
 * a stable `code`; `StoreError` and its subclasses mean the store itself failed (a corrupt file, a
 * lock that could not be taken, an I/O error), while the others mean the request was refused. No
 * message ever contains a secret or a token; ids are not secrets and are named.
 */
import { quote } from './rules/quote.js';
import type { Entity, EntityType } from './types.js';

/**
 * The stable codes of the lifecycle errors.
 *
 * @example
 * ```ts
 * if (error.code === 'ERR_KEY_LIMIT') console.error('revoke a key first');
 * ```
 */
export type LifecycleErrorCode =
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_KEY_LIMIT'
  | 'ERR_KEY_NOT_USABLE'
  | 'ERR_SCOPE_NOT_ALLOWED'
  | 'ERR_ENTITY_NOT_FOUND'
  | 'ERR_ENTITY_EXISTS'
  | 'ERR_STORE_CORRUPT'
  | 'ERR_STORE_LOCKED'
  | 'ERR_STORE_IO';

/**
 * Base class of the lifecycle errors. Detect them with `instanceof` or by `code`.
 *
 * @example
 * ```ts
 * try {
 *   await store.revokeKey(id);
 * } catch (error) {
 *   if (error instanceof LifecycleError) console.error(`${error.code}: ${error.message}`);
 *   else throw error;
 * }
 * ```
 */
export class LifecycleError extends Error {
  override readonly name: string = 'LifecycleError';
  /** Stable code, one per kind of failure. */
  readonly code: LifecycleErrorCode;

  constructor(code: LifecycleErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * `ERR_INVALID_ARGUMENT`: an argument is malformed or would produce something the verifier or the
 * keys-file format refuses (an id with a control character, an expiry in the past, a grant across
 * accounts...). The message says which argument and why.
 *
 * @example
 * ```ts
 * if (error instanceof InvalidArgumentError) console.error(error.message);
 * ```
 */
export class InvalidArgumentError extends LifecycleError {
  override readonly name = 'InvalidArgumentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_ARGUMENT', message, options);
  }
}

/**
 * `ERR_KEY_NOT_FOUND`: no key has this id.
 *
 * @example
 * ```ts
 * if (error instanceof KeyNotFoundError) console.error(`no key ${error.keyId}`);
 * ```
 */
export class KeyNotFoundError extends LifecycleError {
  override readonly name = 'KeyNotFoundError';
  /** The id that was asked for. */
  readonly keyId: string;
  constructor(keyId: string) {
    super('ERR_KEY_NOT_FOUND', `no key has the id ${quote(keyId)}`);
    this.keyId = keyId;
  }
}

/**
 * `ERR_KEY_LIMIT`: the app already has the maximum number of active keys (not revoked, not
 * expired). Revoke or delete one first, or raise the store's `maxActiveKeysPerApp`.
 *
 * @example
 * ```ts
 * if (error instanceof KeyLimitError) console.error(`${error.appId} has ${error.limit} keys`);
 * ```
 */
export class KeyLimitError extends LifecycleError {
  override readonly name = 'KeyLimitError';
  /** The app at its limit. */
  readonly appId: string;
  /** The limit in force. */
  readonly limit: number;
  constructor(appId: string, limit: number) {
    super(
      'ERR_KEY_LIMIT',
      `app ${quote(appId)} already has ${limit} active keys, the most allowed; revoke or delete one first`,
    );
    this.appId = appId;
    this.limit = limit;
  }
}

/**
 * `ERR_KEY_NOT_USABLE`: the key is revoked or expired, so anything signed with it would be refused.
 *
 * @example
 * ```ts
 * if (error instanceof KeyNotUsableError) console.error(error.message); // key "app_..." is revoked
 * ```
 */
export class KeyNotUsableError extends LifecycleError {
  override readonly name = 'KeyNotUsableError';
  /** The key in question. */
  readonly keyId: string;
  constructor(keyId: string, state: 'revoked' | 'expired') {
    super('ERR_KEY_NOT_USABLE', `key ${quote(keyId)} is ${state}`);
    this.keyId = keyId;
  }
}

/**
 * `ERR_SCOPE_NOT_ALLOWED`: the key cannot grant the scope asked for (an app key minting an
 * `account` token, an account key minting an `app` token), as in section 2 of the contract.
 *
 * @example
 * ```ts
 * if (error instanceof ScopeNotAllowedError) console.error(error.message);
 * ```
 */
export class ScopeNotAllowedError extends LifecycleError {
  override readonly name = 'ScopeNotAllowedError';
  constructor(keyType: EntityType, scope: string) {
    super(
      'ERR_SCOPE_NOT_ALLOWED',
      keyType === 'app'
        ? `an app key can sign "app" or "appUser" tokens, not ${quote(scope)}`
        : `a ${keyType === 'userAccount' ? 'user-account' : 'service-account'} key can sign "account" tokens only, not ${quote(scope)}`,
    );
  }
}

/**
 * `ERR_ENTITY_NOT_FOUND`: the app or service account named does not exist.
 *
 * @example
 * ```ts
 * if (error instanceof EntityNotFoundError) console.error(`add ${error.entity.id} first`);
 * ```
 */
export class EntityNotFoundError extends LifecycleError {
  override readonly name = 'EntityNotFoundError';
  /** The entity that was named. */
  readonly entity: Entity;
  constructor(entity: Entity) {
    super('ERR_ENTITY_NOT_FOUND', `${describe(entity)} does not exist`);
    this.entity = entity;
  }
}

/**
 * `ERR_ENTITY_EXISTS`: an app or service account with this id already exists.
 *
 * @example
 * ```ts
 * if (error instanceof EntityExistsError) console.error(error.message);
 * ```
 */
export class EntityExistsError extends LifecycleError {
  override readonly name = 'EntityExistsError';
  /** The entity that already exists. */
  readonly entity: Entity;
  constructor(entity: Entity) {
    super('ERR_ENTITY_EXISTS', `${describe(entity)} already exists`);
    this.entity = entity;
  }
}

/**
 * Base class of the failures of the store itself (as opposed to a refused request): the request
 * may succeed later or after an operator fixed the store. A database store throws it (code
 * `ERR_STORE_IO`) when it cannot be reached.
 *
 * @example
 * ```ts
 * if (error instanceof StoreError) process.exitCode = 2;
 * ```
 */
export class StoreError extends LifecycleError {
  override readonly name: string = 'StoreError';
}

/**
 * `ERR_STORE_CORRUPT`: the stored keys do not match the format (a corrupt or half-written keys
 * file). Nothing was written: a corrupt file is never replaced; fix or restore it by hand.
 *
 * @example
 * ```ts
 * if (error instanceof StoreCorruptError) console.error(error.message);
 * ```
 */
export class StoreCorruptError extends StoreError {
  override readonly name = 'StoreCorruptError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE_CORRUPT', message, options);
  }
}

/**
 * `ERR_STORE_LOCKED`: another writer held the store's lock for longer than the lock timeout.
 *
 * @example
 * ```ts
 * if (error instanceof StoreLockedError) console.error('busy, try again');
 * ```
 */
export class StoreLockedError extends StoreError {
  override readonly name = 'StoreLockedError';
  constructor(message: string) {
    super('ERR_STORE_LOCKED', message);
  }
}

/**
 * `ERR_STORE_IO`: the store could not be read or written (a file system or connection error,
 * kept as `cause`).
 *
 * @example
 * ```ts
 * if (error instanceof StoreIoError) console.error(error.message, error.cause);
 * ```
 */
export class StoreIoError extends StoreError {
  override readonly name = 'StoreIoError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_STORE_IO', message, options);
  }
}

function describe(entity: Entity): string {
  const kind =
    entity.type === 'app'
      ? 'app'
      : entity.type === 'serviceAccount'
        ? 'service account'
        : 'user account';
  return `${kind} ${quote(entity.id)}`;
}
