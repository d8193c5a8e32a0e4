/**
 * `@keyscope/koa`: keyscope for Koa 2 and 3. `authenticate()` puts the caller on
 * `ctx.state.auth`; `requireScope()` guards a `@koa/router` route on its app and user. Everything
 * of `@keyscope/core` (stores, errors, types) is re-exported, so one import is enough.
 */
export * from '@keyscope/core';
export type { StateAuth } from './augment.js';
export { authenticate, type KoaAuthenticateOptions } from './authenticate.js';
export { type KoaRequireScopeOptions, requireScope } from './require-scope.js';
