/**
 * keyscope on Koa 3 in the same bare app as the peers and floors (`/health` and one guarded
 * route, nothing else): `requireScope('app')` over the file store. Beside the example server, this
 * isolates what keyscope itself costs.
 */
import { createServer } from 'node:http';
import { createAuthenticator, openFileStore } from '@keyscope/core';
import { requireScope } from '@keyscope/koa';
import Router from '@koa/router';
import Koa from 'koa';
import { APP_BODY, announce, HEALTH_BODY } from './shared.ts';

const store = await openFileStore(process.env.KEYSCOPE_KEYS_FILE ?? '');
const authenticator = createAuthenticator({ store });
const router = new Router();
router.get('/health', (ctx) => {
  ctx.body = HEALTH_BODY;
});
router.get('/v2/apps/:appId', requireScope('app', { authenticator }), (ctx) => {
  ctx.body = APP_BODY;
});
const app = new Koa();
app.use(router.routes());
announce(createServer(app.callback()));
