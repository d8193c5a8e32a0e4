/**
 * THE case table: every request an adapter must answer exactly as the contract says (sections 2
 * to 5). It crosses each credential kind (none, Basic app / account / service-account key, JWT
 * app / appUser / user / account / service account) with each route kind, then adds each failure
 * of the contract's response table: header grammar, duplicates, oversize values, unknown, wrong,
 * revoked and expired keys, bad and expired tokens, claims a key cannot grant, wrong app, wrong
 * user, non-granted and nonexistent apps, and a failing store. Credentials are built from the
 * fixture's keys when a case runs, so every secret and token is minted at test time.
 */
import type { AuthErrorCode } from '@keyscope/core';
import { expect } from 'vitest';
import { basic, bearer, rawToken, type TokenClaims, token } from './credentials.js';
import type { FixtureKeys, TestKey } from './fixture.js';
import { randomSecret } from './fixture.js';
import type { StoreFault } from './test-store.js';

/** Request headers of a case; an array sends several header lines of the same name. */
export type CaseHeaders = Readonly<Record<string, string | readonly string[]>>;

/** What the answer to a case must be. */
export interface CaseExpectation {
  readonly status: number;
  /** `errors[0].code` of the body (required for every refusal). */
  readonly code?: AuthErrorCode;
  /** `errors[0].title` of the body, exactly (core's title for the refusal). */
  readonly title?: string;
  /** The exact `WWW-Authenticate` value; `undefined` means the header must be absent. */
  readonly wwwAuthenticate?: string | undefined;
  /** Further checks of the parsed JSON body (exact 200/201 bodies). */
  readonly bodyCheck?: (body: unknown, keys: FixtureKeys) => void;
}

/** One request of the table and the answer it must get. */
export interface Case {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Built when the case runs, from the fixture's freshly drawn keys. */
  readonly headers: (keys: FixtureKeys) => CaseHeaders | Promise<CaseHeaders>;
  /** JSON body to send. */
  readonly body?: unknown;
  /** Make the store fail this way for this case. */
  readonly storeFault?: StoreFault;
  /** The protected handler runs although the answer is an error (it is the one that fails). */
  readonly handlerRuns?: boolean;
  readonly expect: CaseExpectation;
}

/** The realm every table server uses: the default one. */
export const REALM = 'keyscope';

/** The exact `WWW-Authenticate` values of the contract for the default realm. */
export const CHALLENGES = {
  /** No credentials, another scheme, or rejected Basic credentials. */
  both: `Basic realm="${REALM}", charset="UTF-8", Bearer realm="${REALM}"`,
  /** A rejected Bearer token. */
  invalidToken: `Basic realm="${REALM}", charset="UTF-8", Bearer realm="${REALM}", error="invalid_token"`,
  /** A field that breaks the header grammar. */
  invalidRequest: `Bearer realm="${REALM}", error="invalid_request"`,
  /** A Bearer caller below the route's scope or outside its resource. */
  insufficientScope: (scope: 'appUser' | 'app' | 'account') =>
    `Bearer realm="${REALM}", error="insufficient_scope", scope="${scope}"`,
} as const;

type Authorization = (
  keys: FixtureKeys,
) => string | readonly string[] | Promise<string | readonly string[]>;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const jwt =
  (key: (k: FixtureKeys) => TestKey, claims: TokenClaims, header = {}) =>
  async (keys: FixtureKeys): Promise<string> =>
    bearer(await token(key(keys), claims, header));

/** The credential kinds of the table, each a valid credential of the fixture. */
export const CREDENTIALS = {
  basicApp: (k: FixtureKeys) => basic(k.appA.id, k.appA.secret),
  basicAccount: (k: FixtureKeys) => basic(k.account.id, k.account.secret),
  basicService: (k: FixtureKeys) => basic(k.service.id, k.service.secret),
  jwtApp: jwt((k) => k.appA, { scope: 'app' }),
  jwtAppUser: jwt((k) => k.appA, { scope: 'appUser', userId: 'u_1' }),
  jwtUser: jwt((k) => k.appA, { scope: 'user', external_id: 'u_1' }),
  jwtAccount: jwt((k) => k.account, { scope: 'account' }),
  jwtService: jwt((k) => k.service, { scope: 'account' }),
} satisfies Record<string, Authorization>;

