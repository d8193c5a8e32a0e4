/**
 * The Koa example's API against the contract (sections 4 and 5), through supertest with a
 * fresh app per test: every route with Basic and JWT credentials of each kind, every refusal with
 * its status, code and exact `WWW-Authenticate`, and proof that a refused request never reached its
 * handler. Keys and tokens are made at test time.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryStore, type KeyStore } from '@keyscope/core';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { basic, bearer, CHALLENGE, createTestKeys } from './helpers.js';

const { document, keys } = createTestKeys();

function setup(store: KeyStore = createMemoryStore(document)) {
  const onHandle = vi.fn();
  const app = createApp({ store, onHandle });
  return { app, onHandle };
}

const credentials = {
  'Basic, app key of app_a': async () => basic(keys.appA),
  'JWT scope app, app key of app_a': () => bearer(keys.appA, { scope: 'app' }),
  'JWT scope appUser (userId user_1), app key of app_a': () =>
    bearer(keys.appA, { scope: 'appUser', userId: 'user_1' }),
  'JWT scope user (external_id user_1), app key of app_a': () =>
    bearer(keys.appA, { scope: 'user', external_id: 'user_1' }),
  'Basic, user-account key of acc_1': async () => basic(keys.account),
  'JWT scope account, user-account key of acc_1': () => bearer(keys.account, { scope: 'account' }),
  'Basic, service-account key of svc_1': async () => basic(keys.service),
  'JWT scope account, service-account key of svc_1': () =>
    bearer(keys.service, { scope: 'account' }),
} as const;
type CredentialName = keyof typeof credentials;
const isJwt = (name: CredentialName) => name.startsWith('JWT');

const APP = [
  'Basic, app key of app_a',
  'JWT scope app, app key of app_a',
] as const satisfies CredentialName[];
const APP_USER = [
  'JWT scope appUser (userId user_1), app key of app_a',
  'JWT scope user (external_id user_1), app key of app_a',
] as const satisfies CredentialName[];
const ACCOUNT = [
  'Basic, user-account key of acc_1',
  'JWT scope account, user-account key of acc_1',
] as const satisfies CredentialName[];
const SERVICE = [
  'Basic, service-account key of svc_1',
  'JWT scope account, service-account key of svc_1',
] as const satisfies CredentialName[];

describe('GET /health', () => {
  it('answers {"ok":true} without credentials', async () => {
    const { app } = setup();
    const res = await request(app.callback()).get('/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ ok: true });
  });

  it('ignores credentials, even bad ones', async () => {
    const { app } = setup();
    const res = await request(app.callback()).get('/health').set('Authorization', 'Basic !!!');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });
});

describe('GET /v2/whoami', () => {
  const appFields = { entity: { type: 'app', id: 'app_a' }, appId: 'app_a' };
  const expected: Record<CredentialName, Record<string, unknown>> = {
    'Basic, app key of app_a': { method: 'basic', keyId: keys.appA.id, scope: 'app', ...appFields },
    'JWT scope app, app key of app_a': {
      method: 'jwt',
      keyId: keys.appA.id,
      scope: 'app',
      ...appFields,
    },
    'JWT scope appUser (userId user_1), app key of app_a': {
      method: 'jwt',
      keyId: keys.appA.id,
      scope: 'appUser',
      userId: 'user_1',
      ...appFields,
    },
    'JWT scope user (external_id user_1), app key of app_a': {
      method: 'jwt',
      keyId: keys.appA.id,
      scope: 'appUser',
      userId: 'user_1',
      ...appFields,
    },
    'Basic, user-account key of acc_1': {
      method: 'basic',
      keyId: keys.account.id,
      entity: { type: 'userAccount', id: 'acc_1' },
      scope: 'account',
      accountId: 'acc_1',
    },
    'JWT scope account, user-account key of acc_1': {
      method: 'jwt',
      keyId: keys.account.id,
      entity: { type: 'userAccount', id: 'acc_1' },
      scope: 'account',
      accountId: 'acc_1',
    },
    'Basic, service-account key of svc_1': {
      method: 'basic',
      keyId: keys.service.id,
      entity: { type: 'serviceAccount', id: 'svc_1' },
      scope: 'account',
      accountId: 'acc_1',
    },
    'JWT scope account, service-account key of svc_1': {
      method: 'jwt',
      keyId: keys.service.id,
      entity: { type: 'serviceAccount', id: 'svc_1' },
      scope: 'account',
      accountId: 'acc_1',
    },
  };

  it.each(Object.keys(credentials) as CredentialName[])('%s', async (name) => {
    const { app, onHandle } = setup();
    const res = await request(app.callback())
      .get('/v2/whoami')
      .set('Authorization', await credentials[name]());
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual(expected[name]);
    expect(onHandle).toHaveBeenCalledOnce();
  });
});

/** [credential, path, body] of every allowed GET. */
const allowedGets: [CredentialName, string, unknown][] = [
  ...ACCOUNT.map((c): [CredentialName, string, unknown] => [
    c,
    '/v2/apps',
    { apps: [{ id: 'app_a' }, { id: 'app_b' }] },
  ]),
  ...SERVICE.map((c): [CredentialName, string, unknown] => [
    c,
    '/v2/apps',
    { apps: [{ id: 'app_a' }] },
  ]),
  ...[...APP, ...ACCOUNT, ...SERVICE].map((c): [CredentialName, string, unknown] => [
    c,
    '/v2/apps/app_a',
    { app: { id: 'app_a' } },
  ]),
  ...ACCOUNT.map((c): [CredentialName, string, unknown] => [
    c,
    '/v2/apps/app_b',
    { app: { id: 'app_b' } },
  ]),
  ...[...APP, ...APP_USER, ...ACCOUNT, ...SERVICE].map((c): [CredentialName, string, unknown] => [
    c,
    '/v2/apps/app_a/users/user_1',
    { user: { id: 'user_1', appId: 'app_a' } },
  ]),
  ...[...APP, ...ACCOUNT, ...SERVICE].map((c): [CredentialName, string, unknown] => [
    c,
    '/v2/apps/app_a/users/user_2',
    { user: { id: 'user_2', appId: 'app_a' } },
  ]),
];

