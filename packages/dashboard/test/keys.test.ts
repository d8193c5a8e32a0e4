/**
 * The keys of an app: the listing (never a secret), creating a key (the secret shown once, on a
 * `no-store` page), rotating, revoking after a confirmation, the per-app key limit explained, the
 * CSRF token every change needs, HTML escaping of what the store holds, and the audit events.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFixture,
  createTestApp,
  csrfOf,
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

/** The text of the element with this id. */
function textOf(html: string, id: string): string {
  const match = new RegExp(`id="${id}">([^<]*)<`).exec(html);
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
    expect(page.text).toContain(`<td><code>${fixture.keys.appA.id}</code></td>`);
    expect(page.text).toContain('<td>Backend</td>');
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

describe('creating a key', () => {
  it('shows the id and the secret once, with copy buttons and a warning', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const csrf = await sessionCsrf(agent);
    const response = await agent
      .post('/keyscope/apps/app_a/keys')
      .type('form')
      .send({ _csrf: csrf, name: 'Mobile backend', expires: '30d' });
    expect(response.status).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    const keyId = textOf(response.text, 'created-key-id');
    const secret = textOf(response.text, 'created-key-secret');
    expect(keyId).toMatch(/^app_[0-9a-f]{24}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.text).toContain('It is shown only this once and cannot be shown again.');
    expect(response.text).toContain('role="alert"');
    expect(response.text).toContain('data-copy="created-key-secret"');
    expect(response.text).toContain('id="copy-status" role="status" aria-live="polite"');
    expect(response.text).toContain(`curl -u &#39;${keyId}:${secret}&#39; &#39;http://127.0.0.1:`);
    const nonce = /script-src 'nonce-([^']+)'/.exec(
      String(response.headers['content-security-policy']),
    )?.[1];
    expect(response.text).toContain(`<script nonce="${nonce}">`);

    const stored = await fixture.store.findKey(keyId);
    expect(stored).toMatchObject({ secret, displayName: 'Mobile backend' });
    const days = ((stored?.expiresAt?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    // Never again: not in the listing, not on any other page.
    for (const path of ['/keyscope/apps/app_a', '/keyscope/apps', '/keyscope/apps/app_a/token']) {
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

  it('is refused without the CSRF token of the session (403, nothing created)', async () => {
    const app = createTestApp(fixture);
    const agent = await signIn(app, fixture.keys.account);
    const other = await signIn(app, fixture.keys.account);
    const otherCsrf = await sessionCsrf(other);
    for (const body of [{}, { _csrf: '' }, { _csrf: otherCsrf }, { _csrf: `${otherCsrf}x` }]) {
      const response = await agent
        .post('/keyscope/apps/app_a/keys')
        .type('form')
        .send({ ...body, name: 'forged', expires: 'never' });
      expect(response.status).toBe(403);
      expect(response.text).toContain('This form expired or did not come from this dashboard');
    }
    const json = await agent
      .post('/keyscope/apps/app_a/keys')
      .send({ _csrf: await sessionCsrf(agent), name: 'as JSON' });
    expect(json.status).toBe(403);
    expect(await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } })).toHaveLength(1);
    expect(fixture.events.filter((event) => event.action === 'csrf.refused')).toHaveLength(5);
  });

  it('is refused from another site even with the token', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const csrf = await sessionCsrf(agent);
    await agent
      .post('/keyscope/apps/app_a/keys')
      .set('Sec-Fetch-Site', 'cross-site')
      .type('form')
      .send({ _csrf: csrf, expires: 'never' })
      .expect(403);
    await agent
      .post('/keyscope/apps/app_a/keys')
      .set('Sec-Fetch-Site', 'same-origin')
      .type('form')
      .send({ _csrf: csrf, expires: 'never' })
      .expect(201);
  });

  it('refuses an expiry that is not one of the choices, and a name the store refuses', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const csrf = await sessionCsrf(agent);
    const bad = await agent
      .post('/keyscope/apps/app_a/keys')
      .type('form')
      .send({ _csrf: csrf, expires: '-1d' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Choose an expiry from the list.');
    const long = await agent
      .post('/keyscope/apps/app_a/keys')
      .type('form')
      .send({ _csrf: csrf, name: 'x'.repeat(300), expires: 'never' });
    expect(long.status).toBe(400);
    expect(long.text).toContain('displayName must be a string of at most 256 characters');
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
      const csrf = await sessionCsrf(agent);
      const create = () =>
        agent
          .post('/keyscope/apps/app_a/keys')
          .type('form')
          .send({ _csrf: csrf, expires: 'never' });
      expect((await create()).status).toBe(201);
      const refused = await create();
      expect(refused.status).toBe(409);
      expect(refused.text).toContain('role="alert"');
      expect(refused.text).toContain(
        'App <code>app_a</code> has 2 active keys, the most an app may have. Revoked and expired keys do not count',
      );
      const page = await agent.get('/keyscope/apps/app_a').expect(200);
      expect(page.text).toContain('2 of 2 active keys.');
      expect(page.text).toContain('id="limit-note"');
      expect(page.text).not.toContain('action="/keyscope/apps/app_a/keys"');
      // Rotation needs a free place too.
      const rotate = await agent
        .post(`/keyscope/apps/app_a/keys/${fixture.keys.appA.id}/rotate`)
        .type('form')
        .send({ _csrf: csrf });
      expect(rotate.status).toBe(409);
      // Revoking one makes room.
      await agent
        .post(`/keyscope/apps/app_a/keys/${fixture.keys.appA.id}/revoke`)
        .type('form')
        .send({ _csrf: csrf })
        .expect(303);
      expect((await create()).status).toBe(201);
    } finally {
      store.close();
    }
  });
});

