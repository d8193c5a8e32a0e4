/**
 * `@keyscope/fetch`: keyscope for runtimes built on the Web `Request` and `Response` (Hono, Bun,
 * Deno, Next.js route handlers, Cloudflare Workers with Node.js compatibility). `authenticate` a
 * request to an `AuthContext` or a ready refusal, wrap handlers with `requireScope`, and render
 * any error with `toResponse`. Core's types and errors are re-exported.
 */
export {
  type AuthContext,
  AuthError,
  type AuthErrorCode,
  type AuthenticateOptions,
  type Authenticator,
  type AuthenticatorOptions,
  ConfigurationError,
  CredentialsRequiredError,
  createAuthenticator,
  createMemoryStore,
  ForbiddenError,
  InvalidCredentialsError,
  type KeyStore,
  MalformedAuthorizationError,
  RateLimitedError,
  type Resource,
  type Scope,
  StoreUnavailableError,
} from '@keyscope/core';
export { type AuthResult, authenticate } from './authenticate.js';
export {
  type RequireScopeOptions,
  type RouteParams,
  requireScope,
  type ScopedHandler,
  type URLPatternLike,
} from './require-scope.js';
export { toResponse } from './to-response.js';
