/**
 * Private glue of the fetch adapter: a `Request` as core's neutral `AuthRequest`, a refusal as its
 * `Response`, and the route parameters of a URLPattern match, percent-decoded once as Express and
 * Hono decode theirs. A `Request` has no place for request state; what keyscope found about it is
 * kept by core's adapter kit in its own record on the `Request` object, so that a `requireScope`
 * after an `authenticate()` on the same `Request` reuses it.
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

/**
 * URLPattern's groups, each percent-decoded once (`app%20one` is `app one`, `%C3%A9` is `é`,
 * `%2F` is `/`), or `undefined` when one is not valid percent-encoding (`%E0`, `%zz`): Express
 * answers such a request 400 and Hono passes the undecodable part on as it is; keyscope takes the
 * reading that fails closed, Express's.
 */
export function decodeGroups(
  groups: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> | undefined {
  const params: Record<string, string | undefined> = {};
  try {
    for (const [name, value] of Object.entries(groups)) {
      params[name] = value === undefined ? undefined : decodeURIComponent(value);
    }
  } catch {
    return undefined; // URIError: not valid percent-encoding
  }
  return params;
}

/** The answer to a route parameter that is not valid percent-encoding: 400, as Express gives. */
export const malformedParameter = (): Response =>
  Response.json(
    { errors: [{ code: 'bad_request', title: 'Malformed route parameter' }] },
    { status: 400 },
  );
