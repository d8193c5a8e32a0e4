/**
 * The public surface of `@keyscope/fetch`: the exported names (a snapshot, so additions and
 * removals are deliberate) and the types of its operations.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { AuthContext, AuthResult, RouteParams } from '../src/index.js';
import * as fetchAdapter from '../src/index.js';

describe('@keyscope/fetch exports', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(fetchAdapter).sort()).toMatchInlineSnapshot(`
      [
        "AuthError",
        "ConfigurationError",
        "CredentialsRequiredError",
        "ForbiddenError",
        "InvalidCredentialsError",
        "MalformedAuthorizationError",
        "RateLimitedError",
        "StoreUnavailableError",
        "authenticate",
        "createAuthenticator",
        "createMemoryStore",
        "requireScope",
        "toResponse",
      ]
    `);
  });

  it('types authenticate, requireScope and toResponse', () => {
    expectTypeOf(fetchAdapter.authenticate).parameter(0).toEqualTypeOf<Request>();
    expectTypeOf<AuthResult>().toEqualTypeOf<
      | { readonly ok: true; readonly auth: AuthContext }
      | { readonly ok: false; readonly response: Response; readonly error: fetchAdapter.AuthError }
    >();
    const route = fetchAdapter.requireScope('app', (_request, { auth, params }) => {
      expectTypeOf(auth).toEqualTypeOf<AuthContext>();
      expectTypeOf(params).toEqualTypeOf<RouteParams>();
      return new Response();
    });
    expectTypeOf(route).toEqualTypeOf<(request: Request) => Promise<Response>>();
    expectTypeOf(fetchAdapter.toResponse).returns.toEqualTypeOf<Response>();
  });
});
