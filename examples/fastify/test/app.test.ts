/**
 * The Fastify example app against the example suite of `@keyscope/test-kit`, over real HTTP (so
 * `request.raw.headersDistinct` is the one of Node's parser): the case table of the contract and
 * the API's own answers (body errors, unknown routes, malformed paths, a failing store or handler),
 * the same for every example server.
 */
import { runExampleAppSuite } from '@keyscope/test-kit';
import { createApp } from '../src/app.js';

runExampleAppSuite('examples/fastify', async (options) => {
  const app = createApp(options);
  await app.ready();
  return app.server;
});
