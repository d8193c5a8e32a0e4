/**
 * Tests of `generateKey`: id prefixes per entity type, 24 lowercase hex characters, secrets of at
 * least 32 random bytes in base64url, the `secretBytes` bounds, and refusal of unknown entity types.
 */
import { describe, expect, it } from 'vitest';
import {
  type EntityType,
  generateKey,
  InvalidArgumentError,
  KEY_ID_PREFIXES,
  MIN_SECRET_BYTES,
} from '../src/index.js';

describe('generateKey', () => {
  it.each([
    ['app', 'app_'],
    ['userAccount', 'act_'],
    ['serviceAccount', 'svc_'],
  ] as const)('makes %s ids with the %s prefix and 24 lowercase hex', (type, prefix) => {
    const { id } = generateKey(type);
    expect(KEY_ID_PREFIXES[type]).toBe(prefix);
    expect(id).toMatch(new RegExp(`^${prefix}[0-9a-f]{24}$`));
  });

  it('makes 32-byte base64url secrets by default', () => {
    const { secret } = generateKey('app');
    expect(MIN_SECRET_BYTES).toBe(32);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  it('makes longer secrets on request', () => {
    const { secret } = generateKey('serviceAccount', { secretBytes: 64 });
    expect(Buffer.from(secret, 'base64url')).toHaveLength(64);
    expect(Buffer.from(generateKey('app', { secretBytes: 1024 }).secret, 'base64url')).toHaveLength(
      1024,
    );
  });

  it('never repeats an id or a secret', () => {
    const keys = Array.from({ length: 1000 }, () => generateKey('app'));
    expect(new Set(keys.map((k) => k.id)).size).toBe(1000);
    expect(new Set(keys.map((k) => k.secret)).size).toBe(1000);
  });

  it.each([31, 0, -1, 32.5, 1025, Number.NaN])('refuses secretBytes %s', (secretBytes) => {
    expect(() => generateKey('app', { secretBytes })).toThrow(InvalidArgumentError);
    try {
      generateKey('app', { secretBytes });
    } catch (error) {
      expect((error as InvalidArgumentError).code).toBe('ERR_INVALID_ARGUMENT');
      expect((error as Error).message).toBe('secretBytes must be an integer from 32 to 1024');
    }
  });

  it.each(['account', 'toString', '', undefined])('refuses the entity type %s', (type) => {
    expect(() => generateKey(type as EntityType)).toThrow(
      'entity type must be "app", "userAccount" or "serviceAccount"',
    );
  });
});
