/**
 * Tests of the store's SQL against the real server: the lookup reads each table by its primary
 * key (no sequential scan); the SQL form of "active" agrees with core's `countActiveKeys` (and
 * `keyState`) on every case at and around the boundaries, so the per-app limit the database
 * enforces is core's rule; `insertKey` reports what it did: inserted, an id already taken, or the
 * limit reached (writing nothing) with the count core's `checkKeyLimit` refuses; a key's account
 * is core's `accountOf`.
 */
import { type Entity, generateKey, KeyLimitError } from '@keyscope/core';
import { checkKeyLimit, countActiveKeys, keyState } from '@keyscope/core/rules';
import { beforeEach, expect, it } from 'vitest';
import { sealSecret } from '../../../src/internal/crypto.js';
import {
  activeAt,
  createQueries,
  type Db,
  type NewKey,
  toKeyInfo,
} from '../../../src/internal/store/queries.js';
import { describePg, masterKeyList, useSchema } from '../../support/pg.js';

const db = useSchema('ks_queries');
const master = masterKeyList('k1');
const queries = () => createQueries(db.schema, db.q, 'keyscope_keys');

function newKey(entity: Entity, createdAt = new Date(), id = generateKey(entity.type).id): NewKey {
  return {
    id,
    entity,
    displayName: undefined,
    createdAt,
    expiresAt: undefined,
    sealed: sealSecret('demo-secret', { keyId: id, entity }, master.keys[0]!),
  };
}

beforeEach(async () => {
  await db.reset();
  await db.admin.query(`INSERT INTO ${db.q}.apps (id, account_id) VALUES ('app_a', 'acc_1')`);
});

describePg('the store queries', () => {
  it('finds a key with one query that reads each table by its primary key', async () => {
    const plans: string[] = [];
    // Runs the lookup's own statement under EXPLAIN, and keeps the plan.
    const explain: Db = {
      query: (async (statement: { text: string; values: unknown[] }) => {
        const { rows } = await db.admin.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN ${statement.text}`,
          statement.values,
        );
        plans.push(rows.map((row) => row['QUERY PLAN']).join('\n'));
        return { rows: [] };
      }) as never,
    };
    expect(await queries().findKey(explain, 'app_x')).toBeUndefined();
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/Index Scan using api_keys_pkey on api_keys k/);
    expect(plans[0]).not.toMatch(/Seq Scan/);
  });

  it("counts a key towards the limit exactly when core's countActiveKeys does", async () => {
    const at = new Date('2030-01-01T00:00:00.000Z');
    const instants = [
      null,
      new Date(at.getTime() - 1),
      at,
      new Date(at.getTime() + 1),
      new Date(at.getTime() + 86_400_000),
    ];
    let cases = 0;
    for (const revokedAt of instants) {
      for (const expiresAt of instants) {
        const { rows } = await db.admin.query<{ active: boolean }>(
          `SELECT ${activeAt('$3::timestamptz')} AS active
           FROM (SELECT $1::timestamptz AS revoked_at, $2::timestamptz AS expires_at) AS k`,
          [revokedAt, expiresAt, at],
        );
        const key = {
          entity: { type: 'app', id: 'app_a' } as const,
          revokedAt: revokedAt ?? undefined,
          expiresAt: expiresAt ?? undefined,
        };
        const counted = countActiveKeys([key], 'app_a', at);
        expect(counted).toBe(keyState(key, at) === 'active' ? 1 : 0);
        expect(
          rows[0]?.active,
          `revokedAt ${revokedAt?.toISOString()}, expiresAt ${expiresAt?.toISOString()}`,
        ).toBe(counted === 1);
        cases++;
      }
    }
    expect(cases).toBe(25);
  });

  it('insertKey inserts below the limit, reports a taken id, and writes nothing at the limit', async () => {
    const q = queries();
    const app: Entity = { type: 'app', id: 'app_a' };
    const first = newKey(app);
    expect(await q.insertKey(db.admin, first, 2)).toEqual({ inserted: true, active: 0 });
    // A taken id: not inserted, below the limit (draw another id).
    const taken = await q.insertKey(db.admin, newKey(app, new Date(), first.id), 2);
    expect(taken).toEqual({ inserted: false, active: 1 });
    expect(() => checkKeyLimit('app_a', taken.active ?? 0, 2)).not.toThrow();
    expect(await q.insertKey(db.admin, newKey(app, new Date(), first.id))).toEqual({
      inserted: false,
    });
    expect(await q.insertKey(db.admin, newKey(app), 2)).toEqual({ inserted: true, active: 1 });
    // At the limit: nothing written, and the count is one core refuses.
    const full = await q.insertKey(db.admin, newKey(app), 2);
    expect(full).toEqual({ inserted: false, active: 2 });
    expect(() => checkKeyLimit('app_a', full.active ?? 0, 2)).toThrow(KeyLimitError);
    // A key revoked before the new key's creation instant no longer counts.
    await q.setRevokedAt(db.admin, first.id, new Date(Date.now() - 1000));
    expect(await q.insertKey(db.admin, newKey(app), 2)).toEqual({ inserted: true, active: 1 });
    expect(await q.insertKey(db.admin, newKey(app), 2)).toEqual({ inserted: false, active: 2 });
    // Without a limit (keys of user accounts), nothing is counted.
    for (let i = 0; i < 3; i++) {
      expect(await q.insertKey(db.admin, newKey({ type: 'userAccount', id: 'acc_1' }))).toEqual({
        inserted: true,
      });
    }
    const { rows } = await db.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${db.q}.api_keys WHERE entity_id = 'app_a'`,
    );
    expect(rows[0]?.n).toBe(3);
  });

  it("gives each key the account core's accountOf gives: its owner's, or a user account's own id", async () => {
    const q = queries();
    await db.admin.query(
      `INSERT INTO ${db.q}.service_accounts (id, account_id) VALUES ('svc_1', 'acc_2')`,
    );
    for (const entity of [
      { type: 'app', id: 'app_a' },
      { type: 'serviceAccount', id: 'svc_1' },
      { type: 'userAccount', id: 'acc_3' },
    ] as const) {
      await q.insertKey(db.admin, newKey(entity));
    }
    const accounts = (await q.listKeys(db.admin, {})).map((row) => [
      row.entity_type,
      toKeyInfo(row).accountId,
    ]);
    expect(accounts).toEqual([
      ['app', 'acc_1'],
      ['serviceAccount', 'acc_2'],
      ['userAccount', 'acc_3'],
    ]);
  });
});