describe('allowed GET requests', () => {
  it.each(allowedGets)('%s: GET %s', async (name, path, body) => {
    const { app, onHandle } = setup();
    const res = await request(app.callback())
      .get(path)
      .set('Authorization', await credentials[name]());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body).toStrictEqual(body);
    expect(onHandle).toHaveBeenCalledOnce();
  });
});

describe('POST /v2/apps/:appId/users/:userId/messages', () => {
  const path = '/v2/apps/app_a/users/user_1/messages';

  it.each([...APP_USER, ...APP, ...ACCOUNT, ...SERVICE])(
    '%s: 201 with the received body',
    async (name) => {
      const { app, onHandle } = setup();
      const message = { text: 'hello', tags: ['a', 'b'], n: 1.5, nested: { ok: true } };
      const res = await request(app.callback())
        .post(path)
        .set('Authorization', await credentials[name]())
        .send(message);
      expect(res.status).toBe(201);
      expect(res.body).toStrictEqual({ received: message });
      expect(onHandle).toHaveBeenCalledExactlyOnceWith('postMessage', expect.anything());
    },
  );

  it.each([
    ['an array', '[1,2,3]', [1, 2, 3]],
    ['a string', '"hi"', 'hi'],
    ['null', 'null', null],
  ])('accepts any JSON value: %s', async (_label, text, value) => {
    const { app } = setup();
    const res = await request(app.callback())
      .post(path)
      .set('Authorization', basic(keys.appA))
      .set('Content-Type', 'application/json')
      .send(text);
    expect(res.status).toBe(201);
    expect(res.body).toStrictEqual({ received: value });
  });

  it('answers 400 bad_request to a body that is not JSON, without running the handler', async () => {
    const { app, onHandle } = setup();
    const res = await request(app.callback())
      .post(path)
      .set('Authorization', basic(keys.appA))
      .set('Content-Type', 'application/json')
      .send('{"text": nope');
    expect(res.status).toBe(400);
    expect(res.body).toStrictEqual({
      errors: [{ code: 'bad_request', title: 'The request body is not valid JSON' }],
    });
    expect(res.text).not.toContain('nope');
    expect(onHandle).not.toHaveBeenCalled();
  });

  it('answers 400 bad_request without a body', async () => {
    const { app, onHandle } = setup();
    const res = await request(app.callback()).post(path).set('Authorization', basic(keys.appA));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe('bad_request');
    expect(onHandle).not.toHaveBeenCalled();
  });

  it('answers 415 to a body that is not application/json', async () => {
    const { app, onHandle } = setup();
    const res = await request(app.callback())
      .post(path)
      .set('Authorization', basic(keys.appA))
      .set('Content-Type', 'text/plain')
      .send('hello');
    expect(res.status).toBe(415);
    expect(res.body.errors[0].code).toBe('unsupported_media_type');
    expect(onHandle).not.toHaveBeenCalled();
  });

  it('answers 413 to a body over 100kb', async () => {
    const { app, onHandle } = setup();
    const res = await request(app.callback())
      .post(path)
      .set('Authorization', basic(keys.appA))
      .send({ text: 'x'.repeat(101 * 1024) });
    expect(res.status).toBe(413);
    expect(res.body.errors[0].code).toBe('payload_too_large');
    expect(onHandle).not.toHaveBeenCalled();
  });

  it('never parses the body of an unauthenticated request: 401, not 400', async () => {
    const { app, onHandle } = setup();
    const res = await request(app.callback())
      .post(path)
      .set('Content-Type', 'application/json')
      .send('{"text": nope');
    expect(res.status).toBe(401);
    expect(res.body.errors[0].code).toBe('unauthorized');
    expect(res.headers['www-authenticate']).toBe(CHALLENGE.both);
    expect(onHandle).not.toHaveBeenCalled();
  });

  it('never parses the body of a forbidden request: 403, not 400', async () => {
    const { app, onHandle } = setup();
    const res = await request(app.callback())
      .post('/v2/apps/app_b/users/user_1/messages')
      .set('Authorization', basic(keys.appA))
      .set('Content-Type', 'application/json')
      .send('{"text": nope');
    expect(res.status).toBe(403);
    expect(onHandle).not.toHaveBeenCalled();
  });
});

