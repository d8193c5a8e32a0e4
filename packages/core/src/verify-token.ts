/**
 * Verifies a Bearer JWT (JWS compact form, HMAC) with `jose`, applying the contract and RFC 8725:
 * the header's `kid` is required and looked up exactly; only allow-listed algorithms, passed to jose
 * on every call; no key ever taken from the token (`jwk`, `jku`, `x5u`, `x5c`, `x5t` are refused)
 * and no `crit`; `exp`, `nbf` and `iat` must be finite and are checked with a bounded clock
 * tolerance; the `scope` claim must be one the key may grant. Claims are read as own properties
 * only. An unknown `kid` is verified against a throw-away key so that it costs what a bad signature
 * costs.
 */
import { webcrypto } from 'node:crypto';
import { decodeProtectedHeader, type errors, type JWTPayload, jwtVerify } from 'jose';
import type { Refusals } from './challenge.js';
import type { RejectionReason } from './errors.js';
import { keyEnd, keyRefusal, lookupKey } from './internal/keys.js';
import type { AuthContext, KeyRecord, KeyStore } from './types.js';
import { contextForKey } from './verify-basic.js';

/** The HMAC algorithms keyscope can verify. */
export type TokenAlgorithm = 'HS256' | 'HS384' | 'HS512';

/** What {@link verifyToken} needs besides the token. */
export interface VerifyTokenOptions {
  readonly store: KeyStore;
  readonly refusals: Refusals;
  readonly now: number;
  readonly algorithms: readonly TokenAlgorithm[];
  /** Seconds, 0 to 60. */
  readonly clockTolerance: number;
}

const HASH: Record<TokenAlgorithm, string> = {
  HS256: 'SHA-256',
  HS384: 'SHA-384',
  HS512: 'SHA-512',
};
const FORBIDDEN_HEADERS = ['crit', 'jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256'];
const TIME_CLAIMS = ['exp', 'nbf', 'iat'] as const;
/** The largest time claim, in seconds, that is still a `Date` (8.64e15 ms either side of 1970). */
const MAX_TIME = 8.64e12;
const encoder = new TextEncoder();
const imported = new WeakMap<KeyRecord, Map<string, Promise<webcrypto.CryptoKey>>>();
const throwAway = new Map<string, Promise<webcrypto.CryptoKey>>();

function importHmac(bytes: Uint8Array, alg: TokenAlgorithm): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: HASH[alg] }, false, [
    'verify',
  ]);
}

/** The key's secret (UTF-8 bytes) imported once per record and algorithm. */
function hmacKey(record: KeyRecord, alg: TokenAlgorithm): Promise<webcrypto.CryptoKey> {
  let byAlg = imported.get(record);
  if (byAlg === undefined) {
    byAlg = new Map();
    imported.set(record, byAlg);
  }
  let key = byAlg.get(alg);
  if (key === undefined) {
    key = importHmac(encoder.encode(record.secret), alg);
    byAlg.set(alg, key);
  }
  return key;
}

function throwAwayKey(alg: TokenAlgorithm): Promise<webcrypto.CryptoKey> {
  let key = throwAway.get(alg);
  if (key === undefined) {
    key = importHmac(webcrypto.getRandomValues(new Uint8Array(32)), alg);
    throwAway.set(alg, key);
  }
  return key;
}

const own = (object: object, name: string): boolean => Object.hasOwn(object, name);
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Three segments of canonical, unpadded base64url. jose decodes leniently (padding and non-zero
 * unused bits are ignored), so without this check `token + "="`, or a signature whose last
 * character differs only in its unused bits, would verify as the original token.
 */
function isCanonicalCompact(token: string): boolean {
  const segments = token.split('.');
  return (
    segments.length === 3 &&
    segments.every(
      (segment) =>
        BASE64URL.test(segment) &&
        Buffer.from(segment, 'base64url').toString('base64url') === segment,
    )
  );
}

/**
 * Verifies a JWT and resolves key -> entity -> scope from its `scope` claim.
 *
 * @throws {InvalidCredentialsError} malformed token, algorithm not allowed, missing `kid`,
 * forbidden header, unknown key, bad signature, expired or not yet valid token, invalid claims,
 * a scope the key cannot grant, revoked or expired key.
 * @throws {StoreUnavailableError} the store could not answer.
 */
export async function verifyToken(
  token: string,
  options: VerifyTokenOptions,
): Promise<AuthContext> {
  const { store, refusals, now, algorithms, clockTolerance } = options;
  const refuse = (reason: RejectionReason, keyId?: string, cause?: unknown) =>
    refusals.invalid('jwt', reason, { keyId, cause });

  if (!isCanonicalCompact(token)) throw refuse('malformed_token');
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch (cause) {
    throw refuse('malformed_token', undefined, cause);
  }
  if (FORBIDDEN_HEADERS.some((name) => own(header, name))) throw refuse('forbidden_header');
  const alg = own(header, 'alg') ? header.alg : undefined;
  if (typeof alg !== 'string' || !algorithms.includes(alg as TokenAlgorithm)) {
    throw refuse('unsupported_algorithm');
  }
  const kid = own(header, 'kid') ? header.kid : undefined;
  if (typeof kid !== 'string' || kid.length === 0) throw refuse('missing_kid');
  if (own(header, 'typ') && !isJwtType(header.typ)) throw refuse('malformed_token', kid);

  const record = await lookupKey(store, kid, 'jwt', refusals);
  const verifyOptions = {
    algorithms: algorithms as TokenAlgorithm[],
    clockTolerance,
    currentDate: new Date(now),
  };
  if (record === undefined) {
    // The same work as a bad signature, so that timing does not tell an unknown kid apart.
    const cause = await jwtVerify(
      token,
      await throwAwayKey(alg as TokenAlgorithm),
      verifyOptions,
    ).catch((error: unknown) => error);
    throw refuse('unknown_key', kid, cause);
  }
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(
      token,
      await hmacKey(record, alg as TokenAlgorithm),
      verifyOptions,
    ));
  } catch (cause) {
    throw refuse(joseReason(cause), kid, cause);
  }

  // Finite, and within the range of a Date (else `expiresAt` would be an Invalid Date).
  for (const name of TIME_CLAIMS) {
    if (own(claims, name) && !(Math.abs(claims[name] as number) <= MAX_TIME)) {
      throw refuse('invalid_claims', kid);
    }
  }
  if (own(claims, 'iat') && (claims.iat as number) > now / 1000 + clockTolerance) {
    throw refuse('token_issued_in_future', kid);
  }
  const refusal = keyRefusal(record, now);
  if (refusal !== undefined) throw refuse(refusal, kid);

  const granted = grantedScope(record, claims);
  if (granted === undefined) throw refuse('scope_not_allowed', kid);
  const ends = [keyEnd(record), own(claims, 'exp') ? (claims.exp as number) * 1000 : undefined];
  const end = ends.reduce<number | undefined>(
    (a, b) => (a === undefined ? b : b === undefined ? a : Math.min(a, b)),
    undefined,
  );
  return { ...granted, expiresAt: end === undefined ? undefined : new Date(end) };
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
  if (record.entity.type !== 'app') return scope === 'account' ? base : undefined;
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
