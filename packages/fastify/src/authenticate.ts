/**
 * `authenticate()`: the route hook that authenticates a request with the plugin's authenticator
 * and puts the caller's `AuthContext` on `request.auth`; a refused request is answered at once (or
 * thrown to Fastify's error handler, with `passErrors`) and never reaches the handler.
 */
import { authenticateRequest } from '@keyscope/core';
import { access, answer, settingsOf } from './internal/glue.js';
import type { KeyscopeHook } from './keyscope-hook.js';

/**
 * Options of {@link authenticate}.
 *
 * @example
 * ```ts
 * const options: FastifyAuthenticateOptions = { optional: true };
 * ```
 */
export interface FastifyAuthenticateOptions {
  /** Let requests without any `Authorization` field through, with `request.auth` `undefined`. */
  readonly optional?: boolean;
  /** Hand refusals to Fastify's error handler (default: the plugin's `passErrors`). */
  readonly passErrors?: boolean;
}

/**
 * A `preHandler` (or `onRequest`) hook: authenticates the request (HTTP Basic API key or Bearer
 * JWT) and sets `request.auth`. A refusal is answered with its status, `WWW-Authenticate` header
 * and JSON body, exactly `application/json`, and the handler never runs. With `optional: true`, a
 * request without any `Authorization` field passes with `request.auth` `undefined` (whatever
 * another plugin put there is not left behind); a bad one is still refused. Errors that are not
 * refusals go to Fastify's error handler; so does a route whose context has no plugin (a 500).
 *
 * @example
 * ```ts
 * app.get('/v2/whoami', { preHandler: authenticate() }, async (request) => request.auth);
 * ```
 */
export function authenticate(options: FastifyAuthenticateOptions = {}): KeyscopeHook {
  const optional = options.optional === true;
  return async function keyscopeAuthenticate(request, reply) {
    const { authenticator, passErrors } = settingsOf(request);
    try {
      const auth = await authenticateRequest(
        authenticator,
        request,
        access.request(request),
        optional,
      );
      request.auth = auth; // undefined too: nothing another plugin put there stays
    } catch (error) {
      return answer(error, reply, options.passErrors ?? passErrors);
    }
  };
}
