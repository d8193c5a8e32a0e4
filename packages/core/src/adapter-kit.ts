/**
 * The adapter kit: the few pieces every framework adapter needs, so that adapters hold framework
 * glue only. An adapter turns its request into an `AuthRequest` (`readNodeRequest` does it for
 * anything built on Node's `http`), calls `authenticateRequest` or a guard made by `createGuard`,
 * keeps the resulting `AuthContext` where its framework keeps request state, and renders any
 * failure with `toErrorResponse`. The kit remembers which authenticator handled a request (by the
 * framework's request object, and by the context it produced), so that a guard placed after an
 * adapter's `authenticate()` reuses it.
 */
import {
  type Authenticator,
  type AuthenticatorOptions,
  createAuthenticator,
} from './authenticate.js';
import { isScope } from './authorize.js';
import { ConfigurationError } from './errors.js';
import type { AuthContext, AuthRequest, Resource, Scope } from './types.js';

/**
 * What an adapter's `authenticate()` accepts: an existing authenticator, or the options to create
 * one, plus `optional` (let requests without credentials through, with no context).
 *
 * @example
 * ```ts
 * const options: AuthenticateOptions = { store, optional: true };
 * ```
 */
export type AuthenticateOptions = (
  | AuthenticatorOptions
  | { readonly authenticator: Authenticator }
) & {
  /** Let requests without any `Authorization` field through unauthenticated (default `false`). */
  readonly optional?: boolean;
};

/** The authenticator of a framework request (the "carrier") that `authenticateRequest` handled. */
const byCarrier = new WeakMap<object, Authenticator>();
/** The authenticator that produced a context: the one that must also authorize it. */
const byContext = new WeakMap<AuthContext, Authenticator>();

function isAuthenticator(value: unknown): value is Authenticator {
  const candidate = value as Partial<Authenticator> | null | undefined;
  return typeof candidate?.authenticate === 'function' && typeof candidate.authorize === 'function';
}

/** The authenticators made from options objects, so that each object makes one. */
const made = new WeakMap<object, Authenticator>();

/**
 * Resolves an adapter's options to an authenticator: an authenticator given directly or as
 * `{ authenticator }`, or one made from the options (checked now, at set-up time). The same
 * options object always resolves to the same authenticator, so an adapter that is handed options
 * on every request (such as `@keyscope/fetch`'s `authenticate(request, options)`) makes only one.
 *
 * @throws {ConfigurationError} when the options are invalid.
 * @example
 * ```ts
 * const authenticator = resolveAuthenticator(options); // options, { authenticator } or an authenticator
 * ```
 */
export function resolveAuthenticator(options: AuthenticateOptions | Authenticator): Authenticator {
  if (isAuthenticator(options)) return options;
  if (options !== null && typeof options === 'object' && 'authenticator' in options) {
    if (!isAuthenticator(options.authenticator)) {
      throw new ConfigurationError('authenticator must come from createAuthenticator()');
    }
    return options.authenticator;
  }
  const known = typeof options === 'object' && options !== null ? made.get(options) : undefined;
  if (known !== undefined) return known;
  const authenticator = createAuthenticator(options as AuthenticatorOptions);
  made.set(options, authenticator);
  return authenticator;
}

/**
 * Authenticates a request for an adapter: resolves the context, or `undefined` when `optional`
 * and the request carries no `Authorization` field. It remembers which authenticator handled
 * `carrier` (the framework's request or context object) and the context, so that later guards
 * on the same request reuse that authenticator.
 *
 * @throws {AuthError} (as a rejection) 400, 401 or 503 when the request is refused.
 * @example
 * ```ts
 * req.auth = await authenticateRequest(authenticator, req, readNodeRequest(req)); // AuthContext
 * const maybe = await authenticateRequest(authenticator, req, readNodeRequest(req), true);
 * ```
 */
export function authenticateRequest(
  authenticator: Authenticator,
  carrier: object,
  request: AuthRequest,
  optional?: false,
): Promise<AuthContext>;
export function authenticateRequest(
  authenticator: Authenticator,
  carrier: object,
  request: AuthRequest,
  optional: boolean,
): Promise<AuthContext | undefined>;
export async function authenticateRequest(
  authenticator: Authenticator,
  carrier: object,
  request: AuthRequest,
  optional = false,
): Promise<AuthContext | undefined> {
  byCarrier.set(carrier, authenticator);
  const context = optional
    ? await authenticator.authenticateOptional(request)
    : await authenticator.authenticate(request);
  if (typeof context === 'object' && context !== null) byContext.set(context, authenticator);
  return context;
}

