/**
 * The test-token tab: an appUser JWT signed with an active key of the app (core's `signToken`),
 * at most an hour long, accepted by core's authenticator, minted in post/redirect/get and shown
 * with its `curl` line once, on the `no-store` page the redirect leads to, and reported without
 * the token.
 */
import { createAuthenticator } from '@keyscope/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createFixture,
  createTestApp,
  expectNoSecretsIn,
  type Fixture,
  follow,
  signIn,
  tokenFor,
} from './support.js';

const TOKEN = '/keyscope/apps/app_a/token';

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
    const form = await tokenFor(agent, TOKEN, TOKEN);
    const send = () =>
      agent
        .post(TOKEN)
        .type('form')
        .send({ _csrf: form, keyId: fixture.keys.appA.id, userId: 'user 42', lifetime: '900' });
    const minted = await send();
    expect(minted.status).toBe(303);
    expect(minted.headers.location).toMatch(/^\/keyscope\/apps\/app_a\/token\/[A-Za-z0-9_-]{43}$/);
    const response = await follow(agent, minted);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const token = /id="minted-token" data-once>([^<]+)</.exec(response.text)?.[1] as string;
    const auth = await createAuthenticator({ store: fixture.store }).authenticate({
      authorization: `Bearer ${token}`,
    });
    expect(auth).toMatchObject({ scope: 'appUser', appId: 'app_a', userId: 'user 42' });
    const lifetime = ((auth.expiresAt?.getTime() ?? 0) - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(890);
    expect(lifetime).toBeLessThanOrEqual(900);
    const curl = decode(/id="minted-curl" data-once>([^<]+)</.exec(response.text)?.[1] as string);
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
    // Shown once: a reload finds it gone, says so, and offers the form again.
    const reload = await follow(agent, minted);
    expect(reload.status).toBe(410);
    expect(reload.text).toContain('That test token was shown once and is not shown again');
    expect(reload.text).not.toContain(token);
    expect(reload.text).toContain(`action="${TOKEN}"`);
    // The same form sent again mints nothing, and leads where the first went.
    const again = await send();
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(minted.headers.location);
    expect(fixture.events.filter((event) => event.action === 'token.minted')).toHaveLength(1);
  });

  it('refuses a lifetime over the maximum, a missing user and a key that cannot sign', async () => {
    const agent = await signIn(
      createTestApp(fixture, { maxTokenLifetime: 600 }),
      fixture.keys.account,
    );
    const token = await tokenFor(agent, TOKEN, TOKEN);
    // Each mint with a fresh form token, taken while the page still offers the key.
    const tokens = [
      token,
      ...(await Promise.all([1, 2, 3, 4, 5].map(() => tokenFor(agent, TOKEN, TOKEN)))),
    ];
    const mint = async (fields: Record<string, string>) => {
      const response = await agent
        .post(TOKEN)
        .type('form')
        .send({
          _csrf: tokens.shift(),
          keyId: fixture.keys.appA.id,
          userId: 'u1',
          lifetime: '300',
          ...fields,
        });
      return follow(agent, response);
    };
    const long = await mint({ lifetime: '900' });
    expect(long.text).toContain('No token was minted: choose a lifetime from the list.');
    expect(long.text).toContain('role="alert"');
    expect((await mint({ lifetime: '600' })).text).toContain('id="minted-token"');
    expect((await mint({ userId: '  ' })).text).toContain(
      'No token was minted: enter the end user id',
    );
    expect((await mint({ userId: 'a\u0001b' })).text).toContain('No token was minted');
    // A key of another app, and a revoked key of this one.
    const other = await mint({ keyId: fixture.keys.appB.id });
    expect(other.text).toContain(
      'No token was minted: choose an active key of this app to sign with.',
    );
    await fixture.store.revokeKey(fixture.keys.appA.id);
    expect((await mint({})).text).toContain('No token was minted: choose an active key');
    expect(fixture.events.filter((event) => event.action === 'token.minted')).toHaveLength(1);
  });

  it('says so when the app has no active key', async () => {
    await fixture.store.revokeKey(fixture.keys.appA.id);
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const page = await agent.get('/keyscope/apps/app_a/token').expect(200);
    expect(page.text).toContain('has no active key to sign with');
  });
});
