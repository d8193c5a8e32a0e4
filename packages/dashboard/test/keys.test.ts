/**
 * The keys of an app: the listing (never a secret), creating a key in post/redirect/get (the secret
 * shown once, on the `no-store` page the redirect leads to, and never again: not on a reload, not
 * in a second tab or session), a repeated submission of the same form creating nothing, rotating,
 * revoking after a confirmation, the per-app key limit explained, the one-time form token every
 * change needs (refusals keep the page frame and say what happened), HTML escaping of what the
 * store holds, and the audit events.
 */
import type request from 'supertest';
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
  tokenFor,
} from './support.js';

let fixture: Fixture;
beforeEach(async () => {
  fixture = await createFixture();
});
afterEach(() => fixture.cleanup());

/** The text of the element with this id. */
function textOf(html: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html);
  if (match === null) throw new Error(`no #${id}`);
  return match[1] as string;
}

describe('the keys of an app', () => {
  it('are listed with id, name, created, expiry and state in words, never a secret', async () => {
    await fixture.store.revokeKey(fixture.keys.appA.id, new Date('2025-01-01T00:00:00Z'));
    await fixture.store.createKey({
      entity: { type: 'app', id: 'app_a' },
      displayName: 'Expiring',
      expiresAt: new Date(Date.now() + 86_400_000),
    });
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const page = await agent.get('/keyscope/apps/app_a').expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain(
      `<td data-label="Key id"><code>${fixture.keys.appA.id}</code></td>`,
    );
    expect(page.text).toContain('<td data-label="Name">Backend</td>');
    expect(page.text).toContain(
      '<time datetime="2024-01-02T03:04:05.000Z">2024-01-02 03:04</time>',
    );
    expect(page.text).toContain('<span class="state state-revoked">Revoked</span>');
    expect(page.text).toContain('<span class="state state-active">Active</span>');
    expect(page.text).toContain('1 of 10 active keys.');
    expect(page.text).toContain('<th scope="col">State</th>');
    expect(page.text).not.toContain(fixture.keys.appA.secret);
    expect(page.text).not.toContain('secret":');
  });

  it('escapes what the store holds', async () => {
    await fixture.store.createKey({
      entity: { type: 'app', id: 'app_a' },
      displayName: '<script>alert("x")</script>',
    });
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const page = await agent.get('/keyscope/apps/app_a').expect(200);
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });
});

const APP_A = '/keyscope/apps/app_a';
const CREATE = `${APP_A}/keys`;

/** Sends the create form of app_a's page. */
const create = (agent: request.Agent, fields: Record<string, string> = { expires: 'never' }) =>
  submit(agent, APP_A, CREATE, fields);

const REVEAL = /^\/keyscope\/apps\/app_a\/keys\/(app_[0-9a-f]{24})\/secret\/[A-Za-z0-9_-]{43}$/;