/** A credential kind of {@link CREDENTIALS}. */
export type CredentialKind = keyof typeof CREDENTIALS;

const headersOf =
  (authorization?: Authorization) =>
  async (keys: FixtureKeys): Promise<CaseHeaders> =>
    authorization === undefined ? {} : { Authorization: await authorization(keys) };

const MESSAGE = { text: 'hello from the case table' };

const exactly =
  (expected: (keys: FixtureKeys) => unknown) =>
  (body: unknown, keys: FixtureKeys): void => {
    expect(body).toStrictEqual(expected(keys));
  };

/** The routes of the table and the resource each one names, with its required scope. */
const ROUTES = {
  whoami: { method: 'GET', path: '/v2/whoami', scope: undefined },
  apps: { method: 'GET', path: '/v2/apps', scope: 'account' },
  app: { method: 'GET', path: '/v2/apps/app_a', scope: 'app' },
  user: { method: 'GET', path: '/v2/apps/app_a/users/u_1', scope: 'appUser' },
  messages: { method: 'POST', path: '/v2/apps/app_a/users/u_1/messages', scope: 'appUser' },
} as const;
type RouteKind = keyof typeof ROUTES;

/** The whoami body of the app key of `app_a`, at app scope or (with a user) appUser scope. */
const appKeyCaller =
  (method: 'basic' | 'jwt', userId?: string) =>
  (k: FixtureKeys): unknown => ({
    method,
    keyId: k.appA.id,
    entity: { type: 'app', id: 'app_a' },
    scope: userId === undefined ? 'app' : 'appUser',
    appId: 'app_a',
    ...(userId === undefined ? {} : { userId }),
  });
/** The whoami body of an account-scope key of `acc_1`: its user account or its service account. */
const accountCaller =
  (method: 'basic' | 'jwt', holder: 'account' | 'service') =>
  (k: FixtureKeys): unknown => ({
    method,
    keyId: k[holder].id,
    entity:
      holder === 'account'
        ? { type: 'userAccount', id: 'acc_1' }
        : { type: 'serviceAccount', id: 'svc_1' },
    scope: 'account',
    accountId: 'acc_1',
  });

/** The exact whoami body of each credential kind (contract section 5). */
const WHOAMI: Record<CredentialKind, (k: FixtureKeys) => unknown> = {
  basicApp: appKeyCaller('basic'),
  basicAccount: accountCaller('basic', 'account'),
  basicService: accountCaller('basic', 'service'),
  jwtApp: appKeyCaller('jwt'),
  jwtAppUser: appKeyCaller('jwt', 'u_1'),
  jwtUser: appKeyCaller('jwt', 'u_1'),
  jwtAccount: accountCaller('jwt', 'account'),
  jwtService: accountCaller('jwt', 'service'),
};

/** The apps each account-scope kind may see (contract section 1). */
const APPS: Partial<Record<CredentialKind, readonly string[]>> = {
  basicAccount: ['app_a', 'app_b'],
  jwtAccount: ['app_a', 'app_b'],
  basicService: ['app_a'],
  jwtService: ['app_a'],
};

const RANK = { appUser: 0, app: 1, account: 2 } as const;
const SCOPE_OF: Record<CredentialKind, 'appUser' | 'app' | 'account'> = {
  basicApp: 'app',
  basicAccount: 'account',
  basicService: 'account',
  jwtApp: 'app',
  jwtAppUser: 'appUser',
  jwtUser: 'appUser',
  jwtAccount: 'account',
  jwtService: 'account',
};

