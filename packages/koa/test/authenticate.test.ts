/**
 * `authenticate()` beyond the case table: the named middleware, `ctx.state.auth`, optional
 * authentication, `passErrors: true` (`throw: true`, its 0.1 spelling, is gone) with Koa's
 * default error handler (every refusal status, its challenge, exposed and not logged) and with the
 * app's own error middleware, errors that are not refusals, refusals of another copy of keyscope,
 * duplicate headers without `headersDistinct`, and set-up checks. Every test runs on Koa 3 and
 * Koa 2.
 */
import {
  AuthError,
  type Authenticator,
  authenticate,
  ConfigurationError,
  createAuthenticator,
  InvalidCredentialsError,
  type KoaAuthenticateOptions,
} from '@keyscope/koa';
import {
  basic,
  bearer,
  CHALLENGES,
  createFixture,
  createProbe,
  faultyStore,
  token,
} from '@keyscope/test-kit';
import Koa, { type Middleware } from 'koa';
import Koa2 from 'koa2';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { renderErrors } from './contract-app.js';

const { keys, createStore } = createFixture();
const appKey = basic(keys.appA.id, keys.appA.secret);

describe.each([
  ['Koa 3', Koa],
  ['Koa 2', Koa2],
] as const)('authenticate() on %s', (_name, Framework) => {
  function appWith(...middleware: Middleware[]) {
    const probe = createProbe();
    const app = new Framework();
    const errors = vi.fn();
    app.on('error', errors);
    for (const m of middleware) app.use(m);
    app.use((ctx) => {
      probe.ran('me');
      ctx.body = { auth: ctx.state.auth ?? null };
    });
    return { server: app.callback(), probe, errors };
  }

  it('is a named middleware that sets ctx.state.auth and awaits next()', async () => {
    const middleware = authenticate({ store: createStore() });
    expect(middleware.name).toBe('keyscopeAuthenticate');
    const after = vi.fn();
    const { server, probe } = appWith(async (_ctx, next) => {
      await next();
      after();
    }, middleware);
    const res = await request(server).get('/me').set('Authorization', appKey);
    expect(res.status).toBe(200);
    expect(res.body.auth).toMatchObject({ method: 'basic', keyId: keys.appA.id, scope: 'app' });
    expect(probe.calls).toEqual(['me']);
    expect(after).toHaveBeenCalledOnce();
  });

  it('renders a refusal itself, with JSON and the challenge, and never calls next()', async () => {
    const { server, probe, errors } = appWith(authenticate({ store: createStore() }));
    const res = await request(server).get('/me');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(res.body).toEqual({
      errors: [{ code: 'unauthorized', title: 'Authentication required' }],
    });
    expect(probe.calls).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
  });

  describe('optional: true', () => {
    const middleware = () => authenticate({ store: createStore(), optional: true });

    it('lets a request without Authorization through, with no ctx.state.auth', async () => {
      const { server, probe } = appWith(middleware());
      const res = await request(server).get('/me');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ auth: null });
      expect(probe.calls).toEqual(['me']);
    });

    it('still authenticates a valid credential', async () => {
      const { server } = appWith(middleware());
      const jwt = await token(keys.appA, { scope: 'user', external_id: 'u_9' });
      const res = await request(server).get('/me').set('Authorization', bearer(jwt));
      expect(res.body.auth).toMatchObject({ scope: 'appUser', userId: 'u_9' });
    });

    it.each([
      ['a wrong secret', basic(keys.appA.id, 'wrong-secret'), 401, CHALLENGES.both],
      ['an empty value', '', 400, CHALLENGES.invalidRequest],
      ['another scheme', 'Digest abc', 401, CHALLENGES.both],
    ])('still refuses %s', async (_what, header, status, challenge) => {
      const { server, probe } = appWith(middleware());
      const res = await request(server).get('/me').set('Authorization', header);
      expect(res.status).toBe(status);
      expect(res.headers['www-authenticate']).toBe(challenge);
      expect(probe.calls).toEqual([]);
    });
  });

  it('no longer reads throw: true, the 0.1 spelling of passErrors: the refusal is rendered', async () => {
    const legacy = { store: createStore(), throw: true } as KoaAuthenticateOptions;
    const { server, probe, errors } = appWith(authenticate(legacy));
    const res = await request(server).get('/me');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body.errors[0].code).toBe('unauthorized');
    expect(errors).not.toHaveBeenCalled();
    expect(probe.calls).toEqual([]);
  });

  describe.each([['passErrors: true', { passErrors: true }]] as const)('%s', (_label, pass) => {
    it("is rendered by Koa's default error handler with its status and challenge, marked exposed", async () => {
      const { server, probe, errors } = appWith(authenticate({ store: createStore(), ...pass }));
      const jwt = await token(keys.appA, { scope: 'account' });
      const res = await request(server).get('/me').set('Authorization', bearer(jwt));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGES.invalidToken);
      expect(res.text).toBe('Invalid credentials');
      expect(res.text).not.toContain(jwt);
      expect(probe.calls).toEqual([]);
      expect(errors).toHaveBeenCalledOnce();
      expect(errors.mock.calls[0]?.[0]).toMatchObject({ expose: true, status: 401 });
    });

    it("reaches the app's own error middleware, which can render the JSON body", async () => {
      let seen: unknown;
      const { server, probe } = appWith(
        async (ctx, next) => {
          try {
            await next();
          } catch (error) {
            seen = error;
            await renderErrors(ctx, () => Promise.reject(error));
          }
        },
        authenticate({ store: createStore(), ...pass }),
      );
      const res = await request(server)
        .get('/me')
        .set('Authorization', basic(keys.expired.id, keys.expired.secret));
      expect(seen).toBeInstanceOf(InvalidCredentialsError);
      expect(seen).toMatchObject({ reason: 'key_expired', keyId: keys.expired.id });
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
      expect(res.body.errors[0].code).toBe('unauthorized');
      expect(probe.calls).toEqual([]);
    });
  });

  describe("passErrors with Koa's own default handler (no error listener: what Koa logs)", () => {
    it.each([
      [
        'a malformed field',
        'Bearer a b',
        400,
        CHALLENGES.invalidRequest,
        'Malformed Authorization header',
      ],
      ['no credentials', undefined, 401, CHALLENGES.both, 'Authentication required'],
      [
        'a wrong secret',
        basic(keys.appA.id, 'wrong-secret'),
        401,
        CHALLENGES.both,
        'Invalid credentials',
      ],
    ])(
      '%s: %i, its challenge, its title as text, and nothing logged',
      async (_l, header, status, challenge, title) => {
        const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
        try {
          const app = new Framework();
          app.use(authenticate({ store: createStore(), passErrors: true }));
          app.use((ctx) => {
            ctx.body = 'ran';
          });
          let test = request(app.callback()).get('/me');
          if (header !== undefined) test = test.set('Authorization', header);
          const res = await test;
          expect(res.status).toBe(status);
          expect(res.headers['www-authenticate']).toBe(challenge);
          expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
          expect(res.text).toBe(title);
          expect(logged).not.toHaveBeenCalled();
        } finally {
          logged.mockRestore();
        }
      },
    );

    it('a 503 (the store is down) keeps its status, and a 500 (a bug) is logged', async () => {
      const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
      try {
        const down = faultyStore(createStore(), 'findKey');
        const app = new Framework();
        app.use(authenticate({ store: down, passErrors: true }));
        const res = await request(app.callback()).get('/me').set('Authorization', appKey);
        expect(res.status).toBe(503);
        expect(res.headers['www-authenticate']).toBeUndefined();
        expect(res.text).toBe('Authentication service unavailable');
        expect(logged).not.toHaveBeenCalled();
        const broken: Authenticator = {
          ...createAuthenticator({ store: createStore() }),
          authenticate: () => Promise.reject(new TypeError('a bug')),
        };
        const buggy = new Framework();
        buggy.use(authenticate({ authenticator: broken, passErrors: true }));
        const failed = await request(buggy.callback()).get('/me').set('Authorization', appKey);
        expect(failed.status).toBe(500);
        expect(logged).toHaveBeenCalled();
      } finally {
        logged.mockRestore();
      }
    });
  });

  it('renders a refusal of another copy of keyscope like its own', async () => {
    class ForeignRefusal extends Error {
      readonly status = 401;
      readonly code = 'unauthorized';
      readonly expose = true;
      readonly headers = { 'WWW-Authenticate': CHALLENGES.both };
      toBody() {
        return { errors: [{ code: this.code, title: this.message }] };
      }
    }
    Object.defineProperty(ForeignRefusal.prototype, Symbol.for('keyscope.AuthError'), {
      value: true,
    });
    const other: Authenticator = {
      ...createAuthenticator({ store: createStore() }),
      authenticate: () => Promise.reject(new ForeignRefusal('Authentication required')),
    };
    const { server, probe, errors } = appWith(authenticate({ authenticator: other }));
    const res = await request(server).get('/me');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(res.body).toEqual({
      errors: [{ code: 'unauthorized', title: 'Authentication required' }],
    });
    expect(errors).not.toHaveBeenCalled();
    expect(probe.calls).toEqual([]);
  });

  it('throws errors that are not refusals: a 500, never a pass', async () => {
    const broken: Authenticator = {
      ...createAuthenticator({ store: createStore() }),
      authenticate: () => Promise.reject(new TypeError('a bug')),
    };
    const { server, probe, errors } = appWith(authenticate({ authenticator: broken }));
    const res = await request(server).get('/me').set('Authorization', appKey);
    expect(res.status).toBe(500);
    expect(res.text).toBe('Internal Server Error');
    expect(errors.mock.calls[0]?.[0]).toBeInstanceOf(TypeError);
    expect(errors.mock.calls[0]?.[0]).not.toBeInstanceOf(AuthError);
    expect(probe.calls).toEqual([]);
  });

  it('refuses duplicate headers from rawHeaders when headersDistinct is missing', async () => {
    const { server, probe } = appWith(
      async (ctx, next) => {
        Object.defineProperty(ctx.req, 'headersDistinct', { value: undefined });
        await next();
      },
      authenticate({ store: createStore() }),
    );
    const twice = await request(server)
      .get('/me')
      .set('Authorization', [appKey, appKey] as unknown as string);
    expect(twice.status).toBe(400);
    expect(twice.headers['www-authenticate']).toBe(CHALLENGES.invalidRequest);
    expect(probe.calls).toEqual([]);
    const once = await request(server).get('/me').set('Authorization', appKey);
    expect(once.body.auth).toMatchObject({ keyId: keys.appA.id });
    expect((await request(server).get('/me')).status).toBe(401);
  });
});

describe('authenticate() set-up', () => {
  it('checks its options once, at set-up', () => {
    expect(() => authenticate({} as never)).toThrow(ConfigurationError);
    expect(() => authenticate({ authenticator: {} as Authenticator })).toThrow(ConfigurationError);
    expect(() => authenticate({ store: createStore(), algorithms: [] })).toThrow(
      ConfigurationError,
    );
  });
});
