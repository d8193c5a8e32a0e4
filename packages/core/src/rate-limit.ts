/**
 * Abuse control for failed authentication attempts: the `RateLimiter` interface the authenticator
 * consults before it verifies a credential, and `createMemoryRateLimiter`, a bounded in-memory
 * implementation for one process. Failures are counted per (key id, client address) and per client
 * address, never per key id alone, so that someone guessing at a key from one address cannot lock
 * its legitimate holder out from another. The interface may answer synchronously or with a promise,
 * so a limiter backed by a shared store (Redis, a database) fits it unchanged.
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { ConfigurationError } from './errors.js';

/**
 * One authentication attempt, as a limiter sees it. It never holds a secret or a token.
 *
 * @example
 * ```ts
 * const attempt: RateLimitAttempt = { keyId: 'app_65f0c1d2e3f4a5b6c7d8e9f0', address: '203.0.113.7', method: 'basic' };
 * ```
 */
export interface RateLimitAttempt {
  /**
   * The key id the caller presented (the Basic key id, or the `kid` of the JWT header), when one
   * was readable. Not verified: anyone may present anyone's key id.
   */
  readonly keyId: string | undefined;
  /** The client address from `AuthRequest.address`; `undefined` when the adapter passed none. */
  readonly address: string | undefined;
  /** How the caller tried to authenticate. */
  readonly method: 'basic' | 'jwt';
}

/**
 * A limiter's answer to {@link RateLimiter.check}: go ahead, or refuse for `retryAfter` seconds
 * (sent as `Retry-After`, rounded up to a whole second, at least 1).
 *
 * @example
 * ```ts
 * const decision: RateLimitDecision = { allowed: false, retryAfter: 42 };
 * ```
 */
export type RateLimitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfter: number };

/**
 * A limiter of failed authentication attempts, passed to `createAuthenticator({ rateLimiter })`.
 *
 * For every request that presents Basic or Bearer credentials the authenticator calls, in order:
 * 1. `check(attempt)`, after parsing the `Authorization` field and before any store lookup or
 *    cryptography. `{ allowed: false }` answers 429 `too_many_requests` with `Retry-After`.
 * 2. the verification, then exactly one of `recordFailure(attempt)` (the credential was refused
 *    with a 401: unknown key, wrong secret, bad token, revoked or expired key...) or
 *    `recordSuccess(attempt)` (it authenticated). A 503 (the key store is down) records nothing.
 *
 * Fail closed: if `check` or `recordFailure` throws or rejects, or `check` answers anything but a
 * decision, the request is answered 503 `service_unavailable` (reason `store_unavailable`, with the
 * limiter's error as `cause`), never let through. An error of `recordSuccess` is ignored: the
 * credential was valid, and a missed reset only keeps a count that expires with its window.
 *
 * A shared implementation (one count for every process) keeps two counters with a time to live,
 * e.g. in Redis `INCR` + `PEXPIRE NX` on `fail:addr:<address>` and `fail:key:<keyId>:<address>`,
 * `GET` both (and `PTTL` for `retryAfter`) in `check`, and `DEL` the second in `recordSuccess`.
 * Requests checked at the same moment all see the count before any of them failed, so a burst of
 * parallel attempts can overshoot the limit by its own size; every failure is still counted.
 *
 * @example
 * ```ts
 * const limiter: RateLimiter = {
 *   async check({ address }) {
 *     const failures = Number(await redis.get(`fail:addr:${address}`));
 *     return failures < 100 ? { allowed: true } : { allowed: false, retryAfter: 60 };
 *   },
 *   async recordFailure({ address }) {
 *     await redis.multi().incr(`fail:addr:${address}`).pexpire(`fail:addr:${address}`, 60_000, 'NX').exec();
 *   },
 * };
 * const authenticator = createAuthenticator({ store, rateLimiter: limiter });
 * ```
 */
export interface RateLimiter {
  /** Whether the attempt may be verified. */
  check(attempt: RateLimitAttempt): RateLimitDecision | Promise<RateLimitDecision>;
  /** Counts a refused credential (401). */
  recordFailure(attempt: RateLimitAttempt): void | Promise<void>;
  /** Called when the credential authenticated; typically forgets the (key id, address) count. */
  recordSuccess?(attempt: RateLimitAttempt): void | Promise<void>;
}

/** Options of {@link createMemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /**
   * Failed attempts allowed per (key id, client address) in one window (default 10). The next
   * attempt with that key id from that address is refused until the window ends, even with the
   * right secret; the same key from another address is not affected.
   */
  readonly maxFailuresPerKeyAndAddress?: number;
  /** Failed attempts allowed per client address in one window, whatever the key (default 100). */
  readonly maxFailuresPerAddress?: number;
  /** Length of a window in ms (default 60000). A window opens with the first failure it counts. */
  readonly windowMs?: number;
  /**
   * Most counters kept (default 10000); the least recently used goes first, so memory stays
   * bounded however many addresses and key ids are seen. Each counter takes about 200 bytes.
   */
  readonly maxEntries?: number;
  /**
   * IPv6 addresses are counted by their network prefix of this many bits (default 64, one
   * customer's subnet), since a single client may own every address of a /64. 128 counts each
   * address on its own.
   */
  readonly ipv6PrefixLength?: number;
}

/**
 * The in-memory limiter: a {@link RateLimiter} with a look at its size.
 *
 * @example
 * ```ts
 * const limiter = createMemoryRateLimiter();
 * console.log(limiter.size); // counters held
 * ```
 */
export interface MemoryRateLimiter extends RateLimiter {
  check(attempt: RateLimitAttempt): RateLimitDecision;
  recordFailure(attempt: RateLimitAttempt): void;
  recordSuccess(attempt: RateLimitAttempt): void;
  /** Counters held now (never more than `maxEntries`). */
  readonly size: number;
  /** Forgets every count. */
  clear(): void;
}