/** The titles of core's refusals, by what they answer. */
export const TITLES = {
  /** No credentials, or a scheme other than Basic and Bearer. */
  required: 'Authentication required',
  /** Credentials or a token that do not authenticate. */
  invalid: 'Invalid credentials',
  malformed: 'Malformed Authorization header',
  forbidden: 'Insufficient scope for this resource',
  unavailable: 'Authentication service unavailable',
} as const;

/** A refusal expectation: status, code, title and the exact challenge. */
const refused = (status: number, code: AuthErrorCode, title: string, wwwAuthenticate?: string) => ({
  status,
  code,
  title,
  wwwAuthenticate,
});
const required = refused(401, 'unauthorized', TITLES.required, CHALLENGES.both);
const unauthorized = refused(401, 'unauthorized', TITLES.invalid, CHALLENGES.both);
const invalidToken = refused(401, 'unauthorized', TITLES.invalid, CHALLENGES.invalidToken);
const badRequest = refused(400, 'bad_request', TITLES.malformed, CHALLENGES.invalidRequest);
const forbidden = (kind: CredentialKind, scope: 'appUser' | 'app' | 'account') =>
  refused(
    403,
    'forbidden',
    TITLES.forbidden,
    kind.startsWith('jwt') ? CHALLENGES.insufficientScope(scope) : undefined,
  );
const unavailable = refused(503, 'service_unavailable', TITLES.unavailable);

function successBody(route: RouteKind, kind: CredentialKind): CaseExpectation['bodyCheck'] {
  switch (route) {
    case 'whoami':
      return exactly(WHOAMI[kind]);
    case 'apps':
      return exactly(() => ({ apps: (APPS[kind] ?? []).map((id) => ({ id })) }));
    case 'app':
      return exactly(() => ({ app: { id: 'app_a' } }));
    case 'user':
      return exactly(() => ({ user: { id: 'u_1', appId: 'app_a' } }));
    case 'messages':
      return exactly(() => ({ received: MESSAGE }));
  }
}

/** Each credential kind (and none) on each route kind. */
function matrix(): Case[] {
  const cases: Case[] = [];
  for (const [route, { method, path, scope }] of Object.entries(ROUTES) as [
    RouteKind,
    (typeof ROUTES)[RouteKind],
  ][]) {
    const body = method === 'POST' ? MESSAGE : undefined;
    cases.push({
      name: `no credentials -> ${method} ${path}: 401`,
      method,
      path,
      headers: headersOf(),
      body,
      expect: required,
    });
    for (const kind of Object.keys(CREDENTIALS) as CredentialKind[]) {
      const allowed = scope === undefined || RANK[SCOPE_OF[kind]] >= RANK[scope];
      const status = method === 'POST' ? 201 : 200;
      cases.push({
        name: `${kind} -> ${method} ${path}: ${allowed ? status : 403}`,
        method,
        path,
        headers: headersOf(CREDENTIALS[kind]),
        body,
        expect: allowed
          ? { status, bodyCheck: successBody(route, kind) }
          : forbidden(kind, scope ?? 'app'),
      });
    }
  }
  return cases;
}

type Row = [
  name: string,
  method: 'GET' | 'POST',
  path: string,
  authorization: Authorization | undefined,
  expect: CaseExpectation,
];

const rows = (list: readonly Row[]): Case[] =>
  list.map(([name, method, path, authorization, expectation]) => ({
    name,
    method,
    path,
    headers: headersOf(authorization),
    ...(method === 'POST' ? { body: MESSAGE } : {}),
    expect: expectation,
  }));

const stranger: TestKey = { id: 'app_test_unknown', secret: randomSecret() };
const C = CREDENTIALS;
const APP_A = '/v2/apps/app_a';

