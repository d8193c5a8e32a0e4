/**
 * How an id or other caller-supplied text appears in a message (a lifecycle error, a refusal of a
 * store): JSON-quoted, so that a control character never reaches a terminal or a log line raw,
 * and cut at 64 characters, so that a hostile id cannot flood one.
 */

/** The most characters of a quoted text kept before `...`. */
const QUOTED_LENGTH = 64;

/**
 * `text` JSON-quoted and cut at 64 characters (`...` marks the cut, inside the quotes).
 *
 * @example
 * ```ts
 * quote('app\u0000x'); // '"app\\u0000x"': the NUL byte is escaped, not printed
 * ```
 */
export function quote(text: string): string {
  return JSON.stringify(text.length > QUOTED_LENGTH ? `${text.slice(0, QUOTED_LENGTH)}...` : text);
}
