/**
 * The last step of every adapter: any error becomes the contract's answer, as plain data that any
 * framework can send. An `AuthError` (of any copy of keyscope: recognised by its brand, not by
 * `instanceof`) gives its status, its `WWW-Authenticate` challenges and its JSON body; anything
 * else is a 500 `internal_error` that reveals nothing. Both carry `Content-Type: application/json`.
 */
import { type ErrorBody, isAuthError } from './errors.js';

/**
 * The finished HTTP answer for an error: send `status`, every header of `headers` (they include
 * `Content-Type: application/json`) and `JSON.stringify(body)`.
 *
 * @example
 * ```ts
 * const { status, headers, body } = toErrorResponse(error);
 * ```
 */
export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body:
    | ErrorBody
    | { readonly errors: readonly [{ code: 'internal_error'; title: string }] };
}

const JSON_TYPE = { 'Content-Type': 'application/json' } as const;

/**
 * Turns any error into the contract's answer: an `AuthError` gives its status, headers and body;
 * anything else is a 500 `internal_error` that reveals nothing of the error. `headers` always
 * holds `Content-Type: application/json`, so an adapter sends them as they are.
 *
 * @example
 * ```ts
 * const { status, headers, body } = toErrorResponse(error);
 * res.writeHead(status, headers).end(JSON.stringify(body));
 * ```
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (isAuthError(error)) {
    return {
      status: error.status,
      headers: { ...error.headers, ...JSON_TYPE },
      body: error.toBody(),
    };
  }
  return {
    status: 500,
    headers: { ...JSON_TYPE },
    body: { errors: [{ code: 'internal_error', title: 'Internal server error' }] },
  };
}
