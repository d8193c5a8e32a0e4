/**
 * Tests of the error classes: one class per failure with its status, stable code, name, `expose`,
 * headers, private reason, key id, method and cause, detectable by `instanceof` and by `code`, and
 * `toBody()` giving the contract's JSON body with the generic title only.
 */
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  type AuthErrorCode,
  ConfigurationError,
  CredentialsRequiredError,
  ForbiddenError,
  InvalidCredentialsError,
  KeysFileError,
  MalformedAuthorizationError,
  RateLimitedError,
  StoreUnavailableError,
} from '../src/index.js';

const options = { reason: 'wrong_secret', keyId: 'k1', method: 'basic' } as const;

describe('AuthError subclasses', () => {
  it.each([
    [
      'MalformedAuthorizationError',
      () => new MalformedAuthorizationError(options),
      400,
      'bad_request',
      'Malformed Authorization header',
    ],
    [
      'CredentialsRequiredError',
      () => new CredentialsRequiredError(options),
      401,
      'unauthorized',
      'Authentication required',
    ],
    [
      'InvalidCredentialsError',
      () => new InvalidCredentialsError(options),
      401,
      'unauthorized',
      'Invalid credentials',
    ],
    [
      'ForbiddenError',
      () => new ForbiddenError('app', options),
      403,
      'forbidden',
      'Insufficient scope for this resource',
    ],
    [
      'RateLimitedError',
      () => new RateLimitedError(options),
      429,
      'too_many_requests',
      'Too many failed attempts',
    ],
    [
      'StoreUnavailableError',
      () => new StoreUnavailableError(options),
      503,
      'service_unavailable',
      'Authentication service unavailable',
    ],
  ] as const)('%s', (name, make, status, code: AuthErrorCode, title) => {
    const error = make();
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message).toBe(title);
    expect(error.expose).toBe(true);
    expect(error.reason).toBe('wrong_secret');
    expect(error.keyId).toBe('k1');
    expect(error.method).toBe('basic');
    expect(error.headers).toEqual({});
    expect(error.cause).toBeUndefined();
    expect('cause' in error).toBe(false);
    expect(error.toBody()).toEqual({ errors: [{ code, title }] });
    expect(JSON.stringify(error.toBody())).toBe(
      `{"errors":[{"code":"${code}","title":"${title}"}]}`,
    );
    expect(String(error)).toBe(`${name}: ${title}`);
  });

  it('ForbiddenError carries the required scope', () => {
    expect(new ForbiddenError('account', options).requiredScope).toBe('account');
  });

  it('keeps headers and cause, and defaults method to none', () => {
    const cause = new Error('db down');
    const error = new StoreUnavailableError({
      reason: 'store_unavailable',
      headers: { 'Retry-After': '5' },
      cause,
    });
    expect(error.headers).toEqual({ 'Retry-After': '5' });
    expect(error.cause).toBe(cause);
    expect(error.method).toBe('none');
    expect(error.keyId).toBeUndefined();
  });

  it('the body never contains the private reason or the key id', () => {
    const error = new InvalidCredentialsError({ reason: 'key_revoked', keyId: 'app_secret_id' });
    const body = JSON.stringify(error.toBody());
    expect(body).not.toContain('key_revoked');
    expect(body).not.toContain('app_secret_id');
  });

  it('the base class can be used directly', () => {
    const error = new AuthError(418, 'bad_request', 'Teapot', { reason: 'malformed_header' });
    expect(error.name).toBe('AuthError');
    expect(error.toBody()).toEqual({ errors: [{ code: 'bad_request', title: 'Teapot' }] });
  });
});

describe('KeysFileError and ConfigurationError', () => {
  it('are plain errors with their own names', () => {
    const k = new KeysFileError('keys.json: keys[0]: bad');
    expect(k).toBeInstanceOf(Error);
    expect(k).not.toBeInstanceOf(AuthError);
    expect(k.name).toBe('KeysFileError');
    expect(k.message).toBe('keys.json: keys[0]: bad');
    const c = new ConfigurationError('bad option');
    expect(c).toBeInstanceOf(Error);
    expect(c).not.toBeInstanceOf(AuthError);
    expect(c.name).toBe('ConfigurationError');
  });
});
