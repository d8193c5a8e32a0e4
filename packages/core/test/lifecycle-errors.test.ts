/**
 * Tests of the lifecycle errors: each class has its stable `code` and `name`, is detected by
 * `instanceof` (its own class, `LifecycleError`, and `StoreError` for store failures) and is never
 * an `AuthError`; messages quote ids safely.
 */
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  EntityExistsError,
  EntityNotFoundError,
  InvalidArgumentError,
  KeyLimitError,
  KeyNotFoundError,
  KeyNotUsableError,
  LifecycleError,
  ScopeNotAllowedError,
  StoreCorruptError,
  StoreError,
  StoreIoError,
  StoreLockedError,
} from '../src/index.js';

const cause = new Error('underlying');

describe('lifecycle errors', () => {
  it.each([
    [
      new InvalidArgumentError('bad', { cause }),
      'InvalidArgumentError',
      'ERR_INVALID_ARGUMENT',
      'bad',
      false,
    ],
    [
      new KeyNotFoundError('app_1'),
      'KeyNotFoundError',
      'ERR_KEY_NOT_FOUND',
      'no key has the id "app_1"',
      false,
    ],
    [
      new KeyLimitError('app_a', 3),
      'KeyLimitError',
      'ERR_KEY_LIMIT',
      'app "app_a" already has 3 active keys, the most allowed; revoke or delete one first',
      false,
    ],
    [
      new KeyNotUsableError('k', 'expired'),
      'KeyNotUsableError',
      'ERR_KEY_NOT_USABLE',
      'key "k" is expired',
      false,
    ],
    [
      new ScopeNotAllowedError('serviceAccount', 'app'),
      'ScopeNotAllowedError',
      'ERR_SCOPE_NOT_ALLOWED',
      'a service-account key can sign "account" tokens only, not "app"',
      false,
    ],
    [
      new EntityNotFoundError({ type: 'userAccount', id: 'acc_1' }),
      'EntityNotFoundError',
      'ERR_ENTITY_NOT_FOUND',
      'user account "acc_1" does not exist',
      false,
    ],
    [
      new EntityExistsError({ type: 'serviceAccount', id: 'svc_1' }),
      'EntityExistsError',
      'ERR_ENTITY_EXISTS',
      'service account "svc_1" already exists',
      false,
    ],
    [
      new StoreCorruptError('corrupt', { cause }),
      'StoreCorruptError',
      'ERR_STORE_CORRUPT',
      'corrupt',
      true,
    ],
    [new StoreLockedError('locked'), 'StoreLockedError', 'ERR_STORE_LOCKED', 'locked', true],
    [new StoreIoError('io', { cause }), 'StoreIoError', 'ERR_STORE_IO', 'io', true],
    [new StoreError('ERR_STORE_IO', 'db down'), 'StoreError', 'ERR_STORE_IO', 'db down', true],
    [
      new LifecycleError('ERR_KEY_LIMIT', 'plain'),
      'LifecycleError',
      'ERR_KEY_LIMIT',
      'plain',
      false,
    ],
  ])('%s', (error, name, code, message, store) => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(LifecycleError);
    expect(error).not.toBeInstanceOf(AuthError);
    expect(error instanceof StoreError).toBe(store);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });

  it('keeps the cause when given one, and only then', () => {
    expect(new StoreIoError('io', { cause }).cause).toBe(cause);
    expect(new StoreIoError('io')).not.toHaveProperty('cause');
  });

  it('carries the ids it names', () => {
    expect(new KeyNotFoundError('a').keyId).toBe('a');
    expect(new KeyNotUsableError('b', 'revoked').keyId).toBe('b');
    expect(new KeyLimitError('app_a', 10)).toMatchObject({ appId: 'app_a', limit: 10 });
    expect(new EntityNotFoundError({ type: 'app', id: 'x' }).entity).toEqual({
      type: 'app',
      id: 'x',
    });
  });
});
