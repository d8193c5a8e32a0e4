/**
 * The fixture keys document every adapter test runs against: two apps of `acc_1`, one app of
 * `acc_2`, a service account `svc_1` of `acc_1` granted only `app_a`, and one key of each kind
 * (app keys for `app_a` and `app_b`, a user-account key, a service-account key, a revoked key, an
 * expired key and a key whose revocation is scheduled in the future). Secrets are random bytes
 * drawn when the fixture is created, so no secret is ever committed.
 */
import { randomBytes } from 'node:crypto';
import { createMemoryStore, type KeysDocument, type MemoryKeyStore } from '@keyscope/core';

/** A key id and its secret, as a test client holds them. */
export interface TestKey {
  readonly id: string;
  readonly secret: string;
}

/** The keys of the fixture, by role. */
export interface FixtureKeys {
  /** App key of `app_a` (account `acc_1`). */
  readonly appA: TestKey;
  /** App key of `app_b` (account `acc_1`). */
  readonly appB: TestKey;
  /** User-account key of `acc_1`: reaches `app_a` and `app_b`, never `app_c`. */
  readonly account: TestKey;
  /** Service-account key of `svc_1` (account `acc_1`), granted `app_a` only. */
  readonly service: TestKey;
  /** App key of `app_a`, revoked an hour ago. */
  readonly revoked: TestKey;
  /** App key of `app_a`, expired an hour ago. */
  readonly expired: TestKey;
  /** App key of `app_a` whose revocation takes effect in an hour: still valid now. */
  readonly futureRevoked: TestKey;
}

/** A freshly drawn fixture: the keys document, its keys, and every secret in it. */
export interface Fixture {
  readonly keys: FixtureKeys;
  readonly document: KeysDocument;
  /** Every secret of the document, for leak checks. */
  readonly secrets: readonly string[];
  /** A new in-memory store over the document. */
  createStore(): MemoryKeyStore;
}

/** The entities of the fixture, by id. */
export const FIXTURE = {
  apps: { a: 'app_a', b: 'app_b', c: 'app_c' },
  accounts: { one: 'acc_1', two: 'acc_2' },
  serviceAccount: 'svc_1',
  users: { one: 'u_1', two: 'u_2' },
} as const;

/**
 * A random secret for a test key: 24 random bytes, base64url.
 *
 * @example
 * ```ts
 * const key = { id: 'app_test_x', secret: randomSecret() };
 * ```
 */
export function randomSecret(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Draws a new fixture: fresh random secrets, instants relative to `now`.
 *
 * @example
 * ```ts
 * const fixture = createFixture();
 * const authenticator = createAuthenticator({ store: fixture.createStore() });
 * const header = basic(fixture.keys.appA.id, fixture.keys.appA.secret);
 * ```
 */
export function createFixture(now: number = Date.now()): Fixture {
  const hour = 3_600_000;
  const at = (ms: number) => new Date(now + ms).toISOString();
  const key = (id: string): TestKey => ({ id, secret: randomSecret() });
  const keys: FixtureKeys = {
    appA: key('app_test_a'),
    appB: key('app_test_b'),
    account: key('act_test_1'),
    service: key('svc_test_1'),
    revoked: key('app_test_revoked'),
    expired: key('app_test_expired'),
    futureRevoked: key('app_test_future_revoked'),
  };
  const { apps, accounts, serviceAccount } = FIXTURE;
  const app = (id: string) => ({ type: 'app' as const, id });
  const document: KeysDocument = {
    version: 1,
    apps: [
      { id: apps.a, accountId: accounts.one },
      { id: apps.b, accountId: accounts.one },
      { id: apps.c, accountId: accounts.two },
    ],
    serviceAccounts: [{ id: serviceAccount, accountId: accounts.one, appIds: [apps.a] }],
    keys: [
      { ...keys.appA, entity: app(apps.a) },
      { ...keys.appB, entity: app(apps.b) },
      { ...keys.account, entity: { type: 'userAccount', id: accounts.one } },
      {
        ...keys.service,
        entity: { type: 'serviceAccount', id: serviceAccount },
        displayName: 'CI',
        expiresAt: at(24 * hour),
        revokedAt: null,
      },
      { ...keys.revoked, entity: app(apps.a), revokedAt: at(-hour) },
      { ...keys.expired, entity: app(apps.a), expiresAt: at(-hour) },
      { ...keys.futureRevoked, entity: app(apps.a), revokedAt: at(hour) },
    ],
  };
  return {
    keys,
    document,
    secrets: Object.values(keys).map((k) => k.secret),
    createStore: () => createMemoryStore(document, 'test-kit fixture'),
  };
}
