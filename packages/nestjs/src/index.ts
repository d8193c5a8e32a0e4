/**
 * `@keyscope/nestjs`: keyscope for NestJS 12, on its Express and Fastify platforms. Import
 * `KeyscopeModule.forRoot({ store })`, guard routes with `@RequireScope(scope)` and take the caller
 * with `@Auth()`. Everything of `@keyscope/core` (stores, errors, types) is re-exported, so one
 * import is enough.
 */
export * from '@keyscope/core';
export { Auth } from './auth.js';
export { KeyscopeExceptionFilter } from './keyscope-exception-filter.js';
export { KeyscopeGuard } from './keyscope-guard.js';
export {
  type KeyscopeAuthenticatorOptions,
  KeyscopeModule,
  type KeyscopeModuleAsyncOptions,
  type KeyscopeModuleOptions,
} from './keyscope-module.js';
export { type NestRequireScopeOptions, type RequiredScope, RequireScope } from './require-scope.js';
export { KEYSCOPE_AUTHENTICATOR } from './tokens.js';
