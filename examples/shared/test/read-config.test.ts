/**
 * `readConfig`, shared by the four example servers: the defaults and checks of the environment,
 * and `KEYSCOPE_RATE_LIMIT` (the format `<failures>/<window>[/<failures per address>]`, window in
 * seconds or with a unit, its defaults, and the values it refuses). Merged from the copies the
 * Express, Koa, Fastify and node:http examples each had.
 */
import { describe, expect, it } from 'vitest';
import { readConfig, StartupError } from '../src/index.js';

const rateLimit = (value: string) => readConfig({ KEYSCOPE_RATE_LIMIT: value }, 'k.json').rateLimit;

describe('readConfig', () => {
  it('defaults to 127.0.0.1:3000 and the demo keys file', () => {
    expect(readConfig({}, 'keys.demo.json')).toStrictEqual({
      port: 3000,
      host: '127.0.0.1',
      keysFile: 'keys.demo.json',
      demoKeysFile: true,
      rateLimit: undefined,
    });
  });

  it('reads PORT, HOST, KEYSCOPE_KEYS_FILE, KEYSCOPE_STORE and KEYSCOPE_RATE_LIMIT', () => {
    const env = {
      PORT: '8080',
      HOST: '0.0.0.0',
      KEYSCOPE_KEYS_FILE: 'k.json',
      KEYSCOPE_STORE: 'postgres://localhost/keys',
      KEYSCOPE_RATE_LIMIT: '10/60',
    };
    expect(readConfig(env, 'demo.json')).toStrictEqual({
      port: 8080,
      host: '0.0.0.0',
      keysFile: 'k.json',
      demoKeysFile: false,
      store: 'postgres://localhost/keys',
      rateLimit: { maxFailuresPerKeyAndAddress: 10, maxFailuresPerAddress: 100, windowMs: 60_000 },
    });
  });

  it('refuses a bad PORT', () => {
    for (const PORT of ['-1', '65536', 'abc', '80.5']) {
      expect(() => readConfig({ PORT }, 'demo.json')).toThrow(StartupError);
    }
  });

  it('refuses a KEYSCOPE_STORE that is not a postgres:// URL, without repeating it', () => {
    const KEYSCOPE_STORE = 'mysql://user:test-password@db/keys';
    expect(() => readConfig({ KEYSCOPE_STORE }, 'demo.json')).toThrow(
      new StartupError('KEYSCOPE_STORE must be a postgres:// URL'),
    );
  });
});

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
