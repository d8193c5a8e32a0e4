/**
 * `requireScope(scope, handler, options)`: wraps a fetch handler so that it runs only for callers
 * allowed at `scope` on the route's resource (or, with `'any'`, for any valid credential). A Web
 * `Request` carries no route parameters, so they come from a resolver (sync or async, given the
 * runtime's extra arguments, read only once the caller is authenticated) or a URLPattern-like
 * matcher (its groups percent-decoded once, as Express and Hono decode theirs). A refusal answers
 * the contract's `Response` and the handler never runs.
 */
import type { AuthContext, AuthenticateOptions, GuardAccess, GuardScope } from '@keyscope/core';
import { createGuard, decodeRouteParams } from '@keyscope/core';
import { malformedParameter, refusal, toAuthRequest } from './internal/glue.js';

/** Route parameters, as a router or a pattern gives them. */
export type RouteParams = Readonly<Record<string, string | undefined>>;

/**
 * Anything shaped like `URLPattern` (`new URLPattern({ pathname: '/v2/apps/:appId' })`): its
 * `exec(url)` result's `pathname.groups` become the route parameters. They are percent-encoded, as
 * URLPattern gives them, and `requireScope` decodes each once (`app%20one` becomes `app one`).
 *
 * @example
 * ```ts
 * const pattern: URLPatternLike = new URLPattern({ pathname: '/v2/apps/:appId' });
 * ```
 */
export interface URLPatternLike {
  exec(input: string): { readonly pathname: { readonly groups: RouteParams } } | null;
}

/**
 * Options of {@link requireScope}. `TArgs` are the arguments the runtime passes after the request
 * (a Hono `Context`, Next.js' `{ params }`, a Worker's `env`...), handed on to `params`, the
 * resolvers, `address` and the handler. Resolvers may return anything: only a string names a
 * resource.
 *
 * @example
 * ```ts
 * const options: FetchRequireScopeOptions<[{ params: Promise<{ appId: string }> }]> = {
 *   authenticator,
 *   params: (_request, route) => route.params,
 * };
 * ```
 */
export type FetchRequireScopeOptions<TArgs extends unknown[] = []> =
  Partial<AuthenticateOptions> & {
    /** Not for guards: a guard always needs a credential. */
    readonly optional?: never;
    /**
     * Where the route parameters come from (default: none, so app-scoped routes are refused). A
     * URLPattern's groups are percent-decoded once; one that is not valid percent-encoding is
     * answered 400 `bad_request`, before authentication, as Express answers it. A resolver's values
     * are used as they are.
     */
    readonly params?: URLPatternLike | Resolver<TArgs, RouteParams | Promise<RouteParams>>;
    /** Where the route names its app (default: the `appId` parameter). */
    readonly appId?: Resolver<TArgs, unknown>;
    /** Where the route names its user (default: the `userId` parameter). */
    readonly userId?: Resolver<TArgs, unknown>;
    /** The client's address, where the runtime offers one (see `authenticate`'s option). */
    readonly address?: Resolver<TArgs, string | undefined>;
    /** Reject with the `AuthError` instead of resolving its `Response` (for an `onError` handler). */
    readonly passErrors?: boolean;
  };

/** A function of the request and the runtime's arguments. */
type Resolver<TArgs extends unknown[], R> = (request: Request, ...args: TArgs) => R;

/**
 * A handler wrapped by {@link requireScope}: it gets the caller's context and the route parameters.
 *
 * @example
 * ```ts
 * const handler: ScopedHandler = (_request, { params }) => Response.json({ app: { id: params.appId } });
 * ```
 */
export type ScopedHandler<TArgs extends unknown[] = []> = (
  request: Request,
  context: { readonly auth: AuthContext; readonly params: RouteParams },
  ...args: TArgs
) => Response | Promise<Response>;

/** One call of a wrapped handler: what the guard reads, and the parameters once read. */
type Exchange<TArgs> = { readonly request: Request; readonly args: TArgs; params?: RouteParams };

/**
 * Wraps `handler` so that it runs only for a caller allowed at `scope` on the route's resource.
 * Authenticates the request unless `authenticate()` already did (then its authenticator and
 * context are reused); otherwise give `authenticator` or `store` in the options.
 *
 * @throws {ConfigurationError} at set-up for an unknown scope or invalid options, and (as a
 * rejection) when no authenticator is known for a request. Refusals resolve to their `Response`
 * (or reject, with `passErrors`); errors other than `AuthError`, and the handler's own errors, are
 * rethrown.
 * @example
 * ```ts
 * import { requireScope } from '@keyscope/fetch';
 *
 * const showApp = requireScope('app', (_request, { params }) => Response.json({ app: { id: params.appId } }), {
 *   authenticator,
 *   params: new URLPattern({ pathname: '/v2/apps/:appId' }),
 * });
 * Bun.serve({ fetch: showApp });
 * ```
 */
export function requireScope<TArgs extends unknown[] = []>(
  scope: GuardScope,
  handler: ScopedHandler<TArgs>,
  options: FetchRequireScopeOptions<TArgs> = {},
): (request: Request, ...args: TArgs) => Promise<Response> {
  const { params: source, appId, userId, address, passErrors, ...guardOptions } = options;
  const call =
    <R>(resolve: Resolver<TArgs, R>) =>
    ({ request, args }: Exchange<TArgs>) =>
      resolve(request, ...args);
  const readParams = async (exchange: Exchange<TArgs>): Promise<RouteParams> =>
    (exchange.params ??= typeof source === 'function' ? await call(source)(exchange) : {});
  const access: GuardAccess<Exchange<TArgs>> = {
    request: (exchange) => toAuthRequest(exchange.request, address && call(address)(exchange)),
    resource: readParams,
    // What an authenticate() on this Request found is recorded on the Request, not the exchange.
    recordOn: ({ request }) => request,
  };
  const resolvers = { appId: appId && call(appId), userId: userId && call(userId) };
  const check = createGuard(scope, access, { ...guardOptions, ...resolvers });
  return async function scoped(request, ...args) {
    const exchange: Exchange<TArgs> = { request, args };
    if (source && typeof source !== 'function') {
      // Matched and decoded before authentication, as Express's router does.
      exchange.params = decodeRouteParams(source.exec(request.url)?.pathname.groups ?? {});
      if (exchange.params === undefined) return malformedParameter();
    }
    const auth = await check(exchange).catch((error: unknown) => refusal(error, passErrors));
    if (auth instanceof Response) return auth;
    const params = await readParams(exchange);
    return handler(request, { auth, params }, ...args);
  };
}
