/**
 * `readServerLimits`: the client timeouts and the log buffer of the example servers, their
 * defaults (headers 10 s, request 30 s, keep-alive 5 s, checked every second, 1 MiB of log lines),
 * the variables that change them, and the values it refuses with a `StartupError` naming the
 * variable.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS, readServerLimits, StartupError } from '../src/index.js';

describe('readServerLimits', () => {
  it('defaults to headers 10 s, request 30 s, keep-alive 5 s, checks every 1 s, 1 MiB of log', () => {
    expect(readServerLimits({})).toStrictEqual({
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      keepAliveTimeout: 5_000,
      connectionsCheckingInterval: 1_000,
      logBufferBytes: 1_048_576,
    });
    expect(readServerLimits({})).toStrictEqual(DEFAULT_SERVER_LIMITS);
  });

  it('reads the four variables; blank ones keep the default', () => {
    const env = {
      KEYSCOPE_HEADERS_TIMEOUT_MS: ' 500 ',
      KEYSCOPE_REQUEST_TIMEOUT_MS: '2000',
      KEYSCOPE_KEEP_ALIVE_TIMEOUT_MS: '750',
      KEYSCOPE_LOG_BUFFER_BYTES: '4096',
    };
    expect(readServerLimits(env)).toStrictEqual({
      headersTimeout: 500,
      requestTimeout: 2000,
      keepAliveTimeout: 750,
      // Checked at least as often as the headers timeout, so the bound stays near it.
      connectionsCheckingInterval: 500,
      logBufferBytes: 4096,
    });
    expect(readServerLimits({ KEYSCOPE_HEADERS_TIMEOUT_MS: '  ' }).headersTimeout).toBe(10_000);
  });

  it.each([
    ['KEYSCOPE_HEADERS_TIMEOUT_MS', '0'],
    ['KEYSCOPE_HEADERS_TIMEOUT_MS', '-5'],
    ['KEYSCOPE_HEADERS_TIMEOUT_MS', '1.5'],
    ['KEYSCOPE_HEADERS_TIMEOUT_MS', '10s'],
    ['KEYSCOPE_REQUEST_TIMEOUT_MS', '3600001'],
    ['KEYSCOPE_KEEP_ALIVE_TIMEOUT_MS', 'abc'],
    ['KEYSCOPE_LOG_BUFFER_BYTES', '1023'],
    ['KEYSCOPE_LOG_BUFFER_BYTES', '1073741825'],
    ['KEYSCOPE_LOG_BUFFER_BYTES', '99999999999'],
  ])('refuses %s=%j, naming it', (name, value) => {
    expect(() => readServerLimits({ [name]: value })).toThrow(StartupError);
    expect(() => readServerLimits({ [name]: value })).toThrow(
      new RegExp(`^${name} must be a whole number from \\d+ to \\d+, not "${value.trim()}"$`),
    );
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    const env = { KEYSCOPE_HEADERS_TIMEOUT_MS: '5000', KEYSCOPE_REQUEST_TIMEOUT_MS: '4000' };
    expect(() => readServerLimits(env)).toThrow(
      new StartupError(
        'KEYSCOPE_HEADERS_TIMEOUT_MS (5000) may not exceed KEYSCOPE_REQUEST_TIMEOUT_MS (4000)',
      ),
    );
  });
});
