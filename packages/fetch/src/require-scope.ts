/**
 * `requireScope(scope, handler, options)`: wraps a fetch handler so that it runs only for callers
 * allowed at `scope` on the route's resource. The route's parameters (`appId`, `userId`) come from
 * a resolver or a URLPattern-like matcher, since a Web `Request` carries no route parameters. A
 * refusal answers the contract's `Response` and the handler never runs.
 */
import {
  type AuthContext,
  AuthError,
  type AuthenticateOptions,
  createGuard,
  type GuardAccess,
  type Scope,
} from '@keyscope/core';
import { contexts, toAuthRequest } from './internal/state.js';
import { toResponse } from './to-response.js';

/** Route parameters, as a router or a pattern gives them. */
export type RouteParams = Readonly<Record<string, string | undefined>>;

/**
 * Anything shaped like `URLPattern` (`new URLPattern({ pathname: '/v2/apps/:appId' })`): its
 * `exec(url)` result's `pathname.groups` become the route parameters.
 *
 * @example
 * ```ts
 * const pattern: URLPatternLike = new URLPattern({ pathname: '/v2/apps/:appId' });
 * ```
 */
export interface URLPatternLike {
  exec(input: string): { readonly pathname: { readonly groups: RouteParams } } | null;
}

/** `Omit` for each member of a union (a plain `Omit` keeps only the keys common to all). */
type WithoutOptional<T> = T extends unknown ? Omit<T, 'optional'> : never;

/**
 * Options of {@link requireScope}. `TArgs` are the arguments the runtime passes after the request
 * (a Hono `Context`, Next.js' `{ params }`, a Worker's `env`...), handed on to `params` and the handler.
 *
 * @example
 * ```ts
 * const options: FetchRequireScopeOptions<[{ params: Promise<{ appId: string }> }]> = {
 *   authenticator,
 *   params: (_request, route) => route.params,
 * };
 * ```
 */
export type FetchRequireScopeOptions<TArgs extends unknown[] = []> = Partial<
  WithoutOptional<AuthenticateOptions>
> & {
  /** Where the route parameters come from (default: none, so app-scoped routes are refused). */
  readonly params?:
    | URLPatternLike
    | ((request: Request, ...args: TArgs) => RouteParams | Promise<RouteParams>);
  /** Where the route names its app (default: the `appId` parameter). */
  readonly appId?: (request: Request) => string | undefined;
  /** Where the route names its user (default: the `userId` parameter). */
  readonly userId?: (request: Request) => string | undefined;
};

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

const routeParams = new WeakMap<Request, RouteParams>();
const access: GuardAccess<Request> = {
  request: toAuthRequest,
  getContext: (request) => contexts.get(request),
  setContext: (request, auth) => contexts.set(request, auth),
  resource: (request) => {
    const params = routeParams.get(request);
    return { appId: params?.appId, userId: params?.userId };
  },
};

/**
 * Wraps `handler` so that it runs only for a caller allowed at `scope` on the route's resource.
 * Authenticates the request unless `authenticate()` already did (then its authenticator and
 * context are reused); otherwise give `authenticator` or `store` in the options.
 *
 * @throws {ConfigurationError} at set-up for an unknown scope or invalid options, and (as a
 * rejection) when no authenticator is known for a request. Refusals resolve to their `Response`;
 * errors other than `AuthError`, and the handler's own errors, are rethrown.
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
  scope: Scope,
  handler: ScopedHandler<TArgs>,
  options: FetchRequireScopeOptions<TArgs> = {},
): (request: Request, ...args: TArgs) => Promise<Response> {
  const { params: source, ...guardOptions } = options;
  const check = createGuard(scope, access, guardOptions);
  return async function scoped(request, ...args) {
    const params =
      source === undefined
        ? {}
        : typeof source === 'function'
          ? await source(request, ...args)
          : (source.exec(request.url)?.pathname.groups ?? {});
    let auth: AuthContext;
    try {
      routeParams.set(request, params);
      auth = await check(request);
    } catch (error) {
      if (error instanceof AuthError) return toResponse(error);
      throw error;
    }
    return handler(request, { auth, params }, ...args);
  };
}
