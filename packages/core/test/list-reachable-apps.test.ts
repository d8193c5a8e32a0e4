/**
 * `listReachableApps`: the apps a context may see (contract section 1), straight from the store,
 * and a 503 `StoreUnavailableError` (never a 500, never an empty list) when the store rejects or
 * answers something that is not a list of ids.
 */
import { describe, expect, it } from 'vitest';
import {
  type AuthContext,
  createAuthenticator,
  createMemoryStore,
  type KeyStore,
  listReachableApps,
  StoreUnavailableError,
} from '../src/index.js';
import {
  basic,
  bearer,
  expectAuthError,
  KEY,
  keysDocument,
  mint,
  refused,
  rejection,
  SECRET,
} from './support/fixtures.js';

const store = createMemoryStore(keysDocument());
const authenticator = createAuthenticator({ store });
const login = (keyId: string, secret: string) =>
  authenticator.authenticate({ authorization: basic(keyId, secret) });

describe('listReachableApps', () => {
  it.each([
    ['a user account: every app of its account', KEY.user, SECRET.user, ['app_a', 'app_b']],
    ['a service account: the apps it was granted', KEY.svc, SECRET.svc, ['app_a']],
    ['an app key: its own app', KEY.appB, SECRET.appB, ['app_b']],
  ])('%s', async (_l, keyId, secret, apps) => {
    expect(
      [...(await listReachableApps(authenticator, await login(keyId, secret)))].sort(),
    ).toEqual(apps);
  });

  it('an appUser token: its app', async () => {
    const auth = await authenticator.authenticate({
      authorization: bearer(await mint({ scope: 'appUser', userId: 'u1' })),
    });
    expect(await listReachableApps(authenticator, auth)).toEqual(['app_a']);
  });

  it('takes anything with a store (such as the options of an adapter)', async () => {
    expect(await listReachableApps({ store }, await login(KEY.appA, SECRET.appA))).toEqual([
      'app_a',
    ]);
  });

  const failing: Array<[string, KeyStore['appsFor']]> = [
    ['rejects', () => Promise.reject(new Error('connection refused'))],
    [
      'throws synchronously',
      () => {
        throw new Error('boom');
      },
    ],
    ['resolves undefined', async () => undefined as never],
    ['resolves a string', async () => 'app_a' as never],
    ['resolves a list with a number', async () => ['app_a', 7] as never],
  ];

  it.each(failing)(
    'a store that %s is a 503 keeping the key id and the cause',
    async (_l, appsFor) => {
      const auth = await login(KEY.user, SECRET.user);
      const broken = { store: { findKey: store.findKey, appsFor } };
      const error = await rejection(listReachableApps(broken, auth));
      expectAuthError(error, { ...refused.unavailable(), keyId: KEY.user });
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).method).toBe('basic');
      expect((error as StoreUnavailableError).cause).toBeInstanceOf(Error);
    },
  );

  it('asks the store for the context entity', async () => {
    const asked: unknown[] = [];
    const spy = {
      store: {
        ...store,
        appsFor: async (entity: AuthContext['entity']) => {
          asked.push(entity);
          return [];
        },
      },
    };
    await listReachableApps(spy, await login(KEY.svc, SECRET.svc));
    expect(asked).toEqual([{ type: 'serviceAccount', id: 'svc_1' }]);
  });
});
