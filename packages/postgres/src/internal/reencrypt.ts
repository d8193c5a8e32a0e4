/**
 * Re-encryption of every secret not yet under the current master key, in batches: each batch is
 * one transaction that locks its rows (`FOR UPDATE`), decrypts each secret with the master key it
 * names, encrypts it under the current key with a fresh IV and updates the row. Writers keep
 * working meanwhile (new keys are written under the current key anyway); a concurrent run skips
 * what the other already did. Before it starts it checks that every master key id in use is
 * configured, so a run never stops half-way for want of a key.
 */
import { ConfigurationError, type Entity } from '@keyscope/core';
import type pg from 'pg';
import type { MasterKey } from '../master-keys.js';
import { toStoreError } from './connection.js';
import { openSecret, sealSecret } from './crypto.js';

/**
 * What a re-encryption did.
 *
 * @example
 * ```ts
 * const { reencrypted, byMasterKey }: ReencryptResult = await store.reencryptSecrets();
 * ```
 */
export interface ReencryptResult {
  /** The current master key's id: every secret is now under it. */
  readonly masterKeyId: string;
  /** How many secrets this run re-encrypted. */
  readonly reencrypted: number;
  /** How many secrets each master key id encrypts now (only the current one, after a full run). */
  readonly byMasterKey: Readonly<Record<string, number>>;
}

type Query = Pick<pg.Pool, 'query' | 'connect'>;

/** Counts secrets by master key id. */
export async function countByMasterKey(
  pool: Query,
  qualified: string,
): Promise<Record<string, number>> {
  const { rows } = await pool.query<{ master_key_id: string; n: number }>(
    `SELECT master_key_id, count(*)::int AS n FROM ${qualified}.api_keys GROUP BY master_key_id ORDER BY master_key_id`,
  );
  return Object.fromEntries(rows.map((row) => [row.master_key_id, row.n]));
}

/**
 * The number of secrets per transaction (default 100).
 *
 * @throws {ConfigurationError} it is not a positive integer.
 */
export function checkBatchSize(value: number | undefined): number {
  const batchSize = value ?? 100;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new ConfigurationError('reencryptSecrets: batchSize must be a positive integer');
  }
  return batchSize;
}

/**
 * Re-encrypts every secret under `masterKeys[0]`, `batchSize` rows per transaction.
 *
 * @throws {ConfigurationError} some secret is under a master key that `masterKeys` lacks.
 * @throws {StoreCorruptError} a secret does not decrypt (its batch is rolled back).
 * @throws {StoreIoError} the database failed (the current batch is rolled back).
 */
export async function reencryptAll(
  pool: Query,
  qualified: string,
  masterKeys: readonly MasterKey[],
  batchSize: number,
): Promise<ReencryptResult> {
  try {
    return await reencryptBatches(pool, qualified, masterKeys, batchSize);
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw toStoreError(error, 're-encrypt the secrets');
  }
}

async function reencryptBatches(
  pool: Query,
  qualified: string,
  masterKeys: readonly MasterKey[],
  batchSize: number,
): Promise<ReencryptResult> {
  const current = masterKeys[0]!;
  const before = await countByMasterKey(pool, qualified);
  const missing = Object.keys(before).filter((id) => !masterKeys.some((key) => key.id === id));
  if (missing.length > 0) {
    throw new ConfigurationError(
      `secrets are encrypted under master key(s) ${missing.map((id) => JSON.stringify(id)).join(', ')}, which the configured master keys do not include: list them after the current key (KEYSCOPE_MASTER_KEY="${current.id}:<new>,<id>:<old>") and run again (or delete the keys they encrypt, which can no longer be used)`,
    );
  }
  let reencrypted = 0;
  for (;;) {
    const client = await pool.connect();
    let done: number;
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{
        id: string;
        entity_type: Entity['type'];
        entity_id: string;
        secret_ciphertext: Buffer;
        secret_iv: Buffer;
        secret_tag: Buffer;
        master_key_id: string;
      }>(
        `SELECT id, entity_type, entity_id, secret_ciphertext, secret_iv, secret_tag, master_key_id
         FROM ${qualified}.api_keys WHERE master_key_id <> $1 ORDER BY seq LIMIT $2 FOR UPDATE`,
        [current.id, batchSize],
      );
      for (const row of rows) {
        const owner = { keyId: row.id, entity: { type: row.entity_type, id: row.entity_id } };
        const secret = openSecret(
          {
            ciphertext: row.secret_ciphertext,
            iv: row.secret_iv,
            tag: row.secret_tag,
            masterKeyId: row.master_key_id,
          },
          owner,
          masterKeys,
        );
        const sealed = sealSecret(secret, owner, current);
        await client.query(
          `UPDATE ${qualified}.api_keys SET secret_ciphertext = $2, secret_iv = $3, secret_tag = $4,
           master_key_id = $5 WHERE id = $1`,
          [row.id, sealed.ciphertext, sealed.iv, sealed.tag, sealed.masterKeyId],
        );
      }
      await client.query('COMMIT');
      done = rows.length;
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      // A failed batch may have left the connection in a bad state: do not reuse it.
      client.release(broken);
    }
    reencrypted += done;
    if (done < batchSize) break;
  }
  return {
    masterKeyId: current.id,
    reencrypted,
    byMasterKey: await countByMasterKey(pool, qualified),
  };
}
