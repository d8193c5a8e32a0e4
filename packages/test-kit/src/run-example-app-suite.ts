/**
 * The suite every example server's app passes in-process (contract section 5): THE case table
 * (each refusal with its status, code, title and exact challenge, every route with every kind of
 * credential, the handler never running on a refusal), then the API's own answers, which the
 * examples must give alike: the JSON body of the one POST route (any JSON value; no body, not JSON,
 * not `application/json`, too large; never read before the guard), unknown routes, paths that are
 * not valid percent-encoding, decoded parameters and a trailing slash, a store that answers
 * nonsense, and a handler that throws. Each test builds a fresh app on a fresh fixture store and
 * calls it over real HTTP on a loopback port.
 */
import type { RequestListener, Server } from 'node:http';
import type { AuthContext, KeyStore } from '@keyscope/core';
import request, { type Response, type Test } from 'supertest';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHALLENGES, TITLES } from './case-table.js';
import { basic, bearer, token } from './credentials.js';
import { createFixture, type Fixture } from './fixture.js';
import { type Listening, listen } from './internal/listen.js';
import { runCaseTable } from './run-case-table.js';

/** The protected routes of an example app, as it names them to its `onHandle` hook. */
export type ExampleRouteName = 'whoami' | 'listApps' | 'getApp' | 'getUser' | 'postMessage';

/** What the suite hands an example's `createApp`. */
export interface ExampleAppOptions {
  readonly store: KeyStore;
  /** Called by every protected handler once it has accepted the request. */
  readonly onHandle?: (route: ExampleRouteName, auth: AuthContext) => void;
  /** Largest JSON body accepted, in bytes (the example's default when absent: 100 KiB). */
  readonly bodyLimit?: number;
}

/** Builds an example app: an `http.Server` (listening or not) or a request listener. */
export type ExampleAppFactory = (
  options: ExampleAppOptions,
) => Server | RequestListener | Promise<Server | RequestListener>;

/** The case table's names of the example routes. */
const TABLE_NAME: Record<ExampleRouteName, string> = {
  whoami: 'whoami',
  listApps: 'apps',
  getApp: 'app',
  getUser: 'user',
  postMessage: 'messages',
};

const MESSAGES = '/v2/apps/app_a/users/u_1/messages';
const apiError = (code: string, title: string) => ({ errors: [{ code, title }] });

/** An API error: status, exact body (or any title), a JSON type (a charset allowed). */
function expectApiError(res: Response, status: number, code: string, title?: string): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json(;|$)/);
  expect(res.body).toStrictEqual(apiError(code, title ?? expect.any(String)));
}

/**
 * Registers the example app suite under `describe(name)`.
 *
 * @example
 * ```ts
 * // examples/koa/test/app.test.ts
 * runExampleAppSuite('examples/koa', (options) => createApp(options).callback());
 * ```
 */
