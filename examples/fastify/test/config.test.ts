/**
 * `readConfig`: the defaults and checks of the example server's environment.
 */
import { describe, expect, it } from 'vitest';
import { readConfig, StartupError } from '../src/config.js';

describe('readConfig', () => {
  it('defaults to 127.0.0.1:3000 and the demo keys file', () => {
    expect(readConfig({}, 'keys.demo.json')).toStrictEqual({
      port: 3000,
      host: '127.0.0.1',
      keysFile: 'keys.demo.json',
      rateLimit: undefined,
    });
  });

  it('reads PORT, HOST, KEYSCOPE_KEYS_FILE and KEYSCOPE_RATE_LIMIT', () => {
    const env = {
      PORT: '8080',
      HOST: '0.0.0.0',
      KEYSCOPE_KEYS_FILE: 'k.json',
      KEYSCOPE_RATE_LIMIT: '10',
    };
    expect(readConfig(env, 'demo.json')).toStrictEqual({
      port: 8080,
      host: '0.0.0.0',
      keysFile: 'k.json',
      rateLimit: '10',
    });
  });

  it('refuses a bad PORT', () => {
    for (const PORT of ['-1', '65536', 'abc', '80.5']) {
      expect(() => readConfig({ PORT }, 'demo.json')).toThrow(StartupError);
    }
  });
});
