/**
 * The NestJS example app beyond the case table, on both platforms: the API's own answers (an
 * unknown route, a body that is not JSON, no body) in the contract's JSON body, checked only after
 * the guard let the caller through, and a refused POST never reaching its handler.
 */
import { createAuthenticator } from '@keyscope/nestjs';
import { bearer, createFixture, token } from '@keyscope/test-kit';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp, type RouteName } from '../src/app.js';

const fixture = createFixture();
const apps: INestApplication[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

describe.each(['express', 'fastify'] as const)('examples/nestjs on %s', (platform) => {
  async function setup() {
    const onHandle = vi.fn<(route: RouteName) => void>();
    const authenticator = createAuthenticator({ store: fixture.createStore() });
    const app = await createApp({ authenticator, platform, onHandle });
    apps.push(app);
    return { api: request(app.getHttpServer()), onHandle };
  }
  const appUser = async () =>
    bearer(await token(fixture.keys.appA, { scope: 'appUser', userId: 'u_1' }));
  const MESSAGES = '/v2/apps/app_a/users/u_1/messages';

  it('answers an unknown route 404 not_found', async () => {
    const { api } = await setup();
    const res = await api.get('/v2/nothing');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ errors: [{ code: 'not_found', title: 'No such route' }] });
  });

  it('answers 415 to a body that is not JSON, after the guard', async () => {
    const { api, onHandle } = await setup();
    const res = await api
      .post(MESSAGES)
      .set('Authorization', await appUser())
      .set('Content-Type', 'text/plain')
      .send('hello');
    expect(res.status).toBe(415);
    expect(res.body.errors[0].code).toBe('unsupported_media_type');
    expect(onHandle).toHaveBeenCalledWith('postMessage', expect.anything());
  });

  it('answers 400 to JSON that does not parse', async () => {
    const { api } = await setup();
    const res = await api
      .post(MESSAGES)
      .set('Authorization', await appUser())
      .set('Content-Type', 'application/json')
      .send('{"text": ');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe('bad_request');
  });

  it('refuses a POST without credentials before its handler, whatever the body', async () => {
    const { api, onHandle } = await setup();
    const res = await api.post(MESSAGES).send({ text: 'hi' });
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toBe('application/json');
    expect(onHandle).not.toHaveBeenCalled();
  });
});
