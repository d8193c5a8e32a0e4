/**
 * One transaction on a connection of the pool: `BEGIN`, the work, `COMMIT`; on any failure a
 * `ROLLBACK`, so a write is all or nothing. A refusal (a `LifecycleError` thrown by the work)
 * leaves the connection clean and returns it to the pool; after a driver error the connection is
 * discarded instead, since it may be broken. Driver errors become `StoreIoError`s.
 */
import type pg from 'pg';
import { toStoreError } from '../connection.js';
import type { Db } from './queries.js';

/**
 * Runs `work` in one transaction on a connection of `pool`; `doing` names it in error messages.
 *
 * @throws the work's `LifecycleError` as it is; anything else as a `StoreIoError`.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  doing: string,
  work: (db: Db) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toStoreError(error, doing);
  }
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const value = await work(client);
    await client.query('COMMIT');
    return value;
  } catch (error) {
    const failure = toStoreError(error, doing);
    if (failure === error) {
      await client.query('ROLLBACK').catch((rollback: Error) => {
        broken = rollback;
      });
    } else {
      broken = failure;
      await client.query('ROLLBACK').catch(() => undefined);
    }
    throw failure;
  } finally {
    client.release(broken);
  }
}
