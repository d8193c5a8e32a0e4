/**
 * `authenticate()` beyond the case table: the named middleware, `req.auth`, optional
 * authentication, `passErrors` with the app's own error handler and with Express's final handler,
 * errors that are not refusals, refusals of another copy of keyscope (recognised by their brand),
 * duplicate headers without `headersDistinct`, the client's address in the hooks, and set-up
 * checks. Every test runs on Express 5 and Express 4.
 */
import {
  AuthError,
  type Authenticator,
  authenticate,
  ConfigurationError,
  createAuthenticator,
  InvalidCredentialsError,
} from '@keyscope/express';
import { basic, bearer, CHALLENGES, createFixture, createProbe, token } from '@keyscope/test-kit';
import express, { type ErrorRequestHandler } from 'express';
import express4 from 'express4';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';

const { keys, createStore } = createFixture();
const appKey = basic(keys.appA.id, keys.appA.secret);

describe.each([
  ['Express 5', express],
  ['Express 4', express4],
] as const)('authenticate() on %s', (_name, framework) => {
  function appWith(middleware: express.RequestHandler, onError?: ErrorRequestHandler) {
    const probe = createProbe();
    const app = framework();
    app.get('/me', middleware, (req, res) => {
      probe.ran('me');
      res.json({ auth: req.auth ?? null });
    });
    if (onError) app.use(onError);
    return { app, probe };
  }

  it('is a named middleware that sets req.auth and calls next()', async () => {
    const middleware = authenticate({ store: createStore() });
    expect(middleware.name).toBe('keyscopeAuthenticate');
    const { app, probe } = appWith(middleware);
    const res = await request(app).get('/me').set('Authorization', appKey);
    expect(res.status).toBe(200);
    expect(res.body.auth).toMatchObject({ method: 'basic', keyId: keys.appA.id, scope: 'app' });
    expect(probe.calls).toEqual(['me']);
  });

  it('answers a refusal itself, with JSON and the challenge, and never calls next()', async () => {
    const onError = vi.fn<ErrorRequestHandler>((_e, _q, res) => res.status(599).end());
    const { app, probe } = appWith(authenticate({ store: createStore() }), onError);
    const res = await request(app).get('/me');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
    expect(res.body).toEqual({
      errors: [{ code: 'unauthorized', title: 'Authentication required' }],
    });
    expect(onError).not.toHaveBeenCalled();
    expect(probe.calls).toEqual([]);
  });

  describe('optional: true', () => {
    const middleware = () => authenticate({ store: createStore(), optional: true });

    it('lets a request without Authorization through, with no req.auth', async () => {
      const { app, probe } = appWith(middleware());
      const res = await request(app).get('/me');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ auth: null });
      expect(probe.calls).toEqual(['me']);
    });

    it('still authenticates a valid credential', async () => {
      const { app } = appWith(middleware());
      const jwt = await token(keys.appA, { scope: 'appUser', userId: 'u_1' });
      const res = await request(app).get('/me').set('Authorization', bearer(jwt));
      expect(res.body.auth).toMatchObject({ scope: 'appUser', userId: 'u_1' });
    });

    it.each([
      ['a wrong secret', basic(keys.appA.id, 'wrong-secret'), 401, CHALLENGES.both],
      ['an empty value', '', 400, CHALLENGES.invalidRequest],
      ['another scheme', 'Digest abc', 401, CHALLENGES.both],
    ])('still refuses %s', async (_what, header, status, challenge) => {
      const { app, probe } = appWith(middleware());
      const res = await request(app).get('/me').set('Authorization', header);
      expect(res.status).toBe(status);
      expect(res.headers['www-authenticate']).toBe(challenge);
      expect(probe.calls).toEqual([]);
    });
  });

  describe('passErrors: true', () => {
    it("hands the AuthError to the app's error handler, which can render it", async () => {
      let seen: unknown;
      const { app, probe } = appWith(
        authenticate({ store: createStore(), passErrors: true }),
        (error, _req, res, _next) => {
          seen = error;
          const e = error as AuthError;
          res.status(e.status).set(e.headers).json(e.toBody());
        },
      );
      const res = await request(app)
        .get('/me')
        .set('Authorization', basic(keys.revoked.id, keys.revoked.secret));
      expect(seen).toBeInstanceOf(InvalidCredentialsError);
      expect(seen).toMatchObject({ reason: 'key_revoked', keyId: keys.revoked.id });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
      expect(res.body.errors[0].code).toBe('unauthorized');
      expect(probe.calls).toEqual([]);
    });

    it("is rendered by Express's own final handler with its status and challenge", async () => {
      const { app, probe } = appWith(authenticate({ store: createStore(), passErrors: true }));
      const jwt = await token(keys.appA, { scope: 'account' });
      const res = await request(app).get('/me').set('Authorization', bearer(jwt));
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(CHALLENGES.invalidToken);
      expect(res.text).not.toContain(jwt);
      expect(probe.calls).toEqual([]);
    });
  });

  it('passes errors that are not refusals to next(err): a 500, never a pass', async () => {
    const broken: Authenticator = {
      ...createAuthenticator({ store: createStore() }),
      authenticate: () => Promise.reject(new TypeError('a bug')),
    };
    let seen: unknown;
    const { app, probe } = appWith(
      authenticate({ authenticator: broken }),
      (error, _req, res, _next) => {
        seen = error;
        res.status(500).json({ errors: [{ code: 'internal_error' }] });
      },
    );
    const res = await request(app).get('/me').set('Authorization', appKey);
    expect(res.status).toBe(500);
    expect(seen).toBeInstanceOf(TypeError);
    expect(seen).not.toBeInstanceOf(AuthError);
    expect(probe.calls).toEqual([]);
  });

  it('refuses duplicate headers from rawHeaders when headersDistinct is missing', async () => {
    const app = framework();
    const probe = createProbe();
    app.use((req, _res, next) => {
      Object.defineProperty(req, 'headersDistinct', { value: undefined });
      next();
    });
    app.get('/me', authenticate({ store: createStore() }), (req, res) => {
      probe.ran('me');
      res.json({ keyId: req.auth?.keyId });
    });
    const twice = await request(app)
      .get('/me')
      .set('Authorization', [appKey, appKey] as unknown as string);
    expect(twice.status).toBe(400);
    expect(twice.headers['www-authenticate']).toBe(CHALLENGES.invalidRequest);
    expect(probe.calls).toEqual([]);
    const once = await request(app).get('/me').set('Authorization', appKey);
    expect(once.body).toEqual({ keyId: keys.appA.id });
    const none = await request(app).get('/me');
    expect(none.status).toBe(401);
  });
});