/** Authenticated callers outside their resource (contract section 3). */
function resources(): Case[] {
  // biome-ignore format: one row per case
  return rows([
    ['wrong app: basicApp -> GET /v2/apps/app_b: 403', 'GET', '/v2/apps/app_b', C.basicApp, forbidden('basicApp', 'app')],
    ['wrong app: jwtApp -> GET /v2/apps/app_b: 403', 'GET', '/v2/apps/app_b', C.jwtApp, forbidden('jwtApp', 'app')],
    ['wrong app: basicApp -> GET /v2/apps/app_b/users/u_1: 403', 'GET', '/v2/apps/app_b/users/u_1', C.basicApp, forbidden('basicApp', 'appUser')],
    ['wrong app: jwtAppUser -> GET /v2/apps/app_b/users/u_1: 403', 'GET', '/v2/apps/app_b/users/u_1', C.jwtAppUser, forbidden('jwtAppUser', 'appUser')],
    ['wrong user: jwtAppUser -> GET /v2/apps/app_a/users/u_2: 403', 'GET', `${APP_A}/users/u_2`, C.jwtAppUser, forbidden('jwtAppUser', 'appUser')],
    ['wrong user: jwtUser -> GET /v2/apps/app_a/users/u_2: 403', 'GET', `${APP_A}/users/u_2`, C.jwtUser, forbidden('jwtUser', 'appUser')],
    ['wrong user: jwtAppUser -> POST /v2/apps/app_a/users/u_2/messages: 403', 'POST', `${APP_A}/users/u_2/messages`, C.jwtAppUser, forbidden('jwtAppUser', 'appUser')],
    ['ids are case-sensitive: jwtAppUser -> GET /v2/apps/app_a/users/U_1: 403', 'GET', `${APP_A}/users/U_1`, C.jwtAppUser, forbidden('jwtAppUser', 'appUser')],
    ['ids are case-sensitive: basicApp -> GET /v2/apps/APP_A: 403', 'GET', '/v2/apps/APP_A', C.basicApp, forbidden('basicApp', 'app')],
    ['service account, app not granted: basicService -> GET /v2/apps/app_b: 403', 'GET', '/v2/apps/app_b', C.basicService, forbidden('basicService', 'app')],
    ['service account, app not granted: jwtService -> GET /v2/apps/app_b/users/u_1: 403', 'GET', '/v2/apps/app_b/users/u_1', C.jwtService, forbidden('jwtService', 'appUser')],
    ['another account\'s app: basicAccount -> GET /v2/apps/app_c: 403', 'GET', '/v2/apps/app_c', C.basicAccount, forbidden('basicAccount', 'app')],
    ['another account\'s app: jwtAccount -> GET /v2/apps/app_c: 403', 'GET', '/v2/apps/app_c', C.jwtAccount, forbidden('jwtAccount', 'app')],
    ['nonexistent app: basicAccount -> GET /v2/apps/app_nope: 403', 'GET', '/v2/apps/app_nope', C.basicAccount, forbidden('basicAccount', 'app')],
    ['nonexistent app: jwtApp -> GET /v2/apps/app_nope/users/u_1: 403', 'GET', '/v2/apps/app_nope/users/u_1', C.jwtApp, forbidden('jwtApp', 'appUser')],
  ]);
}

/** What each credential kind reaches (contract sections 1 and 3): apps, and one user for appUser. */
const REACH: Record<CredentialKind, { readonly apps: readonly string[]; readonly user?: string }> =
  {
    basicApp: { apps: ['app_a'] },
    jwtApp: { apps: ['app_a'] },
    jwtAppUser: { apps: ['app_a'], user: 'u_1' },
    jwtUser: { apps: ['app_a'], user: 'u_1' },
    basicAccount: { apps: ['app_a', 'app_b'] },
    jwtAccount: { apps: ['app_a', 'app_b'] },
    basicService: { apps: ['app_a'] },
    jwtService: { apps: ['app_a'] },
  };

/** Resources beside `app_a` and its user `u_1`: other apps and users, ids in another letter case. */
const OTHER_RESOURCES: readonly [RouteKind, string, string | undefined][] = [
  ['app', 'app_b', undefined],
  ['app', 'app_c', undefined],
  ['app', 'app_nope', undefined],
  ['app', 'APP_A', undefined],
  ['user', 'app_a', 'u_2'],
  ['user', 'app_a', 'U_1'],
  ['user', 'app_b', 'u_1'],
  ['user', 'app_c', 'u_1'],
  ['user', 'app_nope', 'u_1'],
  ['messages', 'app_a', 'u_2'],
  ['messages', 'app_b', 'u_1'],
];

