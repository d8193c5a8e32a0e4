/**
 * The key lifecycle rules (`rules/key-state.ts`): a key's state at an instant (a revocation or an
 * expiry takes effect at its very instant, revocation wins, `null` instants count as absent), when
 * a key stops working, how active keys of an app are counted, and the limit's error.
 */
import { describe, expect, it } from 'vitest';
import { KeyLimitError } from '../../src/index.js';
import {
  checkKeyLimit,
  countActiveKeys,
  DEFAULT_MAX_ACTIVE_KEYS_PER_APP,
  type KeyInstants,
  keyState,
} from '../../src/rules/index.js';
import { keyEnd, keyStateAt } from '../../src/rules/key-state.js';

const NOW = new Date('2030-06-01T00:00:00Z');
const T = NOW.getTime();
const at = (offset: number) => new Date(T + offset);

describe('keyState', () => {
  it.each<[string, KeyInstants, string]>([
    ['no instants', {}, 'active'],
    ['revocation scheduled after now', { revokedAt: at(1) }, 'active'],
    ['revoked at now', { revokedAt: at(0) }, 'revoked'],
    ['revoked before now', { revokedAt: at(-1) }, 'revoked'],
    ['expiring after now', { expiresAt: at(1) }, 'active'],
    ['expired at now', { expiresAt: at(0) }, 'expired'],
    ['expired and revoked', { expiresAt: at(-5), revokedAt: at(-1) }, 'revoked'],
    ['expired, revocation scheduled', { expiresAt: at(-1), revokedAt: at(1) }, 'expired'],
  ])('%s: %s', (_label, key, state) => {
    expect(keyState(key, NOW)).toBe(state);
    expect(keyStateAt(key, T)).toBe(state);
  });

  it('takes the current time by default', () => {
    expect(keyState({ expiresAt: new Date(Date.now() + 60_000) })).toBe('active');
    expect(keyState({ expiresAt: new Date(Date.now() - 60_000) })).toBe('expired');
  });

  it('counts null instants (a database driver) as absent', () => {
    const row = { expiresAt: null, revokedAt: null } as unknown as KeyInstants;
    expect(keyState(row, NOW)).toBe('active');
    expect(keyEnd(row)).toBeUndefined();
  });
});

describe('keyEnd', () => {
  it('is the earlier of expiry and revocation, or either, or none', () => {
    expect(keyEnd({})).toBeUndefined();
    expect(keyEnd({ expiresAt: at(5) })).toBe(T + 5);
    expect(keyEnd({ revokedAt: at(3) })).toBe(T + 3);
    expect(keyEnd({ expiresAt: at(5), revokedAt: at(3) })).toBe(T + 3);
    expect(keyEnd({ expiresAt: at(2), revokedAt: at(3) })).toBe(T + 2);
  });
});

describe('the active-key limit', () => {
  const app = (id: string, instants: KeyInstants = {}) => ({
    entity: { type: 'app' as const, id },
    ...instants,
  });

  it('counts the active keys of that app only', () => {
    const keys = [
      app('app_a'),
      app('app_a', { expiresAt: at(1) }),
      app('app_a', { revokedAt: at(1) }),
      app('app_a', { revokedAt: at(0) }),
      app('app_a', { expiresAt: at(-1) }),
      app('app_b'),
      { entity: { type: 'serviceAccount' as const, id: 'app_a' } },
      { entity: { type: 'userAccount' as const, id: 'app_a' } },
    ];
    expect(countActiveKeys(keys, 'app_a', NOW)).toBe(3);
    expect(countActiveKeys(keys, 'app_b', NOW)).toBe(1);
    expect(countActiveKeys(keys, 'app_c', NOW)).toBe(0);
    expect(countActiveKeys(new Set(keys), 'app_a', NOW)).toBe(3);
  });

  it('refuses the key past the limit with KeyLimitError', () => {
    expect(DEFAULT_MAX_ACTIVE_KEYS_PER_APP).toBe(10);
    expect(() => checkKeyLimit('app_a', 9, 10)).not.toThrow();
    let error: unknown;
    try {
      checkKeyLimit('app_a', 10, 10);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KeyLimitError);
    expect(error).toMatchObject({ code: 'ERR_KEY_LIMIT', appId: 'app_a', limit: 10 });
    expect(() => checkKeyLimit('app_a', 11, 10)).toThrow(KeyLimitError);
  });
});
