/**
 * `@RequireScope()` and `KeyscopeGuard` beyond the case table: set-up checks, a controller-wide
 * scope and a method's own, `appId`/`userId` resolvers (sync, async, values that are not strings),
 * a route that names no app, the guard bound globally, `@Auth()` on a route without a guard, a
 * `request.auth` another middleware wrote (never trusted), and refusals of another copy of
 * keyscope. Every refusal proves the handler never ran; every test runs on both platforms.
 */
import {
  Auth,
  type AuthContext,
  ConfigurationError,
  KeyscopeGuard,
  KeyscopeModule,
  RequireScope,
  type Scope,
} from '@keyscope/nestjs';
import { basic, bearer, CHALLENGES, createProbe, token } from '@keyscope/test-kit';
import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { fixture, keys, nestApp, PLATFORMS } from './support.js';

const appKey = basic(keys.appA.id, keys.appA.secret);
const accountKey = basic(keys.account.id, keys.account.secret);
const appUser = async (userId: string) =>
  bearer(await token(keys.appA, { scope: 'appUser', userId }));

it('refuses an unknown scope when the class is defined', () => {
  expect(() => RequireScope('admin' as Scope)).toThrow(ConfigurationError);
});

describe.each(PLATFORMS)('@RequireScope() on Nest %s', (platform) => {
  const probe = createProbe();

  @Controller('v2/apps')
  @RequireScope('account')
  class AppsController {
    @Get()
    list(@Auth() auth: AuthContext) {
      probe.ran('list');
      return { scope: auth.scope };
    }

    @Get(':appId')
    @RequireScope('app')
    one(@Auth() auth: AuthContext, @Param('appId') appId: string) {
      probe.ran('one');
      return { appId, keyId: auth.keyId };
    }
  }

  @Controller('q')
  class ResolverController {
    @Get('sync')
    @RequireScope('appUser', {
      appId: (req) => (req as { query: { app?: string } }).query.app,
      userId: async (req) => (req as { headers: Record<string, string> }).headers['x-person'],
    })
    sync(@Auth() auth: AuthContext) {
      probe.ran('sync');
      return { userId: auth.userId };
    }

    @Get('odd')
    @RequireScope('app', { appId: (req) => (req as { query: { app?: unknown } }).query.app })
    odd() {
      probe.ran('odd');
      return {};
    }

    @Get('none')
    @RequireScope('app')
    none() {
      probe.ran('none');
      return {};
    }

    @Get('unguarded')
    unguarded(@Auth() auth: AuthContext) {
      probe.ran('unguarded');
      return { auth };
    }
  }

  const serve = async (prepare?: Parameters<typeof nestApp>[2]) => {
    probe.reset();
    const app = await nestApp(
      platform,
      {
        imports: [KeyscopeModule.forRoot({ store: fixture.createStore() })],
        controllers: [AppsController, ResolverController],
      },
      prepare,
    );
    return request(app.getHttpServer());
  };

  it("applies a controller's scope to its routes, and a method's own scope wins", async () => {
    const api = await serve();
    expect((await api.get('/v2/apps').set('Authorization', accountKey)).body).toEqual({
      scope: 'account',
    });
    const appOnly = await api.get('/v2/apps').set('Authorization', appKey);
    expect(appOnly.status).toBe(403);
    const own = await api.get('/v2/apps/app_a').set('Authorization', appKey);
    expect(own.body).toEqual({ appId: 'app_a', keyId: keys.appA.id });
    const other = await api.get('/v2/apps/app_b').set('Authorization', appKey);
    expect(other.status).toBe(403);
    expect(other.headers['content-type']).toBe('application/json');
    expect(probe.calls).toEqual(['list', 'one']);
  });

  it('reads the resource through resolvers (sync and async)', async () => {
    const api = await serve();
    const send = async (app: string, person: string) =>
      api
        .get(`/q/sync?app=${app}`)
        .set('Authorization', await appUser('u_1'))
        .set('x-person', person);
    expect((await send('app_a', 'u_1')).body).toEqual({ userId: 'u_1' });
    const wrongApp = await send('app_b', 'u_1');
    expect(wrongApp.status).toBe(403);
    expect(wrongApp.headers['www-authenticate']).toBe(CHALLENGES.insufficientScope('appUser'));
    expect((await send('app_a', 'u_2')).status).toBe(403);
    expect(probe.calls).toEqual(['sync']);
  });

  it('a resolver value that is not a string, or a route that names no app: 403', async () => {
    const api = await serve();
    const odd = await api.get('/q/odd?app=app_a&app=app_a').set('Authorization', appKey);
    expect(odd.status).toBe(403);
    const none = await api.get('/q/none').set('Authorization', accountKey);
    expect(none.status).toBe(403);
    expect(probe.calls).toEqual([]);
  });

  it('@Auth() on a route without @RequireScope() is a 500, never a caller', async () => {
    const api = await serve();
    const res = await api.get('/q/unguarded').set('Authorization', appKey);
    expect(res.status).toBe(500);
    expect(probe.calls).toEqual([]);
  });

  it('never trusts a request.auth another middleware wrote', async () => {
    const forged: AuthContext = {
      method: 'jwt',
      keyId: 'act_forged',
      entity: { type: 'userAccount', id: 'acc_1' },
      scope: 'account',
      accountId: 'acc_1',
    };
    const api = await serve((app) => {
      const http = app.getHttpAdapter().getInstance();
      if (platform === 'express') {
        http.use((req: { auth?: unknown }, _res: unknown, next: () => void) => {
          req.auth = forged;
          next();
        });
      } else {
        http.addHook('onRequest', async (req: { auth?: unknown }) => {
          req.auth = forged;
        });
      }
    });
    expect((await api.get('/v2/apps')).status).toBe(401);
    expect((await api.get('/v2/apps/app_b').set('Authorization', appKey)).status).toBe(403);
    expect((await api.get('/q/unguarded')).status).toBe(500);
    expect(probe.calls).toEqual([]);
    const own = await api.get('/v2/apps/app_a').set('Authorization', appKey);
    expect(own.body).toEqual({ appId: 'app_a', keyId: keys.appA.id });
  });

  it('bound globally (APP_GUARD), it lets routes without @RequireScope() through untouched', async () => {
    @Controller()
    class OpenController {
      @Get('open')
      open(@Req() req: { auth?: unknown }) {
        return { auth: req.auth ?? null };
      }
    }
    const app = await nestApp(platform, {
      imports: [KeyscopeModule.forRoot({ store: fixture.createStore() })],
      controllers: [OpenController, AppsController],
      providers: [{ provide: APP_GUARD, useExisting: KeyscopeGuard }],
    });
    const api = request(app.getHttpServer());
    expect((await api.get('/open').set('Authorization', 'Basic ~~')).body).toEqual({ auth: null });
    expect((await api.get('/v2/apps/app_a')).status).toBe(401);
  });
});

describe('the query resolver sees the platform request', () => {
  it('Query decorators still work next to @Auth()', async () => {
    @Controller()
    class C {
      @Get('x')
      @RequireScope('any')
      x(@Auth() auth: AuthContext, @Query('q') q: string) {
        return { q, scope: auth.scope };
      }
    }
    const app = await nestApp('express', {
      imports: [KeyscopeModule.forRoot({ store: fixture.createStore() })],
      controllers: [C],
    });
    const res = await request(app.getHttpServer()).get('/x?q=1').set('Authorization', appKey);
    expect(res.body).toEqual({ q: '1', scope: 'app' });
  });
});
