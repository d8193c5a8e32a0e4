/**
 * The id rule and the entity rule (`rules/identifiers.ts`): the boundaries of an id (1 and 256
 * characters), every kind of control character, non-strings, and the exact `InvalidArgumentError`
 * messages every store shares.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/index.js';
import {
  checkEntity,
  checkId,
  ENTITY_TYPES,
  isEntityType,
  isId,
  MAX_ID_LENGTH,
} from '../../src/rules/index.js';

describe('isId', () => {
  it('accepts 1 to 256 characters of any text but control characters', () => {
    expect(MAX_ID_LENGTH).toBe(256);
    for (const id of ['a', 'a'.repeat(256), 'app_65f0c1d2e3f4a5b6c7d8e9f0', 'ünï cødé ✓', 'a:b']) {
      expect(isId(id)).toBe(true);
    }
  });

  it.each([
    ['empty', ''],
    ['257 characters', 'a'.repeat(257)],
    ['NUL', 'a\u0000b'],
    ['a newline', 'a\nb'],
    ['US (U+001F)', 'a\u001fb'],
    ['DEL', 'a\u007fb'],
    ['C1 (U+0085)', 'a\u0085b'],
    ['C1 (U+009F)', 'a\u009fb'],
  ])('refuses %s', (_label, id) => {
    expect(isId(id)).toBe(false);
  });

  it('accepts the characters just outside the control ranges', () => {
    expect(isId('a\u0020b')).toBe(true);
    expect(isId('a\u007eb')).toBe(true);
    expect(isId('a\u00a0b')).toBe(true);
  });

  it.each([undefined, null, 5, {}, ['a']])('refuses %j (not a string)', (value) => {
    expect(isId(value)).toBe(false);
  });
});

describe('checkId', () => {
  it('returns a valid id', () => {
    expect(checkId('app_a', 'the app id')).toBe('app_a');
  });

  it('throws InvalidArgumentError naming the argument', () => {
    expect(() => checkId('a'.repeat(257), 'the app id')).toThrow(InvalidArgumentError);
    expect(() => checkId(7, 'the account id')).toThrow(
      'the account id must be a string of 1 to 256 characters without control characters',
    );
  });
});

describe('entities', () => {
  it('knows exactly the three entity types', () => {
    expect(ENTITY_TYPES).toEqual(['app', 'userAccount', 'serviceAccount']);
    expect(Object.isFrozen(ENTITY_TYPES)).toBe(true);
    for (const type of ENTITY_TYPES) expect(isEntityType(type)).toBe(true);
    for (const type of ['App', 'account', '', undefined, 1]) expect(isEntityType(type)).toBe(false);
  });

  it('checkEntity returns a fresh { type, id } and nothing else', () => {
    const input = { type: 'app', id: 'app_a', extra: 'dropped' };
    const entity = checkEntity(input);
    expect(entity).toEqual({ type: 'app', id: 'app_a' });
    expect(entity).not.toBe(input);
  });

  it.each([
    [null, 'entity must be an object with a type and an id'],
    ['app_a', 'entity must be an object with a type and an id'],
    [{ type: 'admin', id: 'x' }, 'entity.type must be "app", "userAccount" or "serviceAccount"'],
    [{ id: 'x' }, 'entity.type must be "app", "userAccount" or "serviceAccount"'],
    [
      { type: 'app', id: '' },
      'entity.id must be a string of 1 to 256 characters without control characters',
    ],
    [
      { type: 'app', id: 'a\u0000' },
      'entity.id must be a string of 1 to 256 characters without control characters',
    ],
  ])('checkEntity(%j) throws %j', (value, message) => {
    let error: unknown;
    try {
      checkEntity(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(message);
  });
});
