/**
 * The Fastify example on the PostgreSQL store (`KEYSCOPE_STORE`), as a real process, against the
 * PostgreSQL example suite of `@keyscope/test-kit`: it serves the keys of the database, refuses a
 * wrong secret, exits 0 on SIGTERM, and cannot start without a usable store (exit 1, the URL never
 * repeated). Runs against `KEYSCOPE_PG_URL` in a random schema; skipped with a notice when no
 * server answers, a failure under `CI=true`.
 */
import { fileURLToPath } from 'node:url';
import { runExamplePostgresSuite } from '@keyscope/test-kit';
import * as pg from '../../../packages/postgres/test/support/pg.js';

runExamplePostgresSuite('examples/fastify', {
  dir: fileURLToPath(new URL('..', import.meta.url)),
  pg,
});
