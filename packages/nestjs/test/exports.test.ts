/**
 * Guards the public API: a snapshot of the names the package adds to core, and a check that every
 * export of `@keyscope/core` is re-exported, so that one import is enough.
 */
import * as core from '@keyscope/core';
import * as pkg from '@keyscope/nestjs';
import { expect, it } from 'vitest';

it('exports the module, the guard, the filter, the decorators and the token', () => {
  expect(Object.keys(pkg).filter((name) => !(name in core))).toMatchInlineSnapshot(`
    [
      "Auth",
      "KeyscopeExceptionFilter",
      "KeyscopeGuard",
      "KeyscopeModule",
      "RequireScope",
      "KEYSCOPE_AUTHENTICATOR",
    ]
  `);
});

it('re-exports everything of core, unchanged', () => {
  for (const [name, value] of Object.entries(core)) expect(pkg).toHaveProperty(name, value);
});