describe('creating a key', () => {
  it('answers 303 to a page that shows the id and the secret once, with copy buttons and a warning', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const response = await create(agent, { name: 'Mobile backend', expires: '30d' });
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(REVEAL);
    expect(response.text).not.toContain('kss_');
    const shown = await follow(agent, response);
    expect(shown.status).toBe(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    const keyId = textOf(shown.text, 'created-key-id');
    const secret = textOf(shown.text, 'created-key-secret');
    expect(response.headers.location).toContain(`/keys/${keyId}/secret/`);
    expect(keyId).toMatch(/^app_[0-9a-f]{24}$/);
    expect(secret.length).toBeGreaterThanOrEqual(43);
    expect(shown.text).toContain('It is shown only this once and cannot be shown again');
    expect(shown.text).toContain('role="alert"');
    expect(shown.text).toContain('data-copy="created-key-secret"');
    expect(shown.text).toContain('id="copy-status" role="status" aria-live="polite"');
    expect(shown.text).toContain(`curl -u &#39;${keyId}:${secret}&#39; &#39;http://127.0.0.1:`);
    const nonce = /script-src 'nonce-([^']+)'/.exec(
      String(shown.headers['content-security-policy']),
    )?.[1];
    expect(shown.text).toContain(`<script nonce="${nonce}">`);
    expectFrame(shown.text, fixture.keys.account.id);

    const stored = await fixture.store.findKey(keyId);
    expect(stored).toMatchObject({ secret, displayName: 'Mobile backend' });
    const days = ((stored?.expiresAt?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    // Never again: not on a reload of that page, not in the listing, not on any other page.
    const reload = await agent.get(response.headers.location as string);
    expect(reload.status).toBe(410);
    expect(reload.text).toContain(`The secret of key <code>${keyId}</code> was shown once`);
    expect(reload.text).not.toContain(secret);
    expectFrame(reload.text, fixture.keys.account.id);
    for (const path of [APP_A, '/keyscope/apps', `${APP_A}/token`]) {
      const page = await agent.get(path).expect(200);
      expect(page.text).toContain(path === '/keyscope/apps' ? 'app_a' : keyId);
      expect(page.text).not.toContain(secret);
    }
    expect(fixture.events.at(-1)).toEqual({
      action: 'key.created',
      at: expect.any(Date),
      operator: {
        keyId: fixture.keys.account.id,
        entity: { type: 'userAccount', id: 'acc_1' },
        accountId: 'acc_1',
      },
      keyId,
      replacedKeyId: undefined,
      appId: 'app_a',
    });
    expectNoSecretsIn(fixture.events, [secret, fixture.keys.account.secret]);
  });

  it('shows the secret to no other tab or session that opens the same address first', async () => {
    const app = createTestApp(fixture);
    const agent = await signIn(app, fixture.keys.account);
    const other = await signIn(app, fixture.keys.account);
    const response = await create(agent);
    const location = response.headers.location as string;
    // Another session of the same operator cannot take it...
    const elsewhere = await other.get(location);
    expect(elsewhere.status).toBe(410);
    // ...and does not spoil it: the session that made it sees it once.
    const shown = await agent.get(location).expect(200);
    const secret = textOf(shown.text, 'created-key-secret');
    // A second tab of the same session (the same cookie) finds it gone.
    const secondTab = await agent.get(location);
    expect(secondTab.status).toBe(410);
    expect(secondTab.text).not.toContain(secret);
  });

  it('creates nothing on a repeated submission of the same form, which leads where the first went', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const token = await tokenFor(agent, APP_A, CREATE);
    const send = () =>
      agent.post(CREATE).type('form').send({ _csrf: token, name: 'once', expires: 'never' });
    // A double click: two posts of one form at the same moment.
    const [first, second] = await Promise.all([send(), send()]);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    const keys = () => fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } });
    expect(await keys()).toHaveLength(2);
    const shown = await follow(agent, second);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('This form was already sent once, so it was not sent again');
    // The browser's "Confirm Form Resubmission" later: still nothing new, and no secret.
    const resubmitted = await follow(agent, await send());
    expect(resubmitted.status).toBe(410);
    expect(await keys()).toHaveLength(2);
    expect(fixture.events.filter((event) => event.action === 'key.created')).toHaveLength(1);
  });

  it('says a form was already sent when its first submission led to a refusal page', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const { record } = await fixture.store.createKey({ entity: { type: 'app', id: 'app_a' } });
    const rotate = `${APP_A}/keys/${record.id}/rotate`;
    const token = await tokenFor(agent, APP_A, rotate);
    await fixture.store.deleteKey(record.id);
    const send = () => agent.post(rotate).type('form').send({ _csrf: token });
    const first = await send();
    expect(first.status).toBe(404);
    const second = await send();
    expect(second.status).toBe(409);
    expect(second.text).toContain(
      'This form was already sent once (by a reload, a second click or another tab), so it was not sent again and nothing more was changed.',
    );
    expectFrame(second.text, fixture.keys.account.id);
    expect(await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } })).toHaveLength(1);
  });

  it('is refused without a one-time token of this session for this form (403, nothing created)', async () => {
    const app = createTestApp(fixture);
    const agent = await signIn(app, fixture.keys.account);
    const other = await signIn(app, fixture.keys.account);
    const otherToken = await tokenFor(other, APP_A, CREATE);
    const page = await agent.get(APP_A).expect(200);
    // A token of another form of the page (the first rotate button's).
    const rotateToken = formTokenOf(page.text, `${APP_A}/keys/${fixture.keys.appA.id}/rotate`);
    for (const body of [
      {},
      { _csrf: '' },
      { _csrf: otherToken },
      { _csrf: `${otherToken}x` },
      { _csrf: rotateToken },
    ]) {
      const response = await agent
        .post(CREATE)
        .type('form')
        .send({ ...body, name: 'forged', expires: 'never' });
      expect(response.status).toBe(403);
      expect(response.text).toContain(
        'This form is out of date or did not come from this dashboard, so nothing was changed.',
      );
      expectFrame(response.text, fixture.keys.account.id);
    }
    const json = await agent
      .post(CREATE)
      .send({ _csrf: await tokenFor(agent, APP_A, CREATE), name: 'as JSON' });
    expect(json.status).toBe(403);
    expect(await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } })).toHaveLength(1);
    expect(fixture.events.filter((event) => event.action === 'csrf.refused')).toHaveLength(6);
    // The token of the other session still works there: a refusal spends nothing of it.
    const fine = await other.post(CREATE).type('form').send({ _csrf: otherToken });
    expect(fine.status).toBe(303);
  });

  it('is refused from another site even with the token, saying so (not "not signed in")', async () => {
    const app = createTestApp(fixture);
    const agent = await signIn(app, fixture.keys.account);
    const token = await tokenFor(agent, APP_A, CREATE);
    const refused = await agent
      .post(CREATE)
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ _csrf: token, expires: 'never' });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('This form was sent from another site, so it was refused');
    expect(refused.text).not.toContain('not signed in');
    expectFrame(refused.text, fixture.keys.account.id);
    // A browser does not send the SameSite=Strict cookie with a cross-site form: the answer says
    // what happened without claiming anything about the session, which is still alive.
    const { default: supertest } = await import('supertest');
    const noCookie = await supertest(app)
      .post(CREATE)
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ _csrf: token, expires: 'never' });
    expect(noCookie.status).toBe(403);
    expect(noCookie.text).toContain('This form was sent from another site, so it was refused');
    expect(noCookie.text).not.toMatch(/not signed in|session/i);
    await agent.get('/keyscope/apps').expect(200);
    expect(await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } })).toHaveLength(1);
    // The same form from the dashboard itself goes through: the refusals spent nothing.
    const fine = await agent
      .post(CREATE)
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ _csrf: token, expires: 'never' });
    expect(fine.status).toBe(303);
  });

  it('refuses an expiry that is not one of the choices, and a name the store refuses, on the page', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const bad = await create(agent, { name: 'typed', expires: '-1d' });
    expect(bad.status).toBe(303);
    expect(bad.headers.location).toBe(APP_A);
    const page = await follow(agent, bad);
    expect(page.text).toContain('role="alert"');
    expect(page.text).toContain('No key was created: choose an expiry from the list.');
    // The form is filled again with what was typed.
    expect(page.text).toContain(
      'name="name" type="text" maxlength="256" autocomplete="off" value="typed"',
    );
    const long = await follow(
      agent,
      await create(agent, { name: 'x'.repeat(300), expires: 'never' }),
    );
    expect(long.text).toContain(
      'No key was created: displayName must be a string of at most 256 characters',
    );
    // Said once.
    const again = await agent.get(APP_A).expect(200);
    expect(again.text).not.toContain('No key was created');
    expect(await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } })).toHaveLength(1);
  });

  it('explains the per-app key limit when it is reached', async () => {
    fixture.store.close();
    const { openWritableFileStore } = await import('@keyscope/core');
    const store = await openWritableFileStore(fixture.file, {
      watch: false,
      maxActiveKeysPerApp: 2,
    });
    try {
      const app = createTestApp({ ...fixture, store });
      const agent = await signIn(app, fixture.keys.account);
      // Two tokens of the create form, taken while there is still room.
      const tokens = [await tokenFor(agent, APP_A, CREATE), await tokenFor(agent, APP_A, CREATE)];
      const rotate = `${APP_A}/keys/${fixture.keys.appA.id}/rotate`;
      const rotateToken = await tokenFor(agent, APP_A, rotate);
      const post = (token: string) =>
        agent.post(CREATE).type('form').send({ _csrf: token, expires: 'never' });
      expect((await post(tokens[0] as string)).headers.location).toMatch(REVEAL);
      const refused = await post(tokens[1] as string);
      expect(refused.headers.location).toBe(APP_A);
      const page = await follow(agent, refused);
      expect(page.text).toContain('role="alert"');
      expect(page.text).toContain(
        'App <code>app_a</code> has 2 active keys, the most an app may have. Revoked and expired keys do not count',
      );
      expect(page.text).toContain('2 of 2 active keys.');
      expect(page.text).toContain('id="limit-note"');
      expect(page.text).not.toContain(`action="${CREATE}"`);
      // Rotation needs a free place too.
      const rotated = await agent.post(rotate).type('form').send({ _csrf: rotateToken });
      expect(rotated.headers.location).toBe(APP_A);
      expect((await follow(agent, rotated)).text).toContain('has 2 active keys');
      // Revoking one makes room.
      const revoked = await submit(
        agent,
        `${APP_A}/keys/${fixture.keys.appA.id}/revoke`,
        `${APP_A}/keys/${fixture.keys.appA.id}/revoke`,
      );
      expect(revoked.status).toBe(303);
      expect((await create(agent)).headers.location).toMatch(REVEAL);
      expect(
        await store.listKeys({ entity: { type: 'app', id: 'app_a' }, state: 'active' }),
      ).toHaveLength(2);
    } finally {
      store.close();
    }
  });
});

