/**
 * Starts the NestJS example: reads the environment, opens the key store (the keys file, followed
 * live, or the PostgreSQL store of `KEYSCOPE_STORE`, with `KEYSCOPE_MASTER_KEY`), listens, and
 * prints exactly one line on stdout when ready: `listening on http://<host>:<port>`.
 * `KEYSCOPE_RATE_LIMIT` turns the failed-attempt limiter on; `NEST_PLATFORM=fastify` runs Nest on
 * Fastify instead of Express. The environment is read, and the store opened, by
 * `@keyscope/example-shared`, as in the other examples. A setting, keys file or database it cannot
 * start with ends the process with a non-zero code and the reason on stderr; server errors are
 * logged on stderr. SIGTERM and SIGINT close the server gracefully.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  exitOnStartupError,
  openConfiguredStore,
  rateLimiterFor,
  readConfig,
  type ServerConfig,
  StartupError,
} from '@keyscope/example-shared';
import { createAuthenticator } from '@keyscope/nestjs';
import { createApp, type Platform } from './app.js';

const DEMO_KEYS_FILE = fileURLToPath(new URL('../keys.demo.json', import.meta.url));

let config: ServerConfig;
let platform: Platform;
try {
  config = readConfig(process.env, DEMO_KEYS_FILE);
  const chosen = process.env.NEST_PLATFORM ?? 'express';
  if (chosen !== 'express' && chosen !== 'fastify') {
    throw new StartupError('NEST_PLATFORM must be "express" or "fastify"');
  }
  platform = chosen;
} catch (error) {
  exitOnStartupError(error);
}
// The keys file or the PostgreSQL store; one that cannot serve ends the process (exit code 1).
const store = await openConfiguredStore(config);

// KEYSCOPE_RATE_LIMIT turns the failed-attempt limiter on (none when unset).
const authenticator = createAuthenticator({ store, rateLimiter: rateLimiterFor(config) });
const app = await createApp({ authenticator, platform, logErrors: true });

try {
  await app.listen(config.port, config.host);
} catch (error) {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  console.error(`cannot listen on ${config.host}:${config.port}: ${reason}`);
  await store.close();
  process.exit(1);
}
const { port } = app.getHttpServer().address() as AddressInfo;
const host = config.host.includes(':') ? `[${config.host}]` : config.host;
console.log(`listening on http://${host}:${port}`);

function shutdown(): void {
  // Requests still running get a few seconds to finish.
  setTimeout(() => process.exit(0), 5000).unref();
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
