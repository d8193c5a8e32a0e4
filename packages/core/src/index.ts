/**
 * `@keyscope/core`: API-key authentication (HTTP Basic and HS256 JWT) and scoped authorization for
 * any Node.js HTTP API, with no framework in it. Start with `createAuthenticator` and a store.
 */
export {
  type AuthenticateOptions,
  authenticateRequest,
  createGuard,
  type GuardAccess,
  type GuardScope,
  type NamedResource,
  type RequireScopeOptions,
  resolveAuthenticator,
} from './adapter-kit.js';
export {
  type Authenticator,
  type AuthenticatorOptions,
  createAuthenticator,
  type RejectionEvent,
} from './authenticate.js';
export { type AuthorizeOptions, authorize, isScope } from './authorize.js';
export { type Challenges, createChallenges, DEFAULT_REALM } from './challenge.js';
export {
  AuthError,
  type AuthErrorCode,
  type AuthErrorOptions,
  ConfigurationError,
  type CredentialMethod,
  CredentialsRequiredError,
  type ErrorBody,
  ForbiddenError,
  InvalidCredentialsError,
  isAuthError,
  KeysFileError,
  MalformedAuthorizationError,
  RateLimitedError,
  type RejectionReason,
  StoreUnavailableError,
} from './errors.js';
export { listReachableApps } from './list-reachable-apps.js';
export {
  MAX_AUTHORIZATION_LENGTH,
  type ParseAuthorizationOptions,
  type ParsedAuthorization,
  parseAuthorization,
} from './parse-authorization.js';
export {
  createMemoryRateLimiter,
  type MemoryRateLimiter,
  type MemoryRateLimiterOptions,
  type RateLimitAttempt,
  type RateLimitDecision,
  type RateLimiter,
} from './rate-limit.js';
export { type NodeRequestLike, readNodeRequest } from './read-node-request.js';
export { type FileKeyStore, type FileStoreOptions, openFileStore } from './stores/file.js';
export {
  type AppEntry,
  type KeyEntry,
  type KeysDocument,
  type ServiceAccountEntry,
  validateKeysDocument,
} from './stores/keys-document.js';
export { createMemoryStore, type MemoryKeyStore } from './stores/memory.js';
export { type ErrorResponse, toErrorResponse } from './to-error-response.js';
export type {
  AuthContext,
  AuthRequest,
  Entity,
  EntityType,
  KeyRecord,
  KeyStore,
  Resource,
  Scope,
} from './types.js';
export type { TokenAlgorithm, TokenCacheOptions } from './verify-token.js';

/* --- Key lifecycle (issue 5): key generation, client helpers, writable stores, caching. --- */

export { type BasicCredentials, basicAuthorization } from './basic-authorization.js';
export {
  type CachedKeyStore,
  type CachedStoreOptions,
  createCachedStore,
} from './cached-store.js';
export {
  type GeneratedKey,
  type GenerateKeyOptions,
  generateKey,
  KEY_ID_PREFIXES,
  MIN_SECRET_BYTES,
} from './generate-key.js';
export {
  EntityExistsError,
  EntityNotFoundError,
  InvalidArgumentError,
  KeyLimitError,
  KeyNotFoundError,
  KeyNotUsableError,
  LifecycleError,
  type LifecycleErrorCode,
  ScopeNotAllowedError,
  StoreCorruptError,
  StoreError,
  StoreIoError,
  StoreLockedError,
} from './lifecycle-errors.js';
export {
  DEFAULT_MAX_ACTIVE_KEYS_PER_APP,
  type KeyState,
  keyState,
} from './rules/key-state.js';
export {
  DEFAULT_TOKEN_LIFETIME,
  type SigningKey,
  type SignTokenOptions,
  signToken,
} from './sign-token.js';
export type {
  CreatedKey,
  CreateKeyInput,
  KeyFilter,
  KeyInfo,
  WritableKeyStore,
} from './stores/writable.js';
export {
  openWritableFileStore,
  type WritableFileKeyStore,
  type WritableFileStoreOptions,
} from './stores/writable-file.js';

/* --- End of the key lifecycle block. --- */
