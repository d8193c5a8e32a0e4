/**
 * The `keyscope` command line, runnable in-process: `runCli(argv, io)` parses the arguments with
 * `node:util` `parseArgs`, finds the command, prints help when asked (`--help` or `help` anywhere),
 * opens the store (a keys file or a PostgreSQL database) through the store factory, runs the
 * command, and returns the exit code. It never throws and never calls `process.exit`: every
 * failure is one line on stderr (JSON with `--json`) and exit code 1 (usage or validation) or 2
 * (store). A warning about the store (a keys file others may read) is a line `warning: ...` on
 * stderr before the command's output.
 */
import { parseArgs } from 'node:util';
import { KeysFileError, type WritableKeyStore } from '@keyscope/core';
import type { CommandContext, CommandSpec, OptionSpec } from './command.js';
import { credentialCommands } from './commands/credentials.js';
import { entityCommands } from './commands/entities.js';
import { initCommand } from './commands/init.js';
import { keysCommands } from './commands/keys.js';
import { migrateCommand } from './commands/migrate.js';
import { EXIT, errorCode, exitCodeFor, oneLine, UsageError } from './errors.js';
import { commandHelp, GLOBAL_OPTIONS, groupHelp, overviewHelp } from './help.js';
import { openStore, resolveStoreTarget, type StoreFactory, type StoreTarget } from './store.js';

/** Every command, in the order of the help. */
export const COMMANDS: readonly CommandSpec[] = [
  initCommand,
  migrateCommand,
  ...keysCommands,
  ...entityCommands,
  ...credentialCommands,
];

/**
 * Where `runCli` reads and writes: streams for output, the environment, the working directory,
 * and the store factory (the seam for stores other than a keys file).
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
 * ```
 */
export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  /**
   * Default `process.env`: `KEYSCOPE_KEYS_FILE`, `KEYSCOPE_STORE` and `KEYSCOPE_MASTER_KEY` are
   * read here (and handed to the store factory as `options.env`).
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Relative `--file` paths start here. Default `process.cwd()`. */
  readonly cwd?: string;
  /**
   * Opens the store a command works on. Default: {@link openStore} (a keys file with
   * `openWritableFileStore`, a `postgres://` URL with `openPostgresStore`).
   */
  readonly openStore?: StoreFactory;
}

type ParseOptions = Record<string, { type: 'string' | 'boolean'; short?: string }>;

function parseOptions(specs: Readonly<Record<string, OptionSpec>>): ParseOptions {
  const options: ParseOptions = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = spec.short ? { type: spec.type, short: spec.short } : { type: spec.type };
  }
  return options;
}

const ALL_OPTIONS = parseOptions(
  Object.assign({}, GLOBAL_OPTIONS, ...COMMANDS.map((command) => command.options)),
);
const GROUPS = new Map<string, CommandSpec[]>();
for (const command of COMMANDS) {
  const [group, sub] = command.name.split(' ');
  if (sub !== undefined)
    GROUPS.set(group as string, [...(GROUPS.get(group as string) ?? []), command]);
}

interface Located {
  readonly command?: CommandSpec;
  readonly group?: string;
  readonly words: number;
  readonly help: boolean;
}

/** Finds the command named by the leading positional words (options may come anywhere). */
function locate(argv: readonly string[]): Located {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: ALL_OPTIONS,
    strict: false,
    allowPositionals: true,
  });
  let words = [...positionals];
  let help = values.help === true;
  if (words[0] === 'help') {
    help = true;
    words = words.slice(1);
  }
  const [first, second] = words;
  const offset = positionals.length - words.length;
  if (first === undefined) {
    if (help) return { words: offset, help };
    throw new UsageError("missing command; see 'keyscope --help'");
  }
  const pair = COMMANDS.find((command) => command.name === `${first} ${second}`);
  if (pair) return { command: pair, words: offset + 2, help };
  const single = COMMANDS.find((command) => command.name === first);
  if (single) return { command: single, words: offset + 1, help };
  const group = GROUPS.get(first);
  if (group === undefined) {
    throw new UsageError(`unknown command "${first}"; see 'keyscope --help'`);
  }
  if (help && second === undefined) return { group: first, words: offset + 1, help };
  const names = group.map((command) => command.name.split(' ')[1]).join(', ');
  throw new UsageError(
    second === undefined
      ? `${first} needs a command: ${names}; see 'keyscope ${first} --help'`
      : `unknown command "${first} ${second}"; see 'keyscope ${first} --help'`,
  );
}

