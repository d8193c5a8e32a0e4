/**
 * `quote` (`rules/quote.ts`): how caller-supplied text appears in a message: JSON-quoted, so no
 * control character reaches a terminal raw, and cut at 64 characters.
 */
import { describe, expect, it } from 'vitest';
import { quote } from '../../src/rules/index.js';

describe('quote', () => {
  it('JSON-quotes the text, escaping control characters and quotes', () => {
    expect(quote('app_a')).toBe('"app_a"');
    expect(quote('a\u0000b\n"c"')).toBe('"a\\u0000b\\n\\"c\\""');
  });

  it('keeps 64 characters whole and cuts a longer text at 64, marked by ...', () => {
    expect(quote('x'.repeat(64))).toBe(`"${'x'.repeat(64)}"`);
    expect(quote('x'.repeat(65))).toBe(`"${'x'.repeat(64)}..."`);
  });
});
