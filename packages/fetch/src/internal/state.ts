/**
 * Private state of the fetch adapter. A Web `Request` has no place for request state, so the
 * context an `authenticate()` call found, and the route parameters a `requireScope()` call
 * resolved, are kept in weak maps keyed by the `Request` object itself; a later guard on the same
 * `Request` then reuses them. Also turns a `Request` into the core's neutral `AuthRequest`.
 */
import {
  type AuthContext,
  type AuthenticateOptions,
  type Authenticator,
  type AuthRequest,
  resolveAuthenticator,
} from '@keyscope/core';

/** Contexts found by `authenticate()` or a guard, per request. */
export const contexts = new WeakMap<Request, AuthContext>();

const resolved = new WeakMap<object, Authenticator>();

/** Whether `value` is an authenticator (rather than options). */
export function isAuthenticator(value: unknown): value is Authenticator {
  return typeof (value as Authenticator | undefined)?.authenticate === 'function';
}

/** The authenticator for `options`, created (and its options checked) once per options object. */
export function authenticatorFor(options: AuthenticateOptions | Authenticator): Authenticator {
  let authenticator = resolved.get(options);
  if (authenticator === undefined) {
    authenticator = resolveAuthenticator(
      isAuthenticator(options) ? { authenticator: options } : options,
    );
    resolved.set(options, authenticator);
  }
  return authenticator;
}

/**
 * The neutral request. `Headers` joins repeated `Authorization` fields into one value with ", ";
 * a comma cannot occur in a token68, so the grammar check refuses such a value with 400.
 */
export function toAuthRequest(request: Request): AuthRequest {
  return {
    authorization: request.headers.get('authorization') ?? undefined,
    method: request.method,
  };
}