/**
 * Each credential kind on each of {@link OTHER_RESOURCES}, its answer worked out from the contract:
 * allowed when the kind's scope covers the route's and it reaches the app (and, at appUser scope,
 * the user). Requests already in {@link resources} are left out.
 */
function reach(labelled: readonly Case[]): Case[] {
  const cases: Case[] = [];
  for (const [route, appId, userId] of OTHER_RESOURCES) {
    const { method, scope } = ROUTES[route] as { method: 'GET' | 'POST'; scope: 'app' | 'appUser' };
    const path =
      route === 'app'
        ? `/v2/apps/${appId}`
        : `/v2/apps/${appId}/users/${userId}${route === 'messages' ? '/messages' : ''}`;
    for (const kind of Object.keys(CREDENTIALS) as CredentialKind[]) {
      const { apps, user } = REACH[kind];
      const allowed =
        RANK[SCOPE_OF[kind]] >= RANK[scope] &&
        apps.includes(appId) &&
        (user === undefined || user === userId);
      const status = allowed ? (method === 'POST' ? 201 : 200) : 403;
      const request = `${kind} -> ${method} ${path}: ${status}`;
      if (labelled.some((c) => c.name.endsWith(`: ${request}`))) continue;
      const body =
        route === 'app'
          ? { app: { id: appId } }
          : route === 'user'
            ? { user: { id: userId, appId } }
            : { received: MESSAGE };
      cases.push({
        name: `reach: ${request}`,
        method,
        path,
        headers: headersOf(CREDENTIALS[kind]),
        ...(method === 'POST' ? { body: MESSAGE } : {}),
        expect: allowed ? { status, bodyCheck: exactly(() => body) } : forbidden(kind, scope),
      });
    }
  }
  return cases;
}

const oversize = 'x'.repeat(8193 - 'Bearer '.length);
const longest = 'x'.repeat(8192 - 'Bearer '.length);
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** The `Authorization` field itself: schemes, grammar, duplicates, length (contract section 4). */
function grammar(): Case[] {
  const dup = (a: Authorization, b: Authorization): Authorization => {
    return async (k: FixtureKeys) => [(await a(k)) as string, (await b(k)) as string];
  };
  // biome-ignore format: one row per case
  return rows([
    ['other scheme (Digest): 401 with both challenges', 'GET', APP_A, () => 'Digest username="app_test_a"', required],
    ['other scheme (Token): 401 with both challenges', 'GET', '/v2/whoami', () => 'Token abcdefghijklmnop', required],
    ['malformed: "Basic" with no credentials: 400', 'GET', APP_A, () => 'Basic', badRequest],
    ['malformed: "Bearer" with no token: 400', 'GET', '/v2/whoami', () => 'Bearer', badRequest],
    ['malformed: empty Authorization value: 400', 'GET', APP_A, () => '', badRequest],
    ['malformed: two tokens after Bearer: 400', 'GET', APP_A, () => 'Bearer abc.def.ghi jkl', badRequest],
    ['malformed: comma in Basic credentials: 400', 'GET', APP_A, () => 'Basic YWJj,ZGVm', badRequest],
    ['malformed: Basic credentials that are not base64: 401', 'GET', APP_A, () => 'Basic ~~not-base64~~', unauthorized],
    ['malformed: Basic credentials without a colon: 401', 'GET', APP_A, () => `Basic ${b64('app_test_a-no-colon')}`, unauthorized],
    ['duplicate Authorization headers (two Basic): 400', 'GET', APP_A, dup(C.basicApp, C.basicApp), badRequest],
    ['duplicate Authorization headers (Bearer and Basic): 400', 'GET', '/v2/whoami', dup(C.jwtApp, C.basicApp), badRequest],
    ['duplicate Authorization headers (two Bearer): 400', 'POST', `${APP_A}/users/u_1/messages`, dup(C.jwtAppUser, C.jwtAppUser), badRequest],
    ['oversize Authorization (8193 characters): 400', 'GET', APP_A, () => `Bearer ${oversize}`, badRequest],
    ['Authorization of exactly 8192 characters is parsed: 401 invalid_token', 'GET', APP_A, () => `Bearer ${longest}`, invalidToken],
    ['scheme is case-insensitive: "basic": 200', 'GET', APP_A, (k) => C.basicApp(k).replace('Basic', 'basic'), { status: 200 }],
    ['scheme is case-insensitive: "BEARER": 200', 'GET', APP_A, async (k) => (await C.jwtApp(k)).replace('Bearer', 'BEARER'), { status: 200 }],
    ['several spaces after the scheme: 200', 'GET', APP_A, (k) => C.basicApp(k).replace(' ', '   '), { status: 200 }],
  ]);
}

