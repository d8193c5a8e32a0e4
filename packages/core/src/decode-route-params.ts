/**
 * Route parameters as a router must hand them to a guard: each percent-decoded exactly once, as
 * Express (`router`'s `decodeParam`) and Hono decode theirs, so that the guard checks the very
 * string the handler acts on. For adapters whose matcher leaves them encoded, such as `URLPattern`
 * in `@keyscope/fetch`. A value that is not valid percent-encoding names nothing: Express answers
 * such a request 400 and Hono passes the undecodable text on; keyscope takes the reading that
 * fails closed, Express's.
 */

/**
 * Decodes each parameter once with `decodeURIComponent` (`app%20one` is `app one`, `%C3%A9` is
 * `é`, `%2F` is `/`, `%2520` is `%20`). Resolves `undefined` when any value is not valid
 * percent-encoding (`%E0`, `%zz`, a broken UTF-8 sequence): answer the request 400 and run
 * neither the guard nor the handler. `undefined` values (optional groups) stay `undefined`.
 *
 * @example
 * ```ts
 * const groups = new URLPattern({ pathname: '/v2/apps/:appId' }).exec(url)?.pathname.groups ?? {};
 * const params = decodeRouteParams(groups); // { appId: 'app one' }, or undefined: answer 400
 * ```
 */
export function decodeRouteParams(
  params: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> | undefined {
  const decoded: Record<string, string | undefined> = {};
  try {
    for (const [name, value] of Object.entries(params)) {
      decoded[name] = value === undefined ? undefined : decodeURIComponent(value);
    }
  } catch {
    return undefined; // URIError: not valid percent-encoding
  }
  return decoded;
}