export function runExampleAppSuite(name: string, createApp: ExampleAppFactory): void {
  describe(name, () => {
    runCaseTable('the case table', (store, probe) =>
      createApp({ store, onHandle: (route) => probe.ran(TABLE_NAME[route]) }),
    );

    let fixture: Fixture;
    beforeAll(() => {
      fixture = createFixture();
    });
    const open: Listening[] = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((server) => server.close()));
    });

    /** A fresh app on the fixture (or `store`), listening, with its `onHandle` spy. */
    async function setup(options: Partial<ExampleAppOptions> = {}) {
      const onHandle = vi.fn<NonNullable<ExampleAppOptions['onHandle']>>();
      const server = await listen(
        await createApp({ store: fixture.createStore(), onHandle, ...options }),
      );
      open.push(server);
      return { api: request(server.url), onHandle };
    }
    const appKey = () => basic(fixture.keys.appA.id, fixture.keys.appA.secret);
    const accountKey = () => basic(fixture.keys.account.id, fixture.keys.account.secret);
    const appUserToken = async () =>
      bearer(await token(fixture.keys.appA, { scope: 'appUser', userId: 'u_1' }));

    describe('the JSON body of POST /v2/apps/:appId/users/:userId/messages', () => {
      it.each([
        ['an object', { text: 'hello', tags: ['a', 'b'], n: 1.5, nested: { ok: true } }],
        ['an array', [1, 2, 3]],
        ['a string', 'hi'],
        ['null', null],
      ])('accepts any JSON value: %s', async (_label, value) => {
        const { api, onHandle } = await setup();
        const res = await api
          .post(MESSAGES)
          .set('Authorization', await appUserToken())
          .set('Content-Type', 'application/json')
          .send(JSON.stringify(value));
        expect(res.status).toBe(201);
        expect(res.body).toStrictEqual({ received: value });
        expect(onHandle).toHaveBeenCalledExactlyOnceWith('postMessage', expect.anything());
      });

      // biome-ignore format: one row per body
      it.each([
        ['not JSON', {}, (post: Test) => post.set('Content-Type', 'application/json').send('{"text": nope'), 400, 'bad_request', 'The request body is not valid JSON'],
        ['no body', {}, (post: Test) => post, 400, 'bad_request', 'A JSON request body is required'],
        ['not application/json', {}, (post: Test) => post.set('Content-Type', 'text/plain').send('nope'), 415, 'unsupported_media_type', undefined],
        ['over the default limit of 100 KiB', {}, (post: Test) => post.send({ text: `nope${'x'.repeat(101 * 1024)}` }), 413, 'payload_too_large', 'The request body is too large'],
        ['over a configured bodyLimit (64 bytes)', { bodyLimit: 64 }, (post: Test) => post.send({ text: `nope${'x'.repeat(100)}` }), 413, 'payload_too_large', 'The request body is too large'],
      ] as const)(
        '%s: the API\'s error that quotes nothing, and the handler never runs',
        async (_label, options, body, status, code, title) => {
          const { api, onHandle } = await setup(options);
          const res = await body(api.post(MESSAGES).set('Authorization', appKey()));
          expectApiError(res, status, code, title);
          expect(res.text).not.toContain('nope');
          expect(onHandle).not.toHaveBeenCalled();
        },
      );

      it('is never parsed for an unauthenticated request: 401, not 400', async () => {
        const { api, onHandle } = await setup();
        const res = await api
          .post(MESSAGES)
          .set('Content-Type', 'application/json')
          .send('{"text": nope');
        expect(res.status).toBe(401);
        expect(res.body.errors[0].code).toBe('unauthorized');
        expect(res.headers['www-authenticate']).toBe(CHALLENGES.both);
        expect(onHandle).not.toHaveBeenCalled();
      });

      it('is never parsed for a forbidden request: 403, not 400', async () => {
        const { api, onHandle } = await setup();
        const res = await api
          .post('/v2/apps/app_b/users/u_1/messages')
          .set('Authorization', appKey())
          .set('Content-Type', 'application/json')
          .send('{"text": nope');
        expect(res.status).toBe(403);
        expect(res.body).toStrictEqual(apiError('forbidden', TITLES.forbidden));
        expect(onHandle).not.toHaveBeenCalled();
      });
    });

    describe('unknown routes', () => {
      it.each([
        ['get', '/'],
        ['get', '/v2'],
        ['get', '/v2/nope'],
        ['get', '/v2/apps/app_a/unknown'],
        ['put', '/v2/apps/app_a'],
        ['delete', '/v2/whoami'],
        ['put', '/health'],
      ] as const)('%s %s: 404 not_found, with or without credentials', async (method, path) => {
        const { api, onHandle } = await setup();
        for (const res of [
          await api[method](path),
          await api[method](path).set('Authorization', accountKey()),
        ]) {
          expectApiError(res, 404, 'not_found', 'No such route');
        }
        expect(onHandle).not.toHaveBeenCalled();
      });
    });

    describe('a path that is not valid percent-encoding', () => {
      const callers = [
        ['an app key', () => appKey()],
        ['an account key', () => accountKey()],
        ['no credentials', () => undefined],
      ] as const;
      for (const [method, path] of [
        ['get', '/v2/apps/%E0%A4%A'],
        ['get', '/v2/apps/%ZZ'],
        ['get', '/v2/apps/app_a/users/%E0%A4%A'],
        ['post', '/v2/apps/%E0%A4%A/users/u_1/messages'],
      ] as const) {
        for (const [who, authorization] of callers) {
          it(`${method.toUpperCase()} ${path} with ${who}: 400 bad_request, never a 500`, async () => {
            const { api, onHandle } = await setup();
            const header = authorization();
            const sent = api[method](path);
            const res = await (header === undefined ? sent : sent.set('Authorization', header));
            expectApiError(res, 400, 'bad_request', 'Bad request');
            expect(res.text).not.toMatch(/%E0|%ZZ/);
            expect(onHandle).not.toHaveBeenCalled();
            expect((await api.get('/v2/apps/app_a').set('Authorization', appKey())).status).toBe(
              200,
            );
          });
        }
      }
    });

    it("hands the caller's context to onHandle", async () => {
      const { api, onHandle } = await setup();
      expect((await api.get('/v2/whoami').set('Authorization', appKey())).status).toBe(200);
      expect(onHandle).toHaveBeenCalledExactlyOnceWith(
        'whoami',
        expect.objectContaining({ keyId: fixture.keys.appA.id, scope: 'app', appId: 'app_a' }),
      );
    });

    it('decodes percent-encoded parameters and accepts a trailing slash', async () => {
      const { api } = await setup();
      const res = await api.get('/v2/apps/app%5Fa/').set('Authorization', appKey());
      expect(res.status).toBe(200);
      expect(res.body).toStrictEqual({ app: { id: 'app_a' } });
    });

    it.each([
      ['a string', 'app_a'],
      ['a number', 7],
    ])(
      'a store that answers nonsense (%s) to GET /v2/apps: 503, exactly application/json',
      async (_label, nonsense) => {
        const store = fixture.createStore();
        const { api, onHandle } = await setup({
          store: { findKey: (id) => store.findKey(id), appsFor: async () => nonsense as never },
        });
        const res = await api.get('/v2/apps').set('Authorization', accountKey());
        expect(res.status).toBe(503);
        expect(res.headers['content-type']).toBe('application/json');
        expect(res.body).toStrictEqual(apiError('service_unavailable', TITLES.unavailable));
        expect(onHandle).toHaveBeenCalledOnce();
      },
    );

    it('a handler that throws: 500 internal_error that reveals nothing', async () => {
      const { api } = await setup({
        onHandle: () => {
          throw new Error('secret internals');
        },
      });
      const res = await api.get('/v2/whoami').set('Authorization', appKey());
      expectApiError(res, 500, 'internal_error', 'Internal server error');
      expect(res.text).not.toContain('secret internals');
      expect((await api.get('/health')).status).toBe(200);
    });
  });
}