/** parseArgs' messages, made short and named after the command. */
function parseError(error: unknown, command: CommandSpec): UsageError {
  const { code, message } = error as { code?: string; message: string };
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  const hint = `see 'keyscope ${command.name} --help'`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return new UsageError(`unknown option ${flag} for ${command.name}; ${hint}`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /argument missing/.test(message)) {
    return new UsageError(`${flag} needs a value; ${hint}`);
  }
  return new UsageError(`${oneLine(error)} (${hint})`);
}

/** What to do next, for the errors that have an obvious next step. */
function hint(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return error instanceof KeysFileError && cause?.code === 'ENOENT'
    ? "; create it with 'keyscope init'"
    : '';
}

/**
 * Runs `keyscope` with the arguments after the program name and returns the exit code: 0 ok, 1
 * usage or validation error, 2 store error. Output goes to `io.stdout`, errors and notes (one line
 * each) to `io.stderr`.
 *
 * @example
 * ```ts
 * import { runCli } from '@keyscope/cli';
 *
 * const out: string[] = [];
 * const code = await runCli(['keys', 'list', '--file', 'keys.json', '--json'], {
 *   stdout: { write: (s) => out.push(s) },
 *   stderr: process.stderr,
 * });
 * const { keys } = JSON.parse(out.join(''));
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = io.cwd ?? process.cwd();
  const factory = io.openStore ?? openStore;
  let json = argv.includes('--json');
  let store: WritableKeyStore | undefined;
  try {
    const located = locate(argv);
    if (located.help) {
      const text = located.command
        ? commandHelp(located.command)
        : located.group
          ? groupHelp(located.group, GROUPS.get(located.group) as CommandSpec[])
          : overviewHelp(COMMANDS);
      io.stdout.write(`${text}\n`);
      return EXIT.ok;
    }
    const command = located.command as CommandSpec;
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: [...argv],
        options: parseOptions({ ...command.options, ...GLOBAL_OPTIONS }),
        strict: true,
        allowPositionals: true,
      });
    } catch (error) {
      throw parseError(error, command);
    }
    json = parsed.values.json === true;
    const args = parsed.positionals.slice(located.words);
    if (args.length < command.args.length) {
      const missing = command.args.slice(args.length).map((arg) => `<${arg.name}>`);
      throw new UsageError(
        `${command.name} needs ${missing.join(' ')}; see 'keyscope ${command.name} --help'`,
      );
    }
    if (args.length > command.args.length) {
      throw new UsageError(
        `unexpected argument ${JSON.stringify(args[command.args.length])} for ${command.name}`,
      );
    }
    const values = parsed.values as Record<string, string | boolean | undefined>;
    let target: StoreTarget | undefined;
    const context: CommandContext = {
      command,
      values,
      args,
      json,
      now: new Date(),
      env,
      target() {
        target ??= resolveStoreTarget(
          { file: values.file as string | undefined, store: values.store as string | undefined },
          env,
          cwd,
        );
        return target;
      },
      async openStore(options = {}) {
        store ??= await factory(context.target(), {
          ...options,
          env,
          onWarning: (warning) => io.stderr.write(`warning: ${oneLine(warning.message)}\n`),
        });
        return store;
      },
      output(human, value) {
        io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);
      },
      note(text) {
        io.stderr.write(`${text}\n`);
      },
    };
    await command.run(context);
    return EXIT.ok;
  } catch (error) {
    const message = oneLine(error) + hint(error);
    io.stderr.write(
      json
        ? `${JSON.stringify({ error: { code: errorCode(error), message } })}\n`
        : `keyscope: ${message}\n`,
    );
    return exitCodeFor(error);
  } finally {
    try {
      await store?.close?.();
    } catch {
      // Closing a store that failed is no news.
    }
  }
}
