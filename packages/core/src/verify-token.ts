/**
 * Verifies a Bearer JWT (JWS compact form, HMAC) with `jose`, applying the contract and RFC 8725:
 * the header's `kid` is required and looked up exactly; only allow-listed algorithms, passed to jose
 * on every call; no key ever taken from the token (`jwk`, `jku`, `x5u`, `x5c`, `x5t` are refused)
 * and no `crit`; `exp`, `nbf` and `iat` must be finite and are checked with a bounded clock
 * tolerance; the `scope` claim must be one the key may grant. Claims are read as own properties
 * only. An unknown `kid` is verified against a throw-away key so that it costs what a bad signature
 * costs. With the authenticator's verified-token cache, a token already verified is accepted again
 * without cryptography only while the store returns the very record it was verified with, that key
 * is usable and the token's time claims hold (see `internal/token-cache.ts`); failures are never
 * cached.
 */
import { webcrypto } from 'node:crypto';
import { decodeProtectedHeader, type errors, type JWTPayload, jwtVerify } from 'jose';
import type { Refusals } from './challenge.js';
import type { RejectionReason } from './errors.js';
import { keyRefusal, lookupKey } from './internal/keys.js';
import type { CachedToken, TokenCache } from './internal/token-cache.js';
import { keyEnd } from './rules/key-state.js';
import { keyScope } from './rules/records.js';
import type { AuthContext, KeyRecord, KeyStore } from './types.js';
import { contextForKey } from './verify-basic.js';

/** The HMAC algorithms keyscope can verify. */
export type TokenAlgorithm = 'HS256' | 'HS384' | 'HS512';

/**
 * Sizes of the verified-token cache (option `tokenCache` of `createAuthenticator`).
 *
 * @example
 * ```ts
 * createAuthenticator({ store, tokenCache: { maxEntries: 50_000, maxBytes: 32 * 1024 * 1024 } });
 * createAuthenticator({ store, tokenCache: false }); // verify every token every time
 * ```
 */
export interface TokenCacheOptions {
  /** The most tokens kept (default 10,000). */
  readonly maxEntries?: number;
  /**
   * The most memory the entries may take, estimated as each token's length plus a fixed
   * allowance per entry for the context and the bookkeeping (default 8 MiB).
   */
  readonly maxBytes?: number;
  /** Tokens longer than this many characters are never cached (default 4096). */
  readonly maxTokenLength?: number;
}

/** What {@link verifyToken} needs besides the token. */
export interface VerifyTokenOptions {
  readonly store: KeyStore;
  readonly refusals: Refusals;
  readonly now: number;
  readonly algorithms: readonly TokenAlgorithm[];
  /** Seconds, 0 to 60. */
  readonly clockTolerance: number;
  /** The authenticator's verified-token cache, when it is on. */
  readonly cache?: TokenCache | undefined;
}

