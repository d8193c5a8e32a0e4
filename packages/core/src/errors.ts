/**
 * The errors keyscope throws. One base class, `AuthError`, carries everything an adapter needs to
 * answer: `status`, a stable public `code`, finished `headers` (the `WWW-Authenticate` challenges)
 * and `toBody()`, the JSON body of the contract. The private `reason` says what really went wrong
 * (unknown key, bad signature, ...) for the server's hooks and logs; it never reaches the caller.
 * No message, header or reason ever contains a secret or a token.
 */
import type { Scope } from './types.js';

/**
 * The public error codes, as they appear in `errors[0].code` of a response body.
 *
 * @example
 * ```ts
 * if (error.code === 'forbidden') metrics.forbidden++;
 * ```
 */
export type AuthErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'too_many_requests'
  | 'service_unavailable';

/**
 * Why a request was refused: a stable, documented list for hooks and logs. Never sent to callers.
 *
 * @example
 * ```ts
 * if (error.reason === 'token_expired') log.info('client should refresh its token');
 * ```
 */
export type RejectionReason =
  // 400: the Authorization field breaks the header grammar
  | 'header_too_long'
  | 'multiple_headers'
  | 'malformed_header'
  // 401: no usable credentials
  | 'missing_credentials'
  | 'unsupported_scheme'
  // 401: Basic credentials that do not authenticate
  | 'malformed_basic'
  | 'unknown_key'
  | 'wrong_secret'
  | 'key_revoked'
  | 'key_expired'
  // 401: Bearer tokens that do not authenticate
  | 'malformed_token'
  | 'unsupported_algorithm'
  | 'missing_kid'
  | 'forbidden_header'
  | 'bad_signature'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_issued_in_future'
  | 'invalid_claims'
  | 'scope_not_allowed'
  // 403
  | 'insufficient_scope'
  | 'resource_not_allowed'
  | 'missing_resource'
  // 429
  | 'rate_limited'
  // 503
  | 'store_unavailable';

/** How the caller tried to authenticate, which decides the challenges sent back. */
export type CredentialMethod = 'basic' | 'jwt' | 'none';

/**
 * The JSON body of every refusal: `{"errors":[{"code":"...","title":"..."}]}`.
 *
 * @example
 * ```ts
 * const body: ErrorBody = { errors: [{ code: 'unauthorized', title: 'Invalid credentials' }] };
 * ```
 */
export interface ErrorBody {
  readonly errors: readonly [{ readonly code: AuthErrorCode; readonly title: string }];
}

/** Options shared by every `AuthError` constructor. */
export interface AuthErrorOptions {
  /** The private reason, for hooks and logs. */
  readonly reason: RejectionReason;
  /** The `WWW-Authenticate` (or other) headers to send with the answer. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The key id the caller presented, when one was readable. Ids are not secrets. */
  readonly keyId?: string | undefined;
  /** How the caller tried to authenticate. */
  readonly method?: CredentialMethod;
  /** The underlying error (a jose error, a store error). */
  readonly cause?: unknown;
}

/**
 * The brand every `AuthError` carries, under a registered symbol: two copies of keyscope in one
 * process (the ESM and the CommonJS build, or two versions) recognise each other's errors by it.
 */
const AUTH_ERROR_BRAND = Symbol.for('keyscope.AuthError');

/**
 * Base class of every error keyscope throws on purpose. Detect it with `isAuthError(error)`, which
 * also recognises errors of another copy of keyscope (`instanceof` does not), or by `error.code`.
 *
 * @example
 * ```ts
 * try {
 *   await authenticator.authenticate({ authorization });
 * } catch (error) {
 *   if (isAuthError(error)) {
 *     res.writeHead(error.status, { ...error.headers, 'content-type': 'application/json' });
 *     res.end(JSON.stringify(error.toBody()));
 *   } else throw error;
 * }
 * ```
 */
export class AuthError extends Error {
  override readonly name: string = 'AuthError';
  /** Public code, as sent in the body. */
  readonly code: AuthErrorCode;
  /** HTTP status to answer with. */
  readonly status: number;
  /** Whether `message` is safe to show to the caller (it always is: it is the generic title). */
  readonly expose: boolean = true;
  /** Headers to send with the answer (already formatted). */
  readonly headers: Readonly<Record<string, string>>;
  /** The private reason, for hooks and logs only. */
  readonly reason: RejectionReason;
  /** The key id the caller presented, if any. */
  readonly keyId: string | undefined;
  /** How the caller tried to authenticate. */
  readonly method: CredentialMethod;

