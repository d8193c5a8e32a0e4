/**
 * The router as a whole: options checked at set-up, the 404 page, the security headers on every
 * answer, Express 4 as well as 5, and a failing audit hook that changes nothing.
 */
import { ConfigurationError, createMemoryStore } from '@keyscope/core';
import { dashboard } from '@keyscope/dashboard';
import express4 from 'express4';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFixture,
  createTestApp,
  csrfOf,
  type Fixture,
  formTokenOf,
  signIn,
} from './support.js';

let fixture: Fixture;
beforeEach(async () => {
  fixture = await createFixture();
});
afterEach(() => fixture.cleanup());

describe('dashboard()', () => {
  it('refuses a store that cannot be written and options out of range', () => {
    const readOnly = createMemoryStore({ version: 1, apps: [], keys: [] });
    expect(() => dashboard({ store: readOnly as never })).toThrow(ConfigurationError);
    expect(() => dashboard(undefined as never)).toThrow(ConfigurationError);
    const store = fixture.store;
    for (const options of [
      { idleTimeout: 0 },
      { absoluteTimeout: Number.NaN },
      { maxSessions: 1.5 },
      { maxTokenLifetime: 7200 },
      { maxSessionsPerKey: 0 },
      { signInLimit: { maxPerKeyAndAddress: 0 } },
      { signInLimit: { maxPerAddress: 2.5 } },
      { signInLimit: { window: -1 } },
      { signInLimit: 10 },
      { apiBaseUrl: 'javascript:alert(1)' },
      { apiBaseUrl: "https://x/'" },
      { onEvent: 'log' },
      { listServiceAccounts: [] },
    ]) {
      expect(() => dashboard({ store, ...(options as object) })).toThrow(ConfigurationError);
    }
    expect(() => dashboard({ store, maxTokenLifetime: 120 })).not.toThrow();
    // The old per-address count is gone; a setting of it is not silently ignored.
    expect(() => dashboard({ store, signInLimit: { max: 5 } as never })).toThrow(
      'signInLimit.max was replaced by signInLimit.maxPerKeyAndAddress and signInLimit.maxPerAddress',
    );
  });

  it('answers unknown paths with a 404 page and the same headers', async () => {
    const response = await request(createTestApp(fixture)).get('/keyscope/nope').expect(404);
    expect(response.text).toContain('There is no such page in the dashboard.');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('sends the security headers with redirects and refusals too', async () => {
    const app = createTestApp(fixture);
    for (const response of [
      await request(app).get('/keyscope/apps').expect(303),
      await request(app).post('/keyscope/apps/app_a/keys').expect(403),
    ]) {
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('leaves the rest of the app alone', async () => {
    const app = createTestApp(fixture, {}, (host) => {
      host.get('/health', (_req, res) => {
        res.json({ ok: true });
      });
    });
    const response = await request(app).get('/health').expect(200);
    expect(response.body).toEqual({ ok: true });
    expect(response.headers['content-security-policy']).toBeUndefined();
  });

  it('ignores an audit hook that throws', async () => {
    const app = createTestApp(fixture, {
      onEvent: () => {
        throw new Error('audit sink down');
      },
    });
    const agent = await signIn(app, fixture.keys.account);
    await agent.get('/keyscope/apps').expect(200);
  });

  it('works on Express 4', async () => {
    const app = express4();
    app.use('/keyscope', dashboard({ store: fixture.store }));
    const agent = request.agent(app);
    const form = await agent.get('/keyscope/sign-in').expect(200);
    await agent
      .post('/keyscope/sign-in')
      .type('form')
      .send({
        _csrf: csrfOf(form.text),
        keyId: fixture.keys.account.id,
        secret: fixture.keys.account.secret,
      })
      .expect(303);
    const page = await agent.get('/keyscope/apps/app_a').expect(200);
    const created = await agent
      .post('/keyscope/apps/app_a/keys')
      .type('form')
      .send({ _csrf: formTokenOf(page.text, '/keyscope/apps/app_a/keys'), expires: 'never' });
    expect(created.status).toBe(303);
    await agent.get(created.headers.location as string).expect(200);
    await agent.get('/keyscope/apps/app_c').expect(403);
  });

  it('hands errors that are not its own to the app', async () => {
    const app = createTestApp(fixture, {}, undefined);
    app.use(((error, _req, res, _next) => {
      res.status(500).send(`app handler: ${(error as Error).message}`);
    }) as express4.ErrorRequestHandler);
    const agent = await signIn(app, fixture.keys.account);
    fixture.store.listKeys = async () => {
      throw new TypeError('bug');
    };
    const response = await agent.get('/keyscope/apps');
    expect(response.status).toBe(500);
    expect(response.text).toBe('app handler: bug');
  });
});
