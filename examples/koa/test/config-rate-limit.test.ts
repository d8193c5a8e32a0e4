/**
 * `readConfig` of the Koa example and `KEYSCOPE_RATE_LIMIT`: the format `<failures>/<window>[/<failures per
 * address>]` (window in seconds, or with a unit), its defaults, and the values it refuses.
 */
import { describe, expect, it } from 'vitest';
import { readConfig, StartupError } from '../src/config.js';

const rateLimit = (value: string) => readConfig({ KEYSCOPE_RATE_LIMIT: value }, 'k.json').rateLimit;

describe('KEYSCOPE_RATE_LIMIT', () => {
  it('unset or blank: no limiter', () => {
    expect(readConfig({}, 'k.json').rateLimit).toBeUndefined();
    expect(rateLimit('  ')).toBeUndefined();
  });

  it.each([
    ['10/60', 10, 100, 60_000],
    [' 10/60 ', 10, 100, 60_000],
    ['5/min', 5, 50, 60_000],
    ['5/m', 5, 50, 60_000],
    ['3/90s', 3, 30, 90_000],
    ['3/15m/20', 3, 20, 900_000],
    ['1/1h', 1, 10, 3_600_000],
    ['10/60/1000', 10, 1000, 60_000],
  ])('%j', (value, maxFailuresPerKeyAndAddress, maxFailuresPerAddress, windowMs) => {
    expect(rateLimit(value)).toStrictEqual({
      maxFailuresPerKeyAndAddress,
      maxFailuresPerAddress,
      windowMs,
    });
  });

  it.each([
    '10',
    '10/',
    '/60',
    'x/60',
    '10/60x',
    '10/60/',
    '10/60/x',
    '-1/60',
    '1.5/60',
    '0/60',
    '10/0',
    '10/0m',
    '10/60/0',
    '10 / 60',
    '9999999999/60',
  ])('%j is refused', (value) => {
    expect(() => rateLimit(value)).toThrow(StartupError);
  });
});
