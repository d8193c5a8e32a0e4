/**
 * Tests of authorization (contract section 3): every caller (appUser, app, and account through a
 * user account and a service account, each by Basic and by JWT) against every required scope and
 * every kind of resource, with the exact 403 answer (Bearer callers get the `insufficient_scope`
 * challenge naming the route's scope, Basic callers no challenge), and store failures as 503.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AuthContext,
  authorize,
  createAuthenticator,
  createMemoryStore,
  isScope,
  type KeyStore,
  type Resource,
  type Scope,
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

interface Caller {
  readonly name: string;
  readonly context: AuthContext;
  /** What the contract lets this caller reach: its scope, and the apps and users it may see. */
  readonly scope: Scope;
  readonly apps: readonly string[];
  readonly user?: string;
}

const callers: Caller[] = [];

beforeAll(async () => {
  const auth = (authorization: string) => authenticator.authenticate({ authorization });
  const jwt = async (claims: Record<string, unknown>, kid: string, secret: string) =>
    auth(bearer(await mint(claims, { kid, secret })));
  callers.push(
    {
      name: 'appUser (JWT, userId)',
      context: await jwt({ scope: 'appUser', userId: 'u1' }, KEY.appA, SECRET.appA),
      scope: 'appUser',
      apps: ['app_a'],
      user: 'u1',
    },
    {
      name: 'appUser (JWT, external_id)',
      context: await jwt({ scope: 'user', external_id: 'u1' }, KEY.appA, SECRET.appA),
      scope: 'appUser',
      apps: ['app_a'],
      user: 'u1',
    },
    {
      name: 'app (Basic)',
      context: await auth(basic(KEY.appA, SECRET.appA)),
      scope: 'app',
      apps: ['app_a'],
    },
    {
      name: 'app (JWT)',
      context: await jwt({ scope: 'app' }, KEY.appA, SECRET.appA),
      scope: 'app',
      apps: ['app_a'],
    },
    {
      name: 'account via user account (Basic)',
      context: await auth(basic(KEY.user, SECRET.user)),
      scope: 'account',
      apps: ['app_a', 'app_b'],
    },
    {
      name: 'account via user account (JWT)',
      context: await jwt({ scope: 'account' }, KEY.user, SECRET.user),
      scope: 'account',
      apps: ['app_a', 'app_b'],
    },
    {
      name: 'account via service account (Basic)',
      context: await auth(basic(KEY.svc, SECRET.svc)),
      scope: 'account',
      apps: ['app_a'],
    },
    {
      name: 'account via service account (JWT)',
      context: await jwt({ scope: 'account' }, KEY.svc, SECRET.svc),
      scope: 'account',
      apps: ['app_a'],
    },
  );
});

const resources: ReadonlyArray<readonly [string, Resource]> = [
  ['no resource', {}],
  ['own app', { appId: 'app_a' }],
  ['own app, own user', { appId: 'app_a', userId: 'u1' }],
  ['own app, other user', { appId: 'app_a', userId: 'u2' }],
  ['same-account app', { appId: 'app_b' }],
  ['same-account app, own user id', { appId: 'app_b', userId: 'u1' }],
  ['other-account app', { appId: 'app_c' }],
  ['other-account app, user', { appId: 'app_c', userId: 'u1' }],
  ['nonexistent app', { appId: 'app_zzz' }],
  ['nonexistent app, user', { appId: 'app_zzz', userId: 'u1' }],
  ['app id in another case', { appId: 'APP_A' }],
  ['empty app id', { appId: '' }],
  ['user without app', { userId: 'u1' }],
];

const SCOPES: readonly Scope[] = ['appUser', 'app', 'account'];
const RANK = { appUser: 0, app: 1, account: 2 } as const;

/** The contract, stated per caller: undefined when allowed, else the private reason. */
function expected(caller: Caller, required: Scope, resource: Resource) {
  if (RANK[caller.scope] < RANK[required]) return 'insufficient_scope';
  if (resource.appId === undefined) {
    // Only an account route may name no app, and a user always belongs to an app.
    return required === 'account' && resource.userId === undefined ? undefined : 'missing_resource';
  }
  if (!caller.apps.includes(resource.appId)) return 'resource_not_allowed';
  if (caller.user !== undefined) {
    if (resource.userId === undefined) return 'missing_resource';
    if (resource.userId !== caller.user) return 'resource_not_allowed';
  }
  return undefined;
}

