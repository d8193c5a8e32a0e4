/**
 * Errors around keyscope: a path that is not valid percent-encoding (`/v2/apps/%E0%A4%A`, which
 * `@koa/router` would hand on undecoded) is refused with an error of `status` 400, which must
 * answer a 400 `bad_request` in the API's JSON body (never a 500, never a route run with the raw
 * text as an id), quote nothing of the request, and leave the server serving. Also the store
 * failure of `GET /v2/apps` (core's `listReachableApps`) and refusals are exactly
 * `application/json`.
 */
import { createMemoryStore, type KeyStore } from '@keyscope/core';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { basic, createTestKeys } from './helpers.js';

const { document, keys } = createTestKeys();

function setup(store: KeyStore = createMemoryStore(document)) {
  const onHandle = vi.fn();
  return { app: createApp({ store, onHandle }).callback(), onHandle };
}

const MALFORMED = [
  ['get', '/v2/apps/%E0%A4%A'],
  ['get', '/v2/apps/%ZZ'],
  ['get', '/v2/apps/app_a/users/%E0%A4%A'],
  ['post', '/v2/apps/%E0%A4%A/users/user_1/messages'],
] as const;

describe('a path that is not valid percent-encoding', () => {
  for (const [method, path] of MALFORMED) {
    for (const [who, authorization] of [
      ['an app key', () => basic(keys.appA)],
      ['an account key', () => basic(keys.account)],
      ['no credentials', async () => undefined],
    ] as const) {
      it(`${method.toUpperCase()} ${path} with ${who}: 400 bad_request, never a 500`, async () => {
        const { app, onHandle } = setup();
        let test = request(app)[method](path);
        const header = await authorization();
        if (header !== undefined) test = test.set('Authorization', header);
        const res = await test;
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toStrictEqual({ errors: [{ code: 'bad_request', title: 'Bad request' }] });
        expect(res.text).not.toContain('%E0');
        expect(onHandle).not.toHaveBeenCalled();
        const after = await request(app)
          .get('/v2/apps/app_a')
          .set('Authorization', basic(keys.appA));
        expect(after.status).toBe(200);
      });
    }
  }
});

describe('exact content type', () => {
  it('a refusal is exactly application/json', async () => {
    const { app } = setup();
    const res = await request(app).get('/v2/whoami');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
  });

  it('GET /v2/apps on a store that answers nonsense is a 503, exactly application/json', async () => {
    const memory = createMemoryStore(document);
    const store: KeyStore = {
      findKey: (id) => memory.findKey(id),
      appsFor: async () => 'app_a' as never,
    };
    const { app, onHandle } = setup(store);
    const res = await request(app).get('/v2/apps').set('Authorization', basic(keys.account));
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body.errors[0].code).toBe('service_unavailable');
    expect(onHandle).toHaveBeenCalledOnce();
  });
});
