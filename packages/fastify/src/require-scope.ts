/**
 * `requireScope()`: the Fastify route guard. It lets a request through only when the caller's
 * scope reaches the route's resource (by default `request.params.appId` / `request.params.userId`),
 * or, with `'any'`, any valid credential. It reuses what an earlier `authenticate()` hook found for
 * this very request (never a `request.auth` another plugin wrote) or authenticates the request
 * with the plugin's authenticator.
 */
import {
  type AuthContext,
  type Authenticator,
  createGuard,
  type GuardScope,
  type RequireScopeOptions,
} from '@keyscope/core';
import type { FastifyRequest } from 'fastify';
import { access, answer, settingsOf } from './internal/glue.js';
import type { KeyscopeHook } from './keyscope-hook.js';

/**
 * Options of {@link requireScope}: where the route names its app and user, and `passErrors`.
 * Resolvers may return anything (or a promise of it): only a string names a resource.
 *
 * @example
 * ```ts
 * const options: FastifyRequireScopeOptions = { appId: (request) => request.headers['x-app'] };
 * ```
 */
export type FastifyRequireScopeOptions = Pick<
  RequireScopeOptions<FastifyRequest>,
  'appId' | 'userId'
> & {
  /** Hand refusals to Fastify's error handler (default: the plugin's `passErrors`). */
  readonly passErrors?: boolean;
};

/**
 * A `preHandler` (or `onRequest`) hook that requires `scope` (`'appUser'`, `'app'` or `'account'`)
 * on the route's app and user, or `'any'` valid credential, and sets `request.auth` to the caller
 * it checked. A refusal (401, 403, 503...) is answered and the handler never runs. A route that
 * requires `app` or `appUser` and names no app is refused (403). In `onRequest`, route parameters
 * are already known; a refused caller's body is then never read.
 *
 * @throws {ConfigurationError} at set-up, for an unknown scope.
 * @example
 * ```ts
 * app.get('/v2/apps/:appId', { preHandler: requireScope('app') }, async (request) => ({
 *   app: { id: (request.params as { appId: string }).appId },
 * }));
 * ```
 */
export function requireScope(
  scope: GuardScope,
  options: FastifyRequireScopeOptions = {},
): KeyscopeHook {
  const { appId, userId } = options;
  const guardOf = (authenticator?: Authenticator) =>
    createGuard(scope, access, { appId, userId, ...(authenticator && { authenticator }) });
  guardOf(); // checks the scope now, at set-up
  // One guard per authenticator: a hook may serve several apps, each with its own plugin.
  const guards = new WeakMap<Authenticator, (request: FastifyRequest) => Promise<AuthContext>>();
  return async function keyscopeRequireScope(request, reply) {
    const { authenticator, passErrors } = settingsOf(request);
    const guard = guards.get(authenticator) ?? guardOf(authenticator);
    guards.set(authenticator, guard);
    try {
      await guard(request);
    } catch (error) {
      return answer(error, reply, options.passErrors ?? passErrors);
    }
  };
}