/** [credential, method, path, the route's required scope] of every 403. */
const forbidden: [CredentialName, 'get' | 'post', string, 'appUser' | 'app' | 'account'][] = [
  ...[...APP, ...APP_USER].map((c): [CredentialName, 'get', string, 'account'] => [
    c,
    'get',
    '/v2/apps',
    'account',
  ]),
  ...APP_USER.map((c): [CredentialName, 'get', string, 'app'] => [
    c,
    'get',
    '/v2/apps/app_a',
    'app',
  ]),
  ...[...APP, ...SERVICE].map((c): [CredentialName, 'get', string, 'app'] => [
    c,
    'get',
    '/v2/apps/app_b',
    'app',
  ]),
  ...ACCOUNT.map((c): [CredentialName, 'get', string, 'app'] => [
    c,
    'get',
    '/v2/apps/app_c',
    'app',
  ]),
  ...ACCOUNT.map((c): [CredentialName, 'get', string, 'app'] => [
    c,
    'get',
    '/v2/apps/app_missing',
    'app',
  ]),
  ...APP.map((c): [CredentialName, 'get', string, 'app'] => [c, 'get', '/v2/apps/APP_A', 'app']),
  ...APP_USER.map((c): [CredentialName, 'get', string, 'appUser'] => [
    c,
    'get',
    '/v2/apps/app_a/users/user_2',
    'appUser',
  ]),
  ...[...APP_USER, ...APP, ...SERVICE].map((c): [CredentialName, 'get', string, 'appUser'] => [
    c,
    'get',
    '/v2/apps/app_b/users/user_1',
    'appUser',
  ]),
  ...APP_USER.map((c): [CredentialName, 'post', string, 'appUser'] => [
    c,
    'post',
    '/v2/apps/app_a/users/user_2/messages',
    'appUser',
  ]),
  ...[...APP, ...SERVICE].map((c): [CredentialName, 'post', string, 'appUser'] => [
    c,
    'post',
    '/v2/apps/app_b/users/user_1/messages',
    'appUser',
  ]),
];

