/**
 * The argument rules of the lifecycle (`rules/arguments.ts`): display names, valid dates (of this
 * realm and of another), expiries that must be in the future and revocation instants, with their
 * exact `InvalidArgumentError` messages.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/index.js';
import {
  checkDisplayName,
  checkExpiresAt,
  checkRevocationInstant,
  isValidDate,
  MAX_DISPLAY_NAME_LENGTH,
} from '../../src/rules/index.js';

const NOW = new Date('2030-06-01T00:00:00Z');

function failure(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as Error;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('checkDisplayName', () => {
  it('accepts nothing, an empty name and up to 256 characters', () => {
    expect(MAX_DISPLAY_NAME_LENGTH).toBe(256);
    expect(checkDisplayName(undefined)).toBeUndefined();
    expect(checkDisplayName('')).toBe('');
    expect(checkDisplayName('CI ✓')).toBe('CI ✓');
    expect(checkDisplayName('n'.repeat(256))).toBe('n'.repeat(256));
  });

  it.each([
    ['257 characters', 'n'.repeat(257)],
    ['a control character', 'CI\n'],
    ['a C1 control', 'CI\u0085'],
    ['null', null],
    ['a number', 5],
  ])('refuses %s', (_label, value) => {
    expect(failure(() => checkDisplayName(value)).message).toBe(
      'displayName must be a string of at most 256 characters without control characters',
    );
  });
});

describe('isValidDate', () => {
  it('accepts a Date holding an instant, also from another realm', () => {
    expect(isValidDate(NOW)).toBe(true);
    expect(isValidDate(runInNewContext('new Date(0)'))).toBe(true);
  });

  it.each([
    ['an Invalid Date', new Date('nope')],
    ['a timestamp', NOW.getTime()],
    ['an ISO string', NOW.toISOString()],
    ['a date-like object', { getTime: (): number => 0 }],
    ['undefined', undefined],
  ])('refuses %s', (_label, value) => {
    expect(isValidDate(value)).toBe(false);
  });
});

describe('checkExpiresAt', () => {
  it('accepts no expiry, or one strictly after now', () => {
    expect(checkExpiresAt(undefined, NOW)).toBeUndefined();
    const later = new Date(NOW.getTime() + 1);
    expect(checkExpiresAt(later, NOW)).toBe(later);
  });

  it.each([
    ['now itself', NOW],
    ['the past', new Date(NOW.getTime() - 1)],
    ['an Invalid Date', new Date('nope')],
    ['a string', '2031-01-01T00:00:00Z'],
    ['null', null],
  ])('refuses %s', (_label, value) => {
    expect(failure(() => checkExpiresAt(value, NOW)).message).toBe(
      'expiresAt must be a valid date in the future',
    );
  });
});

describe('checkRevocationInstant', () => {
  it('accepts any valid date: past, now or scheduled', () => {
    for (const at of [new Date(0), NOW, new Date('2099-01-01T00:00:00Z')]) {
      expect(checkRevocationInstant(at)).toBe(at);
    }
  });

  it.each([new Date('nope'), undefined, 0])('refuses %j', (value) => {
    expect(failure(() => checkRevocationInstant(value)).message).toBe(
      'the revocation instant must be a valid date',
    );
  });
});
