/**
 * Checks the shape of the case table: size, unique names, and that it crosses every credential
 * kind with every route kind and covers every failure of the contract's response table.
 */
import { CHALLENGES, CREDENTIALS, caseTable } from '@keyscope/test-kit';
import { describe, expect, it } from 'vitest';

const cases = caseTable();
const names = cases.map((c) => c.name);

describe('the case table', () => {
  it('has at least 60 cases with unique names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
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

  it('names a code and an exact challenge (or none) for every refusal', () => {
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
