/**
 * How an id or other caller-supplied text appears in a lifecycle message: JSON-quoted, so that a
 * control character never reaches a terminal or a log line raw, and cut at 64 characters.
 */

/** `text` JSON-quoted and cut at 64 characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}...` : text);
}
