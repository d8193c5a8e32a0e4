/**
 * Starts the Fastify example: reads the environment, opens the key store (the keys file, followed
 * live, or the PostgreSQL store of `KEYSCOPE_STORE`, with `KEYSCOPE_MASTER_KEY`), listens, and
 * prints exactly one line on stdout when ready: `listening on http://<host>:<port>`. A setting,
 * keys file or database it cannot start with ends the process with a non-zero code and the reason
 * on stderr; server errors are logged on stderr. SIGTERM and SIGINT close the server gracefully.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  ConfigurationError,
  type FileKeyStore,
  KeysFileError,
  openFileStore,
  StoreError,
} from '@keyscope/core';
import {
  openPostgresStore,
  type PostgresKeyStore,
  type PostgresStoreEvent,
} from '@keyscope/postgres';
import { createApp } from './app.js';
import { readConfig, type ServerConfig, StartupError } from './config.js';

const DEMO_KEYS_FILE = fileURLToPath(new URL('../keys.demo.json', import.meta.url));

let store: FileKeyStore | PostgresKeyStore;
let config: ServerConfig;
try {
  config = readConfig(process.env, DEMO_KEYS_FILE);
  if (config.rateLimit !== undefined) {
    console.error('KEYSCOPE_RATE_LIMIT is not supported by this build yet; it is ignored');
  }
  store = config.store
    ? await openPostgresStore({ connectionString: config.store, onEvent: logStoreEvent })
    : await openFileStore(config.keysFile, {
        onReloadError: (error) =>
          console.error(`keys file change refused, keeping the last good copy: ${error.message}`),
      });
} catch (error) {
  // A bad master key, a schema not migrated, a database that cannot be reached: the messages
  // never repeat the URL.
  if (
    error instanceof StartupError ||
    error instanceof KeysFileError ||
    error instanceof ConfigurationError ||
    error instanceof StoreError
  ) {
    console.error(`cannot start: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

/** The PostgreSQL store's listener and pool events, on stderr (never a URL or a secret). */
function logStoreEvent(event: PostgresStoreEvent): void {
  if (event.type === 'listener-connected') {
    if (event.reconnect) console.error('key store: revocation listener reconnected');
    return;
  }
  const reason = event.error === undefined ? '' : `: ${event.error.message}`;
  console.error(`key store: ${event.type}${reason}`);
}

const app = createApp({ store, logger: { level: 'error', stream: process.stderr } });

try {
  await app.listen({ port: config.port, host: config.host });
} catch (error) {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  console.error(`cannot listen on ${config.host}:${config.port}: ${reason}`);
  await store.close();
  process.exit(1);
}
const { port } = app.server.address() as AddressInfo;
const host = config.host.includes(':') ? `[${config.host}]` : config.host;
console.log(`listening on http://${host}:${port}`);

function shutdown(): void {
  // Requests still running get a few seconds to finish.
  setTimeout(() => process.exit(0), 5000).unref();
  // The store closes once the requests in flight are answered (a database store needs its pool).
  app
    .close()
    .then(() => store.close())
    .then(
      () => process.exit(0),
      () => process.exit(1),
    );
}

process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
