/**
 * The authenticator: the one object adapters talk to. It checks its options once, then for each
 * request parses the `Authorization` field, verifies Basic credentials or a Bearer JWT against the
 * store, and resolves key -> entity -> scope into an `AuthContext`; it also authorizes a context on
 * a resource. Every refusal is an `AuthError` with its status, headers and body, reported to the
 * `onRejected` hook with its private reason; no other error escapes from hostile input.
 */

import { authorize as authorizeContext } from './authorize.js';
import { createRefusals, DEFAULT_REALM } from './challenge.js';
import {
  AuthError,
  ConfigurationError,
  type CredentialMethod,
  type RejectionReason,
} from './errors.js';
import { createAttemptLimit } from './internal/attempt-limit.js';
import { createTokenCache } from './internal/token-cache.js';
import { MAX_AUTHORIZATION_LENGTH, parseAuthorization } from './parse-authorization.js';
import type { RateLimiter } from './rate-limit.js';
import type { AuthContext, AuthRequest, KeyStore, Resource, Scope } from './types.js';
import { verifyBasic } from './verify-basic.js';
import { type TokenAlgorithm, type TokenCacheOptions, verifyToken } from './verify-token.js';

/**
 * What the `onRejected` hook receives. It never holds a secret or a token.
 *
 * @example
 * ```ts
 * const onRejected = (event: RejectionEvent) => log.warn(event, 'auth refused');
 * ```
 */
export interface RejectionEvent {
  readonly reason: RejectionReason;
  readonly status: number;
  readonly method: CredentialMethod;
  readonly keyId?: string | undefined;
}

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
  /** Where keys come from. */
  readonly store: KeyStore;
  /** Realm named in the `WWW-Authenticate` challenges (default `keyscope`). */
  readonly realm?: string;
  /** JWT algorithms accepted (default `['HS256']`; HS384 and HS512 on request). */
  readonly algorithms?: readonly TokenAlgorithm[];
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds (default 0, at most 60). */
  readonly clockTolerance?: number;
  /** Longest `Authorization` value accepted, in characters (default and maximum 8192). */
  readonly maxHeaderLength?: number;
  /**
   * Called with every successful authentication. `request` is the request without its
   * `Authorization` value. Errors thrown by hooks are ignored.
   */
  readonly onAuthenticated?: (context: AuthContext, request: AuthRequest) => void;
  /**
   * Called with every refusal (400, 401, 403, 429, 503) and its private reason. `request` is the
   * request without its `Authorization` value, so that logging both never logs a credential.
   */
  readonly onRejected?: (event: RejectionEvent, request: AuthRequest) => void;
  /**
   * Limits failed attempts per (key id, client address) and per address (see `RateLimiter` and
   * `createMemoryRateLimiter`). Checked after parsing and before any store lookup or cryptography;
   * a refusal is a 429 with `Retry-After`. A limiter that fails answers 503 (fail closed).
   */
  readonly rateLimiter?: RateLimiter;
  /**
   * The verified-token cache: a JWT already verified is accepted again without cryptography while
   * the store returns the same key record, the key is usable and the token has not expired; a
   * changed, revoked, rotated or deleted key is seen on the next request. Bounded in entries,
   * bytes and token length (defaults 10,000 entries, 8 MiB, tokens up to 4096 characters),
   * least recently used first. `false` turns it off. Failures are never cached.
   */
  readonly tokenCache?: TokenCacheOptions | false;
}

/**
 * A configured authenticator. Create one per application and share it.
 *
 * @example
 * ```ts
 * const auth = await authenticator.authenticate({ authorization: req.headers.authorization });
 * await authenticator.authorize(auth, 'app', { appId: 'app_a' });
 * ```
 */
export interface Authenticator {
  /** The store in use. */
  readonly store: KeyStore;
  /** The realm of the challenges. */
  readonly realm: string;
  /**
   * Authenticates a request. Resolves the `AuthContext`, or rejects with an `AuthError`.
   *
   * @throws {AuthError} 400, 401 or 503 (see the errors table).
   */
  authenticate(request: AuthRequest): Promise<AuthContext>;
  /**
   * Like `authenticate`, but a request without any `Authorization` field resolves `undefined`.
   * A present but bad credential is still refused.
   *
   * @throws {AuthError} 400, 401 or 503.
   */
  authenticateOptional(request: AuthRequest): Promise<AuthContext | undefined>;
  /**
   * Allows or refuses a context on a resource at a scope (contract section 3).
   *
   * @throws {ForbiddenError | StoreUnavailableError}
   */
  authorize(
    context: AuthContext,
    scope: Scope,
    resource?: Resource,
    request?: AuthRequest,
  ): Promise<void>;
}

