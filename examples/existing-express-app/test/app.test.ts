/**
 * keyscope added to an existing Express app: the routes it does not guard stay open and behave as
 * before (request ids, logging, the app's own 404s), the guarded ones refuse with the right status
 * and `WWW-Authenticate` rendered by the app's own error handler, and a refused request never
 * reaches its handler (the catalog is never touched). Keys are made at test time.
 */
import { randomBytes } from 'node:crypto';
import { createMemoryStore, type KeysDocument } from '@keyscope/core';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { createCatalog } from '../src/catalog.js';

const key = (prefix: string, type: 'app' | 'userAccount' | 'serviceAccount', id: string) => ({
  id: `${prefix}_${randomBytes(12).toString('hex')}`,
  secret: `test-secret-${randomBytes(16).toString('hex')}`,
  entity: { type, id },
});
const keys = {
  shopA: key('app', 'app', 'app_a'),
  account: key('act', 'userAccount', 'acc_1'),
  service: key('svc', 'serviceAccount', 'svc_1'),
};
const document: KeysDocument = {
  version: 1,
  apps: [
    { id: 'app_a', accountId: 'acc_1' },
    { id: 'app_b', accountId: 'acc_1' },
  ],
  serviceAccounts: [{ id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] }],
  keys: Object.values(keys),
};
const basic = (k: { id: string; secret: string }) =>
  `Basic ${Buffer.from(`${k.id}:${k.secret}`).toString('base64')}`;

const BOTH = 'Basic realm="keyscope", charset="UTF-8", Bearer realm="keyscope"';

function setup() {
  const catalog = createCatalog();
  const spies = {
    listProducts: vi.spyOn(catalog, 'listProducts'),
    findProduct: vi.spyOn(catalog, 'findProduct'),
    addProduct: vi.spyOn(catalog, 'addProduct'),
    listOrders: vi.spyOn(catalog, 'listOrders'),
    stats: vi.spyOn(catalog, 'stats'),
  };
  const lines: string[] = [];
  const report = vi.fn();
  const app = createApp({
    store: createMemoryStore(document),
    catalog,
    log: (line) => lines.push(line),
    report,
  });
  return { app, spies, lines, report };
}

describe('routes keyscope does not guard stay open', () => {
  it('GET / answers without credentials, with a request id and a log line', async () => {
    const { app, lines } = setup();
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Acme Shop');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${res.headers['x-request-id']} GET / 200 `));
  });

  it('GET /products lists the catalog', async () => {
    const { app, spies } = setup();
    const res = await request(app).get('/products');
    expect(res.status).toBe(200);
    expect(res.body.products).toHaveLength(3);
    expect(spies.listProducts).toHaveBeenCalledOnce();
  });

  it('GET /products/:productId answers, or 404 in the app own shape', async () => {
    const { app } = setup();
    const found = await request(app).get('/products/p_2');
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ product: { id: 'p_2', name: 'Cup', priceCents: 600 } });
    const missing = await request(app).get('/products/p_9').set('X-Request-Id', 'req-42');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: { status: 404, message: 'No such product', requestId: 'req-42' },
    });
  });

  it('ignores an Authorization header it does not need, even a broken one', async () => {
    const { app } = setup();
    const res = await request(app).get('/products').set('Authorization', 'Bearer a b');
    expect(res.status).toBe(200);
  });

  it('unknown routes still get the app own 404', async () => {
    const { app } = setup();
    const res = await request(app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ status: 404, message: 'Not found' });
  });
});

