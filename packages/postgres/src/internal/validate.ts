/**
 * The argument rules of the key lifecycle, the same as core's file store applies (core keeps its
 * copy internal): what a valid id, entity, display name and instant are, and how an id is quoted
 * in a message. Keeping them identical keeps `@keyscope/postgres` and the keys file refusing the
 * same requests with the same errors and messages.
 */
import { type Entity, type EntityType, InvalidArgumentError } from '@keyscope/core';

const ENTITY_TYPES: readonly string[] = ['app', 'userAccount', 'serviceAccount'];
// biome-ignore lint/suspicious/noControlCharactersInRegex: ids may not hold control characters
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** `text` JSON-quoted and cut at 64 characters (core's `quote`). */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
}

/** Whether `value` could be an id at all: 1 to 256 characters, no control character. */
export function isId(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length > 0 && value.length <= 256 && !CONTROL.test(value)
  );
}

/**
 * `value` if it is a valid id.
 *
 * @throws {InvalidArgumentError} it is not.
 */
export function checkId(value: unknown, what: string): string {
  if (!isId(value)) {
    throw new InvalidArgumentError(
      `${what} must be a string of 1 to 256 characters without control characters`,
    );
  }
  return value;
}

/**
 * `value` as an entity.
 *
 * @throws {InvalidArgumentError} it is not an object with a known type and a valid id.
 */
export function checkEntity(value: unknown): Entity {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError('entity must be an object with a type and an id');
  }
  const { type, id } = value as { type?: unknown; id?: unknown };
  if (typeof type !== 'string' || !ENTITY_TYPES.includes(type)) {
    throw new InvalidArgumentError('entity.type must be "app", "userAccount" or "serviceAccount"');
  }
  return { type: type as EntityType, id: checkId(id, 'entity.id') };
}

/**
 * Checks a display name (absent, or at most 256 characters without control characters).
 *
 * @throws {InvalidArgumentError} it is not one.
 */
export function checkDisplayName(value: unknown): string | undefined {
  if (
    value !== undefined &&
    (typeof value !== 'string' || value.length > 256 || CONTROL.test(value))
  ) {
    throw new InvalidArgumentError(
      'displayName must be a string of at most 256 characters without control characters',
    );
  }
  return value;
}

/** Whether `value` is a `Date` that holds an instant. */
export function validDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
