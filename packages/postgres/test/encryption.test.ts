/**
 * Tests of secrets at rest, against the real server: the tables (read raw, and as `pg_dump` writes
 * them) hold no secret in any encoding, nor the master key; each secret has its own IV; a
 * ciphertext copied into another row, a key moved to another entity, or a master key id edited by
 * hand no longer decrypts, and the lookup fails as a store error (503), never a pass; the wrong
 * master key is refused the same way. Master key rotation as documented: add the new key first,
 * re-encrypt (store method and standalone function), remove the old key; old and new keys keep
 * authenticating throughout, and a run is refused when a master key in use is missing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  basicAuthorization,
  ConfigurationError,
  createAuthenticator,
  StoreCorruptError,
} from '@keyscope/core';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  openPostgresStore,
  type PostgresKeyStore,
  type PostgresStoreOptions,
  reencryptSecrets,
} from '../src/index.js';
import { caught, describePg, masterKeyList, PG_URL, useSchema } from './support/pg.js';

const run = promisify(execFile);
const db = useSchema('ks_crypt');
const opened: PostgresKeyStore[] = [];

async function open(masterKeys: string, options: Partial<PostgresStoreOptions> = {}) {
  const store = await openPostgresStore({
    connectionString: db.url,
    masterKeys,
    listen: false,
    cache: false,
    ...options,
  });
  opened.push(store);
  return store;
}

async function seedEntities(store: PostgresKeyStore) {
  await store.addApp({ id: 'app_a', accountId: 'acc_1' });
  await store.addApp({ id: 'app_b', accountId: 'acc_1' });
  await store.createServiceAccount({ id: 'svc_1', accountId: 'acc_1' });
}

/** Every encoding a secret could leak in. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [
    secret,
    bytes.toString('hex'),
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    Buffer.from(secret, 'base64url').toString('hex'),
    Buffer.from(secret, 'base64url').toString('base64'),
  ];
}

beforeEach(() => db.reset());
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

describePg('encryption at rest', () => {
  it('stores no secret and no master key: neither the raw tables nor pg_dump show one', async () => {
    const master = masterKeyList('k1');
    const store = await open(master.text);
    await seedEntities(store);
    const created = [
      await store.createKey({ entity: { type: 'app', id: 'app_a' } }),
      await store.createKey({ entity: { type: 'userAccount', id: 'acc_1' } }),
      await store.createKey({ entity: { type: 'serviceAccount', id: 'svc_1' } }),
    ];
    const { rows } = await db.admin.query(`SELECT * FROM ${db.q}.api_keys`);
    const raw = JSON.stringify(rows, (_key, value) =>
      value?.type === 'Buffer' ? Buffer.from(value.data).toString('hex') : value,
    );
    const asText = (
      await db.admin.query(`SELECT string_agg(t::text, E'\\n') AS dump FROM ${db.q}.api_keys t`)
    ).rows[0].dump as string;
    const { stdout: dump } = await run('pg_dump', [
      '--dbname',
      PG_URL,
      '--schema',
      db.schema,
      '--data-only',
      '--inserts',
    ]);
    expect(dump).toContain(created[0]!.record.id);
    const masterBytes = Buffer.from(master.keys[0]!.key);
    for (const text of [raw, asText, dump]) {
      for (const { secret } of created) {
        for (const form of encodings(secret)) expect(text).not.toContain(form);
      }
      expect(text).not.toContain(masterBytes.toString('hex'));
      expect(text).not.toContain(masterBytes.toString('base64').slice(0, 40));
    }
    expect(new Set(rows.map((row) => row.secret_iv.toString('hex'))).size).toBe(3);
    for (const row of rows) {
      expect(row).toMatchObject({ master_key_id: 'k1' });
      expect(row.secret_tag).toHaveLength(16);
    }
    // And the store reads them back.
    for (const { record, secret } of created) {
      expect((await store.findKey(record.id))?.secret).toBe(secret);
    }
  });

  it('refuses a ciphertext swapped between rows, a key moved to another entity, an edited key id', async () => {
    const master = masterKeyList('k1');
    const store = await open(master.text);
    await seedEntities(store);
    const a = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    const b = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    const c = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    const authenticator = createAuthenticator({ store });

    // b gets a's ciphertext: a's secret must not open b.
    await db.admin.query(
      `UPDATE ${db.q}.api_keys AS t SET secret_ciphertext = s.secret_ciphertext, secret_iv = s.secret_iv,
       secret_tag = s.secret_tag FROM ${db.q}.api_keys s WHERE t.id = $1 AND s.id = $2`,
      [b.record.id, a.record.id],
    );
    const swapped = await caught(store.findKey(b.record.id));
    expect(swapped).toBeInstanceOf(StoreCorruptError);
    expect(swapped.message).toBe(
      `the secret of key "${b.record.id}" does not decrypt under master key "k1": the row was altered or the master key is not the one it was written with`,
    );
    await expect(
      authenticator.authenticate({
        authorization: basicAuthorization({ id: b.record.id, secret: a.secret }),
      }),
    ).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });

    // c moved to another app of the account.
    await db.admin.query(`UPDATE ${db.q}.api_keys SET entity_id = 'app_b' WHERE id = $1`, [
      c.record.id,
    ]);
    await expect(store.findKey(c.record.id)).rejects.toBeInstanceOf(StoreCorruptError);

    // a's master key id edited.
    await db.admin.query(`UPDATE ${db.q}.api_keys SET master_key_id = 'k9' WHERE id = $1`, [
      a.record.id,
    ]);
    await expect(store.findKey(a.record.id)).rejects.toThrow(
      `the secret of key "${a.record.id}" is encrypted under master key "k9", which the configured master keys (KEYSCOPE_MASTER_KEY) do not include`,
    );
  });

  it('a store with the wrong master key answers 503, never a pass', async () => {
    const right = masterKeyList('k1');
    const writer = await open(right.text);
    await seedEntities(writer);
    const { record, secret } = await writer.createKey({ entity: { type: 'app', id: 'app_a' } });
    const wrong = await open(masterKeyList('k1').text);
    const error = await caught(
      createAuthenticator({ store: wrong }).authenticate({
        authorization: basicAuthorization({ id: record.id, secret }),
      }),
    );
    expect(error).toMatchObject({ status: 503, code: 'service_unavailable' });
  });
});

describePg('master key rotation', () => {
  it('add the new key first, re-encrypt, remove the old key: every key keeps working', async () => {
    const old = masterKeyList('k1');
    const fresh = masterKeyList('k2');
    const before = await open(old.text);
    await seedEntities(before);
    const keys = [];
    for (let i = 0; i < 5; i++)
      keys.push(await before.createKey({ entity: { type: 'userAccount', id: 'acc_1' } }));

    // 1. Both keys, the new one first: old secrets still read, new ones written under k2.
    const both = await open(`${fresh.text},${old.text}`, { cache: {} });
    expect(both.currentMasterKeyId).toBe('k2');
    const added = await both.createKey({ entity: { type: 'app', id: 'app_a' } });
    keys.push(added);
    const cachedRecord = await both.findKey(keys[0]!.record.id);
    const counts = async () =>
      Object.fromEntries(
        (
          await db.admin.query(
            `SELECT master_key_id, count(*)::int AS n FROM ${db.q}.api_keys GROUP BY 1`,
          )
        ).rows.map((row) => [row.master_key_id, row.n]),
      );
    expect(await counts()).toEqual({ k1: 5, k2: 1 });

    // 2. Re-encrypt (in small batches, to cross batch boundaries).
    const result = await both.reencryptSecrets({ batchSize: 2 });
    expect(result).toEqual({ masterKeyId: 'k2', reencrypted: 5, byMasterKey: { k2: 6 } });
    expect(await counts()).toEqual({ k2: 6 });
    // Same secret: the record is unchanged, and so is its object.
    both.clear();
    expect(await both.findKey(keys[0]!.record.id)).toBe(cachedRecord);
    expect(await both.reencryptSecrets()).toMatchObject({ reencrypted: 0 });

    // 3. The new key alone: everything authenticates; the old key alone no longer can.
    const after = await open(fresh.text);
    const authenticator = createAuthenticator({ store: after });
    for (const { record, secret } of keys) {
      const auth = await authenticator.authenticate({
        authorization: basicAuthorization({ id: record.id, secret }),
      });
      expect(auth.keyId).toBe(record.id);
    }
    const stale = await open(old.text);
    await expect(stale.findKey(keys[0]!.record.id)).rejects.toBeInstanceOf(StoreCorruptError);
  });

  it('reencryptSecrets(url) works without a store, and refuses when a key in use is missing', async () => {
    const old = masterKeyList('k1');
    const fresh = masterKeyList('k2');
    const store = await open(old.text);
    await seedEntities(store);
    const { record, secret } = await store.createKey({ entity: { type: 'app', id: 'app_a' } });

    const missing = await caught(
      reencryptSecrets({ connectionString: db.url, masterKeys: fresh.text }),
    );
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect(missing.message).toMatch(
      /^secrets are encrypted under master key\(s\) "k1", which the configured master keys do not include/,
    );
    expect(
      await reencryptSecrets({ connectionString: db.url, masterKeys: `${fresh.text},${old.text}` }),
    ).toEqual({
      masterKeyId: 'k2',
      reencrypted: 1,
      byMasterKey: { k2: 1 },
    });
    const after = await open(fresh.text);
    expect((await after.findKey(record.id))?.secret).toBe(secret);
  });

  it('refuses to run on a tampered row, leaving its batch as it was', async () => {
    const old = masterKeyList('k1');
    const fresh = masterKeyList('k2');
    const store = await open(old.text);
    await seedEntities(store);
    const a = await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    await store.createKey({ entity: { type: 'app', id: 'app_a' } });
    await db.admin.query(`UPDATE ${db.q}.api_keys SET entity_id = 'app_b' WHERE id = $1`, [
      a.record.id,
    ]);
    const both = await open(`${fresh.text},${old.text}`);
    await expect(both.reencryptSecrets()).rejects.toBeInstanceOf(StoreCorruptError);
    const { rows } = await db.admin.query(`SELECT DISTINCT master_key_id FROM ${db.q}.api_keys`);
    expect(rows).toEqual([{ master_key_id: 'k1' }]);
  });
});
