/**
 * `authenticate(request, options)`: authenticates a Web `Request` and answers with either the
 * caller's `AuthContext` or the finished refusal `Response`, so a fetch handler returns early in
 * one line. Works in any runtime with the Fetch API (Hono, Bun, Deno, Next.js route handlers).
 */
import {
  type AuthContext,
  AuthError,
  type AuthenticateOptions,
  type Authenticator,
  authenticateRequest,
} from '@keyscope/core';
import { authenticatorFor, contexts, isAuthenticator, toAuthRequest } from './internal/state.js';
import { toResponse } from './to-response.js';

/**
 * The outcome of {@link authenticate}: the caller's context, or the refusal ready to return
 * (with the `AuthError` behind it, for logs).
 *
 * @example
 * ```ts
 * const result = await authenticate(request, { authenticator });
 * if (!result.ok) return result.response;
 * ```
 */
export type AuthResult<TAuth = AuthContext> =
  | { readonly ok: true; readonly auth: TAuth }
  | { readonly ok: false; readonly response: Response; readonly error: AuthError };

/**
 * Authenticates a `Request` from its `Authorization` field. Pass an authenticator, or options to
 * create one (created once per options object; prefer one shared authenticator). With
 * `optional: true`, a request without credentials resolves `{ ok: true, auth: undefined }`.
 * The context is also remembered for a later `requireScope()` on the same `Request`.
 *
 * Repeated `Authorization` fields arrive joined with ", " (that is how `Headers` works); the
 * comma breaks the token68 grammar, so they are refused with 400 `bad_request`.
 *
 * @throws {ConfigurationError} (as a rejection) when the options are invalid. Refusals never
 * reject: they resolve `{ ok: false, response }`. Errors other than `AuthError` are rethrown.
 * @example
 * ```ts
 * import { authenticate } from '@keyscope/fetch';
 *
 * export async function GET(request: Request) {
 *   const result = await authenticate(request, { authenticator });
 *   if (!result.ok) return result.response;
 *   return Response.json({ keyId: result.auth.keyId });
 * }
 * ```
 */
export function authenticate(
  request: Request,
  options: Authenticator | (AuthenticateOptions & { readonly optional?: false }),
): Promise<AuthResult>;
export function authenticate(
  request: Request,
  options: AuthenticateOptions,
): Promise<AuthResult<AuthContext | undefined>>;
export async function authenticate(
  request: Request,
  options: Authenticator | AuthenticateOptions,
): Promise<AuthResult<AuthContext | undefined>> {
  const authenticator = authenticatorFor(options);
  const optional = !isAuthenticator(options) && options.optional === true;
  try {
    const auth = await authenticateRequest(
      authenticator,
      request,
      toAuthRequest(request),
      optional,
    );
    if (auth !== undefined) contexts.set(request, auth);
    return { ok: true, auth };
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, response: toResponse(error), error };
    throw error;
  }
}
