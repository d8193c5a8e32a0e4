/**
 * Tests of `parseAuthorization`: the header grammar (scheme, spaces, exactly one token68), the
 * 400/401 split of the contract, the length limit checked before decoding, and the strict decoding
 * of Basic credentials (canonical base64, UTF-8 without control characters, first-colon split).
 */
import { describe, expect, it, vi } from 'vitest';
import { createChallenges, MAX_AUTHORIZATION_LENGTH, parseAuthorization } from '../src/index.js';
import {
  basic,
  basicBytes,
  CHALLENGE,
  expectAuthError,
  refused,
  thrown,
} from './support/fixtures.js';

const parse = parseAuthorization;

describe('parseAuthorization: no credentials', () => {
  it.each([
    ['undefined', undefined],
    ['an empty list', []],
  ] as const)('%s is no credentials', (_label, value) => {
    expect(parse(value)).toEqual({ scheme: 'none' });
  });

  it('a list with one value parses that value', () => {
    expect(parse([basic('key', 'secret')])).toEqual({
      scheme: 'basic',
      keyId: 'key',
      secret: 'secret',
    });
  });
});

describe('parseAuthorization: the scheme', () => {
  it.each(['Basic', 'basic', 'BASIC', 'bAsIc'])('Basic scheme "%s" is case-insensitive', (s) => {
    const value = `${s} ${Buffer.from('key:secret').toString('base64')}`;
    expect(parse(value)).toEqual({ scheme: 'basic', keyId: 'key', secret: 'secret' });
  });

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])(
    'Bearer scheme "%s" is case-insensitive',
    (s) => {
      expect(parse(`${s} a.b.c`)).toEqual({ scheme: 'bearer', token: 'a.b.c' });
    },
  );

  it.each([1, 2, 7])('accepts %i space(s) between scheme and credentials', (n) => {
    expect(parse(`Bearer${' '.repeat(n)}a.b.c`)).toEqual({ scheme: 'bearer', token: 'a.b.c' });
  });

  it('ignores the optional whitespace an HTTP parser strips around the value', () => {
    expect(parse(' \tBearer a.b.c\t ')).toEqual({ scheme: 'bearer', token: 'a.b.c' });
  });

  it('keeps every token68 character and trailing "=" of a Bearer credential', () => {
    const token = 'Az09-._~+/x==';
    expect(parse(`Bearer ${token}`)).toEqual({ scheme: 'bearer', token });
  });

  it.each([
    ['Digest', 'Digest username="a", realm="b"'],
    ['Negotiate alone', 'Negotiate'],
    ['Token', 'Token abc'],
    ['a scheme glued to its credentials', 'Basicabc'],
    ['Bearer with a suffix', 'Bearer2 a.b.c'],
    ['a space inside the scheme name', 'Bea rer a.b.c'],
  ])('an unsupported scheme (%s) is 401 with both challenges and no error', (_l, value) => {
    const error = thrown(() => parse(value));
    expectAuthError(error, refused.required('unsupported_scheme'));
    expect(CHALLENGE.both).not.toContain('error=');
  });
});

