/**
 * What each operator sees and may act on: a user-account key reaches every app of its account and
 * manages its service accounts; a service-account key reaches only the apps granted to it and no
 * service account; anything else answers 403 (an app that does not exist answers the same), inside
 * the page frame, and changes nothing. A form for such an app is never shown to the operator, so
 * its one-time tokens are taken while the store briefly says otherwise: the refusals below are the
 * scope checks of the routes themselves, not the form-token check in front of them.
 */
import type { Entity, KeyRecord } from '@keyscope/core';
import type request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFixture,
  createTestApp,
  expectFrame,
  type Fixture,
  formTokenOf,
  signIn,
} from './support.js';

let fixture: Fixture;
beforeEach(async () => {
  fixture = await createFixture();
});
afterEach(() => fixture.cleanup());

/**
 * Opens `page` while the store says that every key also reaches `extra` apps, and returns the
 * one-time tokens of the forms posting to `actions`.
 */
async function tokensWhileReaching(
  agent: request.Agent,
  extra: readonly string[],
  page: string,
  actions: readonly string[],
): Promise<string[]> {
  const appsFor = fixture.store.appsFor;
  fixture.store.appsFor = async (entity: Entity) => [
    ...(await appsFor.call(fixture.store, entity)),
    ...extra,
  ];
  try {
    const html = (await agent.get(page).expect(200)).text;
    return actions.map((action) => formTokenOf(html, action));
  } finally {
    fixture.store.appsFor = appsFor;
  }
}

const appLinks = (html: string) =>
  [...html.matchAll(/<a href="\/keyscope\/apps\/([^"/]+)">/g)].map((match) => match[1]);

describe('a user-account operator', () => {
  it('sees every app of its account, and no other', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const page = await agent.get('/keyscope/apps').expect(200);
    expect(appLinks(page.text)).toEqual(['app_a', 'app_b']);
    expect(page.text).toContain('The apps of account <code>acc_1</code>: 2.');
    expect(page.text).toContain('<a href="/keyscope/service-accounts">Service accounts</a>');
    await agent.get('/keyscope/apps/app_b').expect(200);
  });

  it('gets 403 on an app of another account, or one that does not exist', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    for (const appId of ['app_c', 'app_nope']) {
      const action = `/keyscope/apps/${appId}/keys`;
      const [token] = await tokensWhileReaching(agent, [appId], `/keyscope/apps/${appId}`, [
        action,
      ]);
      const page = await agent.get(`/keyscope/apps/${appId}`);
      expect(page.status).toBe(403);
      expect(page.text).toContain('The key you signed in with cannot reach this app');
      expectFrame(page.text, fixture.keys.account.id);
      await agent.get(`/keyscope/apps/${appId}/token`).expect(403);
      const post = await agent.post(action).type('form').send({ _csrf: token, expires: 'never' });
      expect(post.status).toBe(403);
      expect(post.text).toContain('The key you signed in with cannot reach this app');
    }
    expect(await fixture.store.listKeys({ entity: { type: 'app', id: 'app_c' } })).toEqual([]);
    expect(fixture.events.some((event) => event.action === 'key.created')).toBe(false);
  });

  it('sees only its own account from another account', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.otherAccount);
    const page = await agent.get('/keyscope/apps').expect(200);
    expect(appLinks(page.text)).toEqual(['app_c']);
    const accounts = await agent.get('/keyscope/service-accounts').expect(200);
    expect(accounts.text).not.toContain('svc_1');
    await agent.get('/keyscope/apps/app_a').expect(403);
  });
});

