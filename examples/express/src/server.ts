/**
 * Starts the Express example: reads the environment, opens the keys file (followed live), listens,
 * and prints exactly one line on stdout when ready: `listening on http://<host>:<port>`. A setting
 * or keys file it cannot start with ends the process with a non-zero code and the reason on stderr.
 * SIGTERM and SIGINT close the server gracefully.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type FileKeyStore, KeysFileError, openFileStore } from '@keyscope/core';
import { createApp } from './app.js';
import { readConfig, StartupError } from './config.js';

const DEMO_KEYS_FILE = fileURLToPath(new URL('../keys.demo.json', import.meta.url));

let store: FileKeyStore;
let config: ReturnType<typeof readConfig>;
try {
  config = readConfig(process.env, DEMO_KEYS_FILE);
  if (config.rateLimit !== undefined) {
    console.error('KEYSCOPE_RATE_LIMIT is not supported by this build yet; it is ignored');
  }
  store = await openFileStore(config.keysFile, {
    onReloadError: (error) =>
      console.error(`keys file change refused, keeping the last good copy: ${error.message}`),
  });
} catch (error) {
  if (error instanceof StartupError || error instanceof KeysFileError) {
    console.error(`cannot start: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const server = createServer(createApp({ store }));

server.once('error', (error: NodeJS.ErrnoException) => {
  console.error(`cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`);
  store.close();
  process.exit(1);
});

server.listen({ port: config.port, host: config.host }, () => {
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`listening on http://${host}:${port}`);
});

let stopping = false;
function shutdown(): void {
  if (stopping) return;
  stopping = true;
  store.close();
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // Requests still running get a few seconds to finish.
  setTimeout(() => process.exit(0), 5000).unref();
}

process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
