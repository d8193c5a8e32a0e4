/**
 * Private glue of the fetch adapter: a `Request` as core's neutral `AuthRequest`, a refusal as its
 * `Response`, and the answer to a route parameter that is not valid percent-encoding. A `Request`
 * has no place for request state; what keyscope found about it is kept by core's adapter kit in
 * its own record on the `Request` object, so that a `requireScope` after an `authenticate()` on the
 * same `Request` reuses it.
 */
import { type AuthRequest, isAuthError } from '@keyscope/core';
import { toResponse } from '../to-response.js';

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

/** The answer to a parameter that is not valid percent-encoding: 400, as Express's router gives. */
export const malformedParameter = (): Response =>
  Response.json(
    { errors: [{ code: 'bad_request', title: 'Malformed path parameter' }] },
    { status: 400 },
  );
