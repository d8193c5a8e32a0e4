/**
 * Checks the shape of the case table: size, unique names, and that it crosses every credential
 * kind with every route kind and covers every failure of the contract's response table.
 */
import { CHALLENGES, CREDENTIALS, caseTable, TITLES } from '@keyscope/test-kit';
import { describe, expect, it } from 'vitest';

const cases = caseTable();
const names = cases.map((c) => c.name);

describe('the case table', () => {
  it('has at least 250 cases with unique names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(250);
    expect(new Set(names).size).toBe(names.length);
  });

  it('crosses each credential kind (and none) with each route kind', () => {
    const routes = [
      'GET /v2/whoami',
      'GET /v2/apps',
      'GET /v2/apps/app_a',
      'GET /v2/apps/app_a/users/u_1',
      'POST /v2/apps/app_a/users/u_1/messages',
    ];
    for (const kind of ['no credentials', ...Object.keys(CREDENTIALS)]) {
      for (const route of routes) {
        expect(
          names.some((n) => n.startsWith(`${kind} -> ${route}:`)),
          `${kind} ${route}`,
        ).toBe(true);
      }
    }
  });

  it('sends every refusal of the "every route" section to each protected route', () => {
    const every = cases.filter((c) => c.name.startsWith('every route: '));
    const labels = new Set(every.map((c) => c.name.slice(0, c.name.indexOf(' -> '))));
    const routes = new Set(every.map((c) => `${c.method} ${c.path}`));
    expect(routes).toEqual(
      new Set([
        'GET /v2/whoami',
        'GET /v2/apps',
        'GET /v2/apps/app_a',
        'GET /v2/apps/app_a/users/u_1',
        'POST /v2/apps/app_a/users/u_1/messages',
      ]),
    );
    expect(every).toHaveLength(labels.size * routes.size);
  });

  it('sends every credential kind to other apps and users, once per request', () => {
    const requests = cases
      .filter((c) => / -> /.test(c.name) && !c.name.startsWith('every route: '))
      .map((c) => c.name.slice(c.name.lastIndexOf(': ', c.name.indexOf(' -> ')) + 1).trim());
    expect(new Set(requests).size).toBe(requests.length);
    for (const kind of Object.keys(CREDENTIALS)) {
      for (const path of [
        '/v2/apps/app_b',
        '/v2/apps/app_a/users/u_2',
        '/v2/apps/app_c/users/u_1',
      ]) {
        expect(
          names.some((n) => n.includes(`${kind} -> GET ${path}:`)),
          `${kind} ${path}`,
        ).toBe(true);
      }
    }
    // An app key reaches every user of its app, an account key every app of its account.
    expect(names).toContain('reach: basicApp -> GET /v2/apps/app_a/users/u_2: 200');
    expect(names).toContain('reach: jwtAccount -> GET /v2/apps/app_b: 200');
    expect(names).toContain('reach: basicService -> POST /v2/apps/app_a/users/u_2/messages: 201');
    expect(
      names.filter((n) => n.endsWith(': jwtAppUser -> GET /v2/apps/app_a/users/u_2: 403')),
    ).toHaveLength(1);
  });

  it.each([
    'other scheme',
    'malformed',
    'duplicate Authorization',
    'oversize',
    'unknown key',
    'wrong secret',
    'revoked key',
    'expired key',
    'bad signature',
    'expired token',
    'scope not grantable',
    'wrong app',
    'wrong user',
    'service account, app not granted',
    'nonexistent app',
    'store down',
  ])('covers "%s"', (failure) => {
    expect(names.some((n) => n.startsWith(failure))).toBe(true);
  });

  it('names a code, a title and an exact challenge (or none) for every refusal', () => {
    const allowed = new Set<string | undefined>([
      undefined,
      CHALLENGES.both,
      CHALLENGES.invalidToken,
      CHALLENGES.invalidRequest,
      CHALLENGES.insufficientScope('appUser'),
      CHALLENGES.insufficientScope('app'),
      CHALLENGES.insufficientScope('account'),
    ]);
    for (const c of cases.filter((c) => c.expect.status >= 400)) {
      expect(c.expect.code, c.name).toBeDefined();
      expect(Object.values(TITLES), c.name).toContain(c.expect.title);
      expect(allowed.has(c.expect.wwwAuthenticate), c.name).toBe(true);
      expect('wwwAuthenticate' in c.expect, `${c.name}: challenge left implicit`).toBe(true);
    }
  });

  it('checks the exact body of every success on a contract route', () => {
    for (const c of cases.filter((c) => c.expect.status < 400 && c.name.includes(' -> '))) {
      expect(c.expect.bodyCheck, c.name).toBeDefined();
    }
  });
});