describe('403 forbidden', () => {
  it.each(forbidden)('%s: %s %s (requires %s)', async (name, method, path, scope) => {
    const { app, onHandle } = setup();
    const res = await request(app.callback())
      [method](path)
      .set('Authorization', await credentials[name]())
      .send(method === 'post' ? { text: 'hi' } : undefined);
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toStrictEqual({
      errors: [{ code: 'forbidden', title: 'Insufficient scope for this resource' }],
    });
    if (isJwt(name)) {
      expect(res.headers['www-authenticate']).toBe(CHALLENGE.insufficientScope(scope));
    } else {
      expect(res.headers['www-authenticate']).toBeUndefined();
    }
    expect(onHandle).not.toHaveBeenCalled();
  });
});

const protectedRoutes: ['get' | 'post', string][] = [
  ['get', '/v2/whoami'],
  ['get', '/v2/apps'],
  ['get', '/v2/apps/app_a'],
  ['get', '/v2/apps/app_a/users/user_1'],
  ['post', '/v2/apps/app_a/users/user_1/messages'],
];

/** [label, Authorization value(s) or none, status, code, WWW-Authenticate]. */
const refusals: [
  string,
  () => Promise<string | string[] | undefined>,
  400 | 401,
  string,
  string,
][] = [
  ['no Authorization', async () => undefined, 401, 'unauthorized', CHALLENGE.both],
  ['an unsupported scheme', async () => 'Digest abc', 401, 'unauthorized', CHALLENGE.both],
  [
    'Basic with a wrong secret',
    async () => basic({ id: keys.appA.id, secret: 'wrong' }),
    401,
    'unauthorized',
    CHALLENGE.both,
  ],
  [
    'Basic with an unknown key',
    async () => basic({ id: 'app_000000000000000000000000', secret: keys.appA.secret }),
    401,
    'unauthorized',
    CHALLENGE.both,
  ],
  [
    'Basic with a revoked key',
    async () => basic(keys.revoked),
    401,
    'unauthorized',
    CHALLENGE.both,
  ],
  [
    'Basic with an expired key',
    async () => basic(keys.expired),
    401,
    'unauthorized',
    CHALLENGE.both,
  ],
  [
    'a JWT signed with another secret',
    () => bearer(keys.appA, { scope: 'app' }, 'not-the-secret'),
    401,
    'unauthorized',
    CHALLENGE.invalidToken,
  ],
  [
    'an expired JWT',
    () => bearer(keys.appA, { scope: 'app', exp: Math.floor(Date.now() / 1000) - 60 }),
    401,
    'unauthorized',
    CHALLENGE.invalidToken,
  ],
  [
    'a JWT of an app key claiming account scope',
    () => bearer(keys.appA, { scope: 'account' }),
    401,
    'unauthorized',
    CHALLENGE.invalidToken,
  ],
  [
    'a JWT of a revoked key',
    () => bearer(keys.revoked, { scope: 'app' }),
    401,
    'unauthorized',
    CHALLENGE.invalidToken,
  ],
  [
    'a Bearer value that is not a JWT',
    async () => 'Bearer not-a-jwt',
    401,
    'unauthorized',
    CHALLENGE.invalidToken,
  ],
  ['a scheme with no token', async () => 'Basic', 400, 'bad_request', CHALLENGE.invalidRequest],
  ['two tokens', async () => 'Bearer a b', 400, 'bad_request', CHALLENGE.invalidRequest],
  [
    'a value over 8 KiB',
    async () => `Bearer ${'a'.repeat(8300)}`,
    400,
    'bad_request',
    CHALLENGE.invalidRequest,
  ],
  [
    'two Authorization fields',
    async () => [basic(keys.appA), basic(keys.appA)],
    400,
    'bad_request',
    CHALLENGE.invalidRequest,
  ],
];

