/**
 * Reads the instants and lifetimes of the command line: an ISO-8601 date (`2030-01-01`, UTC
 * midnight) or instant with a time zone (`2030-01-01T12:00:00Z`), or a duration from now made of
 * whole units (`45s`, `15m`, `12h`, `30d`, `2w`, or combined as `1h30m`).
 */
import { UsageError } from './errors.js';

const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const DURATION = /^(?:\d{1,9}[smhdw])+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Seconds in a duration text, or `undefined` if it is not one. */
function durationSeconds(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhdw])/g)) {
    total += Number(amount) * (UNIT[unit as string] as number);
  }
  return total;
}

/**
 * The instant `text` names: a date, an instant, or a duration after `now`. It must be after `now`.
 *
 * @throws {UsageError} the text is neither, or the instant is not in the future.
 */
export function parseWhen(text: string, now: Date, flag: string): Date {
  const value = text.trim();
  const seconds = durationSeconds(value);
  let when: Date | undefined;
  if (seconds !== undefined) when = new Date(now.getTime() + seconds * 1000);
  else if (DATE.test(value) || INSTANT.test(value)) {
    when = new Date(DATE.test(value) ? `${value}T00:00:00Z` : value);
  }
  if (when === undefined || Number.isNaN(when.getTime())) {
    throw new UsageError(
      `${flag} must be an ISO date (2030-01-01), an instant with a time zone (2030-01-01T12:00:00Z) or a duration (30d, 12h, 15m)`,
    );
  }
  if (!(when > now)) throw new UsageError(`${flag} must be in the future`);
  return when;
}

/**
 * A lifetime in whole seconds: a duration, or the time from `now` until a date or instant.
 *
 * @throws {UsageError} as {@link parseWhen}.
 */
export function parseLifetime(text: string, now: Date, flag: string): number {
  return Math.ceil((parseWhen(text, now, flag).getTime() - now.getTime()) / 1000);
}