/** Keys that do not authenticate, over Basic and JWT. */
function keys(): Case[] {
  // biome-ignore format: one row per case
  return rows([
    ['unknown key (Basic): 401', 'GET', APP_A, () => basic(stranger.id, stranger.secret), unauthorized],
    ['unknown key (JWT kid): 401 invalid_token', 'GET', APP_A, jwt(() => stranger, { scope: 'app' }), invalidToken],
    ['wrong secret (Basic): 401', 'GET', APP_A, (k) => basic(k.appA.id, `${k.appA.secret}x`), unauthorized],
    ['wrong secret (Basic, another key\'s secret): 401', 'GET', APP_A, (k) => basic(k.appA.id, k.appB.secret), unauthorized],
    ['revoked key (Basic): 401', 'GET', APP_A, (k) => basic(k.revoked.id, k.revoked.secret), unauthorized],
    ['revoked key (JWT): 401 invalid_token', 'GET', APP_A, jwt((k) => k.revoked, { scope: 'app' }), invalidToken],
    ['expired key (Basic): 401', 'GET', '/v2/whoami', (k) => basic(k.expired.id, k.expired.secret), unauthorized],
    ['expired key (JWT): 401 invalid_token', 'GET', APP_A, jwt((k) => k.expired, { scope: 'app' }), invalidToken],
    ['key revoked in the future still works (Basic): 200', 'GET', APP_A, (k) => basic(k.futureRevoked.id, k.futureRevoked.secret), { status: 200 }],
    ['key revoked in the future still works (JWT): 200', 'GET', APP_A, jwt((k) => k.futureRevoked, { scope: 'app' }), { status: 200 }],
  ]);
}

