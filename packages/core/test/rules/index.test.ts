/**
 * Guards the public API of `@keyscope/core/rules`: the exact list of its runtime exports (update
 * it on purpose), the same function objects as the main entry where both export one (also in the
 * built ESM and CommonJS files), and the types other packages rely on.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as core from '../../src/index.js';
import * as rules from '../../src/rules/index.js';

describe('the export list of @keyscope/core/rules', () => {
  it('is exactly this (sorted); update it deliberately when the rules API changes', () => {
    expect(Object.keys(rules).sort()).toEqual([
      'DEFAULT_MAX_ACTIVE_KEYS_PER_APP',
      'ENTITY_TYPES',
      'MAX_DISPLAY_NAME_LENGTH',
      'MAX_ID_LENGTH',
      'accountOf',
      'checkDisplayName',
      'checkEntity',
      'checkExpiresAt',
      'checkId',
      'checkKeyLimit',
      'checkRevocationInstant',
      'countActiveKeys',
      'isEntityType',
      'isId',
      'isValidDate',
      'keyScope',
      'keyState',
      'quote',
      'sameRecord',
      'tokenScopes',
    ]);
  });

  it('shares the main entry’s definitions, not copies of them', () => {
    expect(rules.keyState).toBe(core.keyState);
    expect(rules.DEFAULT_MAX_ACTIVE_KEYS_PER_APP).toBe(core.DEFAULT_MAX_ACTIVE_KEYS_PER_APP);
  });

  it('types what the stores need', () => {
    expectTypeOf(rules.checkEntity).returns.toEqualTypeOf<core.Entity>();
    expectTypeOf(rules.checkId).returns.toEqualTypeOf<string>();
    expectTypeOf(rules.checkDisplayName).returns.toEqualTypeOf<string | undefined>();
    expectTypeOf(rules.checkExpiresAt).returns.toEqualTypeOf<Date | undefined>();
    expectTypeOf(rules.keyState).returns.toEqualTypeOf<core.KeyState>();
    expectTypeOf(rules.sameRecord).parameters.toEqualTypeOf<[core.KeyRecord, core.KeyRecord]>();
    expectTypeOf<core.KeyInfo>().toExtend<rules.KeyInstants>();
  });
});

describe('the built package', () => {
  const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
  const built = existsSync(`${dist}rules.cjs`) && existsSync(`${dist}rules.js`);

  it('is built before this test under CI', () => {
    if (process.env.CI) expect(built).toBe(true);
  });

  // Without shared chunks each entry would bundle its own copy of the error classes.
  it.skipIf(!built)('throws the main entry’s error classes from the rules entry', async () => {
    const require = createRequire(import.meta.url);
    for (const [main, sub] of [
      [require(`${dist}index.cjs`), require(`${dist}rules.cjs`)],
      [await import(`${dist}index.js`), await import(`${dist}rules.js`)],
    ]) {
      expect(() => sub.checkId('', 'the id')).toThrow(main.InvalidArgumentError);
      expect(() => sub.checkKeyLimit('app_a', 1, 1)).toThrow(main.KeyLimitError);
      expect(sub.keyState).toBe(main.keyState);
    }
  });
});