describe('parseAuthorization: header grammar failures are 400', () => {
  it.each([
    ['an empty value', ''],
    ['only whitespace', '   '],
    ['a tab between scheme and credentials', 'Bearer\ta.b.c'],
    ['a tab after the spaces', 'Bearer \ta.b.c'],
    ['a non-token character in the scheme', 'Bear@r a.b.c'],
    ['a comma-joined pair of values', 'Bearer a.b.c, Bearer d.e.f'],
  ])('%s', (_l, value) => {
    expectAuthError(
      thrown(() => parse(value)),
      refused.malformed('malformed_header'),
    );
  });

  it.each([
    ['Basic scheme only', 'Basic'],
    ['Basic scheme and spaces', 'Basic   '],
    ['Bearer scheme only', 'Bearer'],
    ['Bearer scheme and spaces', 'bearer '],
    ['trailing junk after a Bearer token', 'Bearer a.b.c junk'],
    ['trailing junk after Basic credentials', `${basic('key', 'secret')} junk`],
    ['a Basic credential with a space inside', 'Basic a2V5 OnNlY3JldA=='],
    ['a character outside token68', 'Bearer a.b.c!'],
    ['a quoted string', 'Bearer "a.b.c"'],
    ['a "=" before the end', 'Bearer ab=c'],
    ['only padding', 'Basic ==='],
    ['an auth-param list', 'Bearer realm="x"'],
    ['a non-ASCII character', 'Bearer a.b.ç'],
    ['a NUL character', 'Bearer a.b\u0000c'],
  ])('%s', (_l, value) => {
    expectAuthError(
      thrown(() => parse(value)),
      refused.malformed('malformed_header'),
    );
  });

  it('two Authorization values are 400 multiple_headers, even when both are valid', () => {
    const value = [basic('key', 'secret'), basic('key', 'secret')];
    expectAuthError(
      thrown(() => parse(value)),
      refused.malformed('multiple_headers'),
    );
  });

  it('two Authorization values are refused even when one is empty', () => {
    expectAuthError(
      thrown(() => parse(['', 'Bearer a.b.c'])),
      refused.malformed('multiple_headers'),
    );
  });

  it('a list holding something else than a string is 400', () => {
    const value = [42] as unknown as string[];
    expectAuthError(
      thrown(() => parse(value)),
      refused.malformed('malformed_header'),
    );
  });

  it('a value of exactly 8192 characters is parsed', () => {
    const token = 'a'.repeat(MAX_AUTHORIZATION_LENGTH - 'Bearer '.length);
    expect(parse(`Bearer ${token}`)).toEqual({ scheme: 'bearer', token });
    expect(MAX_AUTHORIZATION_LENGTH).toBe(8192);
  });

  it('a value over 8192 characters is 400 header_too_long', () => {
    const value = `Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH - 'Bearer '.length + 1)}`;
    expectAuthError(
      thrown(() => parse(value)),
      refused.malformed('header_too_long'),
    );
  });

  it('the length is checked before any decoding', () => {
    const from = vi.spyOn(Buffer, 'from');
    const value = `Basic ${Buffer.alloc(7000, 1).toString('base64')}`;
    from.mockClear();
    expectAuthError(
      thrown(() => parse(value)),
      refused.malformed('header_too_long'),
    );
    expect(from).not.toHaveBeenCalled();
    from.mockRestore();
  });

  it('even a value with an unsupported scheme is refused for its length first', () => {
    const value = `Digest ${'a'.repeat(9000)}`;
    expectAuthError(
      thrown(() => parse(value)),
      refused.malformed('header_too_long'),
    );
  });

  it('maxLength lowers the limit, but never raises it', () => {
    expectAuthError(
      thrown(() => parse('Bearer abcdef', { maxLength: 10 })),
      refused.malformed('header_too_long'),
    );
    expect(parse('Bearer abc', { maxLength: 10 })).toEqual({ scheme: 'bearer', token: 'abc' });
    const long = `Bearer ${'a'.repeat(MAX_AUTHORIZATION_LENGTH)}`;
    expectAuthError(
      thrown(() => parse(long, { maxLength: 100_000 })),
      refused.malformed('header_too_long'),
    );
  });
});

