/**
 * Tests added for mutation testing (`pnpm mutation`) of `authorize.ts`: a resource id that is not
 * a string names nothing (even when a careless store lists that very value), and when the store
 * cannot say which apps an account reaches, the 503 keeps the store's own error as its cause.
 */
import { describe, expect, it } from 'vitest';
import {
  type AuthContext,
  authorize,
  type KeyStore,
  type Resource,
  StoreUnavailableError,
} from '../src/index.js';
import { expectAuthError, refused, rejection } from './support/fixtures.js';

const account: AuthContext = {
  method: 'basic',
  keyId: 'act_65f0c1d2e3f4a5b6c7d8e9f1',
  entity: { type: 'userAccount', id: 'acc_1' },
  scope: 'account',
  accountId: 'acc_1',
};
const app: AuthContext = {
  method: 'basic',
  keyId: 'app_65f0c1d2e3f4a5b6c7d8e9f0',
  entity: { type: 'app', id: 'app_a' },
  scope: 'app',
  appId: 'app_a',
};

describe('authorize: resource ids that are not strings', () => {
  const careless: KeyStore = {
    findKey: async () => undefined,
    appsFor: async () => [5, true, 'app_a'] as unknown as string[],
  };

  it.each([5, true, ['app_a'], { toString: () => 'app_a' }])(
    'appId %j is refused even if the store lists it',
    async (appId) => {
      const resource = { appId } as unknown as Resource;
      const error = await rejection(authorize(account, 'app', resource, { store: careless }));
      expectAuthError(error, refused.forbidden('resource_not_allowed', 'app', 'basic'));
      expectAuthError(
        await rejection(authorize(app, 'app', resource, { store: careless })),
        refused.forbidden('resource_not_allowed', 'app', 'basic'),
      );
    },
  );
});

describe('authorize: the store cannot answer', () => {
  it("the 503 keeps the store's error as its cause", async () => {
    const down = new Error('database is down');
    const store: KeyStore = {
      findKey: async () => undefined,
      appsFor: async () => {
        throw down;
      },
    };
    const error = await rejection(authorize(account, 'app', { appId: 'app_a' }, { store }));
    expectAuthError(error, refused.unavailable());
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).cause).toBe(down);
  });
});
