/**
 * What a key record grants and when two records are the same (`rules/records.ts`): the account a
 * key acts for, the scope it has on its own and the scopes its tokens may carry (contract section
 * 2), and record identity field by field.
 */
import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../src/index.js';
import { accountOf, keyScope, sameRecord, tokenScopes } from '../../src/rules/index.js';

describe('accountOf', () => {
  it('is the record’s account, or the user account itself', () => {
    expect(accountOf({ entity: { type: 'app', id: 'app_a' }, accountId: 'acc_1' })).toBe('acc_1');
    expect(accountOf({ entity: { type: 'serviceAccount', id: 'svc_1' }, accountId: 'acc_2' })).toBe(
      'acc_2',
    );
    expect(accountOf({ entity: { type: 'userAccount', id: 'acc_3' } })).toBe('acc_3');
    expect(accountOf({ entity: { type: 'userAccount', id: 'acc_3' }, accountId: 'acc_4' })).toBe(
      'acc_4',
    );
  });

  it('is undefined for an orphan app or service account', () => {
    expect(accountOf({ entity: { type: 'app', id: 'app_x' } })).toBeUndefined();
    expect(accountOf({ entity: { type: 'serviceAccount', id: 'svc_x' } })).toBeUndefined();
  });
});

describe('scopes a key grants', () => {
  it('on its own: app for an app key, account for the others', () => {
    expect(keyScope('app')).toBe('app');
    expect(keyScope('userAccount')).toBe('account');
    expect(keyScope('serviceAccount')).toBe('account');
  });

  it('in tokens: app and appUser for an app key, account for the others', () => {
    expect(tokenScopes('app')).toEqual(['app', 'appUser']);
    expect(tokenScopes('userAccount')).toEqual(['account']);
    expect(tokenScopes('serviceAccount')).toEqual(['account']);
    expect(Object.isFrozen(tokenScopes('app'))).toBe(true);
  });
});

describe('sameRecord', () => {
  const base: KeyRecord = {
    id: 'app_1',
    secret: 'demo-secret-not-for-production',
    entity: { type: 'app', id: 'app_a' },
    accountId: 'acc_1',
    displayName: 'CI',
    createdAt: new Date('2030-01-01T00:00:00Z'),
    expiresAt: new Date('2031-01-01T00:00:00Z'),
    revokedAt: undefined,
  };

  it('compares instants by time, not by object', () => {
    const copy: KeyRecord = {
      ...base,
      entity: { ...base.entity },
      createdAt: new Date(base.createdAt!.getTime()),
      expiresAt: new Date(base.expiresAt!.getTime()),
    };
    expect(sameRecord(base, copy)).toBe(true);
  });

  it.each<[string, Partial<KeyRecord>]>([
    ['id', { id: 'app_2' }],
    ['secret', { secret: 'demo-other-not-for-production' }],
    ['entity type', { entity: { type: 'serviceAccount', id: 'app_a' } }],
    ['entity id', { entity: { type: 'app', id: 'app_b' } }],
    ['account', { accountId: 'acc_2' }],
    ['display name', { displayName: 'CD' }],
    ['creation', { createdAt: new Date('2030-01-01T00:00:01Z') }],
    ['expiry', { expiresAt: undefined }],
    ['revocation', { revokedAt: new Date('2030-06-01T00:00:00Z') }],
  ])('tells records apart by %s', (_label, change) => {
    expect(sameRecord(base, { ...base, ...change })).toBe(false);
    expect(sameRecord({ ...base, ...change }, base)).toBe(false);
  });
});
