/**
 * Guards the public API: the package exports `dashboard` and nothing else at run time (its types
 * are checked by the type tests below).
 */
import type { WritableKeyStore } from '@keyscope/core';
import type { DashboardEvent, DashboardOptions } from '@keyscope/dashboard';
import * as pkg from '@keyscope/dashboard';
import type { Router } from 'express';
import { expect, expectTypeOf, it } from 'vitest';

it('exports dashboard only', () => {
  expect(Object.keys(pkg)).toEqual(['dashboard']);
});

it('types the options, the router and the events', () => {
  expectTypeOf(pkg.dashboard).parameter(0).toEqualTypeOf<DashboardOptions>();
  expectTypeOf(pkg.dashboard).returns.toEqualTypeOf<Router>();
  expectTypeOf<DashboardOptions['store']>().toEqualTypeOf<WritableKeyStore>();
  expectTypeOf<DashboardEvent['action']>().toEqualTypeOf<
    | 'sign-in'
    | 'sign-in.refused'
    | 'sign-out'
    | 'session.ended'
    | 'csrf.refused'
    | 'key.created'
    | 'key.rotated'
    | 'key.revoked'
    | 'token.minted'
    | 'service-account.created'
    | 'service-account.granted'
  >();
  expectTypeOf<DashboardEvent>().not.toHaveProperty('secret');
});