describe('authorize: every caller x required scope x resource', () => {
  const rows = SCOPES.flatMap((required) =>
    resources.map(([label, resource]) => [required, label, resource] as const),
  );

  it.each(rows)('requires %s on %s', async (required, _label, resource) => {
    expect(callers).toHaveLength(8);
    for (const caller of callers) {
      const reason = expected(caller, required, resource);
      const outcome = await authorize(caller.context, required, resource, { store }).then(
        () => undefined,
        (error: unknown) => error,
      );
      if (reason === undefined) {
        expect(outcome, `${caller.name} should be allowed`).toBeUndefined();
      } else {
        expectAuthError(outcome, {
          ...refused.forbidden(reason, required, caller.context.method as 'basic' | 'jwt'),
          keyId: caller.context.keyId,
        });
      }
    }
  });

  it('the matrix allows and refuses something for every caller', () => {
    for (const caller of callers) {
      const outcomes = SCOPES.flatMap((s) => resources.map(([, r]) => expected(caller, s, r)));
      expect(outcomes).toContain(undefined);
      if (caller.scope !== 'account') expect(outcomes).toContain('insufficient_scope');
      expect(outcomes).toContain('resource_not_allowed');
    }
  });
});

describe('authorize: named cases of the contract', () => {
  const by = (name: string) => callers.find((c) => c.name === name) as Caller;
  const forbidden = async (
    caller: string,
    required: Scope,
    resource: Resource,
    reason: 'insufficient_scope' | 'resource_not_allowed' | 'missing_resource',
  ) => {
    const { context } = by(caller);
    const error = await rejection(authorize(context, required, resource, { store }));
    return expectAuthError(error, refused.forbidden(reason, required, context.method as 'jwt'));
  };

  it('Bearer callers get the insufficient_scope challenge naming the required scope', async () => {
    const error = await forbidden('app (JWT)', 'account', {}, 'insufficient_scope');
    expect(error.headers).toEqual({
      'WWW-Authenticate': 'Bearer realm="keyscope", error="insufficient_scope", scope="account"',
    });
  });

  it('Basic callers get no WWW-Authenticate on 403', async () => {
    const error = await forbidden('app (Basic)', 'account', {}, 'insufficient_scope');
    expect(error.headers).toEqual({});
  });

  it('an app caller is refused an account route even on its own app', async () => {
    await forbidden('app (JWT)', 'account', { appId: 'app_a' }, 'insufficient_scope');
  });

  it('an appUser caller is refused an app route even on its own app', async () => {
    await forbidden('appUser (JWT, userId)', 'app', { appId: 'app_a' }, 'insufficient_scope');
  });

  it('an app caller reaches every user of its app but never another app', async () => {
    const { context } = by('app (Basic)');
    await authorize(context, 'appUser', { appId: 'app_a', userId: 'anyone' }, { store });
    await forbidden(
      'app (Basic)',
      'appUser',
      { appId: 'app_b', userId: 'anyone' },
      'resource_not_allowed',
    );
  });

  it('a service account sees only its granted apps, not the rest of its account', async () => {
    const { context } = by('account via service account (Basic)');
    await authorize(context, 'app', { appId: 'app_a' }, { store });
    await forbidden(
      'account via service account (Basic)',
      'app',
      { appId: 'app_b' },
      'resource_not_allowed',
    );
  });

  it('a user account sees every app of its account and their users', async () => {
    const { context } = by('account via user account (JWT)');
    await authorize(context, 'app', { appId: 'app_b' }, { store });
    await authorize(context, 'appUser', { appId: 'app_b', userId: 'u9' }, { store });
    await forbidden(
      'account via user account (JWT)',
      'app',
      { appId: 'app_c' },
      'resource_not_allowed',
    );
  });

  it('a nonexistent app answers like a forbidden one', async () => {
    const a = await forbidden(
      'account via user account (JWT)',
      'app',
      { appId: 'app_zzz' },
      'resource_not_allowed',
    );
    const b = await forbidden(
      'account via user account (JWT)',
      'app',
      { appId: 'app_c' },
      'resource_not_allowed',
    );
    expect([a.status, a.code, a.headers, a.toBody()]).toEqual([
      b.status,
      b.code,
      b.headers,
      b.toBody(),
    ]);
  });

  it('a route requiring app or appUser without an app fails closed', async () => {
    await forbidden('account via user account (Basic)', 'app', {}, 'missing_resource');
    await forbidden('app (JWT)', 'appUser', { userId: 'u1' }, 'missing_resource');
  });

  it('an appUser caller needs the route to name its user', async () => {
    await forbidden('appUser (JWT, userId)', 'appUser', { appId: 'app_a' }, 'missing_resource');
  });

  it('null resource fields count as missing', async () => {
    const { context } = by('account via user account (Basic)');
    const resource = { appId: null, userId: null } as unknown as Resource;
    await authorize(context, 'account', resource, { store });
    const user = by('appUser (JWT, userId)').context;
    const error = await rejection(
      authorize(user, 'appUser', { appId: 'app_a', userId: null } as unknown as Resource, {
        store,
      }),
    );
    expectAuthError(error, refused.forbidden('missing_resource', 'appUser', 'jwt'));
  });

  it('a non-string app id is refused', async () => {
    const { context } = by('account via user account (Basic)');
    const error = await rejection(
      authorize(context, 'app', { appId: 1 } as unknown as Resource, { store }),
    );
    expectAuthError(error, refused.forbidden('resource_not_allowed', 'app', 'basic'));
  });

  it('a context with an unknown scope is refused', async () => {
    const context = { ...by('account via user account (JWT)').context, scope: 'admin' };
    const error = await rejection(
      authorize(context as unknown as AuthContext, 'appUser', { appId: 'app_a' }, { store }),
    );
    expectAuthError(error, refused.forbidden('insufficient_scope', 'appUser', 'jwt'));
  });

  it('an unknown required scope is a programming error, not a 403', async () => {
    const { context } = by('app (JWT)');
    await expect(authorize(context, 'admin' as Scope, {}, { store })).rejects.toThrow(TypeError);
  });

  it('uses the realm of the options', async () => {
    const { context } = by('app (JWT)');
    const error = await rejection(authorize(context, 'account', {}, { store, realm: 'api' }));
    expect((error as { headers: unknown }).headers).toEqual({
      'WWW-Authenticate': 'Bearer realm="api", error="insufficient_scope", scope="account"',
    });
  });

  it('asks the store only for account callers', async () => {
    const appsFor = vi.fn(store.appsFor);
    const spyStore: KeyStore = { findKey: store.findKey, appsFor };
    await authorize(by('app (JWT)').context, 'app', { appId: 'app_a' }, { store: spyStore });
    expect(appsFor).not.toHaveBeenCalled();
    const account = by('account via service account (JWT)').context;
    await authorize(account, 'app', { appId: 'app_a' }, { store: spyStore });
    expect(appsFor).toHaveBeenCalledWith({ type: 'serviceAccount', id: 'svc_1' });
  });
});

