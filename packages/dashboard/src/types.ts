/**
 * The public types of `@keyscope/dashboard`: its options and the audit events it reports. Plain
 * data only; the behaviour is in `dashboard.ts`.
 */
import type { Entity, ServiceAccountEntry, WritableKeyStore } from '@keyscope/core';

/**
 * What an operator did, or what happened to a session, as reported to `onEvent`.
 *
 * @example
 * ```ts
 * const changes: DashboardAction[] = ['key.created', 'key.rotated', 'key.revoked'];
 * ```
 */
export type DashboardAction =
  | 'sign-in'
  | 'sign-in.refused'
  | 'sign-out'
  | 'session.ended'
  | 'csrf.refused'
  | 'key.created'
  | 'key.rotated'
  | 'key.revoked'
  | 'token.minted'
  | 'service-account.created'
  | 'service-account.granted';

/**
 * The operator behind an event: the key they signed in with, and whom it belongs to.
 *
 * @example
 * ```ts
 * const who = (operator: DashboardOperator) => `${operator.entity.type} ${operator.entity.id}`;
 * ```
 */
export interface DashboardOperator {
  readonly keyId: string;
  readonly entity: Entity;
  readonly accountId?: string | undefined;
}

/**
 * An audit event. It never holds a secret, a token or a session id.
 *
 * - `keyId`: the key acted on (the new key of a creation or rotation, the revoked key, the key a
 *   token was signed with, the operator's key for `session.ended`); for `sign-in.refused`, the key
 *   id tried, unless no key has that id (so that a secret typed into the id field is never
 *   reported).
 * - `replacedKeyId`: the old key of a rotation (it stays valid until revoked).
 * - `reason`: why a sign-in was refused or a session ended: the core's rejection reasons
 *   (`wrong_secret`, `unknown_key`, `key_revoked`, `key_expired`...), or `app_key`,
 *   `rate_limited`, `malformed`, `expired` (session timeout), `key_not_usable`.
 *
 * @example
 * ```ts
 * const onEvent = (event: DashboardEvent) => console.log(JSON.stringify(event));
 * ```
 */
export interface DashboardEvent {
  readonly action: DashboardAction;
  readonly at: Date;
  readonly operator?: DashboardOperator | undefined;
  readonly keyId?: string | undefined;
  readonly replacedKeyId?: string | undefined;
  readonly appId?: string | undefined;
  readonly serviceAccountId?: string | undefined;
  /** The end user of a minted token. */
  readonly userId?: string | undefined;
  readonly reason?: string | undefined;
  /** The client address (`req.ip`). */
  readonly address?: string | undefined;
}

/**
 * The sign-in limit of `dashboard()` (`signInLimit`).
 */
export interface DashboardSignInLimit {
  /** Failed sign-ins with one key id from one address per window (default 10). */
  readonly maxPerKeyAndAddress?: number | undefined;
  /** Failed sign-ins from one address per window, whatever the key id (default 50). */
  readonly maxPerAddress?: number | undefined;
  /** The window, in ms (default 15 minutes). */
  readonly window?: number | undefined;
}

/**
 * Options of `dashboard()`. Only `store` is required.
 *
 * @example
 * ```ts
 * const options: DashboardOptions = { store, idleTimeout: 15 * 60_000, secureCookie: true };
 * ```
 */
export interface DashboardOptions {
  /** The store keys are read from and written to (the keys file, PostgreSQL...). */
  readonly store: WritableKeyStore;
  /**
   * The service accounts of an account, with their grants, for the service-accounts page. Default:
   * read from the store's keys document when it has one (the file stores), else the service
   * accounts that have at least one key (a `WritableKeyStore` cannot list them otherwise).
   */
  readonly listServiceAccounts?:
    | ((accountId: string) => Promise<readonly ServiceAccountEntry[]>)
    | undefined;
  /** A session ends after this long without a request, in ms (default 30 minutes). */
  readonly idleTimeout?: number | undefined;
  /** A session ends this long after sign-in whatever happens, in ms (default 8 hours). */
  readonly absoluteTimeout?: number | undefined;
  /**
   * The most sessions held at once (default 10000). Past it, expired sessions go first, then the
   * oldest session of the key signing in, and only when that key holds none, the oldest session of
   * the key holding the most: sign-ins with one key never push other operators out first.
   */
  readonly maxSessions?: number | undefined;
  /**
   * The most sessions one key holds at once (default 10); a further sign-in with that key ends its
   * oldest session.
   */
  readonly maxSessionsPerKey?: number | undefined;
  /**
   * Mark the cookies `Secure` on every request (`true`), not only on requests that came over TLS
   * (`req.secure`, which honours the app's `trust proxy`; the default).
   */
  readonly secureCookie?: boolean | undefined;
  /**
   * Failed sign-ins allowed, counted by core's `createMemoryRateLimiter` per (key id, client
   * address) and per client address (`req.ip`; IPv6 by its /64) in a window of `window` ms that
   * opens with the first failure. Past either count, sign-in answers 429 with `Retry-After` until
   * the window ends, even with the right secret. A successful sign-in forgets only its own key's
   * count at that address, never another key's, nor the address's count.
   */
  readonly signInLimit?: DashboardSignInLimit | undefined;
  /** The longest lifetime of a test token, in seconds (default and maximum 3600). */
  readonly maxTokenLifetime?: number | undefined;
  /**
   * The API's base URL in the `curl` lines (`https://api.example.com`); default: the origin the
   * dashboard was reached at. The lines call the contract's routes (`/v2/apps/:appId`...).
   */
  readonly apiBaseUrl?: string | undefined;
  /** Called with every audit event. Errors it throws are ignored. */
  readonly onEvent?: ((event: DashboardEvent) => void) | undefined;
}
