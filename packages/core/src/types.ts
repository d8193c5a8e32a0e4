/**
 * The data shapes keyscope works with: entities, key records, scopes, the neutral request an
 * adapter hands to the core, the `AuthContext` the core hands back, and the `KeyStore` interface
 * every store implements. Plain data only; no behaviour lives here.
 */

/**
 * The three scope levels, from narrowest to widest: `appUser` < `app` < `account`.
 *
 * @example
 * ```ts
 * const needed: Scope = 'app';
 * ```
 */
export type Scope = 'appUser' | 'app' | 'account';

/**
 * The kinds of entity an API key can belong to.
 *
 * @example
 * ```ts
 * const kind: EntityType = 'serviceAccount';
 * ```
 */
export type EntityType = 'app' | 'userAccount' | 'serviceAccount';

/**
 * The owner of an API key: an app, a user account or a service account.
 *
 * @example
 * ```ts
 * const owner: Entity = { type: 'app', id: 'app_a' };
 * ```
 */
export interface Entity {
  readonly type: EntityType;
  readonly id: string;
}

/**
 * An API key as a store returns it. `accountId` is the account the key's entity belongs to: the
 * app's account, the service account's account, or the user account itself.
 *
 * @example
 * ```ts
 * const key: KeyRecord = {
 *   id: 'app_65f0c1d2e3f4a5b6c7d8e9f0',
 *   secret: 'demo-secret',
 *   entity: { type: 'app', id: 'app_a' },
 *   accountId: 'acc_1',
 * };
 * ```
 */
export interface KeyRecord {
  readonly id: string;
  readonly secret: string;
  readonly entity: Entity;
  readonly accountId?: string | undefined;
  readonly displayName?: string | undefined;
  readonly createdAt?: Date | undefined;
  readonly expiresAt?: Date | undefined;
  readonly revokedAt?: Date | undefined;
}

/**
 * Where keyscope reads keys from. Implementations must be safe to call concurrently and must
 * reject (not resolve `undefined`) when they cannot answer: a rejection becomes a 503, never a pass.
 *
 * @example
 * ```ts
 * const store: KeyStore = {
 *   async findKey(id) { return id === key.id ? key : undefined; },
 *   async appsFor(entity) { return entity.type === 'app' ? [entity.id] : []; },
 * };
 * ```
 */
export interface KeyStore {
  /** The key whose id is exactly `id`, or `undefined` when there is none. */
  findKey(id: string): Promise<KeyRecord | undefined>;
  /** The ids of every app the entity may reach (an app reaches only itself). */
  appsFor(entity: Entity): Promise<readonly string[]>;
}

/**
 * The framework-neutral request the core authenticates. `authorization` carries every raw
 * `Authorization` field value the server received (an array when there were several), so that
 * duplicate headers can be refused.
 *
 * @example
 * ```ts
 * const request: AuthRequest = { authorization: req.headersDistinct.authorization };
 * ```
 */
export interface AuthRequest {
  readonly authorization?: string | readonly string[] | undefined;
  /** HTTP method, for events and logs only. */
  readonly method?: string | undefined;
  /** The client's address (e.g. `req.socket.remoteAddress`), for limiters, events and logs. */
  readonly address?: string | undefined;
}

/**
 * The resource a route names: an app, and possibly one user of it.
 *
 * @example
 * ```ts
 * const resource: Resource = { appId: 'app_a', userId: 'u1' };
 * ```
 */
export interface Resource {
  readonly appId?: string | undefined;
  readonly userId?: string | undefined;
}

/**
 * Who the caller is, once authenticated: the outcome of key -> entity -> scope.
 *
 * - `appId` is set for `app` and `appUser` scope, `userId` for `appUser` scope, and `accountId`
 *   for `account` scope.
 * - `expiresAt` is when this credential stops being valid: the earlier of the token's `exp` and
 *   the key's own expiry or scheduled revocation, if any.
 *
 * @example
 * ```ts
 * function describe(auth: AuthContext) {
 *   return `${auth.method} ${auth.keyId} as ${auth.scope}`;
 * }
 * ```
 */
export interface AuthContext {
  readonly method: 'basic' | 'jwt';
  readonly keyId: string;
  readonly entity: Entity;
  readonly scope: Scope;
  readonly appId?: string | undefined;
  readonly userId?: string | undefined;
  readonly accountId?: string | undefined;
  readonly expiresAt?: Date | undefined;
}