describe('the admin area needs an account key', () => {
  it.each([
    ['a user-account key', keys.account],
    ['a service-account key', keys.service],
  ])('GET /admin/stats with %s', async (_label, k) => {
    const { app, spies, lines } = setup();
    const res = await request(app).get('/admin/stats').set('Authorization', basic(k));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ stats: { products: 3, orders: 3 } });
    expect(spies.stats).toHaveBeenCalledOnce();
    expect(lines).toEqual([expect.stringMatching(/ GET \/admin\/stats 200 /)]);
  });

  it('POST /admin/products with an account key adds a product', async () => {
    const { app, spies } = setup();
    const res = await request(app)
      .post('/admin/products')
      .set('Authorization', basic(keys.account))
      .send({ id: 'p_4', name: 'Saucer', priceCents: 300 });
    expect(res.status).toBe(201);
    expect(res.body.product.id).toBe('p_4');
    expect(spies.addProduct).toHaveBeenCalledOnce();
  });

  it.each([
    ['GET', '/admin/stats'],
    ['POST', '/admin/products'],
  ])(
    '%s %s without credentials: 401 in the app own shape, handler never ran',
    async (method, path) => {
      const { app, spies, lines, report } = setup();
      const res = await request(app)
        [method === 'GET' ? 'get' : 'post'](path)
        .set('X-Request-Id', 'req-7')
        .set('Content-Type', 'application/json')
        .send(method === 'POST' ? '{"not": json' : undefined);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(BOTH);
      expect(res.body).toEqual({
        error: { status: 401, message: 'Authentication required', requestId: 'req-7' },
      });
      expect(spies.stats).not.toHaveBeenCalled();
      expect(spies.addProduct).not.toHaveBeenCalled();
      expect(report).not.toHaveBeenCalled();
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^req-7 ${method} ${path} 401 `))]);
    },
  );

  it('an app key is below account scope: 403, handler never ran', async () => {
    const { app, spies } = setup();
    const res = await request(app).get('/admin/stats').set('Authorization', basic(keys.shopA));
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body.error).toMatchObject({
      status: 403,
      message: 'Insufficient scope for this resource',
    });
    expect(spies.stats).not.toHaveBeenCalled();
  });

  it('a wrong secret: 401 with both challenges, and no secret in the log', async () => {
    const { app, spies, lines } = setup();
    const res = await request(app)
      .get('/admin/stats')
      .set('Authorization', basic({ id: keys.account.id, secret: 'not-the-secret' }));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(BOTH);
    expect(res.body.error.message).toBe('Invalid credentials');
    expect(spies.stats).not.toHaveBeenCalled();
    expect(lines.join('\n')).not.toContain('not-the-secret');
  });

  it('a malformed header: 400 with the Bearer invalid_request challenge', async () => {
    const { app, spies } = setup();
    const res = await request(app).get('/admin/stats').set('Authorization', 'Basic');
    expect(res.status).toBe(400);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="keyscope", error="invalid_request"',
    );
    expect(res.body.error.status).toBe(400);
    expect(spies.stats).not.toHaveBeenCalled();
  });
});

describe("a shop's orders need that shop's key", () => {
  it.each([
    ['its app key', keys.shopA],
    ['its account key', keys.account],
    ['a service account granted the shop', keys.service],
  ])('GET /shops/app_a/orders with %s', async (_label, k) => {
    const { app, spies } = setup();
    const res = await request(app).get('/shops/app_a/orders').set('Authorization', basic(k));
    expect(res.status).toBe(200);
    expect(res.body.orders).toHaveLength(1);
    expect(spies.listOrders).toHaveBeenCalledExactlyOnceWith('app_a');
  });

  it.each([
    ['another shop app key', keys.shopA],
    ['a service account not granted the shop', keys.service],
  ])('GET /shops/app_b/orders with %s: 403, handler never ran', async (_label, k) => {
    const { app, spies } = setup();
    const res = await request(app).get('/shops/app_b/orders').set('Authorization', basic(k));
    expect(res.status).toBe(403);
    expect(res.body.error.status).toBe(403);
    expect(spies.listOrders).not.toHaveBeenCalled();
  });

  it('a Bearer token refused on scope gets the insufficient_scope challenge', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ scope: 'appUser', userId: 'u1' })
      .setProtectedHeader({ alg: 'HS256', kid: keys.shopA.id })
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(keys.shopA.secret));
    const { app, spies } = setup();
    const res = await request(app)
      .get('/shops/app_a/orders')
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="keyscope", error="insufficient_scope", scope="app"',
    );
    expect(spies.listOrders).not.toHaveBeenCalled();
  });

  it('without credentials: 401, handler never ran', async () => {
    const { app, spies } = setup();
    const res = await request(app).get('/shops/app_a/orders');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(BOTH);
    expect(spies.listOrders).not.toHaveBeenCalled();
  });
});

describe("errors of Express itself go through the app's own handler", () => {
  it.each([
    ['/shops/%E0%A4%A/orders', basic(keys.shopA)],
    ['/shops/%E0%A4%A/orders', undefined],
    ['/products/%ZZ', undefined],
  ])(
    'a path that is not valid percent-encoding (%s): 400 in the app shape, never a 500',
    async (path, authorization) => {
      const { app, spies, report } = setup();
      let test = request(app).get(path);
      if (authorization !== undefined) test = test.set('Authorization', authorization);
      const res = await test;
      expect(res.status).toBe(400);
      expect(res.body).toStrictEqual({
        error: { status: 400, message: 'Something went wrong', requestId: expect.any(String) },
      });
      expect(res.text).not.toContain('%E0');
      expect(spies.listOrders).not.toHaveBeenCalled();
      expect(spies.findProduct).not.toHaveBeenCalled();
      expect(report).not.toHaveBeenCalled();
    },
  );
});
