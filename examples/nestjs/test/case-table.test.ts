/**
 * The shared case table of the test kit, run against the NestJS example app on Nest's Express
 * platform and on its Fastify platform: the same answers as every other adapter, and the protected
 * handler never runs on a refusal (reported through `onHandle`, mapped to the table's route names).
 */
import { createAuthenticator } from '@keyscope/nestjs';
import { runCaseTable } from '@keyscope/test-kit';
import { createApp, type RouteName } from '../src/app.js';

const TABLE_NAME: Record<RouteName, string> = {
  whoami: 'whoami',
  listApps: 'apps',
  getApp: 'app',
  getUser: 'user',
  postMessage: 'messages',
};

for (const platform of ['express', 'fastify'] as const) {
  runCaseTable(`examples/nestjs on ${platform}`, async (store, probe) => {
    const app = await createApp({
      authenticator: createAuthenticator({ store }),
      platform,
      onHandle: (route) => probe.ran(TABLE_NAME[route]),
    });
    return app.getHttpServer();
  });
}
