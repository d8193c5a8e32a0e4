/**
 * `keyscope init`: creates an empty store. For a keys file: an empty, valid file (owner-only
 * permissions), never replacing a file that exists. For a PostgreSQL store: its schema, migrated to
 * the version this build uses (as `keyscope migrate`), then opened once to check the master key.
 */
import { stat } from 'node:fs/promises';
import type { CommandSpec } from '../command.js';
import { UsageError } from '../errors.js';

/** The `init` command. */
export const initCommand: CommandSpec = {
  name: 'init',
  args: [],
  summary: 'Create an empty keys file (or the schema of a PostgreSQL store)',
  details:
    'Writes {"version":1,"apps":[],"serviceAccounts":[],"keys":[]} to the keys file, readable by its owner only. An existing file is never replaced. With --store, creates or upgrades the database schema (as keyscope migrate) and checks that $KEYSCOPE_MASTER_KEY is usable.',
  options: {},
  examples: ['keyscope init --file ./keys.json', 'keyscope init --store "$KEYSCOPE_STORE"'],
  json: '{ "file": "<absolute path>", "created": true } or, with --store, { "schema": "<schema>", "ready": true }',
  async run(context) {
    const target = context.target();
    if (target.kind === 'url') {
      const store = (await context.openStore({ create: true })) as { schema?: unknown };
      const schema = typeof store.schema === 'string' ? store.schema : undefined;
      context.output(
        `The PostgreSQL store is ready${schema === undefined ? '' : ` (schema "${schema}")`}.`,
        { schema: schema ?? null, ready: true },
      );
      return;
    }
    const { path } = target;
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new UsageError(`${path} already exists; init never replaces a file`);
    await context.openStore({ create: true });
    context.output(`Created an empty keys file: ${path}`, { file: path, created: true });
  },
};
