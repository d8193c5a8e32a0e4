/**
 * The bounded parts under the routes: the session map (timeouts, eviction past `maxSessions`,
 * ids kept only as digests), the sign-in limiter (window, bounded memory) and the cookie reader
 * (a cookie sent twice, or with characters a session id never has, is ignored).
 */
import { describe, expect, it } from 'vitest';
import { readCookie, serializeCookie } from '../src/internal/cookies.js';
import { createSignInLimiter } from '../src/internal/limiter.js';
import { createSessions } from '../src/internal/sessions.js';
import { digest, sameToken } from '../src/internal/tokens.js';

const data = { keyId: 'act_1', secretDigest: digest('demo') };

describe('sessions', () => {
  it('end on idle and absolute timeouts, and on destroy', () => {
    const sessions = createSessions({ idleTimeout: 10, absoluteTimeout: 25, maxSessions: 5 });
    const { id, session } = sessions.create(data, 0);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
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
    const sessions = createSessions({ idleTimeout: 50, absoluteTimeout: 1000, maxSessions: 3 });
    const ids = [0, 1, 2].map((t) => sessions.create(data, t).id);
    expect(sessions.size).toBe(3);
    sessions.create(data, 3);
    expect(sessions.size).toBe(3);
    expect(sessions.find(ids[0], 4)).toEqual({ ended: 'unknown' });
    expect(sessions.find(ids[1], 4).session).toBeDefined();
    sessions.create(data, 200);
    expect(sessions.size).toBe(1);
  });
});

describe('the sign-in limiter', () => {
  it('counts failures per address within the window', () => {
    const limiter = createSignInLimiter({ max: 2, window: 1000, maxEntries: 10 });
    limiter.fail('a', 0);
    expect(limiter.retryAfter('a', 10)).toBe(0);
    limiter.fail('a', 10);
    expect(limiter.retryAfter('a', 10)).toBe(1);
    expect(limiter.retryAfter('b', 10)).toBe(0);
    expect(limiter.retryAfter('a', 1000)).toBe(0);
    limiter.fail('a', 1000);
    limiter.fail('a', 1001);
    limiter.reset('a');
    expect(limiter.retryAfter('a', 1002)).toBe(0);
  });

  it('forgets the oldest addresses past maxEntries', () => {
    const limiter = createSignInLimiter({ max: 1, window: 1000, maxEntries: 2 });
    limiter.fail('a', 0);
    limiter.fail('b', 0);
    limiter.fail('c', 0);
    expect(limiter.retryAfter('a', 1)).toBe(0);
    expect(limiter.retryAfter('c', 1)).toBe(1);
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