const HASH: Record<TokenAlgorithm, string> = {
  HS256: 'SHA-256',
  HS384: 'SHA-384',
  HS512: 'SHA-512',
};
const FORBIDDEN_HEADERS = ['crit', 'jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
/** The largest time claim, in seconds, that is still a `Date` (8.64e15 ms either side of 1970). */
const MAX_TIME = 8.64e12;
const encoder = new TextEncoder();
/** An imported key: the promise of the import, and the key itself once it is there. */
interface Imported {
  readonly promise: Promise<webcrypto.CryptoKey>;
  key?: webcrypto.CryptoKey;
}
/** Per record: the secret the keys were imported from, and the key of each algorithm. */
const imported = new WeakMap<
  KeyRecord,
  { readonly secret: string; readonly byAlg: Map<string, Imported> }
>();
const throwAway = new Map<string, Imported>();

function importHmac(bytes: Uint8Array, alg: TokenAlgorithm): Imported {
  const entry: { promise: Promise<webcrypto.CryptoKey>; key?: webcrypto.CryptoKey } = {
    promise: webcrypto.subtle
      .importKey('raw', bytes, { name: 'HMAC', hash: HASH[alg] }, false, ['verify'])
      .then((key) => {
        entry.key = key;
        return key;
      }),
  };
  return entry;
}

/**
 * The key's secret (UTF-8 bytes) imported once per record and algorithm, and again if a store
 * changed the record's secret in place.
 */
function hmacKey(record: KeyRecord, alg: TokenAlgorithm): Imported {
  let keys = imported.get(record);
  if (keys === undefined || keys.secret !== record.secret) {
    keys = { secret: record.secret, byAlg: new Map() };
    imported.set(record, keys);
  }
  let key = keys.byAlg.get(alg);
  if (key === undefined) {
    key = importHmac(encoder.encode(record.secret), alg);
    keys.byAlg.set(alg, key);
  }
  return key;
}

function throwAwayKey(alg: TokenAlgorithm): Imported {
  let key = throwAway.get(alg);
  if (key === undefined) {
    key = importHmac(webcrypto.getRandomValues(new Uint8Array(32)), alg);
    throwAway.set(alg, key);
  }
  return key;
}

const own = (object: object, name: string): boolean => Object.hasOwn(object, name);

/**
 * Protected headers already decoded, by their base64url text: the tokens of one client share
 * one header, so a token seen for the first time is decoded once more by jose only. Bounded: at
 * most 256 headers of at most 512 characters, forgotten all at once when full; keys are copies,
 * so that they keep no token alive. Only the decoding is remembered: every check still runs.
 */
const decodedHeaders = new Map<string, Record<string, unknown>>();

function rememberHeader(segment: string, header: Record<string, unknown>): void {
  if (segment.length > 512) return;
  if (decodedHeaders.size >= 256) decodedHeaders.clear();
  decodedHeaders.set(Buffer.from(segment, 'latin1').toString('latin1'), Object.freeze(header));
}
const COMPACT = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
/** The value of each base64url character (by char code), -1 elsewhere. */
const SEXTET = new Int8Array(128).fill(-1);
for (const [i, c] of [
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
].entries()) {
  SEXTET[c.charCodeAt(0)] = i;
}

/**
 * Three segments of canonical, unpadded base64url. jose decodes leniently (padding and non-zero
 * unused bits are ignored), so without this check `token + "="`, or a signature whose last
 * character differs only in its unused bits, would verify as the original token. Canonical means:
 * no segment length of the form 4n + 1, and the bits the last character carries beyond the
 * encoded bytes are zero (what decoding and encoding again would give back).
 */
function isCanonicalCompact(token: string): boolean {
  if (!COMPACT.test(token)) return false;
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  return (
    canonicalSegment(token, 0, first) &&
    canonicalSegment(token, first + 1, second) &&
    canonicalSegment(token, second + 1, token.length)
  );
}

/** `token.slice(start, end)` (base64url characters only) is canonical base64url. */
function canonicalSegment(token: string, start: number, end: number): boolean {
  const extra = (end - start) % 4;
  if (extra === 0) return true;
  if (extra === 1) return false;
  // 2 characters carry 1 byte and 4 spare bits; 3 characters carry 2 bytes and 2 spare bits.
  const last = SEXTET[token.charCodeAt(end - 1)] as number;
  return (last & (extra === 2 ? 0b1111 : 0b11)) === 0;
}

/**
 * Verifies a JWT and resolves key -> entity -> scope from its `scope` claim.
 *
 * @throws {InvalidCredentialsError} malformed token, algorithm not allowed, missing `kid`,
 * forbidden header, unknown key, bad signature, expired or not yet valid token, invalid claims,
 * a scope the key cannot grant, revoked or expired key.
 * @throws {StoreUnavailableError} the store could not answer.
 */
export function verifyToken(token: string, options: VerifyTokenOptions): Promise<AuthContext> {
  const { cache } = options;
  const hit = cache?.get(token);
  if (hit === undefined) return verifyAfresh(token, options);
  // The token string is the one verified before, so its header is known good: look its key up.
  return lookupKey(options.store, hit.kid, 'jwt', options.refusals).then((record) => {
    if (record === hit.record && record.secret === hit.secret && stillValid(hit, options)) {
      return { ...hit.context, expiresAt: hit.end === undefined ? undefined : new Date(hit.end) };
    }
    // Changed, revoked, rotated or deleted key, or a token past its time: verify it as new.
    cache?.delete(token);
    return verifyAfresh(token, options, { record });
  });
}

/** Whether a cached token may still be accepted at `now`, with jose's own time rules. */
function stillValid(hit: CachedToken, { now, clockTolerance }: VerifyTokenOptions): boolean {
  const epoch = Math.floor(now / 1000);
  return (
    !(hit.exp !== undefined && hit.exp <= epoch - clockTolerance) &&
    !(hit.nbf !== undefined && hit.nbf > epoch + clockTolerance) &&
    !(hit.iat !== undefined && hit.iat > now / 1000 + clockTolerance) &&
    keyRefusal(hit.record, now) === undefined
  );
}

/** The full verification; `found` is the store's answer for the token's `kid` when already asked. */
async function verifyAfresh(
  token: string,
  options: VerifyTokenOptions,
  found?: { readonly record: KeyRecord | undefined },
): Promise<AuthContext> {
  const { store, refusals, now, algorithms, clockTolerance, cache } = options;
  const refuse = (reason: RejectionReason, keyId?: string, cause?: unknown) =>
    refusals.invalid('jwt', reason, { keyId, cause });

  if (!isCanonicalCompact(token)) throw refuse('malformed_token');
  const header = protectedHeader(token, refuse);
  for (const name of FORBIDDEN_HEADERS) if (own(header, name)) throw refuse('forbidden_header');
  const alg = own(header, 'alg') ? header.alg : undefined;
  if (typeof alg !== 'string' || !algorithms.includes(alg as TokenAlgorithm)) {
    throw refuse('unsupported_algorithm');
  }
  const kid = own(header, 'kid') ? header.kid : undefined;
  if (typeof kid !== 'string' || kid.length === 0) throw refuse('missing_kid');
  if (own(header, 'typ') && !isJwtType(header.typ)) throw refuse('malformed_token', kid);

  const record = found ? found.record : await lookupKey(store, kid, 'jwt', refusals);
  const verifyOptions = {
    algorithms: algorithms as TokenAlgorithm[],
    clockTolerance,
    currentDate: new Date(now),
  };
  if (record === undefined) {
    // The same work as a bad signature, so that timing does not tell an unknown kid apart.
    const dummy = throwAwayKey(alg as TokenAlgorithm);
    const cause = await jwtVerify(token, dummy.key ?? (await dummy.promise), verifyOptions).catch(
      (error: unknown) => error,
    );
    throw refuse('unknown_key', kid, cause);
  }
  let claims: JWTPayload;
  try {
    const key = hmacKey(record, alg as TokenAlgorithm);
    ({ payload: claims } = await jwtVerify(token, key.key ?? (await key.promise), verifyOptions));
  } catch (cause) {
    throw refuse(joseReason(cause), kid, cause);
  }

  // Finite, and within the range of a Date (else `expiresAt` would be an Invalid Date).
  const exp = timeClaim(claims, 'exp');
  const nbf = timeClaim(claims, 'nbf');
  const iat = timeClaim(claims, 'iat');
  if (exp === null || nbf === null || iat === null) throw refuse('invalid_claims', kid);
  if (iat !== undefined && iat > now / 1000 + clockTolerance) {
    throw refuse('token_issued_in_future', kid);
  }
  const refusal = keyRefusal(record, now);
  if (refusal !== undefined) throw refuse(refusal, kid);

  const granted = grantedScope(record, claims);
  if (granted === undefined) throw refuse('scope_not_allowed', kid);
  const keyEnds = keyEnd(record);
  const tokenEnds = exp === undefined ? undefined : exp * 1000;
  const end =
    keyEnds === undefined
      ? tokenEnds
      : tokenEnds === undefined
        ? keyEnds
        : Math.min(keyEnds, tokenEnds);
  const context: AuthContext = {
    ...granted,
    expiresAt: end === undefined ? undefined : new Date(end),
  };
  if (cache?.admits(token)) {
    cache.set(token, {
      kid,
      record,
      secret: record.secret,
      // `granted` is never handed out: hits copy it, with a `Date` of their own.
      context: Object.freeze(granted),
      end,
      exp,
      nbf,
      iat,
    });
  }
  return context;
}

/** A time claim: absent (`undefined`), a number within the range of a `Date`, or `null` if not. */
function timeClaim(claims: JWTPayload, name: 'exp' | 'nbf' | 'iat'): number | undefined | null {
  if (!own(claims, name)) return undefined;
  const value = claims[name] as number;
  return Math.abs(value) <= MAX_TIME ? value : null;
}

/** The token's protected header, decoded (or found among the headers decoded before). */
function protectedHeader(
  token: string,
  refuse: (reason: RejectionReason, keyId?: string, cause?: unknown) => Error,
): Record<string, unknown> {
  const segment = token.slice(0, token.indexOf('.'));
  let header = decodedHeaders.get(segment);
  if (header === undefined) {
    try {
      header = decodeProtectedHeader(token) as Record<string, unknown>;
    } catch (cause) {
      throw refuse('malformed_token', undefined, cause);
    }
    rememberHeader(segment, header);
  }
  return header;
}

/** `typ`, when present, must name a JWT (RFC 7515 4.1.9: case-insensitive, `application/` optional). */
function isJwtType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const t = typ.toLowerCase();
  return t === 'jwt' || t === 'application/jwt';
}

