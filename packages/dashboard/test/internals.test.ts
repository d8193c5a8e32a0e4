/**
 * The bounded parts under the routes: the session map (timeouts, the per-key cap, eviction past
 * `maxSessions` that takes the signing-in key's own sessions first, ids kept only as digests) and
 * the cookie reader (a cookie sent twice, or with characters a session id never has, is ignored),
 * the one-time form tokens (bound to one action, spent once, a repeat sent where the first went,
 * bounded) and the one-time reveals (taken once, expiring, bounded).
 * The sign-in limiter is core's `createMemoryRateLimiter`, tested in core and through the routes.
 */
import { describe, expect, it } from 'vitest';
import { readCookie, serializeCookie } from '../src/internal/cookies.js';
import { createFormTokens, MAX_FORM_TOKENS } from '../src/internal/form-tokens.js';
import { createReveals, MAX_REVEALS, REVEAL_TTL, type Reveal } from '../src/internal/reveals.js';
import { createSessions } from '../src/internal/sessions.js';
import { digest, sameToken } from '../src/internal/tokens.js';

const data = { keyId: 'act_1', secretDigest: digest('demo') };
const other = (keyId: string) => ({ keyId, secretDigest: digest(keyId) });
const unbounded = { maxSessionsPerKey: 1000 };

describe('sessions', () => {
  it('end on idle and absolute timeouts, and on destroy', () => {
    const sessions = createSessions({
      idleTimeout: 10,
      absoluteTimeout: 25,
      maxSessions: 5,
      ...unbounded,
    });
    const { id, session } = sessions.create(data, 0);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.forms.issue('/x')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessions.find(id, 9).session).toBe(session);
    expect(sessions.find(id, 18).session).toBe(session);
    expect(sessions.find(id, 25)).toEqual({ ended: 'expired' });
    expect(sessions.find(id, 26)).toEqual({ ended: 'unknown' });
    const other = sessions.create(data, 100);
    sessions.destroy(other.id);
    expect(sessions.find(other.id, 100)).toEqual({ ended: 'unknown' });
    expect(sessions.find(undefined, 100)).toEqual({ ended: 'unknown' });
  });

  it('hold at most maxSessions, sweeping expired ones first, then the oldest', () => {
    const sessions = createSessions({
      idleTimeout: 50,
      absoluteTimeout: 1000,
      maxSessions: 3,
      ...unbounded,
    });
    const ids = [0, 1, 2].map((t) => sessions.create(data, t).id);
    expect(sessions.size).toBe(3);
    sessions.create(data, 3);
    expect(sessions.size).toBe(3);
    expect(sessions.find(ids[0], 4)).toEqual({ ended: 'unknown' });
    expect(sessions.find(ids[1], 4).session).toBeDefined();
    sessions.create(data, 200);
    expect(sessions.size).toBe(1);
  });

  it("hold at most maxSessionsPerKey per key, ending that key's oldest", () => {
    const sessions = createSessions({
      idleTimeout: 1000,
      absoluteTimeout: 1000,
      maxSessions: 100,
      maxSessionsPerKey: 2,
    });
    const mine = [0, 1, 2].map((t) => sessions.create(data, t).id);
    const theirs = sessions.create(other('act_2'), 3).id;
    expect(sessions.size).toBe(3);
    expect(sessions.find(mine[0], 4)).toEqual({ ended: 'unknown' });
    expect(sessions.find(mine[1], 4).session?.keyId).toBe('act_1');
    expect(sessions.find(mine[2], 4).session?.keyId).toBe('act_1');
    expect(sessions.find(theirs, 4).session?.keyId).toBe('act_2');
  });

  it("past maxSessions, take the signing-in key's own oldest first, never another key's", () => {
    const sessions = createSessions({
      idleTimeout: 10_000,
      absoluteTimeout: 10_000,
      maxSessions: 4,
      maxSessionsPerKey: 4,
    });
    const theirs = sessions.create(other('act_2'), 0).id;
    const mine = [];
    for (let t = 1; t <= 50; t++) mine.push(sessions.create(data, t).id);
    expect(sessions.size).toBe(4);
    expect(sessions.find(theirs, 51).session?.keyId).toBe('act_2');
    expect(mine.filter((id) => sessions.find(id, 51).session !== undefined)).toEqual(
      mine.slice(-3),
    );
  });

  it('past maxSessions, a key without a session takes one from the key holding the most', () => {
    const sessions = createSessions({
      idleTimeout: 10_000,
      absoluteTimeout: 10_000,
      maxSessions: 4,
      maxSessionsPerKey: 4,
    });
    const a = sessions.create(other('act_a'), 0).id;
    const b = [1, 2, 3].map((t) => sessions.create(other('act_b'), t).id);
    const c = sessions.create(other('act_c'), 4).id;
    expect(sessions.size).toBe(4);
    expect(sessions.find(a, 5).session?.keyId).toBe('act_a');
    expect(sessions.find(c, 5).session?.keyId).toBe('act_c');
    expect(b.map((id) => sessions.find(id, 5).session !== undefined)).toEqual([false, true, true]);
    const d = sessions.create(other('act_d'), 6).id;
    expect(b.map((id) => sessions.find(id, 7).session !== undefined)).toEqual([false, false, true]);
    // Every key holds one now: a tie goes to the key whose oldest session is the oldest.
    const e = sessions.create(other('act_e'), 8).id;
    expect(sessions.find(a, 9)).toEqual({ ended: 'unknown' });
    for (const id of [c, d, e]) expect(sessions.find(id, 9).session).toBeDefined();
  });
});

