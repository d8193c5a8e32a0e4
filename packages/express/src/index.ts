/**
 * `@keyscope/express`: keyscope for Express 4 and 5. `authenticate()` puts the caller on
 * `req.auth`; `requireScope()` guards a route on its app and user. Everything of
 * `@keyscope/core` (stores, errors, types) is re-exported, so one import is enough.
 */
export * from '@keyscope/core';
export type { RequestAuth } from './augment.js';
export { authenticate, type ExpressAuthenticateOptions } from './authenticate.js';
export type { KeyscopeMiddleware } from './keyscope-middleware.js';
export { type ExpressRequireScopeOptions, requireScope } from './require-scope.js';
