/**
 * Internal: an environment value trimmed, or `undefined` when it is unset or blank, so that
 * `PORT=` and `PORT=" "` mean the default.
 */

/**
 * The value trimmed, or `undefined` when unset or blank.
 *
 * @example
 * ```ts
 * nonEmpty(' 8080 '); // '8080'
 * nonEmpty('  '); // undefined
 * ```
 */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