describe('400 and 401 refusals on every protected route', () => {
  for (const [method, path] of protectedRoutes) {
    describe(`${method.toUpperCase()} ${path}`, () => {
      it.each(refusals)('%s', async (_label, authorization, status, code, challenge) => {
        const { app, onHandle } = setup();
        let req = request(app.callback())[method](path);
        const value = await authorization();
        // An array sends one Authorization field per value (superagent's types say string only).
        if (value !== undefined) req = req.set('Authorization', value as string);
        const res = await req.send(method === 'post' ? { text: 'hi' } : undefined);
        expect(res.status).toBe(status);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body.errors).toHaveLength(1);
        expect(res.body.errors[0].code).toBe(code);
        expect(res.headers['www-authenticate']).toBe(challenge);
        expect(onHandle).not.toHaveBeenCalled();
        const sent = Array.isArray(value) ? value.join() : (value ?? '');
        // No response ever repeats a credential.
        for (const part of sent.split(/[ ,]/)) {
          if (part.length > 12) expect(res.text).not.toContain(part);
        }
      });
    });
  }
});

describe('a store that cannot answer', () => {
  it('answers 503 service_unavailable with no challenge, and the handler never runs', async () => {
    const store: KeyStore = {
      findKey: () => Promise.reject(new Error('database is down')),
      appsFor: () => Promise.reject(new Error('database is down')),
    };
    const { app, onHandle } = setup(store);
    const res = await request(app.callback())
      .get('/v2/apps/app_a')
      .set('Authorization', basic(keys.appA));
    expect(res.status).toBe(503);
    expect(res.body.errors[0].code).toBe('service_unavailable');
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.text).not.toContain('database');
    expect(onHandle).not.toHaveBeenCalled();
  });

  it('answers 503 when the app list cannot be read for GET /v2/apps', async () => {
    const memory = createMemoryStore(document);
    const store: KeyStore = {
      findKey: (id) => memory.findKey(id),
      appsFor: () => Promise.reject(new Error('database is down')),
    };
    const { app } = setup(store);
    const res = await request(app.callback())
      .get('/v2/apps')
      .set('Authorization', basic(keys.account));
    expect(res.status).toBe(503);
    expect(res.body.errors[0].code).toBe('service_unavailable');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });
});

describe('unknown routes', () => {
  it.each([
    ['get', '/'],
    ['get', '/v2'],
    ['get', '/v2/apps/app_a/unknown'],
    ['delete', '/v2/apps/app_a'],
    ['put', '/health'],
  ] as const)('%s %s answers 404 not_found', async (method, path) => {
    const { app } = setup();
    const res = await request(app.callback())
      [method](path)
      .set('Authorization', basic(keys.account));
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toStrictEqual({ errors: [{ code: 'not_found', title: 'No such route' }] });
  });
});

describe('the server keeps serving', () => {
  it('answers a good request after refusals', async () => {
    const { app, onHandle } = setup();
    const agent = request(app.callback());
    expect((await agent.get('/v2/apps/app_a')).status).toBe(401);
    expect((await agent.get('/v2/apps/app_a').set('Authorization', 'Bearer a b')).status).toBe(400);
    const ok = await agent.get('/v2/apps/app_a').set('Authorization', basic(keys.appA));
    expect(ok.status).toBe(200);
    expect(onHandle).toHaveBeenCalledOnce();
  });
});

describe('two Authorization fields on the wire', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  it('are refused with 400 even when each one is valid', async () => {
    const { app, onHandle } = setup();
    const server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => server.close();
    const { port } = server.address() as AddressInfo;
    const { request: send } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = send({ port, host: '127.0.0.1', path: '/v2/apps/app_a' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.setHeader('Authorization', [basic(keys.appA), basic(keys.appA)]);
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
    expect(onHandle).not.toHaveBeenCalled();
  });
});
