/**
 * `authenticate(request, options)`: authenticates a Web `Request` and answers with either the
 * caller's `AuthContext` or the finished refusal `Response`, so a fetch handler returns early in
 * one line. Works in any runtime with the Fetch API (Hono, Bun, Deno, Next.js route handlers).
 */
import type { AuthContext, AuthError, AuthenticateOptions, Authenticator } from '@keyscope/core';
import { authenticateRequest, resolveAuthenticator } from '@keyscope/core';
import { refusal, toAuthRequest } from './internal/glue.js';

/**
 * Options of {@link authenticate}: an `authenticator` (or the options to create one), `optional`,
 * and where the runtime gives the client's address.
 *
 * @example
 * ```ts
 * const options: FetchAuthenticateOptions = { authenticator, address: (r) => server.requestIP(r)?.address };
 * ```
 */
export type FetchAuthenticateOptions = AuthenticateOptions & {
  /**
   * The client's address, for limiters and the hooks, where the runtime offers one (a `Request`
   * does not carry it): Bun's `server.requestIP(request)?.address`, Deno's
   * `info.remoteAddr.hostname`, Hono's `getConnInfo(c).remote.address`.
   */
  readonly address?: (request: Request) => string | undefined;
};

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

type Strict = Authenticator | (FetchAuthenticateOptions & { readonly optional?: false });
type Loose = Authenticator | FetchAuthenticateOptions;
type Maybe = AuthContext | undefined;

/**
 * Authenticates a `Request` from its `Authorization` field. Pass an authenticator, or options to
 * create one (created once per options object, so keep that object; better, share one
 * authenticator). With
 * `optional: true`, a request without credentials resolves `{ ok: true, auth: undefined }`.
 * keyscope records what it found on this `Request` object (never on a copy of it), so that a later
 * `requireScope()` on the same `Request` reuses the context and the authenticator.
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
export function authenticate(request: Request, options: Strict): Promise<AuthResult>;
export function authenticate(request: Request, options: Loose): Promise<AuthResult<Maybe>>;
export async function authenticate(request: Request, options: Loose): Promise<AuthResult<Maybe>> {
  const { optional, address } = options as FetchAuthenticateOptions;
  try {
    const neutral = toAuthRequest(request, address?.(request));
    const authenticator = resolveAuthenticator(options);
    const auth = await authenticateRequest(authenticator, request, neutral, optional === true);
    return { ok: true, auth };
  } catch (error) {
    return { ok: false, response: refusal(error), error: error as AuthError };
  }
}
