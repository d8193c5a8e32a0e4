/**
 * What each operator sees and may act on: a user-account key reaches every app of its account and
 * manages its service accounts; a service-account key reaches only the apps granted to it and no
 * service account; anything else answers 403 (an app that does not exist answers the same) and
 * changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixture, createTestApp, type Fixture, sessionCsrf, signIn } from './support.js';

let fixture: Fixture;
beforeEach(async () => {
  fixture = await createFixture();
});
afterEach(() => fixture.cleanup());

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
    const csrf = await sessionCsrf(agent);
    for (const appId of ['app_c', 'app_nope']) {
      const page = await agent.get(`/keyscope/apps/${appId}`);
      expect(page.status).toBe(403);
      expect(page.text).toContain('The key you signed in with cannot reach this app');
      await agent.get(`/keyscope/apps/${appId}/token`).expect(403);
      await agent
        .post(`/keyscope/apps/${appId}/keys`)
        .type('form')
        .send({ _csrf: csrf, expires: 'never' })
        .expect(403);
    }
    expect(await fixture.store.listKeys({ entity: { type: 'app', id: 'app_c' } })).toEqual([]);
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
    const csrf = await sessionCsrf(agent);
    await agent.get('/keyscope/apps/app_b').expect(403);
    await agent
      .post('/keyscope/apps/app_b/keys')
      .type('form')
      .send({ _csrf: csrf, expires: 'never' })
      .expect(403);
    await agent
      .post(`/keyscope/apps/app_b/keys/${fixture.keys.appB.id}/rotate`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(403);
    await agent
      .post(`/keyscope/apps/app_b/keys/${fixture.keys.appB.id}/revoke`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(403);
    await agent
      .post('/keyscope/apps/app_b/token')
      .type('form')
      .send({ _csrf: csrf, keyId: fixture.keys.appB.id, userId: 'u1', lifetime: '900' })
      .expect(403);
    const keys = await fixture.store.listKeys({ entity: { type: 'app', id: 'app_b' } });
    expect(keys.map((key) => [key.id, key.revokedAt])).toEqual([[fixture.keys.appB.id, undefined]]);
  });

  it('cannot reach a key of another app through its own app', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.service);
    const csrf = await sessionCsrf(agent);
    const page = await agent.get(`/keyscope/apps/app_a/keys/${fixture.keys.appB.id}/revoke`);
    expect(page.status).toBe(404);
    await agent
      .post(`/keyscope/apps/app_a/keys/${fixture.keys.appB.id}/revoke`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(404);
    const [key] = await fixture.store.listKeys({ entity: { type: 'app', id: 'app_b' } });
    expect(key?.revokedAt).toBeUndefined();
  });

  it('cannot see or manage service accounts', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.service);
    const csrf = await sessionCsrf(agent);
    const apps = await agent.get('/keyscope/apps');
    expect(apps.text).not.toContain('/keyscope/service-accounts');
    const page = await agent.get('/keyscope/service-accounts');
    expect(page.status).toBe(403);
    expect(page.text).toContain('a service-account key cannot manage them');
    await agent
      .post('/keyscope/service-accounts')
      .type('form')
      .send({ _csrf: csrf, id: 'svc_evil' })
      .expect(403);
    await agent
      .post('/keyscope/service-accounts/svc_1/grants')
      .type('form')
      .send({ _csrf: csrf, appId: 'app_b' })
      .expect(403);
    await agent
      .post('/keyscope/service-accounts/svc_1/keys')
      .type('form')
      .send({ _csrf: csrf, expires: 'never' })
      .expect(403);
    expect(fixture.store.document.serviceAccounts).toEqual([
      { id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] },
    ]);
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