describe('revoking a key', () => {
  it('asks first, then revokes through the store and says so once', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const confirm = await agent
      .get(`/keyscope/apps/app_a/keys/${fixture.keys.appA.id}/revoke`)
      .expect(200);
    expect(confirm.text).toContain(`Revoke key <code>${fixture.keys.appA.id}</code>?`);
    const response = await agent
      .post(`/keyscope/apps/app_a/keys/${fixture.keys.appA.id}/revoke`)
      .type('form')
      .send({ _csrf: csrfOf(confirm.text) });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/keyscope/apps/app_a');
    const [key] = await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } });
    expect(key?.revokedAt).toBeInstanceOf(Date);
    const page = await agent.get('/keyscope/apps/app_a').expect(200);
    expect(page.text).toContain(`Key ${fixture.keys.appA.id} is revoked.`);
    expect(page.text).toContain('<span class="state state-revoked">Revoked</span>');
    // No rotate or revoke for a revoked key.
    expect(page.text).not.toContain(`/keys/${fixture.keys.appA.id}/revoke`);
    const again = await agent.get('/keyscope/apps/app_a').expect(200);
    expect(again.text).not.toContain('is revoked.');
    expect(fixture.events.at(-1)).toMatchObject({
      action: 'key.revoked',
      keyId: fixture.keys.appA.id,
      appId: 'app_a',
      operator: { keyId: fixture.keys.account.id },
    });
  });

  it('answers 404 for a key that is not there', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    await agent.get('/keyscope/apps/app_a/keys/app_000000000000000000000000/revoke').expect(404);
  });
});

describe('rotating a key', () => {
  it('creates a replacement with the same name, shown once; the old key stays valid', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const csrf = await sessionCsrf(agent);
    const response = await agent
      .post(`/keyscope/apps/app_a/keys/${fixture.keys.appA.id}/rotate`)
      .type('form')
      .send({ _csrf: csrf });
    expect(response.status).toBe(201);
    expect(response.text).toContain('<h1>Key rotated</h1>');
    expect(response.text).toContain(`replacing <code>${fixture.keys.appA.id}</code>`);
    expect(response.text).toContain('keeps working until you revoke it');
    const keyId = textOf(response.text, 'created-key-id');
    const secret = textOf(response.text, 'created-key-secret');
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
  });

  it('refuses a revoked key', async () => {
    await fixture.store.revokeKey(fixture.keys.appA.id);
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const csrf = await sessionCsrf(agent);
    await agent
      .post(`/keyscope/apps/app_a/keys/${fixture.keys.appA.id}/rotate`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(409);
  });
});
