/**
 * `isAuthError` and the `Symbol.for('keyscope.AuthError')` brand: every keyscope error carries it
 * (on the prototype, so it never shows in spreads, JSON or logs), and an error made by a second
 * copy of the module (as when one process loads both the ESM and the CommonJS build) is recognised
 * where `instanceof` fails.
 */
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  ConfigurationError,
  CredentialsRequiredError,
  ForbiddenError,
  InvalidCredentialsError,
  isAuthError,
  KeysFileError,
  MalformedAuthorizationError,
  RateLimitedError,
  StoreUnavailableError,
  toErrorResponse,
} from '../src/index.js';

const BRAND = Symbol.for('keyscope.AuthError');

describe('isAuthError', () => {
  it.each([
    ['AuthError', new AuthError(401, 'unauthorized', 'x', { reason: 'unknown_key' })],
    [
      'MalformedAuthorizationError',
      new MalformedAuthorizationError({ reason: 'malformed_header' }),
    ],
    ['CredentialsRequiredError', new CredentialsRequiredError({ reason: 'missing_credentials' })],
    ['InvalidCredentialsError', new InvalidCredentialsError({ reason: 'wrong_secret' })],
    ['ForbiddenError', new ForbiddenError('app', { reason: 'insufficient_scope' })],
    ['RateLimitedError', new RateLimitedError({ reason: 'rate_limited' })],
    ['StoreUnavailableError', new StoreUnavailableError({ reason: 'store_unavailable' })],
  ])('is true for %s', (_l, error) => {
    expect(isAuthError(error)).toBe(true);
    expect((error as unknown as Record<symbol, unknown>)[BRAND]).toBe(true);
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['ConfigurationError', new ConfigurationError('x')],
    ['KeysFileError', new KeysFileError('x')],
    ['a look-alike without the brand', { status: 401, code: 'unauthorized', toBody: () => ({}) }],
    ['a brand that is not true', { [BRAND]: 1 }],
    ['a brand under a private symbol', { [Symbol('keyscope.AuthError')]: true }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'AuthError'],
    ['a number', 401],
  ])('is false for %s', (_l, value) => {
    expect(isAuthError(value)).toBe(false);
  });

  it('keeps the brand out of own keys, JSON and spreads', () => {
    const error = new ForbiddenError('app', { reason: 'insufficient_scope' });
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(BRAND in { ...error }).toBe(false);
    expect(JSON.stringify(error)).not.toContain('keyscope');
  });

  it('recognises the errors of a second copy of the module, which instanceof does not', async () => {
    // A fresh module instance: what a process that loads both builds of keyscope holds.
    const specifier = '../src/errors.js?second-copy';
    const copy = (await import(specifier)) as typeof import('../src/errors.js');
    expect(copy.AuthError).not.toBe(AuthError);
    const foreign = new copy.ForbiddenError('app', { reason: 'resource_not_allowed' });
    expect(foreign instanceof AuthError).toBe(false);
    expect(isAuthError(foreign)).toBe(true);
    expect(copy.isAuthError(new InvalidCredentialsError({ reason: 'wrong_secret' }))).toBe(true);
    expect(toErrorResponse(foreign)).toEqual({
      status: 403,
      headers: { 'Content-Type': 'application/json' },
      body: { errors: [{ code: 'forbidden', title: 'Insufficient scope for this resource' }] },
    });
  });

  it('narrows to AuthError', () => {
    const value: unknown = new RateLimitedError({
      reason: 'rate_limited',
      headers: { 'Retry-After': '3' },
    });
    if (!isAuthError(value)) throw new Error('not narrowed');
    expect(value.headers['Retry-After']).toBe('3');
  });
});