/** The context the token's `scope` claim earns with this key (contract section 2), if any. */
function grantedScope(record: KeyRecord, claims: JWTPayload): AuthContext | undefined {
  const scope = own(claims, 'scope') ? claims.scope : undefined;
  const base = contextForKey(record, 'jwt');
  if (keyScope(record.entity.type) === 'account') return scope === 'account' ? base : undefined;
  if (scope === 'app') return base;
  const userClaim = scope === 'appUser' ? 'userId' : scope === 'user' ? 'external_id' : undefined;
  if (userClaim === undefined || !own(claims, userClaim)) return undefined;
  const userId = claims[userClaim];
  if (typeof userId !== 'string' || userId.length === 0) return undefined;
  return { ...base, scope: 'appUser', userId };
}

/** Maps a jose error, by its `code`, to a rejection reason. */
function joseReason(error: unknown): RejectionReason {
  // jose throws only its own errors here; anything without a known code is a malformed token.
  const { code, claim, reason } = Object(error) as Partial<errors.JWTClaimValidationFailed>;
  switch (code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad_signature';
    case 'ERR_JWT_EXPIRED':
      return 'token_expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'nbf' && reason === 'check_failed'
        ? 'token_not_yet_valid'
        : 'invalid_claims';
    default:
      return 'malformed_token';
  }
}
