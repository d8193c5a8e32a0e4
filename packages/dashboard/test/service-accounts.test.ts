/**
 * The service-accounts page of a user-account operator: the account's service accounts and their
 * grants, creating one, granting it an app of the account, and its keys (created once, revoked),
 * all through the store and reported to the audit hook.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFixture,
  createTestApp,
  expectNoSecretsIn,
  type Fixture,
  sessionCsrf,
  signIn,
} from './support.js';

let fixture: Fixture;
beforeEach(async () => {
  fixture = await createFixture();
});
afterEach(() => fixture.cleanup());

describe('service accounts', () => {
  it('lists the service accounts of the account with their grants and keys', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const page = await agent.get('/keyscope/service-accounts').expect(200);
    expect(page.text).toContain('Service account <code>svc_1</code>');
    expect(page.text).toContain('Apps granted: <code>app_a</code>');
    expect(page.text).toContain('<option value="app_b">app_b</option>');
    expect(page.text).not.toContain('<option value="app_c">');
    expect(page.text).toContain(`<td><code>${fixture.keys.service.id}</code></td>`);
    expect(page.text).not.toContain(fixture.keys.service.secret);
    expect(page.text).toContain('aria-current="page">Service accounts</a>');
  });

  it('creates one, grants it an app, then gives it a key shown once', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const csrf = await sessionCsrf(agent);
    await agent
      .post('/keyscope/service-accounts')
      .type('form')
      .send({ _csrf: csrf, id: 'svc_ci' })
      .expect(303)
      .expect('Location', '/keyscope/service-accounts');
    const listed = await agent.get('/keyscope/service-accounts').expect(200);
    expect(listed.text).toContain('Service account svc_ci created.');
    expect(listed.text).toContain('<strong>none yet</strong>');

    await agent
      .post('/keyscope/service-accounts/svc_ci/grants')
      .type('form')
      .send({ _csrf: csrf, appId: 'app_b' })
      .expect(303);
    expect(await fixture.store.appsFor({ type: 'serviceAccount', id: 'svc_ci' })).toEqual([
      'app_b',
    ]);

    const created = await agent
      .post('/keyscope/service-accounts/svc_ci/keys')
      .type('form')
      .send({ _csrf: csrf, name: 'CI deploys', expires: '90d' });
    expect(created.status).toBe(201);
    const keyId = /id="created-key-id">([^<]+)</.exec(created.text)?.[1] as string;
    const secret = /id="created-key-secret">([^<]+)</.exec(created.text)?.[1] as string;
    expect(keyId).toMatch(/^svc_/);
    expect(created.text).toContain('/v2/apps&#39;');
    expect(await fixture.store.findKey(keyId)).toMatchObject({
      secret,
      entity: { type: 'serviceAccount', id: 'svc_ci' },
    });

    const confirm = await agent
      .get(`/keyscope/service-accounts/svc_ci/keys/${keyId}/revoke`)
      .expect(200);
    expect(confirm.text).toContain('service account <code>svc_ci</code>');
    await agent
      .post(`/keyscope/service-accounts/svc_ci/keys/${keyId}/revoke`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303)
      .expect('Location', '/keyscope/service-accounts');

    expect(fixture.events.map((event) => event.action)).toEqual([
      'sign-in',
      'service-account.created',
      'service-account.granted',
      'key.created',
      'key.revoked',
    ]);
    expect(fixture.events[2]).toMatchObject({ serviceAccountId: 'svc_ci', appId: 'app_b' });
    expect(fixture.events[3]).toMatchObject({ serviceAccountId: 'svc_ci', keyId });
    expectNoSecretsIn(fixture.events, [secret]);
  });

  it('explains a refused creation or grant', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const csrf = await sessionCsrf(agent);
    const exists = await agent
      .post('/keyscope/service-accounts')
      .type('form')
      .send({ _csrf: csrf, id: 'svc_1' });
    expect(exists.status).toBe(409);
    expect(exists.text).toContain('service account &quot;svc_1&quot; already exists');
    const empty = await agent.post('/keyscope/service-accounts').type('form').send({ _csrf: csrf });
    expect(empty.status).toBe(400);
    const foreign = await agent
      .post('/keyscope/service-accounts/svc_1/grants')
      .type('form')
      .send({ _csrf: csrf, appId: 'app_c' });
    expect(foreign.status).toBe(403);
    expect(foreign.text).toContain('You can grant only the apps of your own account.');
    expect(fixture.store.document.serviceAccounts).toEqual([
      { id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] },
    ]);
  });

  it('are out of reach of another account (403)', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.otherAccount);
    const csrf = await sessionCsrf(agent);
    await agent
      .post('/keyscope/service-accounts/svc_1/keys')
      .type('form')
      .send({ _csrf: csrf, expires: 'never' })
      .expect(403);
    await agent
      .get(`/keyscope/service-accounts/svc_1/keys/${fixture.keys.service.id}/revoke`)
      .expect(403);
  });

  it('can be listed by a store without a keys document, from their keys', async () => {
    const { document: _document, ...rest } = Object.getOwnPropertyDescriptors(fixture.store);
    void _document;
    const store = Object.defineProperties({}, rest) as typeof fixture.store;
    const agent = await signIn(createTestApp({ ...fixture, store }), fixture.keys.account);
    const page = await agent.get('/keyscope/service-accounts').expect(200);
    expect(page.text).toContain('Service account <code>svc_1</code>');
    expect(page.text).toContain('Apps granted: <code>app_a</code>');
  });

  it('can be listed by a function of the app', async () => {
    const agent = await signIn(
      createTestApp(fixture, {
        listServiceAccounts: async (accountId) => [
          { id: 'svc_from_db', accountId, appIds: ['app_b'] },
        ],
      }),
      fixture.keys.account,
    );
    const page = await agent.get('/keyscope/service-accounts').expect(200);
    expect(page.text).toContain('Service account <code>svc_from_db</code>');
    expect(page.text).not.toContain('Service account <code>svc_1</code>');
  });
});