describe('one-time form tokens', () => {
  it('let a post through once, for the action they were issued for', async () => {
    const forms = createFormTokens();
    const token = forms.issue('/keyscope/apps/app%20a/keys');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(forms.use(token, '/keyscope/apps/app_b/keys')).toEqual({ kind: 'unknown' });
    // The browser may send the path encoded otherwise; a query is not part of the action.
    const first = forms.use(token, '/keyscope/apps/app a/keys?x=1');
    expect(first.kind).toBe('first');
    const repeat = forms.use(token, '/keyscope/apps/app%20a/keys');
    expect(repeat.kind).toBe('repeat');
    if (first.kind !== 'first' || repeat.kind !== 'repeat') return;
    first.settle('/keyscope/apps/app%20a/keys/k/secret/r');
    first.settle('/elsewhere');
    await expect(repeat.location).resolves.toBe('/keyscope/apps/app%20a/keys/k/secret/r');
  });

  it('refuse what they did not issue', () => {
    const forms = createFormTokens();
    const other = createFormTokens().issue('/a');
    for (const token of [undefined, '', ['x'], other, 'x'.repeat(200)]) {
      expect(forms.use(token, '/a')).toEqual({ kind: 'unknown' });
    }
  });

  it(`hold at most ${MAX_FORM_TOKENS} tokens, forgetting the oldest`, () => {
    const forms = createFormTokens();
    const first = forms.issue('/a');
    const second = forms.issue('/a');
    for (let i = 2; i < MAX_FORM_TOKENS + 1; i++) forms.issue('/a');
    expect(forms.use(first, '/a')).toEqual({ kind: 'unknown' });
    expect(forms.use(second, '/a').kind).toBe('first');
  });
});

describe('one-time reveals', () => {
  const reveal = (n: number): Reveal => ({
    kind: 'token',
    appId: 'app_a',
    token: { token: `t${n}`, keyId: 'k', userId: 'u', expiresAt: new Date(0), curl: '' },
  });

  it('are taken once, and not after their time', () => {
    const reveals = createReveals();
    const id = reveals.put(reveal(1), 0);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(reveals.take('nope', 1)).toBeUndefined();
    expect(reveals.take(id, 1)).toEqual(reveal(1));
    expect(reveals.take(id, 2)).toBeUndefined();
    const late = reveals.put(reveal(2), 0);
    expect(reveals.take(late, REVEAL_TTL)).toBeUndefined();
  });

  it(`hold at most ${MAX_REVEALS}, dropping the oldest`, () => {
    const reveals = createReveals();
    const ids = Array.from({ length: MAX_REVEALS + 1 }, (_, n) => reveals.put(reveal(n), n));
    expect(reveals.take(ids[0] as string, 100)).toBeUndefined();
    expect(reveals.take(ids[1] as string, 100)).toEqual(reveal(1));
  });
});

describe('cookies', () => {
  it('reads one cookie, ignoring one sent twice or malformed', () => {
    expect(readCookie('a=1; keyscope_session=abc_-1; b=2', 'keyscope_session')).toBe('abc_-1');
    expect(
      readCookie('keyscope_session=a; keyscope_session=b', 'keyscope_session'),
    ).toBeUndefined();
    expect(readCookie('keyscope_session=a%3Cb', 'keyscope_session')).toBeUndefined();
    expect(readCookie('junk; other=1', 'keyscope_session')).toBeUndefined();
    expect(readCookie(undefined, 'keyscope_session')).toBeUndefined();
  });

  it('writes HttpOnly, SameSite=Strict cookies', () => {
    expect(serializeCookie('n', 'v', { path: '/x', secure: true, maxAge: -5 })).toBe(
      'n=v; Path=/x; HttpOnly; SameSite=Strict; Max-Age=0; Secure',
    );
  });
});

describe('sameToken', () => {
  it('compares in constant time and refuses an empty or non-text value', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abd', 'abc')).toBe(false);
    expect(sameToken('', '')).toBe(false);
    expect(sameToken(['abc'], 'abc')).toBe(false);
  });
});