describe('parseAuthorization: Basic decoding (401 malformed_basic)', () => {
  it('splits at the first colon: the secret may contain colons', () => {
    expect(parse(basic('key', 'a:b::c:'))).toEqual({
      scheme: 'basic',
      keyId: 'key',
      secret: 'a:b::c:',
    });
  });

  it('decodes UTF-8 in the key id and the secret', () => {
    expect(parse(basic('clé', 'sécret✓'))).toEqual({
      scheme: 'basic',
      keyId: 'clé',
      secret: 'sécret✓',
    });
  });

  it('accepts an empty secret (the store decides)', () => {
    expect(parse(basic('key', ''))).toEqual({ scheme: 'basic', keyId: 'key', secret: '' });
  });

  it.each([
    ['an empty key id', basic('', 'secret')],
    ['no colon at all', `Basic ${Buffer.from('keysecret').toString('base64')}`],
    ['only a colon', `Basic ${Buffer.from(':').toString('base64')}`],
    ['base64url alphabet ("-")', 'Basic a2V5-nNlY3JldA=='],
    ['base64url alphabet ("_")', 'Basic a2V5_nNlY3JldA=='],
    ['token68 characters outside base64 (".", "~")', 'Basic a2V5.~NlY3JldA=='],
    ['missing padding (two)', 'Basic a2V5OnNlY3JldA'],
    ['missing padding (one)', 'Basic a2V5OnNlY3JldHM'],
    ['too much padding', 'Basic a2V5OnNlY3JldHM=='],
    ['padding on a full quantum', 'Basic a2V5OnNlY3Jl=='],
    ['a length that is 1 mod 4', 'Basic a2V5OnNlY3JldAAAA'],
    ['non-canonical trailing bits (one "=")', 'Basic a2V5OnNlY3JldHN='],
    ['non-canonical trailing bits (two "=")', 'Basic a2V5OnNlY3JldB=='],
    ['invalid UTF-8 (lone continuation byte)', basicBytes([0x6b, 0x3a, 0x80])],
    ['invalid UTF-8 (overlong encoding)', basicBytes([0x6b, 0x3a, 0xc0, 0xaf])],
    ['invalid UTF-8 (surrogate)', basicBytes([0x6b, 0x3a, 0xed, 0xa0, 0x80])],
    ['invalid UTF-8 (truncated sequence)', basicBytes([0x6b, 0x3a, 0xe2, 0x82])],
    ['a NUL (C0) in the secret', basic('key', 'sec\u0000ret')],
    ['a tab (C0) in the secret', basic('key', 'sec\tret')],
    ['a newline (C0) in the key id', basic('k\ney', 'secret')],
    ['an escape (C0)', basic('key', '\u001bsecret')],
    ['DEL', basic('key', 'secret\u007f')],
    ['a C1 control (U+0085)', basic('key', 'sec\u0085ret')],
    ['a C1 control (U+009F)', basic('k\u009fey', 'secret')],
  ])('%s', (_l, value) => {
    const error = expectAuthError(
      thrown(() => parse(value)),
      refused.basic('malformed_basic'),
    );
    expect(error.method).toBe('basic');
    expect(error.keyId).toBeUndefined();
  });

  it('the canonical forms next to the refused ones are accepted', () => {
    expect(parse('Basic a2V5OnNlY3JldHM=')).toMatchObject({ secret: 'secrets' });
    // "key:secret" and "key:secre" in canonical base64
    expect(parse('Basic a2V5OnNlY3JldA==')).toEqual({
      scheme: 'basic',
      keyId: 'key',
      secret: 'secret',
    });
    expect(parse(`Basic ${Buffer.from('key:secre').toString('base64')}`)).toMatchObject({
      secret: 'secre',
    });
  });

  it('a UTF-8 byte-order mark is kept as text, not skipped', () => {
    const value = basicBytes([0xef, 0xbb, 0xbf, 0x6b, 0x3a, 0x73]);
    expect(parse(value)).toEqual({ scheme: 'basic', keyId: '\ufeffk', secret: 's' });
  });
});

describe('parseAuthorization: realms and prepared refusals', () => {
  it('uses the realm of the options in its challenges', () => {
    const error = thrown(() => parse('Digest x', { realm: 'my "api"' }));
    expectAuthError(error, {
      ...refused.required('unsupported_scheme'),
      wwwAuthenticate: 'Basic realm="my \\"api\\"", charset="UTF-8", Bearer realm="my \\"api\\""',
    });
  });

  it('a realm that cannot go in a header is a configuration error', () => {
    expect(() => parse('Bearer a', { realm: 'bad\nrealm' })).toThrow(/control/);
  });

  it('the challenges of createChallenges match the default refusals', () => {
    const c = createChallenges();
    expect(c.both).toBe(CHALLENGE.both);
    expect(c.invalidRequest).toBe(CHALLENGE.invalidRequest);
  });
});
