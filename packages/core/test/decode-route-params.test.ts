/**
 * `decodeRouteParams`: each parameter percent-decoded exactly once, as Express and Hono decode
 * route parameters (space, non-ASCII, `%2F`, `%2520`), `undefined` kept, and `undefined` for the
 * whole set when one value is not valid percent-encoding. Property tests run with a fixed seed
 * (`KEYSCOPE_FC_SEED` picks another; fast-check prints the seed and path of a failure).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRouteParams } from '../src/index.js';

const seed = Number(process.env.KEYSCOPE_FC_SEED ?? 1812);

describe('decodeRouteParams', () => {
  it.each([
    ['a space', 'app%20one', 'app one'],
    ['a non-ASCII letter', 'app_%C3%A9', 'app_é'],
    ['non-Latin characters', '%E3%82%A2%E3%83%97%E3%83%AA', 'アプリ'],
    ['an encoded slash', 'a%2Fb', 'a/b'],
    ['an encoded percent sign, once', 'app%2520one', 'app%20one'],
    ['nothing to decode', 'app_a', 'app_a'],
    ['a plus sign, which is not a space in a path', 'a+b', 'a+b'],
  ])('decodes %s', (_l, raw, decoded) => {
    expect(decodeRouteParams({ appId: raw })).toStrictEqual({ appId: decoded });
  });

  it('keeps undefined values (optional groups) and every name', () => {
    expect(decodeRouteParams({ appId: 'a%20b', userId: undefined })).toStrictEqual({
      appId: 'a b',
      userId: undefined,
    });
    expect(decodeRouteParams({})).toStrictEqual({});
  });

  it.each([
    ['a truncated UTF-8 sequence', '%E0'],
    ['a broken UTF-8 sequence', 'app%C3%28'],
    ['no hex digits', '%zz'],
    ['a lone percent sign', '100%'],
  ])('answers undefined for %s, in any parameter', (_l, raw) => {
    expect(decodeRouteParams({ appId: raw })).toBeUndefined();
    expect(decodeRouteParams({ appId: 'app_a', userId: raw })).toBeUndefined();
  });

  it('gives back any string encoded with encodeURIComponent (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (value) => {
        expect(decodeRouteParams({ appId: encodeURIComponent(value) })).toStrictEqual({
          appId: value,
        });
      }),
      { seed, numRuns: 300 },
    );
  });

  it('decodes exactly what decodeURIComponent decodes, or refuses (property)', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 4 }),
      fc.constantFrom('%', '%2', '%25', '%20', '%C3', '%A9', '%E0', '%zz', '%2F'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 6 }), (pieces) => {
        const raw = pieces.join('');
        let expected: string | undefined;
        try {
          expected = decodeURIComponent(raw);
        } catch {
          expected = undefined;
        }
        const decoded = decodeRouteParams({ appId: raw });
        expect(decoded?.appId).toBe(expected);
        expect(decoded === undefined).toBe(expected === undefined);
      }),
      { seed, numRuns: 500 },
    );
  });
});
