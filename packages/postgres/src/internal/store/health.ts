/**
 * The store's health check: one round trip to the database (timed), the listener's state and the
 * pool's counters. `degraded` means the database answers but the listener is away, so revocations
 * fall back to the cache ttl. It never rejects: a failure is part of the answer.
 */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { RevocationListener } from '../../revocation-listener.js';
import type { PostgresHealth } from '../../types.js';
import { describeDatabaseError } from '../connection.js';
import type { Queries } from './queries.js';

/** Checks the database through `pool` and the state of `listener` (`undefined`: not listening). */
export async function checkHealth(
  pool: pg.Pool,
  queries: Pick<Queries, 'ping'>,
  listener: RevocationListener | undefined,
): Promise<PostgresHealth> {
  const started = performance.now();
  let database: PostgresHealth['database'];
  try {
    await queries.ping(pool);
    database = { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    database = { ok: false, error: describeDatabaseError(error) };
  }
  const listenerState =
    listener === undefined ? 'off' : listener.connected ? 'connected' : 'disconnected';
  return {
    ok: database.ok,
    status: !database.ok ? 'down' : listenerState === 'disconnected' ? 'degraded' : 'ok',
    database,
    listener: listenerState,
    pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
  };
}
