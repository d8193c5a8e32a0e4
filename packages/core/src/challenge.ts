/**
 * Builds the `WWW-Authenticate` challenges of RFC 7235, RFC 7617 and RFC 6750 for one realm, and
 * the refusal errors that carry them. A realm is checked and quoted once, when the authenticator
 * is created; the finished header strings are then reused for every refusal.
 */
import {
  type AuthErrorOptions,
  ConfigurationError,
  type CredentialMethod,
  CredentialsRequiredError,
  ForbiddenError,
  InvalidCredentialsError,
  MalformedAuthorizationError,
  type RejectionReason,
  StoreUnavailableError,
} from './errors.js';
import type { Scope } from './types.js';

/** The realm used when none is configured. */
export const DEFAULT_REALM = 'keyscope';

/**
 * Quotes a value as an RFC 9110 quoted-string (backslash before `"` and `\`).
 *
 * @throws {ConfigurationError} when the value holds control characters or non-Latin-1 text, which
 * cannot travel in a header.
 * @example
 * ```ts
 * quoteString('my "api"'); // '"my \\"api\\""'
 * ```
 */
export function quoteString(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]|[^\u0000-\u00ff]/.test(value)) {
    throw new ConfigurationError(
      'a header value may not contain control or non-Latin-1 characters',
    );
  }
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The `WWW-Authenticate` values of one realm.
 *
 * @example
 * ```ts
 * const c = createChallenges('example');
 * c.both; // 'Basic realm="example", charset="UTF-8", Bearer realm="example"'
 * ```
 */
export interface Challenges {
  /** Both challenges, no error: no credentials, or rejected Basic credentials. */
  readonly both: string;
  /** Both challenges, the Bearer one with `error="invalid_token"`. */
  readonly invalidToken: string;
  /** The Bearer challenge with `error="invalid_request"`. */
  readonly invalidRequest: string;
  /** The Bearer challenge with `error="insufficient_scope"` and the route's scope. */
  insufficientScope(scope: Scope): string;
}

/**
 * Builds the challenges of one realm.
 *
 * @throws {ConfigurationError} when the realm cannot be put in a header.
 * @example
 * ```ts
 * const { invalidToken } = createChallenges('api');
 * ```
 */
export function createChallenges(realm: string = DEFAULT_REALM): Challenges {
  const r = quoteString(realm);
  const basic = `Basic realm=${r}, charset="UTF-8"`;
  const bearer = `Bearer realm=${r}`;
  const scoped = {
    appUser: `${bearer}, error="insufficient_scope", scope="appUser"`,
    app: `${bearer}, error="insufficient_scope", scope="app"`,
    account: `${bearer}, error="insufficient_scope", scope="account"`,
  };
  return {
    both: `${basic}, ${bearer}`,
    invalidToken: `${basic}, ${bearer}, error="invalid_token"`,
    invalidRequest: `${bearer}, error="invalid_request"`,
    insufficientScope: (scope) => scoped[scope],
  };
}

type Extra = Pick<AuthErrorOptions, 'keyId' | 'cause'>;

/**
 * Makes the refusal errors of one realm, with their finished headers. Used by the core's
 * verification steps; adapters never need it.
 *
 * @example
 * ```ts
 * const refuse = createRefusals('api');
 * throw refuse.invalid('jwt', 'bad_signature', { keyId });
 * ```
 */
export function createRefusals(realm: string = DEFAULT_REALM) {
  const c = createChallenges(realm);
  const header = (value: string) => ({ 'WWW-Authenticate': value });
  const both = header(c.both);
  const invalidToken = header(c.invalidToken);
  const invalidRequest = header(c.invalidRequest);
  return {
    challenges: c,
    malformed: (reason: RejectionReason, method: CredentialMethod = 'none') =>
      new MalformedAuthorizationError({ reason, method, headers: invalidRequest }),
    required: (reason: RejectionReason) =>
      new CredentialsRequiredError({ reason, method: 'none', headers: both }),
    invalid: (method: CredentialMethod, reason: RejectionReason, extra: Extra = {}) =>
      new InvalidCredentialsError({
        ...extra,
        reason,
        method,
        headers: method === 'jwt' ? invalidToken : both,
      }),
    forbidden: (
      scope: Scope,
      method: CredentialMethod,
      reason: RejectionReason,
      extra: Extra = {},
    ) =>
      new ForbiddenError(scope, {
        ...extra,
        reason,
        method,
        headers: method === 'jwt' ? header(c.insufficientScope(scope)) : {},
      }),
    unavailable: (method: CredentialMethod, extra: Extra = {}) =>
      new StoreUnavailableError({ ...extra, reason: 'store_unavailable', method }),
  };
}

/** The refusal factory of one realm, as returned by {@link createRefusals}. */
export type Refusals = ReturnType<typeof createRefusals>;
