/**
 * Master keys: the AES-256 keys that encrypt API-key secrets at rest. `KEYSCOPE_MASTER_KEY` holds
 * one key (base64, base64url or hex of 32 bytes) or a comma-separated list of them, each optionally
 * named `id:key`; the first is the current key (new secrets are encrypted under it), the others
 * are kept to decrypt secrets written before a rotation. A key without a name gets a stable id
 * derived from it (an HMAC of a fixed label, which reveals nothing of the key). Messages name the
 * position of a bad entry, never its text.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { ConfigurationError } from '@keyscope/core';

/**
 * One master key: its id (stored beside every secret it encrypts) and its 32 bytes.
 *
 * @example
 * ```ts
 * const key: MasterKey = { id: 'k2026', key: randomBytes(32) };
 * ```
 */
export interface MasterKey {
  readonly id: string;
  readonly key: Uint8Array;
}

/** The environment variable the stores read master keys from. */
export const MASTER_KEY_ENV = 'KEYSCOPE_MASTER_KEY';

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]{43}={0,1}$/;

/**
 * Parses a master-key list: `key`, or `id1:key1,id2:key2,...` (ids optional per entry), the first
 * being current. Keys are 32 bytes written as 64 hex characters or as base64/base64url.
 *
 * @param text - the list, usually `process.env.KEYSCOPE_MASTER_KEY`
 * @param source - what to call it in messages (default `KEYSCOPE_MASTER_KEY`)
 * @throws {ConfigurationError} the list is empty, an entry is not 32 bytes of hex or base64, an id
 * is not 1 to 64 of `A-Z a-z 0-9 . _ -`, or two entries share an id. The message names the entry
 * by position, never by its text.
 * @example
 * ```ts
 * import { parseMasterKeys } from '@keyscope/postgres';
 *
 * const keys = parseMasterKeys(process.env.KEYSCOPE_MASTER_KEY ?? '');
 * console.log(keys.map((k) => k.id)); // ['k2', 'k1'] for "k2:<new>,k1:<old>"
 * ```
 */
export function parseMasterKeys(text: string, source = MASTER_KEY_ENV): readonly MasterKey[] {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new ConfigurationError(
      `${source} is not set: give one master key (32 random bytes, base64 or hex; e.g. \`openssl rand -base64 32\`) or a list "id1:key1,id2:key2"`,
    );
  }
  const keys: MasterKey[] = [];
  text.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const where = `${source}: entry ${index + 1}`;
    const colon = entry.indexOf(':');
    const id = colon === -1 ? undefined : entry.slice(0, colon).trim();
    const material = colon === -1 ? entry : entry.slice(colon + 1).trim();
    if (id !== undefined && !ID.test(id)) {
      throw new ConfigurationError(
        `${where}: the key id must be 1 to 64 characters of A-Z, a-z, 0-9, ".", "_" or "-"`,
      );
    }
    const key = decodeKey(material);
    if (key === undefined) {
      throw new ConfigurationError(
        `${where}: a master key must be 32 bytes written as 64 hex characters or as base64`,
      );
    }
    const named = id ?? derivedId(key);
    if (keys.some((existing) => existing.id === named)) {
      throw new ConfigurationError(`${where}: the key id "${named}" is used twice`);
    }
    keys.push(Object.freeze({ id: named, key }));
  });
  return Object.freeze(keys);
}

/**
 * Makes a new master key: 32 bytes from the platform CSPRNG, base64-encoded, ready for
 * `KEYSCOPE_MASTER_KEY` (or to be put first in the list when rotating).
 *
 * @example
 * ```ts
 * import { generateMasterKey } from '@keyscope/postgres';
 *
 * console.log(`KEYSCOPE_MASTER_KEY=k2:${generateMasterKey()},${process.env.KEYSCOPE_MASTER_KEY}`);
 * ```
 */
export function generateMasterKey(): string {
  return randomBytes(32).toString('base64');
}

/**
 * The master keys from a `masterKeys` option, or else from `KEYSCOPE_MASTER_KEY`.
 *
 * @throws {ConfigurationError} none are given, or they are malformed.
 */
export function resolveMasterKeys(
  option: string | readonly MasterKey[] | undefined,
): readonly MasterKey[] {
  if (option === undefined) return parseMasterKeys(process.env[MASTER_KEY_ENV] ?? '');
  if (typeof option === 'string') return parseMasterKeys(option, 'masterKeys');
  return checkMasterKeys(option, 'masterKeys');
}

/** Checks keys given as objects (the `masterKeys` option). */
export function checkMasterKeys(keys: readonly MasterKey[], source: string): readonly MasterKey[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ConfigurationError(`${source} must list at least one master key`);
  }
  const ids = new Set<string>();
  return Object.freeze(
    keys.map((entry, index) => {
      const where = `${source}[${index}]`;
      if (typeof entry?.id !== 'string' || !ID.test(entry.id)) {
        throw new ConfigurationError(
          `${where}.id must be 1 to 64 characters of A-Z, a-z, 0-9, ".", "_" or "-"`,
        );
      }
      if (!(entry.key instanceof Uint8Array) || entry.key.length !== 32) {
        throw new ConfigurationError(`${where}.key must be 32 bytes`);
      }
      if (ids.has(entry.id)) throw new ConfigurationError(`${where}: the key id is used twice`);
      ids.add(entry.id);
      return Object.freeze({ id: entry.id, key: Buffer.from(entry.key) });
    }),
  );
}

function decodeKey(text: string): Buffer | undefined {
  if (HEX.test(text)) return Buffer.from(text, 'hex');
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  if (bytes.length !== 32) return undefined;
  // Canonical only: the last character's unused bits must be zero.
  const again = bytes.toString('base64').replace(/=+$/, '');
  const given = text.replaceAll('-', '+').replaceAll('_', '/').replace(/=+$/, '');
  return again === given ? bytes : undefined;
}

function derivedId(key: Uint8Array): string {
  return `mk-${createHmac('sha256', key).update('keyscope master key id').digest('hex').slice(0, 12)}`;
}
