/**
 * `keyscope migrate`: creates the PostgreSQL store's schema or upgrades it to the version this
 * build uses (`@keyscope/postgres`'s `migrate`: each version in its own transaction, safe to run
 * from several processes at once, and again). It needs no master key: it touches no secret.
 */
import { migrate } from '@keyscope/postgres';
import type { CommandSpec } from '../command.js';
import { requireUrl } from '../store.js';

/** The `migrate` command. */
export const migrateCommand: CommandSpec = {
  name: 'migrate',
  args: [],
  summary: 'Create or upgrade the schema of a PostgreSQL store',
  details:
    'Run it once before the first use of a database, and after each upgrade of keyscope, before the API instances start. It is idempotent and safe to run from several places at once (an advisory lock serializes them). Needs a database user allowed to CREATE in the database; no master key. A ?schema=<name> parameter of the URL names the schema (default "keyscope").',
  options: {},
  examples: [
    'keyscope migrate --store postgres://keyscope@db.internal:5432/app',
    'KEYSCOPE_STORE="postgres://keyscope@db.internal:5432/app?schema=staging" keyscope migrate --json',
  ],
  json: '{ "schema": "<schema>", "applied": [<version>, ...], "version": <version> }',
  async run(context) {
    const url = requireUrl(context.target(), 'migrate');
    const result = await migrate({ connectionString: url });
    context.output(
      result.applied.length > 0
        ? `schema "${result.schema}" migrated to version ${result.version}`
        : `schema "${result.schema}" already at version ${result.version}`,
      { schema: result.schema, applied: result.applied, version: result.version },
    );
  },
};
