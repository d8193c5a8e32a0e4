/**
 * The service-accounts page of a user-account operator: the account's service accounts and their
 * grants, creating one, granting it an app of the account, and its keys (created and shown once,
 * revoked), each change a post/redirect/get through the store, reported to the audit hook, and
 * a refused change explained once on the page.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFixture,
  createTestApp,
  expectFrame,
  expectNoSecretsIn,
  type Fixture,
  follow,
  formTokenOf,
  signIn,
  submit,
} from './support.js';

const PAGE = '/keyscope/service-accounts';

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
    expect(page.text).toContain(
      `<td data-label="Key id"><code>${fixture.keys.service.id}</code></td>`,
    );
    expect(page.text).not.toContain(fixture.keys.service.secret);
    expect(page.text).toContain('aria-current="page">Service accounts</a>');
  });

  it('creates one, grants it an app, then gives it a key shown once', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    await submit(agent, PAGE, PAGE, { id: 'svc_ci' }).then((response) => {
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(PAGE);
    });
    const listed = await agent.get(PAGE).expect(200);
    expect(listed.text).toContain('Service account svc_ci created.');
    expect(listed.text).toContain('<strong>none yet</strong>');

    const granted = await submit(agent, PAGE, `${PAGE}/svc_ci/grants`, { appId: 'app_b' });
    expect(granted.status).toBe(303);
    expect((await follow(agent, granted)).text).toContain(
      'Service account svc_ci now reaches app app_b.',
    );
    expect(await fixture.store.appsFor({ type: 'serviceAccount', id: 'svc_ci' })).toEqual([
      'app_b',
    ]);

    const created = await submit(agent, PAGE, `${PAGE}/svc_ci/keys`, {
      name: 'CI deploys',
      expires: '90d',
    });
    expect(created.headers.location).toMatch(
      /^\/keyscope\/service-accounts\/svc_ci\/keys\/svc_[0-9a-f]{24}\/secret\/[A-Za-z0-9_-]{43}$/,
    );
    const shown = await follow(agent, created);
    expect(shown.status).toBe(200);
    const keyId = /id="created-key-id">([^<]+)</.exec(shown.text)?.[1] as string;
    const secret = /id="created-key-secret" data-once>([^<]+)</.exec(shown.text)?.[1] as string;
    expect(keyId).toMatch(/^svc_/);
    expect(shown.text).toContain('/v2/apps&#39;');
    expect(await fixture.store.findKey(keyId)).toMatchObject({
      secret,
      entity: { type: 'serviceAccount', id: 'svc_ci' },
    });
    expect((await follow(agent, created)).status).toBe(410);

    const revoke = `${PAGE}/svc_ci/keys/${keyId}/revoke`;
    const confirm = await agent.get(revoke).expect(200);
    expect(confirm.text).toContain('service account <code>svc_ci</code>');
    const revoked = await agent
      .post(revoke)
      .type('form')
      .send({ _csrf: formTokenOf(confirm.text, revoke) });
    expect(revoked.status).toBe(303);
    expect(revoked.headers.location).toBe(PAGE);

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

  it('explains a refused creation or grant, once, on the page', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const exists = await follow(agent, await submit(agent, PAGE, PAGE, { id: 'svc_1' }));
    expect(exists.text).toContain(
      'No service account was created: service account &quot;svc_1&quot; already exists',
    );
    expect(exists.text).toContain('role="alert"');
    expect(exists.text).toContain('value="svc_1"');
    const empty = await follow(agent, await submit(agent, PAGE, PAGE));
    expect(empty.text).toContain('No service account was created:');
    // A grant of an app of another account, with a form of the page (which offers only its own).
    const html = (await agent.get(PAGE).expect(200)).text;
    const grant = `${PAGE}/svc_1/grants`;
    const foreign = await agent
      .post(grant)
      .type('form')
      .send({ _csrf: formTokenOf(html, grant), appId: 'app_c' });
    expect(foreign.status).toBe(303);
    const page = await follow(agent, foreign);
    expect(page.text).toContain(
      'Nothing was granted: you can grant only the apps of your own account.',
    );
    expect((await agent.get(PAGE).expect(200)).text).not.toContain('Nothing was granted');
    expect(fixture.store.document.serviceAccounts).toEqual([
      { id: 'svc_1', accountId: 'acc_1', appIds: ['app_a'] },
    ]);
  });

  it('are out of reach of another account (403)', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.otherAccount);
    await agent.get(`${PAGE}/svc_1/keys/${fixture.keys.service.id}/revoke`).expect(403);
    // A form taken while svc_1 was listed for acc_2, sent once it is not: the route refuses.
    const reach = {
      list: async (accountId: string) => [{ id: 'svc_1', accountId, appIds: [] as string[] }],
    };
    const app = createTestApp(fixture, { listServiceAccounts: (id) => reach.list(id) });
    const operator = await signIn(app, fixture.keys.otherAccount);
    const html = (await operator.get(PAGE).expect(200)).text;
    const token = formTokenOf(html, `${PAGE}/svc_1/keys`);
    reach.list = async () => [];
    const post = await operator
      .post(`${PAGE}/svc_1/keys`)
      .type('form')
      .send({ _csrf: token, expires: 'never' });
    expect(post.status).toBe(403);
    expect(post.text).toContain('This service account does not belong to your account');
    expectFrame(post.text, fixture.keys.otherAccount.id);
    expect(
      await fixture.store.listKeys({ entity: { type: 'serviceAccount', id: 'svc_1' } }),
    ).toHaveLength(1);
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
