/**
 * `authenticate()`: the Express middleware that authenticates every request it sees, puts the
 * caller's `AuthContext` on `req.auth` and calls `next()`; a refused request is answered at once
 * (or handed to the app's error handler with `passErrors`) and never reaches the route.
 */
import {
  type AuthenticateOptions,
  authenticateRequest,
  readNodeRequest,
  resolveAuthenticator,
} from '@keyscope/core';
import { answer } from './internal/glue.js';
import type { KeyscopeMiddleware } from './keyscope-middleware.js';

/**
 * Options of {@link authenticate}: an `authenticator` (or the options to create one: `store`,
 * `realm`, ...), `optional`, and `passErrors`.
 *
 * @example
 * ```ts
 * const options: ExpressAuthenticateOptions = { authenticator, optional: true, passErrors: true };
 * ```
 */
export type ExpressAuthenticateOptions = AuthenticateOptions & {
  /**
   * Hand refusals to the app's error handler with `next(err)` instead of answering them (default
   * `false`). The `AuthError` carries `status`, `headers` and `toBody()`.
   */
  readonly passErrors?: boolean;
};

/**
 * Express middleware: authenticates the request (HTTP Basic API key or Bearer JWT), sets
 * `req.auth`, calls `next()`. A refusal is answered with its status, `WWW-Authenticate` header and
 * JSON body (`{"errors":[{"code","title"}]}`) and the route never runs. With `optional: true`, a
 * request without any `Authorization` field passes with `req.auth` `undefined` (whatever another
 * library put there is not left behind); a bad one is still refused.
 * Errors other than refusals (bugs, a broken hook) go to `next(err)`. The middleware is generic,
 * so that Express still infers `req.params` (and the rest) for the handlers after it.
 *
 * @throws {ConfigurationError} at set-up, when the options are invalid (no store...).
 * @example
 * ```ts
 * import express from 'express';
 * import { authenticate, createMemoryStore } from '@keyscope/express';
 *
 * const app = express();
 * app.use('/v2', authenticate({ store: createMemoryStore(keysDocument) }));
 * app.get('/v2/whoami', (req, res) => res.json({ keyId: req.auth?.keyId }));
 * ```
 */
export function authenticate(options: ExpressAuthenticateOptions): KeyscopeMiddleware {
  const authenticator = resolveAuthenticator(options);
  const optional = options.optional === true;
  const passErrors = options.passErrors === true;
  return function keyscopeAuthenticate(req, res, next) {
    void authenticateRequest(authenticator, req, readNodeRequest(req), optional).then(
      (auth) => {
        req.auth = auth; // undefined too: nothing another library put there stays
        next();
      },
      (error: unknown) => answer(error, res, next, passErrors),
    );
  };
}
