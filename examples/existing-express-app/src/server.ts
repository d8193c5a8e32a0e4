/**
 * Starts Acme Shop: reads `PORT` (default 3000), `HOST` (default 127.0.0.1) and
 * `KEYSCOPE_KEYS_FILE` (default: the demo keys file next to package.json), opens the keys file
 * (followed live), listens and prints `listening on http://<host>:<port>`. A keys file it cannot
 * use ends the process with code 1 and the reason on stderr. SIGTERM and SIGINT stop it gracefully.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { openFileStore } from '@keyscope/express';
import { createApp } from './app.js';

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';
const keysFile =
  process.env.KEYSCOPE_KEYS_FILE || fileURLToPath(new URL('../keys.demo.json', import.meta.url));

// keyscope: the keys file, validated now and reloaded when it changes.
const store = await openFileStore(keysFile).catch((error: Error) => {
  console.error(`cannot start: ${error.message}`);
  process.exit(1);
});

const server = createServer(createApp({ store }));
server.listen({ port, host }, () => {
  const { port: bound } = server.address() as AddressInfo;
  console.log(`listening on http://${host}:${bound}`);
});

function shutdown(): void {
  store.close();
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
