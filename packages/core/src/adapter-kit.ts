/**
 * The adapter kit: the few pieces every framework adapter needs, so that adapters hold framework
 * glue only. An adapter turns its request into an `AuthRequest`, calls `authenticateRequest` or a
 * guard made by `createGuard`, keeps the resulting `AuthContext` where its framework keeps request
 * state, and renders any failure with `toErrorResponse`.
 */
import {
  type Authenticator,
  type AuthenticatorOptions,
  createAuthenticator,
} from './authenticate.js';
import { isScope } from './authorize.js';
import { AuthError, ConfigurationError, type ErrorBody } from './errors.js';
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

/**
 * The finished HTTP answer for an error.
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

/**
 * Turns any error into the contract's answer: an `AuthError` gives its status, headers and body;
 * anything else is a 500 `internal_error` that reveals nothing of the error. Content type is
 * `application/json` for both.
 *
 * @example
 * ```ts
 * const { status, headers, body } = toErrorResponse(error);
 * res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
 * ```
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof AuthError) {
    return { status: error.status, headers: error.headers, body: error.toBody() };
  }
  return {
    status: 500,
    headers: {},
    body: { errors: [{ code: 'internal_error', title: 'Internal server error' }] },
  };
}

const bound = new WeakMap<object, Authenticator>();

/**
 * Resolves an adapter's options to an authenticator: the one given, or a new one made from the
 * options (checked now, at set-up time).
 *
 * @throws {ConfigurationError} when the options are invalid.
 * @example
 * ```ts
 * const authenticator = resolveAuthenticator(options);
 * ```
 */
export function resolveAuthenticator(options: AuthenticateOptions): Authenticator {
  if (options !== null && typeof options === 'object' && 'authenticator' in options) {
    const given = options.authenticator;
    if (typeof given?.authenticate !== 'function' || typeof given.authorize !== 'function') {
      throw new ConfigurationError('authenticator must come from createAuthenticator()');
    }
    return given;
  }
  return createAuthenticator(options as AuthenticatorOptions);
}

/**
 * Authenticates a request for an adapter: resolves the context, or `undefined` when `optional`
 * and the request carries no `Authorization` field, and remembers which authenticator handled
 * `carrier` (the framework's request or context object) so that later guards reuse it.
 *
 * @throws {AuthError}
 * @example
 * ```ts
 * req.auth = await authenticateRequest(authenticator, req, { authorization }, false);
 * ```
 */
export async function authenticateRequest(
  authenticator: Authenticator,
  carrier: object,
  request: AuthRequest,
  optional = false,
): Promise<AuthContext | undefined> {
  bound.set(carrier, authenticator);
  return optional
    ? authenticator.authenticateOptional(request)
    : authenticator.authenticate(request);
}

/**
 * How a guard reads a framework's request. `TCarrier` is the framework's request or context.
 *
 * @example
 * ```ts
 * const access: GuardAccess<Request> = {
 *   request: (req) => ({ authorization: req.headersDistinct.authorization, method: req.method }),
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
  resource(carrier: TCarrier): Resource;
}

/**
 * Options of a route guard (`requireScope(scope, options)` in every adapter): how to find the
 * resource, and optionally the authenticator to use when no `authenticate()` ran before the guard.
 *
 * @example
 * ```ts
 * requireScope('app', { appId: (req) => req.params.id, store });
 * ```
 */
export type RequireScopeOptions<TCarrier> = Partial<AuthenticateOptions> & {
  /** Where the route names its app (default: the `appId` route parameter). */
  readonly appId?: (carrier: TCarrier) => string | undefined;
  /** Where the route names its user (default: the `userId` route parameter). */
  readonly userId?: (carrier: TCarrier) => string | undefined;
};

/**
 * Makes the framework-neutral check behind `requireScope`: it authenticates when no context is
 * there yet (with the authenticator an earlier `authenticate()` used, or its own), then authorizes
 * the context on the route's resource. Resolves the context; rejects with an `AuthError`.
 *
 * @throws {ConfigurationError} at set-up for an unknown scope or invalid options.
 * @example
 * ```ts
 * const check = createGuard('app', access, options);
 * app.get('/v2/apps/:appId', (req, res, next) => check(req).then(() => next(), next));
 * ```
 */
export function createGuard<TCarrier extends object>(
  scope: Scope,
  access: GuardAccess<TCarrier>,
  options: RequireScopeOptions<TCarrier> = {},
): (carrier: TCarrier) => Promise<AuthContext> {
  if (!isScope(scope)) throw new ConfigurationError('scope must be "appUser", "app" or "account"');
  const own =
    'authenticator' in options || 'store' in options
      ? resolveAuthenticator(options as AuthenticateOptions)
      : undefined;
  const { appId, userId } = options;
  return async function guard(carrier) {
    const authenticator = bound.get(carrier) ?? own;
    if (authenticator === undefined) {
      throw new ConfigurationError(
        'requireScope() needs authenticate() before it, or a store/authenticator option',
      );
    }
    const request = access.request(carrier);
    let context = access.getContext(carrier);
    if (context === undefined) {
      bound.set(carrier, authenticator);
      context = await authenticator.authenticate(request);
      access.setContext(carrier, context);
    }
    const named = access.resource(carrier);
    const resource: Resource = {
      appId: appId ? appId(carrier) : named.appId,
      userId: userId ? userId(carrier) : named.userId,
    };
    await authenticator.authorize(context, scope, resource, request);
    return context;
  };
}