/**
 * What a guard requires: a scope on the route's resource, or `'any'` valid credential (for
 * routes such as `/v2/whoami` that serve every caller).
 *
 * @example
 * ```ts
 * const scopes: GuardScope[] = ['any', 'appUser', 'app', 'account'];
 * ```
 */
export type GuardScope = Scope | 'any';

/**
 * The app and user a route names, as the framework gives them. Values that are not strings are
 * handled by the guard (see {@link RequireScopeOptions}).
 *
 * @example
 * ```ts
 * const named: NamedResource = { appId: req.params.appId, userId: req.params.userId };
 * ```
 */
export interface NamedResource {
  readonly appId?: unknown;
  readonly userId?: unknown;
}

/**
 * How a guard reads a framework's request. `TCarrier` is the framework's request or context (or
 * any object the adapter builds per request). `resource` may be async.
 *
 * @example
 * ```ts
 * const access: GuardAccess<Request> = {
 *   request: readNodeRequest,
 *   getContext: (req) => req.auth,
 *   setContext: (req, auth) => { req.auth = auth; },
 *   resource: (req) => ({ appId: req.params.appId, userId: req.params.userId }),
 * };
 * ```
 */
export interface GuardAccess<TCarrier> {
  request(carrier: TCarrier): AuthRequest;
  getContext(carrier: TCarrier): AuthContext | undefined;
  setContext(carrier: TCarrier, context: AuthContext): void;
  resource(carrier: TCarrier): NamedResource | Promise<NamedResource>;
}

/**
 * Options of a route guard (`requireScope(scope, options)` in every adapter): how to find the
 * resource, and optionally the authenticator to use when no `authenticate()` ran before the guard.
 *
 * Resolvers (and `GuardAccess.resource`) may return anything, or a promise of it: a string names
 * the app or user; `undefined` or `null` names none (a route that requires `app` or `appUser` is
 * then refused); any other value (a number, an array of repeated parameters...) names a resource
 * that cannot exist, so the guard refuses it at every scope (fail closed).
 *
 * @example
 * ```ts
 * requireScope('app', { appId: (req) => req.params.id, store });
 * ```
 */
export type RequireScopeOptions<TCarrier> = Partial<AuthenticateOptions> & {
  /** Where the route names its app (default: the `appId` route parameter). */
  readonly appId?: (carrier: TCarrier) => unknown;
  /** Where the route names its user (default: the `userId` route parameter). */
  readonly userId?: (carrier: TCarrier) => unknown;
};

/** A string names a resource, nothing names none; anything else goes on, to be refused. */
const named = (value: unknown) => (value === null ? undefined : (value as string | undefined));

/**
 * Makes the framework-neutral check behind `requireScope`: it authenticates when no context is
 * there yet (with the authenticator an earlier `authenticate()` used, or its own), then, unless
 * `scope` is `'any'`, authorizes the context on the route's resource. Resolves the context;
 * rejects with an `AuthError`.
 *
 * @throws {ConfigurationError} at set-up for an unknown scope or invalid options; as a rejection
 * when a request reaches the guard with no authenticator known for it.
 * @example
 * ```ts
 * const check = createGuard('app', access, { authenticator });
 * app.get('/v2/apps/:appId', (req, res, next) => check(req).then(() => next(), next));
 * const whoami = createGuard('any', access, { authenticator });
 * ```
 */
export function createGuard<TCarrier extends object>(
  scope: GuardScope,
  access: GuardAccess<TCarrier>,
  options: RequireScopeOptions<TCarrier> = {},
): (carrier: TCarrier) => Promise<AuthContext> {
  if (scope !== 'any' && !isScope(scope)) {
    throw new ConfigurationError('scope must be "appUser", "app", "account" or "any"');
  }
  const own =
    'authenticator' in options || 'store' in options
      ? resolveAuthenticator(options as AuthenticateOptions)
      : undefined;
  const { appId, userId } = options;
  return async function guard(carrier) {
    let context = access.getContext(carrier);
    const authenticator =
      byCarrier.get(carrier) ?? (context === undefined ? undefined : byContext.get(context)) ?? own;
    if (authenticator === undefined) {
      if (scope === 'any' && context !== undefined) return context;
      throw new ConfigurationError(
        'requireScope() needs authenticate() before it, or a store/authenticator option',
      );
    }
    const request = access.request(carrier);
    if (context === undefined) {
      context = await authenticateRequest(authenticator, carrier, request);
      access.setContext(carrier, context);
    }
    if (scope === 'any') return context;
    const route = appId && userId ? undefined : await access.resource(carrier);
    const resource: Resource = {
      appId: named(appId ? await appId(carrier) : route?.appId),
      userId: named(userId ? await userId(carrier) : route?.userId),
    };
    await authenticator.authorize(context, scope, resource, request);
    return context;
  };
}