describe('revoking a key', () => {
  it('asks first, then revokes through the store and says so once', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const path = `${APP_A}/keys/${fixture.keys.appA.id}/revoke`;
    const confirm = await agent.get(path).expect(200);
    expect(confirm.text).toContain(`Revoke key <code>${fixture.keys.appA.id}</code>?`);
    const response = await agent
      .post(path)
      .type('form')
      .send({ _csrf: formTokenOf(confirm.text, path) });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(APP_A);
    const [key] = await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } });
    expect(key?.revokedAt).toBeInstanceOf(Date);
    const page = await agent.get(APP_A).expect(200);
    expect(page.text).toContain(`Key ${fixture.keys.appA.id} is revoked.`);
    expect(page.text).toContain('<span class="state state-revoked">Revoked</span>');
    // No rotate or revoke for a revoked key.
    expect(page.text).not.toContain(`/keys/${fixture.keys.appA.id}/revoke`);
    const again = await agent.get(APP_A).expect(200);
    expect(again.text).not.toContain('is revoked.');
    expect(fixture.events.at(-1)).toMatchObject({
      action: 'key.revoked',
      keyId: fixture.keys.appA.id,
      appId: 'app_a',
      operator: { keyId: fixture.keys.account.id },
    });
    // The same confirmation sent again revokes nothing more and reports nothing more.
    const repeat = await agent
      .post(path)
      .type('form')
      .send({ _csrf: formTokenOf(confirm.text, path) });
    expect(repeat.headers.location).toBe(APP_A);
    expect(fixture.events.filter((event) => event.action === 'key.revoked')).toHaveLength(1);
  });

  it('answers 404 for a key that is not there, inside the frame', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const missing = await agent.get(`${APP_A}/keys/app_000000000000000000000000/revoke`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('This key does not exist or belongs to someone else.');
    expectFrame(missing.text, fixture.keys.account.id);
  });
});

