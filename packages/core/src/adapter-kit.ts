/**
 * The adapter kit: the few pieces every framework adapter needs, so that adapters hold framework
 * glue only. An adapter turns its request into an `AuthRequest` (`readNodeRequest` does it for
 * anything built on Node's `http`), calls `authenticateRequest` or a guard made by `createGuard`,
 * publishes the resulting `AuthContext` where its framework keeps request state, and renders any
 * failure with `toErrorResponse`. Which authenticator handled a request, and the context it made,
 * is kept in keyscope's own record of that request (`internal/request-record.ts`), written by
 * `authenticateRequest` and read by guards: a guard after an adapter's `authenticate()` reuses
 * them, and never trusts a context it finds in the framework's slot (`req.auth`), which another
 * library, or a context copied from another request, may fill.
 */
import {
  type Authenticator,
  type AuthenticatorOptions,
  createAuthenticator,
} from './authenticate.js';
import { isScope } from './authorize.js';
import { ConfigurationError } from './errors.js';
import { RequestRecord } from './internal/request-record.js';
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

function isAuthenticator(value: unknown): value is Authenticator {
  const candidate = value as Partial<Authenticator> | null | undefined;
  return typeof candidate?.authenticate === 'function' && typeof candidate.authorize === 'function';
}

/**
 * The authenticators made from options objects, so that each object makes one. The one
 * module-level map of the kit, and it decides nothing about a request: `@keyscope/fetch`'s
 * `authenticate(request, options)` resolves its options on every request, and without this each
 * request would get a new authenticator with an empty verified-token cache (and the work of
 * checking the options again). The test that needs it: `packages/core/test/adapter-kit.test.ts`
 * ("makes one authenticator per options object").
 */
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
 * and the request carries no `Authorization` field. It records on `carrier` (the framework's
 * request or context object, the one that stands for this request) which authenticator handled
 * it and the context it made: that record, which nothing but the kit can write and which speaks
 * for `carrier` alone, is what a later guard on the same request trusts and reuses. The adapter
 * still publishes the result where its framework keeps request state (`req.auth = context`,
 * also when it is `undefined`, so that nothing another library put there stays behind).
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
  let context: AuthContext | undefined;
  try {
    context = optional
      ? await authenticator.authenticateOptional(request)
      : await authenticator.authenticate(request);
  } catch (error) {
    // A refused request keeps no earlier context: a later guard authenticates it again.
    RequestRecord.write(carrier, authenticator, undefined);
    throw error;
  }
  RequestRecord.write(carrier, authenticator, context);
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
 * How a guard reads a framework's request. `TCarrier` is what the guard is called with: the
 * framework's request or context, or any object the adapter builds per call. `resource` may be
 * async. The guard never reads a context from the framework: it trusts only keyscope's record of
 * the request (see {@link authenticateRequest}), and publishes the context it checked with
 * `setContext`, over whatever another library put there.
 *
 * @example
 * ```ts
 * const access: GuardAccess<Request> = {
 *   request: readNodeRequest,
 *   setContext: (req, auth) => { req.auth = auth; },
 *   resource: (req) => ({ appId: req.params.appId, userId: req.params.userId }),
 * };
 * ```
 */
export interface GuardAccess<TCarrier> {
  /** The neutral request: every raw `Authorization` value, the method, the client's address. */
  request(carrier: TCarrier): AuthRequest;
  /** The app and user the route names (may be async). */
  resource(carrier: TCarrier): NamedResource | Promise<NamedResource>;
  /**
   * Publishes the caller the guard let through where the framework's handlers read it
   * (`req.auth = context`). Leave it out when the adapter hands the guard's result to the
   * handler itself.
   */
  setContext?(carrier: TCarrier, context: AuthContext): void;
  /**
   * The object that stands for the request, on which keyscope keeps its record of it, when that
   * is not the carrier itself: `@keyscope/fetch` calls its guards with a per-call object and
   * gives the `Request` inside it here, so that a guard reuses what an `authenticate()` on that
   * `Request` found. Default: the carrier.
   */
  recordOn?(carrier: TCarrier): object;
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
 * Makes the framework-neutral check behind `requireScope`. When keyscope already authenticated
 * this very request (an adapter's `authenticate()`, an earlier guard), it reuses that context and
 * the authenticator that made it; otherwise it authenticates the request with that authenticator
 * (after an optional `authenticate()` found no credentials) or its own. A context in the
 * framework's slot that keyscope did not record for this request is never trusted. It then
 * publishes the context (`access.setContext`) and, unless `scope` is `'any'`, authorizes it on
 * the route's resource. Resolves the context; rejects with an `AuthError`.
 *
 * @throws {ConfigurationError} at set-up for an unknown scope or invalid options; as a rejection
 * (a 500, never a pass) when a request reaches the guard with no authenticator known for it.
 * @example
 * ```ts
 * const check = createGuard('app', access, { authenticator });
 * app.get('/v2/apps/:appId', (req, res, next) => check(req).then(() => next(), next));
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
    const holder = access.recordOn?.(carrier) ?? carrier;
    const record = RequestRecord.read(holder);
    const authenticator = record?.authenticator ?? own;
    if (authenticator === undefined) {
      throw new ConfigurationError(
        'requireScope() needs authenticate() before it, or a store/authenticator option',
      );
    }
    const request = access.request(carrier);
    const context =
      record?.context ?? (await authenticateRequest(authenticator, holder, request, false));
    access.setContext?.(carrier, context);
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
