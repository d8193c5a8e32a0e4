/**
 * Sign-in, sign-out and sessions: the form (Basic semantics through core's authenticator), which
 * keys may sign in, the sign-in form token, the limiter, the session cookie's attributes, and the
 * ways a session ends (sign-out, idle and absolute timeouts, the operator's key revoked).
 */
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createFixture,
  createTestApp,
  csrfOf,
  expectFrame,
  expectNoSecretsIn,
  type Fixture,
  setCookie,
  signIn,
  submit,
  tokenFor,
} from './support.js';

let fixture: Fixture;
beforeEach(async () => {
  fixture = await createFixture();
});
afterEach(() => {
  vi.useRealTimers();
  fixture.cleanup();
});

/** Posts the sign-in form with a fresh form token. */
async function postSignIn(
  agent: request.Agent,
  key: { id: string; secret: string },
  headers: Record<string, string> = {},
) {
  const form = await agent.get('/keyscope/sign-in').expect(200);
  return agent
    .post('/keyscope/sign-in')
    .set(headers)
    .type('form')
    .send({ _csrf: csrfOf(form.text), keyId: key.id, secret: key.secret });
}

describe('the sign-in page', () => {
  it('is where a visitor without a session is sent', async () => {
    const app = createTestApp(fixture);
    await request(app).get('/keyscope').expect(303).expect('Location', '/keyscope/apps');
    await request(app).get('/keyscope/apps').expect(303).expect('Location', '/keyscope/sign-in');
  });

  it('is a labelled form with a form token, sent with the security headers', async () => {
    const response = await request(createTestApp(fixture)).get('/keyscope/sign-in').expect(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = response.headers['content-security-policy'] as string;
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(csp).toBe(
      `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
    );
    expect(response.text).toContain(`<style nonce="${nonce}">`);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.text).toContain('<label for="keyId">Key id</label>');
    expect(response.text).toContain('<label for="secret">Secret</label>');
    expect(response.text).toMatch(/<input id="secret" name="secret" type="password"/);
    const cookie = setCookie(response, 'keyscope_signin');
    expect(cookie).toMatch(
      /^keyscope_signin=[A-Za-z0-9_-]{43}; Path=\/keyscope; HttpOnly; SameSite=Strict; Max-Age=3600$/,
    );
    expect(cookie).toContain(csrfOf(response.text));
  });

  it('uses a new nonce on every response', async () => {
    const app = createTestApp(fixture);
    const a = await request(app).get('/keyscope/sign-in');
    const b = await request(app).get('/keyscope/sign-in');
    expect(a.headers['content-security-policy']).not.toBe(b.headers['content-security-policy']);
  });
});

describe('signing in', () => {
  it('lets a user-account key in with a session cookie scoped to the mount path', async () => {
    const agent = request.agent(createTestApp(fixture));
    const response = await postSignIn(agent, fixture.keys.account);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/keyscope/apps');
    expect(setCookie(response, 'keyscope_session')).toMatch(
      /^keyscope_session=[A-Za-z0-9_-]{43}; Path=\/keyscope; HttpOnly; SameSite=Strict$/,
    );
    expect(setCookie(response, 'keyscope_signin')).toMatch(/Max-Age=0/);
    const apps = await agent.get('/keyscope/apps').expect(200);
    expect(apps.text).toContain(`Signed in with <code>${fixture.keys.account.id}</code>`);
    expect(fixture.events).toEqual([
      expect.objectContaining({
        action: 'sign-in',
        operator: {
          keyId: fixture.keys.account.id,
          entity: { type: 'userAccount', id: 'acc_1' },
          accountId: 'acc_1',
        },
        at: expect.any(Date),
        address: expect.any(String),
      }),
    ]);
    expectNoSecretsIn(fixture.events, [fixture.keys.account.secret]);
  });

  it('lets a service-account key in', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.service);
    const apps = await agent.get('/keyscope/apps').expect(200);
    expect(apps.text).toContain('service account <code>svc_1</code>');
  });

  it('marks the cookie Secure behind TLS (trust proxy) or when forced', async () => {
    const behindProxy = createTestApp(fixture, {}, (app) => app.set('trust proxy', true));
    const agent = request.agent(behindProxy);
    const response = await postSignIn(agent, fixture.keys.account, {
      'X-Forwarded-Proto': 'https',
    });
    expect(setCookie(response, 'keyscope_session')).toMatch(/; Secure$/);

    const forced = request.agent(createTestApp(fixture, { secureCookie: true }));
    const page = await forced.get('/keyscope/sign-in');
    expect(setCookie(page, 'keyscope_signin')).toMatch(/; Secure$/);
  });

  it('scopes the cookies to wherever the dashboard is mounted', async () => {
    const { dashboard } = await import('@keyscope/dashboard');
    const express = (await import('express')).default;
    const app = express();
    app.use('/admin/keys/', dashboard({ store: fixture.store }));
    const page = await request(app).get('/admin/keys/sign-in').expect(200);
    expect(setCookie(page, 'keyscope_signin')).toContain('Path=/admin/keys;');
    expect(page.text).toContain('action="/admin/keys/sign-in"');
  });

  it('refuses a wrong secret with 401 and no session, reporting the key id', async () => {
    const agent = request.agent(createTestApp(fixture));
    const response = await postSignIn(agent, {
      id: fixture.keys.account.id,
      secret: 'not-the-secret',
    });
    expect(response.status).toBe(401);
    expect(response.text).toContain('role="alert"');
    expect(response.text).toContain('Sign-in refused: the key id or the secret is wrong');
    expect(response.text).toContain(`value="${fixture.keys.account.id}"`);
    expect(setCookie(response, 'keyscope_session')).toBeUndefined();
    await agent.get('/keyscope/apps').expect(303).expect('Location', '/keyscope/sign-in');
    expect(fixture.events).toEqual([
      expect.objectContaining({
        action: 'sign-in.refused',
        reason: 'wrong_secret',
        keyId: fixture.keys.account.id,
      }),
    ]);
  });

  it('never reports an unknown key id (it may be a secret typed in the wrong field)', async () => {
    const agent = request.agent(createTestApp(fixture));
    const response = await postSignIn(agent, {
      id: fixture.keys.account.secret,
      secret: fixture.keys.account.id,
    });
    expect(response.status).toBe(401);
    expect(fixture.events).toEqual([
      expect.objectContaining({
        action: 'sign-in.refused',
        reason: 'unknown_key',
        keyId: undefined,
      }),
    ]);
    expectNoSecretsIn(fixture.events, [fixture.keys.account.secret]);
  });

  it('refuses an app key with 403 and says why', async () => {
    const agent = request.agent(createTestApp(fixture));
    const response = await postSignIn(agent, fixture.keys.appA);
    expect(response.status).toBe(403);
    expect(response.text).toContain('App keys cannot sign in to the dashboard');
    expect(setCookie(response, 'keyscope_session')).toBeUndefined();
    expect(fixture.events.at(-1)).toMatchObject({
      action: 'sign-in.refused',
      reason: 'app_key',
      keyId: fixture.keys.appA.id,
    });
  });

  it('refuses a revoked key, and fields that are not credentials', async () => {
    const agent = request.agent(createTestApp(fixture));
    expect((await postSignIn(agent, fixture.keys.revokedAccount)).status).toBe(401);
    expect(fixture.events.at(-1)).toMatchObject({ reason: 'key_revoked' });
    const withColon = await postSignIn(agent, { id: 'act:x', secret: 'y' });
    expect(withColon.status).toBe(401);
    expect(fixture.events.at(-1)).toMatchObject({ reason: 'malformed' });
    const empty = await postSignIn(agent, { id: '', secret: '' });
    expect(empty.status).toBe(401);
  });

  it('refuses a form without the form token of its cookie (403)', async () => {
    const app = createTestApp(fixture);
    // No cookie at all: a form posted from elsewhere.
    const bare = await request(app)
      .post('/keyscope/sign-in')
      .type('form')
      .send({ _csrf: 'x', keyId: fixture.keys.account.id, secret: fixture.keys.account.secret });
    expect(bare.status).toBe(403);
    expect(bare.text).toContain('The sign-in form expired or did not come from this dashboard');
    expect(setCookie(bare, 'keyscope_session')).toBeUndefined();

    const agent = request.agent(app);
    await agent.get('/keyscope/sign-in');
    const wrong = await agent
      .post('/keyscope/sign-in')
      .type('form')
      .send({
        _csrf: 'A'.repeat(43),
        keyId: fixture.keys.account.id,
        secret: fixture.keys.account.secret,
      });
    expect(wrong.status).toBe(403);
    expect(fixture.events.filter((event) => event.action === 'csrf.refused')).toHaveLength(2);
    expect(fixture.events.some((event) => event.action === 'sign-in')).toBe(false);
  });

  it('refuses a cross-site form post even with the token', async () => {
    const agent = request.agent(createTestApp(fixture));
    const response = await postSignIn(agent, fixture.keys.account, {
      'Sec-Fetch-Site': 'cross-site',
    });
    expect(response.status).toBe(403);
  });

  it('limits failed sign-ins per key id and address (429 with Retry-After), then lets in again', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const agent = request.agent(
      createTestApp(fixture, { signInLimit: { maxPerKeyAndAddress: 3, window: 60_000 } }),
    );
    const wrong = { id: fixture.keys.account.id, secret: 'wrong' };
    for (let i = 0; i < 3; i++) expect((await postSignIn(agent, wrong)).status).toBe(401);
    const limited = await postSignIn(agent, fixture.keys.account);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(limited.text).toContain('Too many failed sign-ins');
    expect(setCookie(limited, 'keyscope_session')).toBeUndefined();
    expect(fixture.events.at(-1)).toMatchObject({ reason: 'rate_limited' });

    vi.setSystemTime(new Date('2030-01-01T00:01:00Z'));
    expect((await postSignIn(agent, fixture.keys.account)).status).toBe(303);
  });

  it('never lets a good sign-in with one key reset the count of guesses at another', async () => {
    const app = createTestApp(fixture, { signInLimit: { maxPerKeyAndAddress: 3, window: 60_000 } });
    const agent = request.agent(app);
    const guess = { id: fixture.keys.otherAccount.id, secret: 'guess' };
    // The attack of issue 18: wrong guesses at another operator's key, each followed by a good
    // sign-in with a key the attacker holds, from the same address.
    for (let round = 0; round < 3; round++) {
      expect((await postSignIn(agent, guess)).status).toBe(401);
      expect((await postSignIn(request.agent(app), fixture.keys.account)).status).toBe(303);
    }
    // The fourth try at that key is refused, even with its right secret.
    const limited = await postSignIn(agent, fixture.keys.otherAccount);
    expect(limited.status).toBe(429);
    expect(setCookie(limited, 'keyscope_session')).toBeUndefined();
    // The attacker's own key still signs in: its own count was never the issue.
    expect((await postSignIn(request.agent(app), fixture.keys.account)).status).toBe(303);
  });

  it('limits failed sign-ins per address over every key id, which a good sign-in does not reset', async () => {
    const app = createTestApp(fixture, {
      signInLimit: { maxPerKeyAndAddress: 10, maxPerAddress: 4, window: 60_000 },
    });
    for (let i = 0; i < 4; i++) {
      const response = await postSignIn(request.agent(app), { id: `act_guess_${i}`, secret: 'x' });
      expect(response.status).toBe(401);
      if (i === 1) {
        // A good sign-in in between changes nothing for the address.
        expect((await postSignIn(request.agent(app), fixture.keys.service)).status).toBe(303);
      }
    }
    const limited = await postSignIn(request.agent(app), fixture.keys.account);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('counts malformed attempts too', async () => {
    const app = createTestApp(fixture, {
      signInLimit: { maxPerKeyAndAddress: 10, maxPerAddress: 2, window: 60_000 },
    });
    for (let i = 0; i < 2; i++) {
      expect((await postSignIn(request.agent(app), { id: 'act:x', secret: 'y' })).status).toBe(401);
    }
    expect((await postSignIn(request.agent(app), { id: 'act:x', secret: 'y' })).status).toBe(429);
    expect((await postSignIn(request.agent(app), fixture.keys.account)).status).toBe(429);
  });

  it('does not lock a key out of another address', async () => {
    const app = createTestApp(
      fixture,
      { signInLimit: { maxPerKeyAndAddress: 2, window: 60_000 } },
      (host) => host.set('trust proxy', true),
    );
    const from = (address: string) => ({ 'X-Forwarded-For': address });
    const wrong = { id: fixture.keys.account.id, secret: 'wrong' };
    for (let i = 0; i < 2; i++) {
      expect((await postSignIn(request.agent(app), wrong, from('203.0.113.7'))).status).toBe(401);
    }
    const there = await postSignIn(request.agent(app), fixture.keys.account, from('203.0.113.7'));
    expect(there.status).toBe(429);
    const elsewhere = await postSignIn(
      request.agent(app),
      fixture.keys.account,
      from('198.51.100.20'),
    );
    expect(elsewhere.status).toBe(303);
  });

  it('issues a new session id at every sign-in and ends the one the browser had', async () => {
    const app = createTestApp(fixture);
    const agent = request.agent(app);
    const first = setCookie(await postSignIn(agent, fixture.keys.account), 'keyscope_session');
    const old = (first as string).split(';')[0] as string;
    // Signed in, the sign-in page sends the operator on.
    await agent.get('/keyscope/sign-in').expect(303).expect('Location', '/keyscope/apps');
    // A second sign-in from the same browser (a form opened before) replaces the session.
    const form = await request(app).get('/keyscope/sign-in');
    const token = csrfOf(form.text);
    const again = await request(app)
      .post('/keyscope/sign-in')
      .set('Cookie', `keyscope_signin=${token}; ${old}`)
      .type('form')
      .send({ _csrf: token, keyId: fixture.keys.account.id, secret: fixture.keys.account.secret })
      .expect(303);
    const second = setCookie(again, 'keyscope_session') as string;
    expect(second.split(';')[0]).not.toBe(old);
    await request(app).get('/keyscope/apps').set('Cookie', old).expect(303);
    await request(app)
      .get('/keyscope/apps')
      .set('Cookie', second.split(';')[0] as string)
      .expect(200);
  });
});

describe('sessions', () => {
  it('end at sign-out, on the server too', async () => {
    const app = createTestApp(fixture);
    const agent = request.agent(app);
    const signedIn = await postSignIn(agent, fixture.keys.account);
    const cookie = (setCookie(signedIn, 'keyscope_session') as string).split(';')[0] as string;
    const out = await submit(agent, '/keyscope/apps', '/keyscope/sign-out');
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/keyscope/sign-in?ended=signed-out');
    expect(setCookie(out, 'keyscope_session')).toMatch(
      /^keyscope_session=; Path=\/keyscope; .*Max-Age=0/,
    );
    // The old cookie, replayed, opens nothing.
    await request(app).get('/keyscope/apps').set('Cookie', cookie).expect(303);
    const page = await agent.get('/keyscope/sign-in?ended=signed-out').expect(200);
    expect(page.text).toContain('You signed out.');
    expect(fixture.events.map((event) => event.action)).toEqual(['sign-in', 'sign-out']);
  });

  it('do not end at a sign-out without its one-time token', async () => {
    const agent = await signIn(createTestApp(fixture), fixture.keys.account);
    const refused = await agent.post('/keyscope/sign-out').type('form').send({});
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('This form is out of date or did not come from this dashboard');
    expectFrame(refused.text, fixture.keys.account.id);
    await agent.get('/keyscope/apps').expect(200);
  });

  it('end after the idle timeout', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const agent = await signIn(
      createTestApp(fixture, { idleTimeout: 60_000 }),
      fixture.keys.account,
    );
    vi.setSystemTime(new Date('2030-01-01T00:00:59Z'));
    await agent.get('/keyscope/apps').expect(200);
    vi.setSystemTime(new Date('2030-01-01T00:01:58Z'));
    await agent.get('/keyscope/apps').expect(200);
    vi.setSystemTime(new Date('2030-01-01T00:02:58Z'));
    await agent
      .get('/keyscope/apps')
      .expect(303)
      .expect('Location', '/keyscope/sign-in?ended=expired');
    const page = await agent.get('/keyscope/sign-in?ended=expired').expect(200);
    expect(page.text).toContain('Your session expired. Sign in again.');
    expect(fixture.events.at(-1)).toMatchObject({ action: 'session.ended', reason: 'expired' });
  });

  it('end after the absolute timeout, however active', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2030-01-01T00:00:00Z').getTime();
    vi.setSystemTime(start);
    const app = createTestApp(fixture, { idleTimeout: 60_000, absoluteTimeout: 300_000 });
    const agent = await signIn(app, fixture.keys.account);
    for (let t = 50_000; t < 300_000; t += 50_000) {
      vi.setSystemTime(start + t);
      await agent.get('/keyscope/apps').expect(200);
    }
    vi.setSystemTime(start + 300_000);
    await agent
      .get('/keyscope/apps')
      .expect(303)
      .expect('Location', '/keyscope/sign-in?ended=expired');
  });

  it('end as soon as the operator key is revoked, and a form post then changes nothing', async () => {
    const app = createTestApp(fixture);
    const agent = await signIn(app, fixture.keys.account);
    const csrf = await tokenFor(agent, '/keyscope/apps/app_a', '/keyscope/apps/app_a/keys');
    await fixture.store.revokeKey(fixture.keys.account.id);
    const post = await agent
      .post('/keyscope/apps/app_a/keys')
      .type('form')
      .send({ _csrf: csrf, name: 'after revocation', expires: 'never' });
    expect(post.status).toBe(403);
    expect(post.text).toContain(
      'Your session ended because the key you signed in with was revoked, has expired or is gone, so nothing was changed.',
    );
    expect(await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } })).toHaveLength(1);
    expect(fixture.events.at(-1)).toMatchObject({
      action: 'session.ended',
      reason: 'key_not_usable',
      keyId: fixture.keys.account.id,
    });
    // The session is gone for good, even if the key came back.
    await agent.get('/keyscope/apps').expect(303).expect('Location', '/keyscope/sign-in');
  });

  it('end when the operator key expires or is deleted', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const { record, secret } = await fixture.store.createKey({
      entity: { type: 'userAccount', id: 'acc_1' },
      expiresAt: new Date('2030-01-01T00:10:00Z'),
    });
    const app = createTestApp(fixture);
    const agent = await signIn(app, { id: record.id, secret });
    vi.setSystemTime(new Date('2030-01-01T00:10:00Z'));
    await agent
      .get('/keyscope/apps')
      .expect(303)
      .expect('Location', '/keyscope/sign-in?ended=revoked');

    vi.setSystemTime(new Date('2030-01-01T00:20:00Z'));
    const other = await signIn(app, fixture.keys.account);
    await fixture.store.deleteKey(fixture.keys.account.id);
    await other
      .get('/keyscope/apps')
      .expect(303)
      .expect('Location', '/keyscope/sign-in?ended=revoked');
  });

  it("are capped per key: past maxSessionsPerKey, that key's oldest session ends", async () => {
    const app = createTestApp(fixture, { maxSessionsPerKey: 2 });
    const agents: request.Agent[] = [];
    for (let i = 0; i < 3; i++) agents.push(await signIn(app, fixture.keys.account));
    await agents[0]
      ?.get('/keyscope/apps')
      .expect(303)
      .expect('Location', '/keyscope/sign-in?ended=over');
    const notice = await request(app).get('/keyscope/sign-in?ended=over').expect(200);
    expect(notice.text).toContain(
      'signed in with the same key too many times elsewhere (the oldest sessions end)',
    );
    await agents[1]?.get('/keyscope/apps').expect(200);
    await agents[2]?.get('/keyscope/apps').expect(200);
  });

  it('are never pushed out by a flood of sign-ins with another key', async () => {
    const app = createTestApp(fixture, { maxSessions: 3, maxSessionsPerKey: 3 });
    const operator = await signIn(app, fixture.keys.service);
    for (let i = 0; i < 20; i++) await signIn(app, fixture.keys.account);
    await operator.get('/keyscope/apps').expect(200);
    // A third key still gets in: the key holding the most sessions gives one up.
    const third = await signIn(app, fixture.keys.otherAccount);
    await third.get('/keyscope/apps').expect(200);
    await operator.get('/keyscope/apps').expect(200);
  });

  it('answer 503 (and stay open) when the store cannot answer', async () => {
    const app = createTestApp(fixture);
    const agent = await signIn(app, fixture.keys.account);
    const findKey = vi.spyOn(fixture.store, 'findKey').mockRejectedValueOnce(new Error('down'));
    const response = await agent.get('/keyscope/apps');
    expect(response.status).toBe(503);
    expect(response.text).toContain('The key store could not answer');
    findKey.mockRestore();
    await agent.get('/keyscope/apps').expect(200);
  });
});

describe('what a refused form says', () => {
  const post = (app: ReturnType<typeof createTestApp>, cookie?: string) => {
    const req = request(app).post('/keyscope/apps/app_a/keys').type('form');
    if (cookie !== undefined) req.set('Cookie', cookie);
    return req.send({ _csrf: 'A'.repeat(43), expires: 'never' });
  };

  it('is "not signed in" only when no session cookie came with it', async () => {
    const response = await post(createTestApp(fixture));
    expect(response.status).toBe(403);
    expect(response.text).toContain('<h1>Not signed in</h1>');
    expect(response.text).toContain('This form came without a session, so nothing was changed');
  });

  it('says the session is over for a cookie of no session, and that it expired when it did', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const app = createTestApp(fixture, { idleTimeout: 60_000 });
    const gone = await post(app, `keyscope_session=${'B'.repeat(43)}`);
    expect(gone.status).toBe(403);
    expect(gone.text).toContain(
      'Your session is over (you signed out, signed in with the same key too many times elsewhere, or the dashboard was restarted)',
    );
    const agent = await signIn(app, fixture.keys.account);
    const token = await tokenFor(agent, '/keyscope/apps/app_a', '/keyscope/apps/app_a/keys');
    vi.setSystemTime(new Date('2030-01-01T00:05:00Z'));
    const expired = await agent
      .post('/keyscope/apps/app_a/keys')
      .type('form')
      .send({ _csrf: token, expires: 'never' });
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('Your session expired (it was idle too long');
    expect(await fixture.store.listKeys({ entity: { type: 'app', id: 'app_a' } })).toHaveLength(1);
  });

  it('says a sign-in form came from another site, or is stale, as it is', async () => {
    const agent = request.agent(createTestApp(fixture));
    const crossSite = await postSignIn(agent, fixture.keys.account, {
      'Sec-Fetch-Site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain('This sign-in form was sent from another site');
    const stale = await agent
      .post('/keyscope/sign-in')
      .type('form')
      .send({ _csrf: 'x', keyId: fixture.keys.account.id, secret: fixture.keys.account.secret });
    expect(stale.status).toBe(403);
    expect(stale.text).toContain('The sign-in form expired or did not come from this dashboard');
  });

  it('keeps the frame on refusal pages while signed in, and shows none when signed out', async () => {
    const app = createTestApp(fixture);
    const agent = await signIn(app, fixture.keys.account);
    for (const [path, status] of [
      ['/keyscope/nope', 404],
      ['/keyscope/apps/app_c', 403],
      ['/keyscope/apps/app_a/keys/app_000000000000000000000000/revoke', 404],
    ] as const) {
      const page = await agent.get(path);
      expect(page.status).toBe(status);
      expectFrame(page.text, fixture.keys.account.id);
      expect(page.text).toMatch(
        /<p><a href="\/keyscope\/apps[^"]*">Back to the (apps|keys)<\/a><\/p>/,
      );
    }
    const signedOut = await request(app).get('/keyscope/nope').expect(404);
    expect(signedOut.text).not.toContain('Signed in with');
    expect(signedOut.text).toContain('href="/keyscope/sign-in"');
  });
});
