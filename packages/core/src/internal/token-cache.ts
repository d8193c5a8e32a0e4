/**
 * The verified-token cache of one authenticator: what a successful JWT verification established,
 * keyed on the whole token string, so that a client reusing its token is not verified again while
 * the token is valid. It is only a memory of past successes: an entry is used by `verifyToken`
 * only if the store still returns the very same `KeyRecord` object it was verified with (stores
 * replace a record by a new object whenever its key changes, is revoked or rotated), the key is
 * still usable now, and the token's own time claims still hold; anything else drops the entry and
 * verifies the token afresh. Failures are never cached. A token is admitted the second time it is
 * verified, so that tokens used once never enter it. The cache is bounded three ways: in entries,
 * in (estimated) bytes, and by the length of a token worth caching; the least recently used entry
 * goes first, and an entry whose token has expired is dropped when met.
 */
import { ConfigurationError } from '../errors.js';
import type { AuthContext, KeyRecord } from '../types.js';
import type { TokenCacheOptions } from '../verify-token.js';

/** What one successful verification established. */
export interface CachedToken {
  /** The `kid` of the token's header. */
  readonly kid: string;
  /** The record the token was verified with: a hit needs the store to return this object. */
  readonly record: KeyRecord;
  /** The record's secret at verification time (guards against a store mutating a record). */
  readonly secret: string;
  /** The context verification resolved; hits hand out copies of it. */
  readonly context: AuthContext;
  /** `context.expiresAt` in ms, if any. */
  readonly end: number | undefined;
  /** The token's `exp`, `nbf` and `iat` claims (seconds), if present. */
  readonly exp: number | undefined;
  readonly nbf: number | undefined;
  readonly iat: number | undefined;
}

/** A cached token in the recency list: `older` towards the eviction end. */
interface Slot {
  readonly token: string;
  readonly value: CachedToken;
  readonly size: number;
  older: Slot | undefined;
  newer: Slot | undefined;
}

/** Estimated bytes of an entry besides its token: Map slot, list node, entry, context, strings. */
export const ENTRY_OVERHEAD = 512;
const DEFAULTS = { maxEntries: 10_000, maxBytes: 8 * 1024 * 1024, maxTokenLength: 4096 };

/**
 * A cheap fingerprint of a token: a hash of the characters before its last one (a JWT's
 * signature, random for genuine tokens). Only used to admit a token to the cache the second time
 * it is verified; a collision only admits a verified token early.
 */
function fingerprint(token: string): number {
  let hash = token.length;
  for (let i = Math.max(0, token.length - 9); i < token.length - 1; i++) {
    hash = (Math.imul(hash, 31) + token.charCodeAt(i)) | 0;
  }
  return hash;
}

/**
 * A bounded LRU of verified tokens: a Map for lookups and a doubly linked recency list, so that
 * every operation is O(1). A token is admitted the second time it is verified (a "doorkeeper" set
 * of fingerprints remembers the first time), so that a flood of tokens each seen once, the worst
 * case of a JWT per request, does not churn the cache: it costs a small number per token instead
 * of an entry that would live just long enough to burden the garbage collector.
 */
export class TokenCache {
  private readonly slots = new Map<string, Slot>();
  private readonly seenOnce = new Set<number>();
  private oldest: Slot | undefined;
  private newest: Slot | undefined;
  private used = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    readonly maxTokenLength: number,
  ) {}

  /** Number of tokens held. */
  get size(): number {
    return this.slots.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.used;
  }

  /** The entry of `token`, made the most recently used. */
  get(token: string): CachedToken | undefined {
    const slot = this.slots.get(token);
    if (slot === undefined) return undefined;
    if (slot !== this.newest) {
      this.unlink(slot);
      this.append(slot);
    }
    return slot.value;
  }

  /**
   * Whether a token just verified should be remembered: not when it is too long to be worth it,
   * nor the first time it is verified (within the last `maxEntries` first sightings), which this
   * call notes.
   */
  admits(token: string): boolean {
    if (token.length > this.maxTokenLength) return false;
    const print = fingerprint(token);
    if (this.seenOnce.delete(print)) return true;
    if (this.seenOnce.size >= this.maxEntries) this.seenOnce.clear();
    this.seenOnce.add(print);
    return false;
  }

  /** Remembers a verified token (that {@link admits} let in), unless it is too large. */
  set(token: string, value: CachedToken): void {
    const size = token.length + (value.context.userId?.length ?? 0) + ENTRY_OVERHEAD;
    if (token.length > this.maxTokenLength || size > this.maxBytes) return;
    this.delete(token);
    const slot: Slot = { token, value, size, older: undefined, newer: undefined };
    this.slots.set(token, slot);
    this.append(slot);
    this.used += size;
    while (this.slots.size > this.maxEntries || this.used > this.maxBytes) {
      this.delete((this.oldest as Slot).token);
    }
  }

  /** Forgets a token. */
  delete(token: string): void {
    const slot = this.slots.get(token);
    if (slot === undefined) return;
    this.slots.delete(token);
    this.unlink(slot);
    this.used -= slot.size;
  }

  private append(slot: Slot): void {
    slot.older = this.newest;
    slot.newer = undefined;
    if (this.newest === undefined) this.oldest = slot;
    else this.newest.newer = slot;
    this.newest = slot;
  }

  private unlink(slot: Slot): void {
    if (slot.older === undefined) this.oldest = slot.newer;
    else slot.older.newer = slot.newer;
    if (slot.newer === undefined) this.newest = slot.older;
    else slot.newer.older = slot.older;
  }
}

/**
 * Checks the `tokenCache` option and makes the cache; `false` turns it off (`undefined`).
 *
 * @throws {ConfigurationError} when the option is neither `false` nor an object of positive
 * integer sizes.
 */
export function createTokenCache(
  option: TokenCacheOptions | false | undefined,
): TokenCache | undefined {
  if (option === false) return undefined;
  if (option !== undefined && (typeof option !== 'object' || option === null)) {
    throw new ConfigurationError(
      'tokenCache must be false or { maxEntries, maxBytes, maxTokenLength }',
    );
  }
  const size = (name: keyof TokenCacheOptions): number => {
    const value = option?.[name] ?? DEFAULTS[name];
    if (!(Number.isSafeInteger(value) && value > 0)) {
      throw new ConfigurationError(`tokenCache.${name} must be a positive integer`);
    }
    return value;
  };
  return new TokenCache(size('maxEntries'), size('maxBytes'), size('maxTokenLength'));
}
