/**
 * The shape of a CLI command: its name, arguments, options, help text and JSON output, and the
 * context the runner hands to it (parsed values, the store, output in human or `--json` form).
 * Commands are data plus one `run` function, so help, parsing and dispatch stay in one place.
 */
import type { WritableKeyStore } from '@keyscope/core';
import { UsageError } from './errors.js';
import type { OpenStoreOptions, StoreTarget } from './store.js';

/** One option of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The placeholder shown in help, e.g. `<appId>`. */
  readonly value?: string;
  readonly description: string;
}

/** One command, such as `keys create`. */
export interface CommandSpec {
  /** The words that name it: `keys create`. */
  readonly name: string;
  /** Its positional arguments, in order; all required. */
  readonly args: readonly { readonly name: string; readonly description: string }[];
  /** One line for the command list. */
  readonly summary: string;
  /** More explanation for its help. */
  readonly details?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
  /** The shape of its `--json` output, for its help. */
  readonly json: string;
  run(context: CommandContext): Promise<void>;
}

/** What a command gets from the runner. */
export interface CommandContext {
  readonly command: CommandSpec;
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** The positional arguments after the command's name. */
  readonly args: readonly string[];
  readonly json: boolean;
  /** The instant the command started. */
  readonly now: Date;
  /** The environment (`runCli`'s `io.env`): `KEYSCOPE_MASTER_KEY` and the like. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The store target (`--file` or `--store`, else `KEYSCOPE_STORE` or `KEYSCOPE_KEYS_FILE`). */
  target(): StoreTarget;
  /** Opens the store once; the runner closes it. */
  openStore(options?: OpenStoreOptions): Promise<WritableKeyStore>;
  /** The result: `human` text, or `json` with `--json`. */
  output(human: string, json: unknown): void;
  /** A line on stderr (notes and warnings), in both modes. */
  note(text: string): void;
}

/** The value of a string option, or `undefined`. */
export function optional(context: CommandContext, name: string): string | undefined {
  const value = context.values[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The value of a string option the command cannot do without.
 *
 * @throws {UsageError} the option is missing or empty.
 */
export function required(context: CommandContext, name: string): string {
  const value = optional(context, name);
  if (value === undefined || value === '') {
    const placeholder = context.command.options[name]?.value ?? '<value>';
    throw new UsageError(`${context.command.name} needs --${name} ${placeholder}`);
  }
  return value;
}
