/**
 * The test-token tab: an appUser JWT signed with an active key of the app (core's `signToken`),
 * at most an hour long, accepted by core's authenticator, shown with its `curl` line on a
 * `no-store` page, and reported without the token.
 */
import { createAuthenticator } from '@keyscope/core';
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

const decode = (html: string) => html.replaceAll('&#39;', "'").replaceAll('&amp;', '&');

describe('minting a test token', () => {
  it('offers the active keys of the app and lifetimes up to one hour', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const page = await agent.get('/keyscope/apps/app_a/token').expect(200);
    expect(page.text).toContain(`<option value="${fixture.keys.appA.id}">`);
    expect(page.text).not.toContain(fixture.keys.appB.id);
    expect([...page.text.matchAll(/<option value="(\d+)"/g)].map((m) => m[1])).toEqual([
      '300',
      '900',
      '1800',
      '3600',
    ]);
    expect(page.text).toContain('<label for="token-user">');
  });

  it('signs an appUser token the API accepts, with the curl line', async () => {
    const agent = await signIn(
      createTestApp(fixture, { apiBaseUrl: 'https://api.example.test/' }),
      fixture.keys.account,
    );
    const csrf = await sessionCsrf(agent);
    const response = await agent
      .post('/keyscope/apps/app_a/token')
      .type('form')
      .send({ _csrf: csrf, keyId: fixture.keys.appA.id, userId: 'user 42', lifetime: '900' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const token = /id="minted-token">([^<]+)</.exec(response.text)?.[1] as string;
    const auth = await createAuthenticator({ store: fixture.store }).authenticate({
      authorization: `Bearer ${token}`,
    });
    expect(auth).toMatchObject({ scope: 'appUser', appId: 'app_a', userId: 'user 42' });
    const lifetime = ((auth.expiresAt?.getTime() ?? 0) - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(890);
    expect(lifetime).toBeLessThanOrEqual(900);
    const curl = decode(/id="minted-curl">([^<]+)</.exec(response.text)?.[1] as string);
    expect(curl).toBe(
      `curl -H 'Authorization: Bearer ${token}' 'https://api.example.test/v2/apps/app_a/users/user%2042'`,
    );
    expect(fixture.events.at(-1)).toMatchObject({
      action: 'token.minted',
      keyId: fixture.keys.appA.id,
      appId: 'app_a',
      userId: 'user 42',
    });
    expectNoSecretsIn(fixture.events, [token, fixture.keys.appA.secret]);
    expect(response.text).not.toContain(fixture.keys.appA.secret);
  });

  it('refuses a lifetime over the maximum, a missing user and a key that cannot sign', async () => {
    const agent = await signIn(
      createTestApp(fixture, { maxTokenLifetime: 600 }),
      fixture.keys.account,
    );
    const csrf = await sessionCsrf(agent);
    const mint = (fields: Record<string, string>) =>
      agent
        .post('/keyscope/apps/app_a/token')
        .type('form')
        .send({
          _csrf: csrf,
          keyId: fixture.keys.appA.id,
          userId: 'u1',
          lifetime: '300',
          ...fields,
        });
    const long = await mint({ lifetime: '900' });
    expect(long.status).toBe(400);
    expect(long.text).toContain('Choose a lifetime from the list.');
    expect((await mint({ lifetime: '600' })).status).toBe(200);
    expect((await mint({ userId: '  ' })).status).toBe(400);
    expect((await mint({ userId: 'a\u0001b' })).status).toBe(400);
    // A key of another app, and a revoked key of this one.
    const other = await mint({ keyId: fixture.keys.appB.id });
    expect(other.status).toBe(400);
    expect(other.text).toContain('Choose an active key of this app to sign with.');
    await fixture.store.revokeKey(fixture.keys.appA.id);
    expect((await mint({})).status).toBe(400);
    expect(fixture.events.filter((event) => event.action === 'token.minted')).toHaveLength(1);
  });

  it('says so when the app has no active key', async () => {
    await fixture.store.revokeKey(fixture.keys.appA.id);
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const page = await agent.get('/keyscope/apps/app_a/token').expect(200);
    expect(page.text).toContain('has no active key to sign with');
  });
});
