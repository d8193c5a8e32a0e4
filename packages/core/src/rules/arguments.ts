/**
 * The rules for the other arguments of the key lifecycle, shared by every writable store: a
 * display name (optional, at most 256 characters, no control character), a valid `Date` (of this
 * realm or another: a mocked clock's, a `vm` context's), an expiry (a valid date in the future)
 * and a revocation instant (a valid date). Each check throws the same `InvalidArgumentError`
 * with the same message, whichever store applies it.
 */
import { isDate } from 'node:util/types';
import { InvalidArgumentError } from '../lifecycle-errors.js';
import { CONTROL_CHARACTER } from './identifiers.js';

/** The longest display name, in UTF-16 code units (string length). */
export const MAX_DISPLAY_NAME_LENGTH = 256;

/**
 * `value` if it is an acceptable display name: absent (`undefined`), or a string of at most 256
 * characters without control characters.
 *
 * @throws {InvalidArgumentError} `displayName must be a string of at most 256 characters without
 * control characters`.
 */
export function checkDisplayName(value: unknown): string | undefined {
  if (
    value !== undefined &&
    (typeof value !== 'string' ||
      value.length > MAX_DISPLAY_NAME_LENGTH ||
      CONTROL_CHARACTER.test(value))
  ) {
    throw new InvalidArgumentError(
      `displayName must be a string of at most ${MAX_DISPLAY_NAME_LENGTH} characters without control characters`,
    );
  }
  return value as string | undefined;
}

/**
 * Whether `value` is a `Date` that holds an instant (not an Invalid Date). A `Date` of another
 * realm counts.
 */
export function isValidDate(value: unknown): value is Date {
  // isDate, not instanceof: a Date from another realm (vm, a mocked clock) is a Date too.
  return isDate(value) && !Number.isNaN(value.getTime());
}

/**
 * `value` if it is an acceptable expiry for a new key at `now`: absent (`undefined`), or a valid
 * date after `now`.
 *
 * @throws {InvalidArgumentError} `expiresAt must be a valid date in the future`.
 */
export function checkExpiresAt(value: unknown, now: Date): Date | undefined {
  if (value !== undefined && !(isValidDate(value) && value.getTime() > now.getTime())) {
    throw new InvalidArgumentError('expiresAt must be a valid date in the future');
  }
  return value as Date | undefined;
}

/**
 * `value` if it is a valid revocation instant (any valid date: past, now or scheduled).
 *
 * @throws {InvalidArgumentError} `the revocation instant must be a valid date`.
 */
export function checkRevocationInstant(value: unknown): Date {
  if (!isValidDate(value)) {
    throw new InvalidArgumentError('the revocation instant must be a valid date');
  }
  return value;
}