describe('rotating a key', () => {
  it('creates a replacement with the same name, shown once; the old key stays valid', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const response = await submit(agent, APP_A, `${APP_A}/keys/${fixture.keys.appA.id}/rotate`);
    expect(response.status).toBe(303);
    expect(response.headers.location).toMatch(REVEAL);
    const shown = await follow(agent, response);
    expect(shown.text).toContain('<h1>Key rotated</h1>');
    expect(shown.text).toContain(`replacing <code>${fixture.keys.appA.id}</code>`);
    expect(shown.text).toContain('keeps working until you revoke it');
    const keyId = textOf(shown.text, 'created-key-id');
    const secret = textOf(shown.text, 'created-key-secret');
    expect(await fixture.store.findKey(keyId)).toMatchObject({ secret, displayName: 'Backend' });
    const old = await fixture.store.findKey(fixture.keys.appA.id);
    expect(old?.revokedAt).toBeUndefined();
    expect(fixture.events.at(-1)).toMatchObject({
      action: 'key.rotated',
      keyId,
      replacedKeyId: fixture.keys.appA.id,
      appId: 'app_a',
    });
    expectNoSecretsIn(fixture.events, [secret]);
    expect((await agent.get(response.headers.location as string)).status).toBe(410);
  });

  it('refuses a key revoked since the page was shown, and says so', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const rotate = `${APP_A}/keys/${fixture.keys.appA.id}/rotate`;
    const token = await tokenFor(agent, APP_A, rotate);
    await fixture.store.revokeKey(fixture.keys.appA.id);
    const response = await agent.post(rotate).type('form').send({ _csrf: token });
    expect(response.headers.location).toBe(APP_A);
    const page = await follow(agent, response);
    expect(page.text).toContain(
      `Key ${fixture.keys.appA.id} was not rotated: only an active key can be rotated.`,
    );
    expect(await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } })).toHaveLength(1);
  });
});