/** Tokens that do not authenticate (contract section 2). */
function tokens(): Case[] {
  const tampered: Authorization = async (k) => {
    const [header, , signature] = (await token(k.appA, { scope: 'appUser', userId: 'u_1' })).split(
      '.',
    );
    const [, payload] = (await token(k.appA, { scope: 'appUser', userId: 'u_2' })).split('.');
    return bearer(`${header}.${payload}.${signature}`);
  };
  const raw =
    (
      header: (k: FixtureKeys) => Record<string, unknown>,
      claims: Record<string, unknown>,
      sign = true,
    ): Authorization =>
    (k) => {
      const now = nowSeconds();
      return bearer(
        rawToken(
          header(k),
          { iat: now, exp: now + 300, ...claims },
          sign ? { key: k.appA } : { signature: '' },
        ),
      );
    };
  // biome-ignore format: one row per case
  return rows([
    ['bad signature (signed with another secret): 401 invalid_token', 'GET', APP_A, jwt((k) => ({ id: k.appA.id, secret: randomSecret() }), { scope: 'app' }), invalidToken],
    ['bad signature (payload swapped under a valid signature): 401 invalid_token', 'GET', `${APP_A}/users/u_2`, tampered, invalidToken],
    ['expired token: 401 invalid_token', 'GET', APP_A, jwt((k) => k.appA, { scope: 'app', iat: nowSeconds() - 600, exp: nowSeconds() - 120 }), invalidToken],
    ['token not valid yet (nbf in the future): 401 invalid_token', 'GET', APP_A, jwt((k) => k.appA, { scope: 'app', nbf: nowSeconds() + 600 }), invalidToken],
    ['token issued in the future (iat): 401 invalid_token', 'GET', APP_A, jwt((k) => k.appA, { scope: 'app', iat: nowSeconds() + 600 }), invalidToken],
    ['alg none: 401 invalid_token', 'GET', APP_A, raw((k) => ({ alg: 'none', typ: 'JWT', kid: k.appA.id }), { scope: 'app' }, false), invalidToken],
    ['alg HS512 without opting in: 401 invalid_token', 'GET', APP_A, jwt((k) => k.appA, { scope: 'app' }, { alg: 'HS512' }), invalidToken],
    ['crit header: 401 invalid_token', 'GET', APP_A, raw((k) => ({ alg: 'HS256', kid: k.appA.id, crit: ['exp'] }), { scope: 'app' }), invalidToken],
    ['jwk header (key taken from the token): 401 invalid_token', 'GET', APP_A, raw((k) => ({ alg: 'HS256', kid: k.appA.id, jwk: { kty: 'oct', k: 'c2VjcmV0' } }), { scope: 'app' }), invalidToken],
    ['no kid: 401 invalid_token', 'GET', APP_A, jwt((k) => k.appA, { scope: 'app' }, { kid: undefined }), invalidToken],
    ['not a JWS (two segments): 401 invalid_token', 'GET', APP_A, () => 'Bearer eyJhbGciOiJIUzI1NiJ9.e30', invalidToken],
    ['scope not grantable: app key signs "account": 401 invalid_token', 'GET', '/v2/apps', jwt((k) => k.appA, { scope: 'account' }), invalidToken],
    ['scope not grantable: account key signs "app": 401 invalid_token', 'GET', APP_A, jwt((k) => k.account, { scope: 'app' }), invalidToken],
    ['scope not grantable: service-account key signs "appUser": 401 invalid_token', 'GET', `${APP_A}/users/u_1`, jwt((k) => k.service, { scope: 'appUser', userId: 'u_1' }), invalidToken],
    ['scope not grantable: appUser without userId: 401 invalid_token', 'GET', `${APP_A}/users/u_1`, jwt((k) => k.appA, { scope: 'appUser' }), invalidToken],
    ['scope not grantable: user without external_id: 401 invalid_token', 'GET', `${APP_A}/users/u_1`, jwt((k) => k.appA, { scope: 'user', userId: 'u_1' }), invalidToken],
    ['scope not grantable: empty userId: 401 invalid_token', 'GET', `${APP_A}/users/u_1`, jwt((k) => k.appA, { scope: 'appUser', userId: '' }), invalidToken],
    ['scope not grantable: no scope claim: 401 invalid_token', 'GET', '/v2/whoami', jwt((k) => k.appA, {}), invalidToken],
    ['scope not grantable: unknown scope "admin": 401 invalid_token', 'GET', APP_A, jwt((k) => k.appA, { scope: 'admin' }), invalidToken],
  ]);
}

/**
 * Every credential the guard must refuse, on every protected route: each route is guarded, and
 * guarded the same way (contract section 4).
 */
