/**
 * `toErrorResponse`: an `AuthError` (of this copy of keyscope or of another one, recognised by its
 * brand) becomes its status, its headers plus `Content-Type: application/json`, and its body;
 * anything else a 500 `internal_error` that reveals nothing of the error.
 */
import { describe, expect, it } from 'vitest';
import {
  ForbiddenError,
  InvalidCredentialsError,
  StoreUnavailableError,
  toErrorResponse,
} from '../src/index.js';
import { CHALLENGE, SECRET } from './support/fixtures.js';

const INTERNAL = {
  status: 500,
  headers: { 'Content-Type': 'application/json' },
  body: { errors: [{ code: 'internal_error', title: 'Internal server error' }] },
};

describe('toErrorResponse', () => {
  it('renders an AuthError as its status, headers (with the JSON content type) and body', () => {
    const error = new InvalidCredentialsError({
      reason: 'bad_signature',
      method: 'jwt',
      headers: { 'WWW-Authenticate': CHALLENGE.invalidToken },
    });
    expect(toErrorResponse(error)).toEqual({
      status: 401,
      headers: { 'WWW-Authenticate': CHALLENGE.invalidToken, 'Content-Type': 'application/json' },
      body: { errors: [{ code: 'unauthorized', title: 'Invalid credentials' }] },
    });
  });

  it('an error without challenges gets the content type alone', () => {
    const unavailable = new StoreUnavailableError({ reason: 'store_unavailable' });
    expect(toErrorResponse(unavailable)).toEqual({
      status: 503,
      headers: { 'Content-Type': 'application/json' },
      body: { errors: [{ code: 'service_unavailable', title: expect.any(String) }] },
    });
    const basicForbidden = new ForbiddenError('app', { reason: 'insufficient_scope' });
    expect(toErrorResponse(basicForbidden).headers).toEqual({ 'Content-Type': 'application/json' });
  });

  it('does not change the error', () => {
    const error = new ForbiddenError('app', { reason: 'insufficient_scope', headers: { A: 'b' } });
    toErrorResponse(error);
    expect(error.headers).toEqual({ A: 'b' });
  });

  it('renders an AuthError of another copy of keyscope (the brand, not the class)', () => {
    class ForeignAuthError extends Error {
      readonly status = 403;
      readonly code = 'forbidden';
      readonly headers = { 'WWW-Authenticate': 'Bearer realm="other"' };
      toBody() {
        return { errors: [{ code: this.code, title: this.message }] };
      }
    }
    Object.defineProperty(ForeignAuthError.prototype, Symbol.for('keyscope.AuthError'), {
      value: true,
    });
    expect(toErrorResponse(new ForeignAuthError('Insufficient scope'))).toEqual({
      status: 403,
      headers: { 'WWW-Authenticate': 'Bearer realm="other"', 'Content-Type': 'application/json' },
      body: { errors: [{ code: 'forbidden', title: 'Insufficient scope' }] },
    });
  });

  it.each([
    ['a plain Error', new Error(`secret ${SECRET.appA} leaked`)],
    ['a TypeError', new TypeError('x is undefined')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['null', null],
    ['an object that looks like an AuthError', { status: 401, code: 'unauthorized', headers: {} }],
    [
      'an object with the brand under another symbol',
      { [Symbol('keyscope.AuthError')]: true, status: 401, toBody: () => ({}) },
    ],
    [
      'an object whose brand is not true',
      { [Symbol.for('keyscope.AuthError')]: 'yes', status: 401, toBody: () => ({}) },
    ],
  ])('renders %s as a 500 internal_error that reveals nothing', (_l, error) => {
    const response = toErrorResponse(error);
    expect(response).toEqual(INTERNAL);
    expect(JSON.stringify(response)).not.toContain(SECRET.appA);
  });

  it('returns fresh headers each time (an adapter may add to them)', () => {
    const a = toErrorResponse(new Error('x'));
    (a.headers as Record<string, string>)['X-Extra'] = '1';
    expect(toErrorResponse(new Error('y')).headers).toEqual({ 'Content-Type': 'application/json' });
  });
});
