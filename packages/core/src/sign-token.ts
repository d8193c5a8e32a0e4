/**
 * Mints a Bearer JWT for a key, for SDK back ends that identify their end users, and for scripts:
 * HS256 (or HS384/HS512) with jose's `SignJWT`, signed with the UTF-8 bytes of the key's secret;
 * header `alg`, `kid` (the key id) and `typ: "JWT"`; claims `scope`, `userId` for `appUser` tokens,
 * `iat` and `exp` (15 minutes by default). It refuses what the verifier would refuse (contract
 * section 2), so a token it returns is accepted while the key is: an app key signs `app` or
 * `appUser` tokens only, a user-account or service-account key `account` tokens only, an `appUser`
 * token needs a non-empty `userId`, the lifetime must be positive, and the key must not be revoked
 * or expired.
 */
import { SignJWT } from 'jose';
import {
  InvalidArgumentError,
  KeyNotUsableError,
  ScopeNotAllowedError,
} from './lifecycle-errors.js';
import { isEntityType, isId, MAX_ID_LENGTH } from './rules/identifiers.js';
import { keyState } from './rules/key-state.js';
import { quote } from './rules/quote.js';
import { tokenScopes } from './rules/records.js';
import type { EntityType, KeyRecord, Scope } from './types.js';
import type { TokenAlgorithm } from './verify-token.js';

/** The default lifetime of a signed token: 15 minutes. */
export const DEFAULT_TOKEN_LIFETIME = 900;

/**
 * The key a token is signed with: its id, secret and owner kind, and (when known) its expiry and
 * revocation, which are checked. A `KeyRecord` from a store fits.
 *
 * @example
 * ```ts
 * const key: SigningKey = { id: 'app_65f0c1d2e3f4a5b6c7d8e9f0', secret, entity: { type: 'app' } };
 * ```
 */
export interface SigningKey {
  readonly id: string;
  readonly secret: string;
  readonly entity: { readonly type: EntityType; readonly id?: string };
  readonly expiresAt?: Date | undefined;
  readonly revokedAt?: Date | undefined;
}

/** Options of {@link signToken}. */
export interface SignTokenOptions {
  /** The key to sign with. */
  readonly key: SigningKey | KeyRecord;
  /** `app` or `appUser` for an app key; `account` for a user-account or service-account key. */
  readonly scope: Scope;
  /** The end user of an `appUser` token (required for it, refused for the others). */
  readonly userId?: string | undefined;
  /**
   * Lifetime: seconds (a positive number) or a duration such as `'45s'`, `'15m'`, `'12h'`, `'7d'`.
   * Default 15 minutes.
   */
  readonly expiresIn?: number | string | undefined;
  /** `HS256` (default). `HS384` and `HS512` verify only where the server opted in to them. */
  readonly algorithm?: TokenAlgorithm | undefined;
}

const ALGORITHMS: readonly string[] = ['HS256', 'HS384', 'HS512'];
const DURATION = /^(\d{1,9})(s|m|h|d)$/;
const UNIT: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const encoder = new TextEncoder();

/**
 * Signs a JWT for `key` carrying `scope` (and `userId` for `appUser`).
 *
 * @throws {InvalidArgumentError} a malformed key, a missing or empty `userId` for `appUser` (or a
 * `userId` for another scope), a lifetime that is not positive, an algorithm other than
 * HS256/HS384/HS512.
 * @throws {ScopeNotAllowedError} the key cannot grant the scope (an app key and `account`, a
 * user-account or service-account key and `app` or `appUser`).
 * @throws {KeyNotUsableError} the key is revoked or expired.
 * @example
 * ```ts
 * import { signToken } from '@keyscope/core';
 *
 * const key = await store.findKey('app_65f0c1d2e3f4a5b6c7d8e9f0');
 * const token = await signToken({ key: key!, scope: 'appUser', userId: 'u_42', expiresIn: '15m' });
 * // hand `token` to the SDK: Authorization: Bearer <token>
 * ```
 */
export async function signToken(options: SignTokenOptions): Promise<string> {
  const { key, scope, userId } = options ?? ({} as Partial<SignTokenOptions>);
  if (typeof key !== 'object' || key === null) {
    throw new InvalidArgumentError('key must be an object with id, secret and entity');
  }
  if (!isId(key.id)) {
    throw new InvalidArgumentError(
      `key.id must be a non-empty string of at most ${MAX_ID_LENGTH} characters without control characters`,
    );
  }
  if (typeof key.secret !== 'string' || key.secret.length === 0) {
    throw new InvalidArgumentError('key.secret must be a non-empty string');
  }
  const type = key.entity?.type;
  if (!isEntityType(type)) {
    throw new InvalidArgumentError(
      'key.entity.type must be "app", "userAccount" or "serviceAccount"',
    );
  }
  const algorithm = options.algorithm ?? 'HS256';
  if (!ALGORITHMS.includes(algorithm)) {
    throw new InvalidArgumentError('algorithm must be HS256, HS384 or HS512');
  }

  if (!tokenScopes(type).includes(scope)) {
    throw new ScopeNotAllowedError(type, String(scope));
  }
  if (scope === 'appUser') {
    if (typeof userId !== 'string' || userId.length === 0) {
      throw new InvalidArgumentError('an appUser token needs a non-empty userId');
    }
  } else if (userId !== undefined) {
    throw new InvalidArgumentError(`userId is only for appUser tokens, not ${quote(scope)}`);
  }

  const lifetime = seconds(options.expiresIn);
  const state = keyState(key);
  if (state !== 'active') throw new KeyNotUsableError(key.id, state);

  const iat = Math.floor(Date.now() / 1000);
  const claims = scope === 'appUser' ? { scope, userId } : { scope };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: algorithm, kid: key.id, typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + lifetime)
    .sign(encoder.encode(key.secret));
}

/** A lifetime in whole seconds (at least 1), from a number of seconds or a duration text. */
function seconds(value: number | string | undefined): number {
  if (value === undefined) return DEFAULT_TOKEN_LIFETIME;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value > 0) return Math.ceil(value);
  } else if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    const total = match ? Number(match[1]) * (UNIT[match[2] as string] as number) : 0;
    if (total > 0) return total;
  }
  throw new InvalidArgumentError(
    'expiresIn must be a positive number of seconds or a duration such as "15m", "12h" or "7d"',
  );
}
