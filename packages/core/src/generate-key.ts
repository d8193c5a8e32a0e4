/**
 * Makes a new API key's id and secret. The id is a prefix naming the kind of owner (`app_`,
 * `act_` for a user account, `svc_` for a service account) and 24 lowercase hex characters (96
 * random bits); the secret is at least 32 bytes from the platform CSPRNG (`crypto.randomBytes`),
 * base64url-encoded without padding. Every writable store makes its keys here.
 */
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from './lifecycle-errors.js';
import type { EntityType } from './types.js';

/**
 * The id prefix of each kind of key owner.
 *
 * @example
 * ```ts
 * KEY_ID_PREFIXES.serviceAccount; // 'svc_'
 * ```
 */
export const KEY_ID_PREFIXES: Readonly<Record<EntityType, string>> = Object.freeze({
  app: 'app_',
  userAccount: 'act_',
  serviceAccount: 'svc_',
});

/** The fewest random bytes in a secret: 32 (256 bits). */
export const MIN_SECRET_BYTES = 32;
const MAX_SECRET_BYTES = 1024;

/** Options of {@link generateKey}. */
export interface GenerateKeyOptions {
  /** Random bytes in the secret: an integer from 32 (the default) to 1024. */
  readonly secretBytes?: number;
}

/**
 * A freshly generated key id and secret.
 *
 * @example
 * ```ts
 * const { id, secret }: GeneratedKey = generateKey('app');
 * ```
 */
export interface GeneratedKey {
  readonly id: string;
  readonly secret: string;
}

/**
 * Generates a key id and secret for an owner of the given kind.
 *
 * @throws {InvalidArgumentError} an unknown entity type, or `secretBytes` out of range.
 * @example
 * ```ts
 * import { generateKey } from '@keyscope/core';
 *
 * const { id, secret } = generateKey('app');
 * // id:     'app_3f9c0a1b2c3d4e5f60718293'
 * // secret: 43 base64url characters
 * ```
 */
export function generateKey(type: EntityType, options: GenerateKeyOptions = {}): GeneratedKey {
  const prefix = Object.hasOwn(KEY_ID_PREFIXES, type) ? KEY_ID_PREFIXES[type] : undefined;
  if (prefix === undefined) {
    throw new InvalidArgumentError('entity type must be "app", "userAccount" or "serviceAccount"');
  }
  const bytes = options.secretBytes ?? MIN_SECRET_BYTES;
  if (!(Number.isInteger(bytes) && bytes >= MIN_SECRET_BYTES && bytes <= MAX_SECRET_BYTES)) {
    throw new InvalidArgumentError(
      `secretBytes must be an integer from ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES}`,
    );
  }
  return {
    id: prefix + randomBytes(12).toString('hex'),
    secret: randomBytes(bytes).toString('base64url'),
  };
}
