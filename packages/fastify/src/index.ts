/**
 * `@keyscope/fastify`: keyscope for Fastify 4 and 5. Register the `keyscope` plugin with a store,
 * then guard routes with the `requireScope()` and `authenticate()` hooks, which put the caller on
 * `request.auth`. Everything of `@keyscope/core` (stores, errors, types) is re-exported, so one
 * import is enough.
 */
export * from '@keyscope/core';
export type { RequestAuth } from './augment.js';
export { authenticate, type FastifyAuthenticateOptions } from './authenticate.js';
export type { KeyscopeHook } from './keyscope-hook.js';
export { type KeyscopePluginOptions, type KeyscopeSettings, keyscope } from './plugin.js';
export { type FastifyRequireScopeOptions, requireScope } from './require-scope.js';
