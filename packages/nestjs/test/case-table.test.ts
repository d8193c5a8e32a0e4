/**
 * The shared case table of the test-kit, run against a Nest app on Nest's Express platform and on
 * its Fastify platform, with the module imported by `forRoot` and by `forRootAsync`.
 */
import { runCaseTable } from '@keyscope/test-kit';
import { contractServer } from './contract-app.js';

for (const platform of ['express', 'fastify'] as const) {
  for (const style of ['forRoot', 'forRootAsync'] as const) {
    runCaseTable(`Nest on ${platform}, KeyscopeModule.${style}()`, (store, probe) =>
      contractServer(platform, store, probe, style),
    );
  }
}