  constructor(status: number, code: AuthErrorCode, title: string, options: AuthErrorOptions) {
    super(title, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.reason = options.reason;
    this.headers = options.headers ?? {};
    this.keyId = options.keyId;
    this.method = options.method ?? 'none';
  }

  /**
   * The JSON body of the contract for this error.
   *
   * @example
   * ```ts
   * res.status(error.status).json(error.toBody());
   * ```
   */
  toBody(): ErrorBody {
    return { errors: [{ code: this.code, title: this.message }] };
  }
}

// On the prototype, not enumerable: the brand never shows up in logs, spreads or comparisons.
Object.defineProperty(AuthError.prototype, AUTH_ERROR_BRAND, { value: true });

/**
 * Whether `value` is an `AuthError` of any copy of keyscope: it checks the brand
 * `Symbol.for('keyscope.AuthError')` rather than the class, so an error thrown by the CommonJS
 * build is still recognised by code that loaded the ESM build (and the reverse). Adapters use it
 * instead of `instanceof`.
 *
 * @example
 * ```ts
 * app.use((error, req, res, next) => {
 *   if (isAuthError(error)) log.warn({ reason: error.reason, keyId: error.keyId }, 'refused');
 *   next(error);
 * });
 * ```
 */
export function isAuthError(value: unknown): value is AuthError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { readonly [AUTH_ERROR_BRAND]?: unknown })[AUTH_ERROR_BRAND] === true
  );
}

/**
 * 400 `bad_request`: the `Authorization` field breaks the header grammar (not exactly one token68
 * after the scheme, several `Authorization` fields, or a value over the length limit).
 *
 * @example
 * ```ts
 * if (error instanceof MalformedAuthorizationError) console.log(error.reason); // 'multiple_headers'
 * ```
 */
export class MalformedAuthorizationError extends AuthError {
  override readonly name = 'MalformedAuthorizationError';
  constructor(options: AuthErrorOptions) {
    super(400, 'bad_request', 'Malformed Authorization header', options);
  }
}

/**
 * 401 `unauthorized` with no `error` attribute: no credentials, or a scheme other than Basic and
 * Bearer.
 *
 * @example
 * ```ts
 * if (error instanceof CredentialsRequiredError) console.log(error.headers['WWW-Authenticate']);
 * ```
 */
export class CredentialsRequiredError extends AuthError {
  override readonly name = 'CredentialsRequiredError';
  constructor(options: AuthErrorOptions) {
    super(401, 'unauthorized', 'Authentication required', options);
  }
}

/**
 * 401 `unauthorized`: well-formed credentials that do not authenticate (unknown, revoked or expired
 * key, wrong secret, bad token, claims the key cannot grant). The `reason` says which.
 *
 * @example
 * ```ts
 * if (error instanceof InvalidCredentialsError && error.reason === 'key_revoked') alert(error.keyId);
 * ```
 */
export class InvalidCredentialsError extends AuthError {
  override readonly name = 'InvalidCredentialsError';
  constructor(options: AuthErrorOptions) {
    super(401, 'unauthorized', 'Invalid credentials', options);
  }
}

/**
 * 403 `forbidden`: authenticated, but the scope or the resource is not allowed (a resource that
 * does not exist answers the same).
 *
 * @example
 * ```ts
 * if (error instanceof ForbiddenError) console.log(error.requiredScope);
 * ```
 */
export class ForbiddenError extends AuthError {
  override readonly name = 'ForbiddenError';
  /** The scope the route required. */
  readonly requiredScope: Scope;
  constructor(requiredScope: Scope, options: AuthErrorOptions) {
    super(403, 'forbidden', 'Insufficient scope for this resource', options);
    this.requiredScope = requiredScope;
  }
}

/**
 * 429 `too_many_requests`: a limiter refused the attempt; `headers` carries `Retry-After`.
 *
 * @example
 * ```ts
 * if (error instanceof RateLimitedError) console.log(error.headers['Retry-After']);
 * ```
 */
export class RateLimitedError extends AuthError {
  override readonly name = 'RateLimitedError';
  constructor(options: AuthErrorOptions) {
    super(429, 'too_many_requests', 'Too many failed attempts', options);
  }
}

/**
 * 503 `service_unavailable`: the key store could not answer. Keyscope fails closed: a store error
 * is never a pass and never a 401. The store's own error is kept as `cause` for logs.
 *
 * @example
 * ```ts
 * if (error instanceof StoreUnavailableError) log.error({ err: error.cause }, 'key store down');
 * ```
 */
export class StoreUnavailableError extends AuthError {
  override readonly name = 'StoreUnavailableError';
  constructor(options: AuthErrorOptions) {
    super(503, 'service_unavailable', 'Authentication service unavailable', options);
  }
}

/**
 * Thrown when a store or a file of keys does not match the format; the message names the
 * offending entry and never contains a secret.
 *
 * @example
 * ```ts
 * try { await openFileStore('keys.json'); }
 * catch (e) { if (e instanceof KeysFileError) { console.error(e.message); process.exit(1); } }
 * ```
 */
export class KeysFileError extends Error {
  override readonly name = 'KeysFileError';
}

/**
 * Thrown by factories at configuration time when their options are invalid.
 *
 * @example
 * ```ts
 * try { createAuthenticator({ store, clockTolerance: 600 }); }
 * catch (e) { if (e instanceof ConfigurationError) console.error(e.message); }
 * ```
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}