interface Counter {
  failures: number;
  readonly resetAt: number;
}

const ALLOWED: RateLimitDecision = Object.freeze({ allowed: true });
/** Names longer than this are counted under their SHA-256, so a counter's size is bounded. */
const MAX_NAME_LENGTH = 128;

/**
 * Creates a limiter of failed attempts that keeps its counts in this process's memory: enough for
 * one server; several processes behind a load balancer each count on their own (use a shared
 * implementation of {@link RateLimiter} for one count across them).
 *
 * Counts are kept per (key id, address) and per address, each in a fixed window that opens with
 * its first failure. A success forgets the (key id, address) count but not the address count, so
 * that one valid key does not reset a search for others. An attempt without an address (an
 * adapter that passes none) counts under one shared address `unknown`: the limit still holds, at
 * the price of grouping such callers.
 *
 * @throws {ConfigurationError} when an option is not a positive integer (or `ipv6PrefixLength`
 * not from 1 to 128).
 * @example
 * ```ts
 * import { createAuthenticator, createMemoryRateLimiter } from '@keyscope/core';
 *
 * const rateLimiter = createMemoryRateLimiter({ maxFailuresPerKeyAndAddress: 10, windowMs: 60_000 });
 * const authenticator = createAuthenticator({ store, rateLimiter });
 * // the 11th failure of a key id from one address within a minute answers 429 + Retry-After
 * ```
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): MemoryRateLimiter {
  const perKey = positiveInteger(options, 'maxFailuresPerKeyAndAddress', 10);
  const perAddress = positiveInteger(options, 'maxFailuresPerAddress', 100);
  const windowMs = positiveInteger(options, 'windowMs', 60_000);
  const maxEntries = positiveInteger(options, 'maxEntries', 10_000);
  const prefix = positiveInteger(options, 'ipv6PrefixLength', 64);
  if (prefix > 128) throw new ConfigurationError('ipv6PrefixLength must be from 1 to 128');

  // A Map used as an LRU: iteration order is recency, oldest first.
  const counters = new Map<string, Counter>();

  const names = (attempt: RateLimitAttempt) => {
    const address = `a:${compact(normalizeAddress(attempt?.address, prefix))}`;
    const keyId = attempt?.keyId;
    const pair =
      typeof keyId === 'string' && keyId !== '' ? `k:${compact(keyId)}\u0000${address}` : undefined;
    return { address, pair };
  };

  function live(name: string, now: number): Counter | undefined {
    const counter = counters.get(name);
    if (counter === undefined) return undefined;
    counters.delete(name);
    if (counter.resetAt <= now) return undefined;
    counters.set(name, counter);
    return counter;
  }

  function count(name: string, now: number): void {
    const counter = live(name, now);
    if (counter !== undefined) {
      counter.failures++;
      return;
    }
    counters.set(name, { failures: 1, resetAt: now + windowMs });
    while (counters.size > maxEntries) {
      counters.delete(counters.keys().next().value as string);
    }
  }

  return {
    check(attempt) {
      const now = Date.now();
      const { address, pair } = names(attempt);
      let until = 0;
      const byAddress = live(address, now);
      if (byAddress !== undefined && byAddress.failures >= perAddress) until = byAddress.resetAt;
      const byPair = pair === undefined ? undefined : live(pair, now);
      if (byPair !== undefined && byPair.failures >= perKey) {
        until = Math.max(until, byPair.resetAt);
      }
      if (until === 0) return ALLOWED;
      return { allowed: false, retryAfter: Math.max(1, Math.ceil((until - now) / 1000)) };
    },
    recordFailure(attempt) {
      const now = Date.now();
      const { address, pair } = names(attempt);
      count(address, now);
      if (pair !== undefined) count(pair, now);
    },
    recordSuccess(attempt) {
      const { pair } = names(attempt);
      if (pair !== undefined) counters.delete(pair);
    },
    get size() {
      return counters.size;
    },
    clear() {
      counters.clear();
    },
  };
}

function positiveInteger(
  options: MemoryRateLimiterOptions,
  name: keyof MemoryRateLimiterOptions,
  fallback: number,
): number {
  const value = options?.[name] ?? fallback;
  if (!(Number.isSafeInteger(value) && value > 0)) {
    throw new ConfigurationError(`${name} must be a positive integer`);
  }
  return value;
}

/** A bounded name: the text itself when short, else its SHA-256. */
function compact(text: string): string {
  if (text.length <= MAX_NAME_LENGTH) return text;
  return `#${createHash('sha256').update(text, 'utf8').digest('base64url')}`;
}

/**
 * The address a count is kept under: IPv4 as is (also when written as an IPv4-mapped IPv6
 * address), IPv6 reduced to its network prefix, anything else (a custom adapter's label) as is,
 * and no address as `unknown`.
 */
function normalizeAddress(address: unknown, prefixLength: number): string {
  if (typeof address !== 'string' || address === '') return 'unknown';
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const noZone = bare.split('%')[0] as string;
  if (!isIPv6(noZone)) return bare;
  const groups = expandIPv6(noZone);
  // ::ffff:a.b.c.d is the IPv4 client a.b.c.d on a dual-stack socket.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    const v4 = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    if (isIPv4(v4)) return v4;
  }
  let bits = prefixLength;
  const kept = groups.map((group) => {
    const take = Math.max(0, Math.min(16, bits));
    bits -= 16;
    return take === 0 ? 0 : group & (0xffff << (16 - take)) & 0xffff;
  });
  return `${kept.map((g) => g.toString(16)).join(':')}/${prefixLength}`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` and a trailing IPv4 part expanded). */
function expandIPv6(address: string): number[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4 !== null) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
