/**
 * Renders any error as the contract's Web `Response`: an `AuthError` gives its status, its
 * `WWW-Authenticate` header and the `{"errors":[...]}` body; anything else a 500
 * `internal_error` that reveals nothing of the error. The body is always `application/json`.
 */
import { toErrorResponse } from '@keyscope/core';

/**
 * Turns an error into the contract's `Response` (status, `WWW-Authenticate`, JSON body).
 *
 * @example
 * ```ts
 * try {
 *   await authenticator.authenticate({ authorization: request.headers.get('authorization') ?? undefined });
 * } catch (error) {
 *   return toResponse(error); // 400, 401, 403, 429 or 503 with its challenge; 500 for anything else
 * }
 * ```
 */
export function toResponse(error: unknown): Response {
  const { status, headers, body } = toErrorResponse(error);
  return new Response(JSON.stringify(body), { status, headers });
}
