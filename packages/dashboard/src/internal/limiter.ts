/**
 * The sign-in limiter: at most `max` failed sign-ins per client address in a window of `window`
 * milliseconds; past that, sign-in from that address answers 429 with `Retry-After` until the window
 * ends. A successful sign-in clears the address's count. Memory is bounded: past `maxEntries`
 * addresses, the oldest are forgotten.
 */

/** Settings of the limiter. */
export interface LimiterSettings {
  readonly max: number;
  readonly window: number;
  readonly maxEntries: number;
}

/** The sign-in limiter of one dashboard. */
export interface SignInLimiter {
  /** Seconds to wait before trying again, or 0 when the address may try now. */
  retryAfter(address: string, now: number): number;
  /** Counts a failure. */
  fail(address: string, now: number): void;
  /** Forgets an address (after a successful sign-in). */
  reset(address: string): void;
}

interface Entry {
  count: number;
  readonly start: number;
}

/** Creates a limiter. */
export function createSignInLimiter(settings: LimiterSettings): SignInLimiter {
  const entries = new Map<string, Entry>();
  const live = (address: string, now: number) => {
    const entry = entries.get(address);
    if (entry !== undefined && now - entry.start >= settings.window) {
      entries.delete(address);
      return undefined;
    }
    return entry;
  };
  return {
    retryAfter(address, now) {
      const entry = live(address, now);
      if (entry === undefined || entry.count < settings.max) return 0;
      return Math.max(1, Math.ceil((entry.start + settings.window - now) / 1000));
    },
    fail(address, now) {
      const entry = live(address, now);
      if (entry !== undefined) {
        entry.count++;
        return;
      }
      while (entries.size >= settings.maxEntries) {
        entries.delete(entries.keys().next().value as string);
      }
      entries.set(address, { count: 1, start: now });
    },
    reset(address) {
      entries.delete(address);
    },
  };
}
