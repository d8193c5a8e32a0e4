/**
 * The help texts of `keyscope`, built from the command specs: the overview (`keyscope --help`), a
 * group (`keyscope keys --help`) and a command (`keyscope keys create --help`), each with its
 * usage, options (among them the store: `--file` or `--store`), `--json` output, examples and exit
 * codes.
 */
import type { CommandSpec, OptionSpec } from './command.js';

/** The options every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  file: {
    type: 'string',
    value: '<path>',
    description: 'the keys file (default: $KEYSCOPE_KEYS_FILE)',
  },
  store: {
    type: 'string',
    value: '<url>',
    description:
      'a PostgreSQL store, postgres://... (default: $KEYSCOPE_STORE; needs $KEYSCOPE_MASTER_KEY), instead of a keys file',
  },
  json: {
    type: 'boolean',
    description: 'machine-readable output on stdout (errors as JSON on stderr)',
  },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

const EXIT_CODES =
  'Exit codes: 0 ok, 1 usage or validation error, 2 store error (unreadable, corrupt or locked keys file; unreachable or failing database). A missing master key or a schema not migrated is a usage error.';

function optionLines(options: Readonly<Record<string, OptionSpec>>): string[] {
  const entries = Object.entries(options).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`,
    spec.description,
  ]);
  const width = Math.max(...entries.map(([flag]) => (flag as string).length));
  return entries.map(([flag, text]) => `  ${(flag as string).padEnd(width)}  ${text}`);
}

function usageLine(command: CommandSpec): string {
  const args = command.args.map((arg) => ` <${arg.name}>`).join('');
  return `keyscope ${command.name}${args}${Object.keys(command.options).length > 0 ? ' [options]' : ''} [--file <path> | --store <url>] [--json]`;
}

function commandList(commands: readonly CommandSpec[]): string[] {
  const entries = commands.map((command) => [
    `${command.name}${command.args.map((arg) => ` <${arg.name}>`).join('')}`,
    command.summary,
  ]);
  const width = Math.max(...entries.map(([name]) => (name as string).length));
  return entries.map(([name, summary]) => `  ${(name as string).padEnd(width)}  ${summary}`);
}

/** `keyscope --help`. */
export function overviewHelp(commands: readonly CommandSpec[]): string {
  return [
    'keyscope: create, list, rotate and revoke the API keys of a keyscope keys file or PostgreSQL',
    'store, and mint credentials with them.',
    '',
    'Usage: keyscope <command> [options]',
    '',
    'Commands:',
    ...commandList(commands),
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'The store: --file (or $KEYSCOPE_KEYS_FILE) names a keys file; --store (or $KEYSCOPE_STORE, which',
    'wins over $KEYSCOPE_KEYS_FILE) a PostgreSQL database, whose secrets are encrypted under',
    "$KEYSCOPE_MASTER_KEY. Run 'keyscope migrate --store <url>' once before using a database.",
    'A store URL may hold a password: keyscope never prints it.',
    '',
    EXIT_CODES,
    "Run 'keyscope <command> --help' for a command's options and --json output.",
  ].join('\n');
}

/** `keyscope keys --help`. */
export function groupHelp(group: string, commands: readonly CommandSpec[]): string {
  return [
    `Usage: keyscope ${group} <command> [options]`,
    '',
    'Commands:',
    ...commandList(commands),
    '',
    `Run 'keyscope ${group} <command> --help' for a command's options.`,
  ].join('\n');
}

/** `keyscope keys create --help`. */
export function commandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${usageLine(command)}`, '', `${command.summary}.`];
  if (command.details) lines.push(command.details);
  if (command.args.length > 0) {
    lines.push('', 'Arguments:');
    for (const arg of command.args) lines.push(`  <${arg.name}>  ${arg.description}`);
  }
  lines.push('', 'Options:', ...optionLines({ ...command.options, ...GLOBAL_OPTIONS }));
  lines.push('', `Output with --json: ${command.json}`);
  lines.push('', 'Examples:', ...command.examples.map((example) => `  ${example}`));
  lines.push('', EXIT_CODES);
  return lines.join('\n');
}