describe('authenticate() edge cases', () => {
  it('hands the refusal to next(err) when the response has already started', async () => {
    let seen: unknown;
    const app = express();
    app.use((_req, res, next) => {
      res.status(200).flushHeaders();
      next();
    });
    app.get('/me', authenticate({ store: createStore() }), (_req, res) => res.end('ran'));
    app.use(((error, _req, res, _next) => {
      seen = error;
      res.end();
    }) as ErrorRequestHandler);
    const res = await request(app).get('/me');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(seen).toBeInstanceOf(AuthError);
  });

  it('reads a request object that has neither headersDistinct nor rawHeaders', async () => {
    const middleware = authenticate({ store: createStore() });
    const res = { writeHead: vi.fn(), end: vi.fn(), headersSent: false };
    res.writeHead.mockReturnValue(res);
    const next = vi.fn();
    middleware({ method: 'GET', headers: {} } as never, res as never, next);
    await vi.waitFor(() => expect(res.end).toHaveBeenCalled());
    expect(res.writeHead).toHaveBeenCalledWith(401, {
      'WWW-Authenticate': CHALLENGES.both,
      'Content-Type': 'application/json',
    });
    expect(JSON.parse(res.end.mock.calls[0]?.[0] as string)).toMatchObject({
      errors: [{ code: 'unauthorized' }],
    });
    expect(next).not.toHaveBeenCalled();
  });
});

describe('authenticate() set-up', () => {
  it('checks its options once, at set-up', () => {
    expect(() => authenticate({} as never)).toThrow(ConfigurationError);
    expect(() => authenticate({ authenticator: {} as Authenticator })).toThrow(ConfigurationError);
    expect(() => authenticate({ store: createStore(), clockTolerance: 600 })).toThrow(
      ConfigurationError,
    );
  });

  it('reports refusals to the onRejected hook without any secret', async () => {
    const onRejected = vi.fn();
    const app = express();
    app.get('/me', authenticate({ store: createStore(), onRejected }), (_req, res) => res.end());
    await request(app).get('/me').set('Authorization', basic(keys.appA.id, 'not-the-secret'));
    expect(onRejected).toHaveBeenCalledOnce();
    expect(onRejected.mock.calls[0]?.[0]).toEqual({
      reason: 'wrong_secret',
      status: 401,
      method: 'basic',
      keyId: keys.appA.id,
    });
  });

  it('hands the hooks the method and the client address, never the credentials', async () => {
    const onAuthenticated = vi.fn();
    const app = express();
    app.get('/me', authenticate({ store: createStore(), onAuthenticated }), (_req, res) =>
      res.end(),
    );
    await request(app).get('/me').set('Authorization', appKey);
    expect(onAuthenticated.mock.calls[0]?.[1]).toEqual({
      method: 'GET',
      address: expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$|^::1$/),
    });
  });
});

describe('refusals of another copy of keyscope (the ESM and the CommonJS build in one app)', () => {
  /** An error as the other build makes it: another class, the same registered brand. */
  function foreignRefusal() {
    class ForeignForbiddenError extends Error {
      readonly status = 403;
      readonly code = 'forbidden';
      readonly expose = true;
      readonly headers = { 'WWW-Authenticate': CHALLENGES.insufficientScope('app') };
      toBody() {
        return { errors: [{ code: this.code, title: this.message }] };
      }
    }
    Object.defineProperty(ForeignForbiddenError.prototype, Symbol.for('keyscope.AuthError'), {
      value: true,
    });
    return new ForeignForbiddenError('Insufficient scope for this resource');
  }

  it('answers them like its own (an authenticator from the other build)', async () => {
    const real = createAuthenticator({ store: createStore() });
    const other: Authenticator = { ...real, authenticate: () => Promise.reject(foreignRefusal()) };
    const error = foreignRefusal();
    expect(error instanceof AuthError).toBe(false);
    const next = vi.fn();
    const app = express();
    app.get('/me', authenticate({ authenticator: other }), (_req, res) => res.end('ran'));
    app.use(
      (e: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        next(e);
        res.status(500).end();
      },
    );
    const res = await request(app).get('/me').set('Authorization', appKey);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(CHALLENGES.insufficientScope('app'));
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual({
      errors: [{ code: 'forbidden', title: 'Insufficient scope for this resource' }],
    });
    expect(next).not.toHaveBeenCalled();
  });
});
