/**
 * Koa 3 servers guarded by koa-jwt (the peer) and by the hand-written floors. `PEER` picks one:
 * koa-jwt, jose-minimal, floor-basic, floor-hs256.
 */
import { createServer } from 'node:http';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import koaJwt from 'koa-jwt';
import { floorBasic, floorHs256, joseMinimal } from './floors.ts';
import { APP_BODY, announce, HEALTH_BODY, loadKeys } from './shared.ts';

const keys = loadKeys();
const peer = process.env.PEER ?? '';

function refuse(ctx: Koa.Context): void {
  ctx.status = 401;
  ctx.body = { errors: [{ code: 'unauthorized' }] };
}

function guard(): Middleware {
  switch (peer) {
    case 'koa-jwt':
      return koaJwt({
        algorithms: ['HS256'],
        secret: async (header: { kid?: string }) => {
          const key = header.kid ? keys.get(header.kid) : undefined;
          if (!key) throw new Error('unknown key');
          return key.secret;
        },
      } as unknown as koaJwt.Options) as unknown as Middleware;
    case 'jose-minimal': {
      const check = joseMinimal(keys);
      return async (ctx, next) => {
        if (await check(ctx.get('authorization'))) await next();
        else refuse(ctx);
      };
    }
    case 'floor-basic':
    case 'floor-hs256': {
      const check = peer === 'floor-basic' ? floorBasic(keys) : floorHs256(keys);
      return async (ctx, next) => {
        if (check(ctx.get('authorization'))) await next();
        else refuse(ctx);
      };
    }
    default:
      throw new Error(`unknown PEER ${peer}`);
  }
}

const router = new Router();
router.get('/health', (ctx) => {
  ctx.body = HEALTH_BODY;
});
router.get('/v2/apps/:appId', guard(), (ctx) => {
  ctx.body = APP_BODY;
});
const app = new Koa();
app.use(router.routes());
announce(createServer(app.callback()));
