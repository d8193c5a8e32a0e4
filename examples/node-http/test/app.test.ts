/**
 * The node:http example app against the example suite of `@keyscope/test-kit`, over HTTP: the
 * case table of the contract and the API's own answers (body errors, unknown routes, malformed
 * paths, a failing store or handler), the same for every example server.
 */
import { runExampleAppSuite } from '@keyscope/test-kit';
import { createApp } from '../src/app.js';

runExampleAppSuite('examples/node-http', (options) => createApp(options));
