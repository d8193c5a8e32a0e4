/**
 * `@keyscope/cli`: the `keyscope` command (create, list, revoke, rotate and delete API keys, add
 * apps and service accounts, mint tokens and Basic headers) and its in-process entry point,
 * `runCli`, for tests and for tools that embed it. `StoreFactory` is the seam for stores other
 * than the keys file.
 */
export { EXIT, UsageError } from './errors.js';
export type { KeyJson } from './format.js';
export { type CliIo, COMMANDS, runCli } from './run-cli.js';
export {
  type OpenStoreOptions,
  openStore,
  resolveStoreTarget,
  type StoreFactory,
  type StoreTarget,
} from './store.js';
