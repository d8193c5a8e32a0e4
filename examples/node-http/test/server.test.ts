/**
 * The node:http example server as a real process, against the example server suite of
 * `@keyscope/test-kit`: start-up, the demo keys file, SIGTERM, start-up failures, the limiter and
 * edits of the keys file, the same for every example server.
 */
import { fileURLToPath } from 'node:url';
import { runExampleServerSuite } from '@keyscope/test-kit';

runExampleServerSuite('examples/node-http', {
  dir: fileURLToPath(new URL('..', import.meta.url)),
});
