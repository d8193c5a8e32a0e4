/**
 * Private state and glue of the fetch adapter. A Web `Request` has no place for request state, so
 * the context an `authenticate()` call or a guard found is kept in a weak map keyed by the
 * `Request` itself, and a later guard on the same `Request` reuses it (core's kit remembers which
 * authenticator made it). Also turns a `Request` into core's neutral `AuthRequest`, and a refusal
 * into its `Response`.
 */
import { type AuthContext, type AuthRequest, isAuthError } from '@keyscope/core';
import { toResponse } from '../to-response.js';

/** Contexts found by `authenticate()` or a guard, per request. */
export const contexts = new WeakMap<Request, AuthContext>();

/**
 * The neutral request. `Headers` joins repeated `Authorization` fields into one value with ", ";
 * a comma cannot occur in a token68, so the grammar check refuses such a value with 400.
 */
export function toAuthRequest(request: Request, address: string | undefined): AuthRequest {
  const authorization = request.headers.get('authorization') ?? undefined;
  return { authorization, method: request.method, address };
}

/** The `Response` of a refusal; rethrows anything else, and refusals too with `pass`. */
export function refusal(error: unknown, pass = false): Response {
  if (pass || !isAuthError(error)) throw error;
  return toResponse(error);
}
