/**
 * The shared case table of the test kit, run against the Fastify example app: the same answers as
 * every other adapter, and the protected handler never runs on a refusal (reported through
 * `onHandle`, mapped to the table's route names).
 */
import { runCaseTable } from '@keyscope/test-kit';
import { createApp, type RouteName } from '../src/app.js';

const TABLE_NAME: Record<RouteName, string> = {
  whoami: 'whoami',
  listApps: 'apps',
  getApp: 'app',
  getUser: 'user',
  postMessage: 'messages',
};

runCaseTable('examples/fastify', async (store, probe) => {
  const app = createApp({ store, onHandle: (route) => probe.ran(TABLE_NAME[route]) });
  await app.ready();
  return app.server;
});
