/**
 * The public surface of `@keyscope/fetch`: its own exported names plus all of core's (so
 * additions are deliberate) and the types of its operations.
 */

import * as core from '@keyscope/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  AuthContext,
  AuthResult,
  FetchAuthenticateOptions,
  FetchRequireScopeOptions,
  RouteParams,
} from '../src/index.js';
import * as fetchAdapter from '../src/index.js';

describe('@keyscope/fetch exports', () => {
  it('exports its own operations and everything of @keyscope/core', () => {
    const exported: Record<string, unknown> = { ...fetchAdapter };
    const fromCore: Record<string, unknown> = { ...core };
    const own = Object.keys(exported).filter((name) => !(name in fromCore));
    expect(own.sort()).toStrictEqual(['authenticate', 'requireScope', 'toResponse']);
    for (const [name, value] of Object.entries(fromCore)) expect(exported[name], name).toBe(value);
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
    expectTypeOf(fetchAdapter.requireScope).parameter(0).toEqualTypeOf<fetchAdapter.GuardScope>();
    expectTypeOf<FetchAuthenticateOptions['address']>().toEqualTypeOf<
      ((request: Request) => string | undefined) | undefined
    >();
    expectTypeOf<NonNullable<FetchRequireScopeOptions['appId']>>().returns.toEqualTypeOf<unknown>();
    expectTypeOf<FetchRequireScopeOptions['optional']>().toEqualTypeOf<undefined>();
  });
});
