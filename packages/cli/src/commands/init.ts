/**
 * `keyscope init`: creates an empty, valid keys file (owner-only permissions). It never replaces a
 * file that exists.
 */
import { stat } from 'node:fs/promises';
import type { CommandSpec } from '../command.js';
import { UsageError } from '../errors.js';

/** The `init` command. */
export const initCommand: CommandSpec = {
  name: 'init',
  args: [],
  summary: 'Create an empty keys file',
  details:
    'Writes {"version":1,"apps":[],"serviceAccounts":[],"keys":[]} to the keys file, readable by its owner only. An existing file is never replaced.',
  options: {},
  examples: ['keyscope init --file ./keys.json'],
  json: '{ "file": "<absolute path>", "created": true }',
  async run(context) {
    const { path } = context.target();
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new UsageError(`${path} already exists; init never replaces a file`);
    await context.openStore({ create: true });
    context.output(`Created an empty keys file: ${path}`, { file: path, created: true });
  },
};
