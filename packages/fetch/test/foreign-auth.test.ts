/**
 * A context that keyscope did not make for this `Request` is never trusted (issue 18, item 1): an
 * `auth` another library hung on the `Request`, a `c.var.auth` another Hono middleware set before
 * the recipe's guard. `requireScope` authenticates the request itself, or, with no authenticator,
 * rejects with `ConfigurationError` (a 500). The fetch adapter never read such a slot (what it
 * found lived in a private map, now in core's record on the `Request`), so these tests pin the
 * promise rather than reproduce a bypass; the Express and Koa files reproduce it. Every refusal
 * proves the handler never ran.
 */
import { basic, CHALLENGES, createFixture, type Fixture } from '@keyscope/test-kit';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { URLPattern } from 'urlpattern-polyfill/urlpattern';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AuthContext,
  type Authenticator,
  ConfigurationError,
  createAuthenticator,
  requireScope,
  type ScopedHandler,
  toResponse,
} from '../src/index.js';
import { type KeyscopeEnv, scope } from './support/keyscope-hono.js';

let fixture: Fixture;
let authenticator: Authenticator;
beforeAll(() => {
  fixture = createFixture();
  authenticator = createAuthenticator({ store: fixture.createStore() });
});

/** What another library would hang on the request: an account-wide caller of `acc_1`. */
const forged: AuthContext = {
  method: 'jwt',
  keyId: 'act_forged',
  entity: { type: 'userAccount', id: 'acc_1' },
  scope: 'account',
  accountId: 'acc_1',
};

const withForged = (path: string, authorization?: string) =>
  Object.assign(
    new Request(`http://api.test${path}`, {
      headers: authorization === undefined ? {} : { authorization },
    }),
    { auth: forged, keyscope: forged },
  );
const appKey = () => basic(fixture.keys.appA.id, fixture.keys.appA.secret);
const spyHandler = () =>
  vi.fn<ScopedHandler>((_request, { auth }) => Response.json({ keyId: auth.keyId }));

describe('a context on the Request that keyscope did not make', () => {
  it("requireScope('app', { authenticator }) authenticates itself: 401 without Authorization", async () => {
    const handler = spyHandler();
    const route = requireScope('app', handler, {
      authenticator,
      params: new URLPattern({ pathname: '/v2/apps/:appId' }),
    });
    const response = await route(withForged('/v2/apps/app_a'));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(CHALLENGES.both);
    expect((await route(withForged('/v2/apps/app_b', appKey()))).status).toBe(403);
    expect(handler).not.toHaveBeenCalled();
    const own = await route(withForged('/v2/apps/app_a', appKey()));
    expect(await own.json()).toStrictEqual({ keyId: fixture.keys.appA.id });
  });

  it("requireScope('any') without an authenticator rejects with ConfigurationError (a 500)", async () => {
    const handler = spyHandler();
    const route = requireScope('any', handler);
    const error = await route(withForged('/v2/whoami', appKey())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(toResponse(error).status).toBe(500);
    expect(handler).not.toHaveBeenCalled();
  });
});

describe('a c.var.auth another Hono middleware set before the recipe', () => {
  function createApp() {
    const ran = vi.fn();
    const app = new Hono<KeyscopeEnv>()
      .use(
        createMiddleware<KeyscopeEnv>(async (c, next) => {
          c.set('auth', forged);
          await next();
        }),
      )
      .get('/v2/apps/:appId', scope('app', authenticator), (c) => {
        ran();
        return c.json({ keyId: c.var.auth.keyId });
      });
    return { app, ran };
  }

  it('is not trusted: 401 without Authorization, 403 on another app, the handler never runs', async () => {
    const { app, ran } = createApp();
    expect((await app.request('/v2/apps/app_a')).status).toBe(401);
    const other = await app.request('/v2/apps/app_b', { headers: { authorization: appKey() } });
    expect(other.status).toBe(403);
    expect(ran).not.toHaveBeenCalled();
  });

  it("is replaced by keyscope's context once the guard lets the caller through", async () => {
    const { app } = createApp();
    const own = await app.request('/v2/apps/app_a', { headers: { authorization: appKey() } });
    expect(await own.json()).toStrictEqual({ keyId: fixture.keys.appA.id });
  });
});
