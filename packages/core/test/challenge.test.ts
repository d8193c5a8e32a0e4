/**
 * Tests of the challenge builders: the exact `WWW-Authenticate` strings of every answer, realm
 * quoting, realms that cannot go in a header, and the refusal factory's choice of challenge by
 * credential method.
 */
import { describe, expect, it } from 'vitest';
import { createRefusals, quoteString } from '../src/challenge.js';
import { ConfigurationError, createChallenges, DEFAULT_REALM } from '../src/index.js';
import { CHALLENGE } from './support/fixtures.js';

describe('createChallenges', () => {
  it('builds the default realm challenges of the contract', () => {
    const c = createChallenges();
    expect(DEFAULT_REALM).toBe('keyscope');
    expect(c.both).toBe(CHALLENGE.both);
    expect(c.invalidToken).toBe(CHALLENGE.invalidToken);
    expect(c.invalidRequest).toBe(CHALLENGE.invalidRequest);
    expect(c.insufficientScope('appUser')).toBe(CHALLENGE.insufficientScope('appUser'));
    expect(c.insufficientScope('app')).toBe(CHALLENGE.insufficientScope('app'));
    expect(c.insufficientScope('account')).toBe(CHALLENGE.insufficientScope('account'));
  });

  it('puts a custom realm in every challenge', () => {
    const c = createChallenges('Example API');
    expect(c.both).toBe('Basic realm="Example API", charset="UTF-8", Bearer realm="Example API"');
    expect(c.invalidRequest).toBe('Bearer realm="Example API", error="invalid_request"');
    expect(c.insufficientScope('app')).toBe(
      'Bearer realm="Example API", error="insufficient_scope", scope="app"',
    );
  });
});

describe('quoteString', () => {
  it.each([
    ['plain', '"plain"'],
    ['', '""'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['tab\tinside', '"tab\tinside"'],
    ['café', '"café"'],
  ])('%j -> %s', (value, quoted) => {
    expect(quoteString(value)).toBe(quoted);
  });

  it.each(['new\nline', 'cr\r', 'nul\u0000', 'del\u007f', 'c1\u0085', 'emoji ✓', 'ĉ'])(
    '%j is refused',
    (value) => {
      expect(() => quoteString(value)).toThrow(ConfigurationError);
    },
  );
});

describe('createRefusals', () => {
  const refuse = createRefusals();

  it('malformed: 400 with the invalid_request challenge, method none by default', () => {
    const e = refuse.malformed('malformed_header');
    expect([e.status, e.method, e.headers]).toEqual([
      400,
      'none',
      { 'WWW-Authenticate': CHALLENGE.invalidRequest },
    ]);
    expect(refuse.malformed('malformed_header', 'jwt').method).toBe('jwt');
  });

  it('invalid: Basic gets both challenges, JWT adds invalid_token', () => {
    expect(refuse.invalid('basic', 'wrong_secret').headers).toEqual({
      'WWW-Authenticate': CHALLENGE.both,
    });
    expect(refuse.invalid('jwt', 'bad_signature', { keyId: 'k' })).toMatchObject({
      keyId: 'k',
      headers: { 'WWW-Authenticate': CHALLENGE.invalidToken },
    });
  });

  it('forbidden: a challenge for JWT callers only', () => {
    expect(refuse.forbidden('app', 'basic', 'insufficient_scope').headers).toEqual({});
    expect(refuse.forbidden('app', 'none', 'insufficient_scope').headers).toEqual({});
    expect(refuse.forbidden('appUser', 'jwt', 'insufficient_scope').headers).toEqual({
      'WWW-Authenticate': CHALLENGE.insufficientScope('appUser'),
    });
  });

  it('unavailable: 503 without any challenge', () => {
    const cause = new Error('x');
    const e = refuse.unavailable('jwt', { keyId: 'k', cause });
    expect([e.status, e.code, e.reason, e.headers, e.cause, e.keyId]).toEqual([
      503,
      'service_unavailable',
      'store_unavailable',
      {},
      cause,
      'k',
    ]);
    expect(refuse.unavailable('basic').keyId).toBeUndefined();
  });

  it('exposes the challenges it was built from', () => {
    expect(createRefusals('r').challenges.both).toBe(
      'Basic realm="r", charset="UTF-8", Bearer realm="r"',
    );
  });
});
