/**
 * `requireScope()`: the Express route guard. It allows the request only when the caller's scope
 * reaches the route's resource (by default `req.params.appId` / `req.params.userId`), reusing the
 * context of an earlier `authenticate()` or authenticating on its own.
 */
import {
  type AuthenticateOptions,
  createGuard,
  type GuardAccess,
  type Scope,
} from '@keyscope/core';
import type { Request, RequestHandler } from 'express';
import { answer, toAuthRequest } from './internal/glue.js';

/**
 * Options of {@link requireScope}: where the route names its app and user (`appId`, `userId`),
 * the authenticator to use when no `authenticate()` ran before (`store` or `authenticator`), and
 * `passErrors`.
 */
export type ExpressRequireScopeOptions = Partial<AuthenticateOptions> & {
  /** Where the route names its app (default `req.params.appId`); a non-string names nothing. */
  readonly appId?: (req: Request) => string | readonly string[] | undefined;
  /** Where the route names its user (default `req.params.userId`); a non-string names nothing. */
  readonly userId?: (req: Request) => string | readonly string[] | undefined;
  /** Hand refusals to the app's error handler with `next(err)` instead of answering them. */
  readonly passErrors?: boolean;
};

const param = (value: unknown) => (typeof value === 'string' ? value : undefined);
const read = (resolve?: (req: Request) => unknown) =>
  resolve && ((req: Request) => param(resolve(req)));

const access: GuardAccess<Request> = {
  request: toAuthRequest,
  getContext: (req) => req.auth,
  setContext: (req, auth) => {
    req.auth = auth;
  },
  resource: (req) => ({ appId: param(req.params?.appId), userId: param(req.params?.userId) }),
};

/**
 * Express route guard: requires `scope` (`'appUser'`, `'app'` or `'account'`) on the route's app
 * and user. Put it on the route itself, so that `req.params` is filled. It authenticates the
 * request when no context is there yet (with the authenticator of an earlier `authenticate()`, or
 * its own `store`/`authenticator` option); without any authenticator it fails closed with a 500.
 * A refusal is answered (401, 403, 503...) and the route never runs.
 *
 * @throws {ConfigurationError} at set-up, for an unknown scope or invalid options.
 * @example
 * ```ts
 * app.get('/v2/apps/:appId', requireScope('app', { store }), (req, res) => {
 *   res.json({ app: { id: req.params.appId } });
 * });
 * app.get('/v2/projects/:id', requireScope('app', { store, appId: (req) => req.params.id }), handler);
 * ```
 */
export function requireScope(
  scope: Scope,
  options: ExpressRequireScopeOptions = {},
): RequestHandler {
  const { appId, userId } = options;
  const guard = createGuard(scope, access, {
    ...options,
    appId: read(appId),
    userId: read(userId),
  });
  const passErrors = options.passErrors === true;
  return function keyscopeRequireScope(req, res, next) {
    void guard(req).then(
      () => next(),
      (error: unknown) => answer(error, res, next, passErrors),
    );
  };
}
