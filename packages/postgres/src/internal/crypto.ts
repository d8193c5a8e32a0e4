/**
 * Encryption of API-key secrets at rest: AES-256-GCM with a fresh 96-bit IV per secret and a
 * 128-bit tag, under a master key named by its id. The additional authenticated data binds the
 * ciphertext to its row: the key id, its entity and the master key id. So a ciphertext copied into
 * another row, a key moved to another entity, or a master key id changed by hand all fail to
 * decrypt (and the lookup fails as a store error, a 503, never a pass).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type Entity, StoreCorruptError } from '@keyscope/core';
import { quote } from '@keyscope/core/rules';
import type { MasterKey } from '../master-keys.js';

/** A secret as stored: ciphertext, IV, tag and the id of the master key. */
export interface SealedSecret {
  readonly ciphertext: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly masterKeyId: string;
}

/** What a secret is bound to. */
export interface SecretOwner {
  readonly keyId: string;
  readonly entity: Entity;
}

function aad(owner: SecretOwner, masterKeyId: string): Buffer {
  return Buffer.from(
    JSON.stringify([
      'keyscope.api_keys.v1',
      owner.keyId,
      owner.entity.type,
      owner.entity.id,
      masterKeyId,
    ]),
    'utf8',
  );
}

/** Encrypts a secret under `master` for the row of `owner`. */
export function sealSecret(secret: string, owner: SecretOwner, master: MasterKey): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master.key, iv, { authTagLength: 16 });
  cipher.setAAD(aad(owner, master.id));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag(), masterKeyId: master.id };
}

/**
 * Decrypts the secret of the row of `owner`.
 *
 * @throws {StoreCorruptError} the master key is not configured, or the ciphertext does not
 * authenticate (wrong key, tampered or swapped row).
 */
export function openSecret(
  sealed: SealedSecret,
  owner: SecretOwner,
  masterKeys: readonly MasterKey[],
): string {
  const master = masterKeys.find((candidate) => candidate.id === sealed.masterKeyId);
  if (master === undefined) {
    throw new StoreCorruptError(
      `the secret of key ${quote(owner.keyId)} is encrypted under master key ${quote(sealed.masterKeyId)}, which the configured master keys (KEYSCOPE_MASTER_KEY) do not include`,
    );
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', master.key, sealed.iv, {
      authTagLength: 16,
    });
    decipher.setAAD(aad(owner, master.id));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new StoreCorruptError(
      `the secret of key ${quote(owner.keyId)} does not decrypt under master key ${quote(master.id)}: the row was altered or the master key is not the one it was written with`,
      { cause },
    );
  }
}