describe('a service-account operator', () => {
  it('sees only the apps granted to it', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.service);
    const page = await agent.get('/keyscope/apps').expect(200);
    expect(appLinks(page.text)).toEqual(['app_a']);
    expect(page.text).toContain('The apps granted to service account <code>svc_1</code>: 1.');
    await agent.get('/keyscope/apps/app_a').expect(200);
  });

  it('cannot act on the other apps of its account (403, nothing changed)', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.service);
    const base = '/keyscope/apps/app_b';
    const rotate = `${base}/keys/${fixture.keys.appB.id}/rotate`;
    const revoke = `${base}/keys/${fixture.keys.appB.id}/revoke`;
    const [create, rotateToken] = await tokensWhileReaching(agent, ['app_b'], base, [
      `${base}/keys`,
      rotate,
    ]);
    const [revokeToken] = await tokensWhileReaching(agent, ['app_b'], revoke, [revoke]);
    const [mint] = await tokensWhileReaching(agent, ['app_b'], `${base}/token`, [`${base}/token`]);
    await agent.get(base).expect(403);
    for (const [action, body] of [
      [`${base}/keys`, { _csrf: create, expires: 'never' }],
      [rotate, { _csrf: rotateToken }],
      [revoke, { _csrf: revokeToken }],
      [
        `${base}/token`,
        { _csrf: mint, keyId: fixture.keys.appB.id, userId: 'u1', lifetime: '900' },
      ],
    ] as const) {
      const response = await agent.post(action).type('form').send(body);
      expect(response.status).toBe(403);
      expect(response.text).toContain('The key you signed in with cannot reach this app');
      expectFrame(response.text, fixture.keys.service.id);
    }
    const keys = await fixture.store.listKeys({ entity: { type: 'app', id: 'app_b' } });
    expect(keys.map((key) => [key.id, key.revokedAt])).toEqual([[fixture.keys.appB.id, undefined]]);
    expect(fixture.events.map((event) => event.action)).toEqual(['sign-in']);
  });

  it('cannot reach a key of another app through its own app', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.service);
    const revoke = `/keyscope/apps/app_a/keys/${fixture.keys.appB.id}/revoke`;
    const page = await agent.get(revoke);
    expect(page.status).toBe(404);
    expectFrame(page.text, fixture.keys.service.id);
    // A token for that path, as if the confirmation page had been shown (it never is).
    const listKeys = fixture.store.listKeys;
    fixture.store.listKeys = async (filter) =>
      (await listKeys.call(fixture.store, filter ? { ...filter, entity: undefined } : filter)).map(
        (key) => ({ ...key, entity: { type: 'app', id: 'app_a' } }),
      );
    const token = formTokenOf((await agent.get(revoke).expect(200)).text, revoke);
    fixture.store.listKeys = listKeys;
    const post = await agent.post(revoke).type('form').send({ _csrf: token });
    expect(post.status).toBe(404);
    expect(post.text).toContain('This key does not exist or belongs to someone else.');
    const [key] = await fixture.store.listKeys({ entity: { type: 'app', id: 'app_b' } });
    expect(key?.revokedAt).toBeUndefined();
  });

  it('cannot see or manage service accounts', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.service);
    const apps = await agent.get('/keyscope/apps');
    expect(apps.text).not.toContain('/keyscope/service-accounts');
    const page = await agent.get('/keyscope/service-accounts');
    expect(page.status).toBe(403);
    expect(page.text).toContain('a service-account key cannot manage them');
    expectFrame(page.text, fixture.keys.service.id);
  });

  it('cannot manage service accounts with forms taken as a user-account operator', async () => {
    // The same session, whose key the keys file turns into a service-account key (same secret)
    // after the page was shown: the routes themselves refuse.
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const actions = [
      '/keyscope/service-accounts',
      '/keyscope/service-accounts/svc_1/grants',
      '/keyscope/service-accounts/svc_1/keys',
    ];
    const html = (await agent.get('/keyscope/service-accounts').expect(200)).text;
    const tokens = actions.map((action) => formTokenOf(html, action));
    const findKey = fixture.store.findKey;
    fixture.store.findKey = async (id: string) => {
      const record = await findKey.call(fixture.store, id);
      return record?.id === fixture.keys.account.id
        ? ({
            ...record,
            entity: { type: 'serviceAccount', id: 'svc_1' },
            accountId: 'acc_1',
          } as KeyRecord)
        : record;
    };
    const bodies = [{ id: 'svc_evil' }, { appId: 'app_b' }, { expires: 'never' }];
    for (const [i, action] of actions.entries()) {
      const response = await agent
        .post(action)
        .type('form')
        .send({ _csrf: tokens[i], ...bodies[i] });
      expect(response.status).toBe(403);
      expect(response.text).toContain('a service-account key cannot manage them');
    }
    fixture.store.findKey = findKey;
    expect(fixture.store.document.serviceAccounts).toEqual([
      { id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] },
    ]);
    expect(
      await fixture.store.listKeys({ entity: { type: 'serviceAccount', id: 'svc_1' } }),
    ).toHaveLength(1);
  });

  it('sees a grant given after sign-in on its next request', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.service);
    await agent.get('/keyscope/apps/app_b').expect(403);
    await fixture.store.grantApp('svc_1', 'app_b');
    await agent.get('/keyscope/apps/app_b').expect(200);
  });
});

describe('the reach of a key, as core answers it', () => {
  it('is read again on every request: a grant taken away takes effect at once', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.service);
    await agent.get('/keyscope/apps/app_a').expect(200);
    const appsFor = fixture.store.appsFor.bind(fixture.store);
    fixture.store.appsFor = async (entity) =>
      entity.type === 'serviceAccount' ? [] : appsFor(entity);
    await agent.get('/keyscope/apps/app_a').expect(403);
    const page = await agent.get('/keyscope/apps').expect(200);
    expect(appLinks(page.text)).toEqual([]);
  });

  it('answers 503, never a 500 or an empty list, when the store cannot say', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    fixture.store.appsFor = async () => {
      throw new Error('down');
    };
    for (const path of ['/keyscope/apps', '/keyscope/apps/app_a', '/keyscope/service-accounts']) {
      const response = await agent.get(path);
      expect(response.status).toBe(503);
      expect(response.text).toContain('The key store could not answer');
    }
    // A store that answers something that is not a list of ids is as good as down.
    fixture.store.appsFor = async () => 'app_a' as never;
    await agent.get('/keyscope/apps').expect(503);
    await agent.get('/keyscope/apps/app_a').expect(503);
  });
});
