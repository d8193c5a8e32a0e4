/**
 * Type tests of the public API: the decorators fit methods and classes, the module's options need
 * a store or an authenticator, resolvers see the platform's request, and `forRootAsync`'s factory
 * may be async. Checked by `tsc`.
 */
import {
  Auth,
  type AuthContext,
  createMemoryStore,
  KeyscopeModule,
  type NestRequireScopeOptions,
  RequireScope,
} from '@keyscope/nestjs';
import { createFixture } from '@keyscope/test-kit';
import type { DynamicModule } from '@nestjs/common';
import { describe, expectTypeOf, it } from 'vitest';

const store = createMemoryStore(createFixture().document);

describe('types', () => {
  it('types the decorators and the module', () => {
    expectTypeOf(RequireScope('app')).toExtend<MethodDecorator & ClassDecorator>();
    expectTypeOf(Auth()).toExtend<ParameterDecorator>();
    expectTypeOf(
      KeyscopeModule.forRoot({ store, passErrors: true }),
    ).toEqualTypeOf<DynamicModule>();
    expectTypeOf(
      KeyscopeModule.forRootAsync({ useFactory: async () => ({ store }) }),
    ).toEqualTypeOf<DynamicModule>();
    expectTypeOf(RequireScope).parameter(0).toEqualTypeOf<'any' | 'appUser' | 'app' | 'account'>();
    const options: NestRequireScopeOptions = { appId: async (req) => req.params };
    expectTypeOf(options.appId).returns.toEqualTypeOf<unknown>();
    expectTypeOf<Parameters<typeof Auth>>().not.toBeNever();
    expectTypeOf<AuthContext['scope']>().toEqualTypeOf<'appUser' | 'app' | 'account'>();
    const misuses = () => {
      // @ts-expect-error the module needs a store or an authenticator
      KeyscopeModule.forRoot({ passErrors: true });
      // @ts-expect-error not a scope
      RequireScope('admin');
    };
    expectTypeOf(misuses).returns.toBeVoid();
  });
});
