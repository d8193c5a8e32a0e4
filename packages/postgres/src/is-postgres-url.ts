/**
 * `isPostgresUrl`: whether a store setting (`--store`, `KEYSCOPE_STORE`) names a PostgreSQL
 * database, so a command or a server can choose between a keys file and this store in one line.
 */

/**
 * Whether `value` is a `postgres://` or `postgresql://` URL (case-insensitive scheme).
 *
 * @example
 * ```ts
 * import { isPostgresUrl, openPostgresStore } from '@keyscope/postgres';
 *
 * const store = isPostgresUrl(process.env.KEYSCOPE_STORE)
 *   ? await openPostgresStore(process.env.KEYSCOPE_STORE)
 *   : await openFileStore('keys.json');
 * ```
 */
export function isPostgresUrl(value: unknown): value is string {
  return typeof value === 'string' && /^postgres(?:ql)?:\/\//i.test(value.trim());
}
