/**
 * The Express example server as a real process, against the example server suite of
 * `@keyscope/test-kit`: start-up, the demo keys file, SIGTERM, start-up failures, the limiter and
 * edits of the keys file, the same for every example server. After its listening line it prints a
 * JSON audit line per authentication and refusal (`auditLog`; its content: `audit-log.test.ts`).
 */
import { fileURLToPath } from 'node:url';
import { runExampleServerSuite } from '@keyscope/test-kit';

runExampleServerSuite('examples/express', {
  dir: fileURLToPath(new URL('..', import.meta.url)),
  auditLog: true,
});
