/**
 * The id rule and the entity rule, one definition for every store and check: an id (of a key, an
 * app, an account, a service account) is 1 to 256 characters without a control character (C0,
 * DEL or C1), compared exactly; an entity is an object with one of the three entity types and a
 * valid id. The verifier uses the id rule to treat a key id no store can hold as unknown without a
 * lookup, the keys file to refuse a document, and every writable store to refuse an argument
 * with the same `InvalidArgumentError` and message.
 */
import { InvalidArgumentError } from '../lifecycle-errors.js';
import type { Entity, EntityType } from '../types.js';

/** The longest id, in UTF-16 code units (string length). */
export const MAX_ID_LENGTH = 256;

/**
 * A control character: C0 (U+0000-U+001F), DEL (U+007F) or C1 (U+0080-U+009F). No id, display
 * name or credential holds one. Without the `g` flag, so it is safe to share.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** The three kinds of entity a key can belong to. */
export const ENTITY_TYPES: readonly EntityType[] = Object.freeze([
  'app',
  'userAccount',
  'serviceAccount',
]);

/**
 * Whether `value` is a valid id: a string of 1 to 256 characters without control characters.
 *
 * @example
 * ```ts
 * isId('app_a'); // true
 * isId('a'.repeat(257)); // false: no store holds it, so a lookup can be skipped
 * ```
 */
export function isId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= MAX_ID_LENGTH &&
    !CONTROL_CHARACTER.test(value)
  );
}

/**
 * `value` if it is a valid id (see {@link isId}).
 *
 * @param what - how the message names the argument (`'the app id'`, `'entity.id'`)
 * @throws {InvalidArgumentError} `<what> must be a string of 1 to 256 characters without control
 * characters`.
 */
export function checkId(value: unknown, what: string): string {
  if (!isId(value)) {
    throw new InvalidArgumentError(
      `${what} must be a string of 1 to ${MAX_ID_LENGTH} characters without control characters`,
    );
  }
  return value;
}

/** Whether `value` is one of the three entity types. */
export function isEntityType(value: unknown): value is EntityType {
  return value === 'app' || value === 'userAccount' || value === 'serviceAccount';
}

/**
 * `value` as an entity (a fresh `{ type, id }`, nothing else copied).
 *
 * @throws {InvalidArgumentError} it is not an object (`entity must be an object with a type and an
 * id`), its type is not one of the three (`entity.type must be "app", "userAccount" or
 * "serviceAccount"`), or its id breaks the id rule (`entity.id must be ...`).
 */
export function checkEntity(value: unknown): Entity {
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError('entity must be an object with a type and an id');
  }
  const { type, id } = value as { type?: unknown; id?: unknown };
  if (!isEntityType(type)) {
    throw new InvalidArgumentError('entity.type must be "app", "userAccount" or "serviceAccount"');
  }
  return { type, id: checkId(id, 'entity.id') };
}