const ALGORITHMS: readonly TokenAlgorithm[] = ['HS256', 'HS384', 'HS512'];

/** The request as the hooks see it: everything but the credentials. */
function withoutCredentials(request: AuthRequest | undefined): AuthRequest {
  if (typeof request !== 'object' || request === null) return {};
  const { authorization: _credentials, ...rest } = request;
  return rest;
}

/**
 * Creates an authenticator. Options are checked once, here.
 *
 * @throws {ConfigurationError} when an option is invalid (no store, an unknown algorithm, a clock
 * tolerance over 60 s, a realm that cannot go in a header...).
 * @example
 * ```ts
 * import { createAuthenticator, openFileStore } from '@keyscope/core';
 *
 * const authenticator = createAuthenticator({ store: await openFileStore('keys.json') });
 * const auth = await authenticator.authenticate({ authorization: 'Basic YXBwX2tleTpzZWNyZXQ=' });
 * console.log(auth.scope, auth.appId);
 * ```
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { store } = options ?? {};
  if (typeof store?.findKey !== 'function' || typeof store.appsFor !== 'function') {
    throw new ConfigurationError('store must implement findKey() and appsFor()');
  }
  const algorithms = [...(options.algorithms ?? ['HS256'])];
  if (algorithms.length === 0 || algorithms.some((alg) => !ALGORITHMS.includes(alg))) {
    throw new ConfigurationError('algorithms must be a non-empty list of HS256, HS384, HS512');
  }
  const clockTolerance = options.clockTolerance ?? 0;
  if (!(Number.isFinite(clockTolerance) && clockTolerance >= 0 && clockTolerance <= 60)) {
    throw new ConfigurationError('clockTolerance must be between 0 and 60 seconds');
  }
  const maxLength = options.maxHeaderLength ?? MAX_AUTHORIZATION_LENGTH;
  if (!(Number.isInteger(maxLength) && maxLength > 0 && maxLength <= MAX_AUTHORIZATION_LENGTH)) {
    throw new ConfigurationError(
      `maxHeaderLength must be an integer from 1 to ${MAX_AUTHORIZATION_LENGTH}`,
    );
  }
  const realm = options.realm ?? DEFAULT_REALM;
  const refusals = createRefusals(realm);
  const { onAuthenticated, onRejected } = options;
  const limit = createAttemptLimit(options.rateLimiter, refusals);
  const cache = createTokenCache(options.tokenCache);

  function rejected(error: unknown, request: AuthRequest): never {
    if (error instanceof AuthError && onRejected) {
      const event: RejectionEvent = {
        reason: error.reason,
        status: error.status,
        method: error.method,
        keyId: error.keyId,
      };
      try {
        onRejected(event, withoutCredentials(request));
      } catch {
        // A failing hook neither opens nor closes a route.
      }
    }
    throw error;
  }

  async function run(request: AuthRequest, optional: boolean): Promise<AuthContext | undefined> {
    const parsed = parseAuthorization(request?.authorization, { maxLength, refusals });
    if (parsed.scheme === 'none') {
      if (optional) return undefined;
      throw refusals.required('missing_credentials');
    }
    // No await without a limiter: one microtask less per request.
    const attempt = limit === undefined ? undefined : await limit.admit(parsed, request);
    const now = Date.now();
    let context: AuthContext;
    try {
      context =
        parsed.scheme === 'basic'
          ? await verifyBasic(parsed.keyId, parsed.secret, { store, refusals, now })
          : await verifyToken(parsed.token, {
              store,
              refusals,
              now,
              algorithms,
              clockTolerance,
              cache,
            });
    } catch (error) {
      if (attempt !== undefined) await limit?.failed(attempt, error);
      throw error;
    }
    if (attempt !== undefined) await limit?.succeeded(attempt);
    if (onAuthenticated) {
      try {
        onAuthenticated(context, withoutCredentials(request));
      } catch {
        // Ignored, as above.
      }
    }
    return context;
  }

  return {
    store,
    realm,
    async authenticate(request) {
      try {
        return (await run(request, false)) as AuthContext;
      } catch (error) {
        return rejected(error, request);
      }
    },
    async authenticateOptional(request) {
      try {
        return await run(request, true);
      } catch (error) {
        return rejected(error, request);
      }
    },
    async authorize(context, scope, resource = {}, request = {}) {
      try {
        await authorizeContext(context, scope, resource, { store, refusals });
      } catch (error) {
        rejected(error, request);
      }
    },
  };
}