function everyRoute(): Case[] {
  const dup = (a: Authorization): Authorization => {
    return async (k: FixtureKeys) => [(await a(k)) as string, (await a(k)) as string];
  };
  const otherSecret = jwt((k) => ({ id: k.appA.id, secret: randomSecret() }), { scope: 'app' });
  const expired = (k: FixtureKeys) =>
    jwt(() => k.appA, { scope: 'app', iat: nowSeconds() - 600, exp: nowSeconds() - 60 })(k);
  // biome-ignore format: one row per refusal
  const refusals: readonly [string, Authorization, CaseExpectation][] = [
    ['another scheme', () => 'Digest abc', required],
    ['wrong secret (Basic)', (k) => basic(k.appA.id, 'wrong'), unauthorized],
    ['unknown key (Basic)', (k) => basic('app_000000000000000000000000', k.appA.secret), unauthorized],
    ['revoked key (Basic)', (k) => basic(k.revoked.id, k.revoked.secret), unauthorized],
    ['expired key (Basic)', (k) => basic(k.expired.id, k.expired.secret), unauthorized],
    ['a JWT signed with another secret', otherSecret, invalidToken],
    ['an expired JWT', expired, invalidToken],
    ['a JWT of an app key claiming account scope', jwt((k) => k.appA, { scope: 'account' }), invalidToken],
    ['a JWT of a revoked key', jwt((k) => k.revoked, { scope: 'app' }), invalidToken],
    ['a Bearer value that is not a JWT', () => 'Bearer not-a-jwt', invalidToken],
    ['a scheme with no token', () => 'Basic', badRequest],
    ['two tokens', () => 'Bearer a b', badRequest],
    ['a value over 8 KiB', () => `Bearer ${'a'.repeat(8300)}`, badRequest],
    ['two Authorization fields', dup(C.basicApp), badRequest],
  ];
  const cases: Case[] = [];
  for (const { method, path } of Object.values(ROUTES)) {
    for (const [label, authorization, expectation] of refusals) {
      cases.push({
        name: `every route: ${label} -> ${method} ${path}: ${expectation.status}`,
        method,
        path,
        headers: headersOf(authorization),
        ...(method === 'POST' ? { body: MESSAGE } : {}),
        expect: expectation,
      });
    }
  }
  return cases;
}

/** The store cannot answer: 503, never a pass and never a 401 (contract section 4). */
function store(): Case[] {
  const faulty = (fault: StoreFault, cases: Case[], handlerRuns = false): Case[] =>
    cases.map((c) => ({ ...c, storeFault: fault, ...(handlerRuns ? { handlerRuns } : {}) }));
  return [
    ...faulty(
      'findKey',
      rows([
        ['store down (Basic): 503', 'GET', '/v2/whoami', C.basicApp, unavailable],
        ['store down (JWT): 503', 'GET', APP_A, C.jwtApp, unavailable],
        ['store down, no credentials: still 401', 'GET', APP_A, undefined, required],
      ]),
    ),
    ...faulty(
      'appsFor',
      rows([
        [
          "store cannot list an account's apps (guard): 503",
          'GET',
          APP_A,
          C.basicAccount,
          unavailable,
        ],
        [
          "store cannot list an account's apps (JWT, guard): 503",
          'GET',
          `${APP_A}/users/u_1`,
          C.jwtAccount,
          unavailable,
        ],
      ]),
    ),
    ...faulty(
      'appsFor',
      rows([
        [
          "store cannot list an account's apps (GET /v2/apps handler): 503",
          'GET',
          '/v2/apps',
          C.basicAccount,
          unavailable,
        ],
      ]),
      true,
    ),
  ];
}

/** Unguarded routes answer whatever the credentials. */
function open(): Case[] {
  const ok = { status: 200, bodyCheck: exactly(() => ({ ok: true })) };
  // biome-ignore format: one row per case
  return rows([
    ['GET /health with no credentials: 200', 'GET', '/health', undefined, ok],
    ['GET /health with a bad credential: 200 (not guarded)', 'GET', '/health', () => 'Basic ~~not-base64~~', ok],
  ]);
}

/**
 * Every case of the table (more than 250), in a stable order with unique names.
 *
 * @example
 * ```ts
 * for (const c of caseTable()) console.log(c.name, c.expect.status);
 * ```
 */
export function caseTable(): readonly Case[] {
  const labelled = resources();
  return [
    ...matrix(),
    ...labelled,
    ...reach(labelled),
    ...grammar(),
    ...keys(),
    ...tokens(),
    ...everyRoute(),
    ...store(),
    ...open(),
  ];
}
