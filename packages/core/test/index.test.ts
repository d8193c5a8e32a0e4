/**
 * Guards the public API of `@keyscope/core`: the exact list of runtime exports of `index.ts`
 * (update it on purpose when you add or remove an export), that no internal helper leaks out, and
 * type tests (`expectTypeOf`) of the shapes adapters and users rely on. The type assertions are
 * checked by `tsc` (`pnpm typecheck`), which covers the test files.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  AuthContext,
  AuthErrorCode,
  AuthenticateOptions,
  Authenticator,
  AuthRequest,
  CredentialMethod,
  ErrorBody,
  ErrorResponse,
  GuardAccess,
  KeyRecord,
  KeyStore,
  ParsedAuthorization,
  RejectionEvent,
  RejectionReason,
  Resource,
  Scope,
  TokenAlgorithm,
} from '../src/index.js';
import * as core from '../src/index.js';

describe('the export list of @keyscope/core', () => {
  it('is exactly this (sorted); update it deliberately when the public API changes', () => {
    expect(Object.keys(core).sort()).toEqual([
      'AuthError',
      'ConfigurationError',
      'CredentialsRequiredError',
      'DEFAULT_MAX_ACTIVE_KEYS_PER_APP',
      'DEFAULT_REALM',
      'DEFAULT_TOKEN_LIFETIME',
      'EntityExistsError',
      'EntityNotFoundError',
      'ForbiddenError',
      'InvalidArgumentError',
      'InvalidCredentialsError',
      'KEY_ID_PREFIXES',
      'KeyLimitError',
      'KeyNotFoundError',
      'KeyNotUsableError',
      'KeysFileError',
      'LifecycleError',
      'MAX_AUTHORIZATION_LENGTH',
      'MIN_SECRET_BYTES',
      'MalformedAuthorizationError',
      'RateLimitedError',
      'ScopeNotAllowedError',
      'StoreCorruptError',
      'StoreError',
      'StoreIoError',
      'StoreLockedError',
      'StoreUnavailableError',
      'authenticateRequest',
      'authorize',
      'basicAuthorization',
      'createAuthenticator',
      'createCachedStore',
      'createChallenges',
      'createGuard',
      'createMemoryRateLimiter',
      'createMemoryStore',
      'decodeRouteParams',
      'generateKey',
      'isAuthError',
      'isScope',
      'keyState',
      'listReachableApps',
      'openFileStore',
      'openWritableFileStore',
      'parseAuthorization',
      'readNodeRequest',
      'resolveAuthenticator',
      'signToken',
      'toErrorResponse',
      'validateKeysDocument',
    ]);
  });

  it('keeps internal machinery out', () => {
    const names = Object.keys(core);
    for (const internal of [
      'createRefusals',
      'quoteString',
      'verifyBasic',
      'verifyToken',
      'contextForKey',
      'lookupKey',
      'keyRefusal',
      'keyEnd',
      'buildSnapshot',
      'createAttemptLimit',
      'RequestRecord',
      'default',
    ]) {
      expect(names).not.toContain(internal);
    }
  });

  it('has no default export', () => {
    expect('default' in core).toBe(false);
  });
});

describe('types of the public API', () => {
  it('scopes, methods, codes and algorithms are closed unions', () => {
    expectTypeOf<Scope>().toEqualTypeOf<'appUser' | 'app' | 'account'>();
    expectTypeOf<TokenAlgorithm>().toEqualTypeOf<'HS256' | 'HS384' | 'HS512'>();
    expectTypeOf<CredentialMethod>().toEqualTypeOf<'basic' | 'jwt' | 'none'>();
    expectTypeOf<AuthErrorCode>().toEqualTypeOf<
      'bad_request' | 'unauthorized' | 'forbidden' | 'too_many_requests' | 'service_unavailable'
    >();
    expectTypeOf<'store_unavailable'>().toExtend<RejectionReason>();
    expectTypeOf<'whatever'>().not.toExtend<RejectionReason>();
  });

  it('AuthContext has the fields of the contract', () => {
    expectTypeOf<AuthContext['method']>().toEqualTypeOf<'basic' | 'jwt'>();
    expectTypeOf<AuthContext['scope']>().toEqualTypeOf<Scope>();
    expectTypeOf<AuthContext['keyId']>().toEqualTypeOf<string>();
    expectTypeOf<AuthContext['entity']['type']>().toEqualTypeOf<
      'app' | 'userAccount' | 'serviceAccount'
    >();
    expectTypeOf<AuthContext['appId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<AuthContext['userId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<AuthContext['accountId']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<AuthContext['expiresAt']>().toEqualTypeOf<Date | undefined>();
  });

  it('AuthRequest takes every raw Authorization value', () => {
    expectTypeOf<{ authorization: string[] }>().toExtend<AuthRequest>();
    expectTypeOf<{ authorization: string }>().toExtend<AuthRequest>();
    expectTypeOf<{ method: 'GET' }>().toExtend<AuthRequest>();
    expectTypeOf<{ authorization: number }>().not.toExtend<AuthRequest>();
  });

  it('the authenticator and the store are promise-based', () => {
    expectTypeOf<Authenticator['authenticate']>().returns.toEqualTypeOf<Promise<AuthContext>>();
    expectTypeOf<Authenticator['authenticateOptional']>().returns.toEqualTypeOf<
      Promise<AuthContext | undefined>
    >();
    expectTypeOf<Authenticator['authorize']>().parameters.toEqualTypeOf<
      [AuthContext, Scope, Resource?, AuthRequest?]
    >();
    expectTypeOf<KeyStore['findKey']>().returns.toEqualTypeOf<Promise<KeyRecord | undefined>>();
    expectTypeOf<KeyStore['appsFor']>().returns.toEqualTypeOf<Promise<readonly string[]>>();
    expectTypeOf(core.createAuthenticator).returns.toEqualTypeOf<Authenticator>();
  });

  it('the hooks never get a credential-bearing type', () => {
    expectTypeOf<keyof RejectionEvent>().toEqualTypeOf<'reason' | 'status' | 'method' | 'keyId'>();
  });

  it('parseAuthorization returns a discriminated union', () => {
    expectTypeOf(core.parseAuthorization).returns.toEqualTypeOf<ParsedAuthorization>();
    expectTypeOf<Extract<ParsedAuthorization, { scheme: 'basic' }>>().toHaveProperty('secret');
    expectTypeOf<Extract<ParsedAuthorization, { scheme: 'bearer' }>>().toHaveProperty('token');
  });

  it('guards are generic in the carrier and resolve the context', () => {
    interface Req {
      readonly id: number;
    }
    const access = {} as GuardAccess<Req>;
    const guard = core.createGuard('app', access, { appId: (req) => String(req.id) });
    expectTypeOf(guard).parameters.toEqualTypeOf<[Req]>();
    expectTypeOf(guard).returns.toEqualTypeOf<Promise<AuthContext>>();
    // A guard never reads a context back from the framework: there is no getContext.
    expectTypeOf<keyof GuardAccess<Req>>().toEqualTypeOf<
      'request' | 'resource' | 'setContext' | 'recordOn'
    >();
    expectTypeOf<GuardAccess<Req>['recordOn']>().toEqualTypeOf<
      ((carrier: Req) => object) | undefined
    >();
    expectTypeOf<{ authenticator: Authenticator }>().toExtend<AuthenticateOptions>();
    expectTypeOf<{ store: KeyStore; optional: true }>().toExtend<AuthenticateOptions>();
  });

  it('errors carry their status, code, headers and body', () => {
    expectTypeOf<core.AuthError['status']>().toEqualTypeOf<number>();
    expectTypeOf<core.AuthError['code']>().toEqualTypeOf<AuthErrorCode>();
    expectTypeOf<core.AuthError['headers']>().toEqualTypeOf<Readonly<Record<string, string>>>();
    expectTypeOf<core.AuthError['toBody']>().returns.toEqualTypeOf<ErrorBody>();
    expectTypeOf<core.ForbiddenError['requiredScope']>().toEqualTypeOf<Scope>();
    expectTypeOf<core.InvalidCredentialsError>().toExtend<core.AuthError>();
    expectTypeOf(core.toErrorResponse).returns.toEqualTypeOf<ErrorResponse>();
  });
});