describe('authorize: the store cannot answer (503, never a pass)', () => {
  const account = () => callers.find((c) => c.scope === 'account' && c.context.method === 'jwt');

  it.each([
    ['appsFor rejects', () => Promise.reject(new Error('db down'))],
    [
      'appsFor throws synchronously',
      () => {
        throw new Error('db down');
      },
    ],
    ['appsFor resolves a non-array', () => Promise.resolve('app_a')],
    ['appsFor resolves undefined', () => Promise.resolve(undefined)],
  ])('%s', async (_l, appsFor) => {
    const broken = { findKey: store.findKey, appsFor } as unknown as KeyStore;
    const { context } = account() as Caller;
    const error = await rejection(authorize(context, 'app', { appId: 'app_a' }, { store: broken }));
    const e = expectAuthError(error, refused.unavailable());
    expect(e.headers).toEqual({});
    expect(e.cause).toBeInstanceOf(Error);
    expect(e.keyId).toBe(context.keyId);
  });

  it('through the authenticator too, with the onRejected hook told', async () => {
    const onRejected = vi.fn();
    const broken: KeyStore = {
      findKey: store.findKey,
      appsFor: () => Promise.reject(new Error('db down')),
    };
    const auth = createAuthenticator({ store: broken, onRejected });
    const context = await auth.authenticate({ authorization: basic(KEY.user, SECRET.user) });
    const error = await rejection(auth.authorize(context, 'app', { appId: 'app_a' }));
    expectAuthError(error, refused.unavailable());
    expect(onRejected).toHaveBeenCalledWith(
      { reason: 'store_unavailable', status: 503, method: 'basic', keyId: KEY.user },
      {},
    );
  });
});

describe('isScope', () => {
  it.each(['appUser', 'app', 'account'])('%s is a scope', (value) => {
    expect(isScope(value)).toBe(true);
  });
  it.each(['user', 'App', '', undefined, null, 1, {}])('%s is not a scope', (value) => {
    expect(isScope(value)).toBe(false);
  });
});
