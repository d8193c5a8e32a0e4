/**
 * `@keyscope/fetch`: keyscope for runtimes built on the Web `Request` and `Response` (Hono, Bun,
 * Deno, Next.js route handlers). `authenticate` a request to an `AuthContext` or a ready refusal,
 * wrap handlers with `requireScope`, and render any error with `toResponse`. Everything of
 * `@keyscope/core` (stores, errors, types) is re-exported, so one import is enough.
 */
export * from '@keyscope/core';
export { type AuthResult, authenticate, type FetchAuthenticateOptions } from './authenticate.js';
export type { FetchRequireScopeOptions, RouteParams, ScopedHandler } from './require-scope.js';
export { requireScope, type URLPatternLike } from './require-scope.js';
export { toResponse } from './to-response.js';
