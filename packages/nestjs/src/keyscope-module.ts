/**
 * `KeyscopeModule`: the Nest module. `forRoot(options)` (or `forRootAsync` for options from other
 * providers) makes the authenticator, once, and provides it with `KeyscopeGuard` to the whole app
 * (a global module), and binds `KeyscopeExceptionFilter` globally unless `passErrors`.
 */
import {
  type Authenticator,
  type AuthenticatorOptions,
  resolveAuthenticator,
} from '@keyscope/core';
import {
  type DynamicModule,
  type InjectionToken,
  Module,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { KeyscopeExceptionFilter } from './keyscope-exception-filter.js';
import { KeyscopeGuard } from './keyscope-guard.js';
import { KEYSCOPE_AUTHENTICATOR } from './tokens.js';

/** Where the module's authenticator comes from: an `authenticator`, or the options to create one. */
export type KeyscopeAuthenticatorOptions =
  | AuthenticatorOptions
  | { readonly authenticator: Authenticator };

/**
 * Options of {@link KeyscopeModule.forRoot}: an `authenticator` (or `store`, `realm`, ...) and
 * `passErrors`.
 *
 * @example
 * ```ts
 * const options: KeyscopeModuleOptions = { store, passErrors: true };
 * ```
 */
export type KeyscopeModuleOptions = KeyscopeAuthenticatorOptions & {
  /**
   * Leave refusals to the app's own exception filters (default `false`: the module binds
   * `KeyscopeExceptionFilter`, which answers them). A refusal is an `AuthError` with `status`,
   * `headers` and `toBody()`; Nest's built-in filter would answer it 500.
   */
  readonly passErrors?: boolean;
};

/**
 * Options of {@link KeyscopeModule.forRootAsync}.
 *
 * @example
 * ```ts
 * const options: KeyscopeModuleAsyncOptions = {
 *   inject: [ConfigService],
 *   useFactory: async (config: ConfigService) => ({ store: await openFileStore(config.get('KEYS')) }),
 * };
 * ```
 */
export interface KeyscopeModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly inject?: InjectionToken[];
  readonly useFactory: (
    ...args: never[]
  ) => KeyscopeAuthenticatorOptions | Promise<KeyscopeAuthenticatorOptions>;
  /** As in {@link KeyscopeModuleOptions}. */
  readonly passErrors?: boolean;
}

function define(
  authenticator: Provider,
  passErrors: boolean | undefined,
  imports = [],
): DynamicModule {
  const filter =
    passErrors === true ? [] : [{ provide: APP_FILTER, useClass: KeyscopeExceptionFilter }];
  return {
    module: KeyscopeModule,
    global: true,
    imports,
    providers: [authenticator, KeyscopeGuard, ...filter],
    exports: [KEYSCOPE_AUTHENTICATOR, KeyscopeGuard],
  };
}

/**
 * The keyscope module. Import it once, in the root module.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [KeyscopeModule.forRoot({ store: await openFileStore('keys.json') })],
 *   controllers: [AppsController],
 * })
 * export class AppModule {}
 * ```
 */
@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: Nest's dynamic modules are classes
export class KeyscopeModule {
  /**
   * The module, with an authenticator made now from `options`.
   *
   * @throws {ConfigurationError} at once, when the options are invalid.
   */
  static forRoot(options: KeyscopeModuleOptions): DynamicModule {
    const authenticator = resolveAuthenticator(options);
    return define({ provide: KEYSCOPE_AUTHENTICATOR, useValue: authenticator }, options.passErrors);
  }

  /**
   * The module, with an authenticator made from what `useFactory` resolves, when the app starts.
   *
   * @throws {ConfigurationError} (when the app starts) if the options are invalid.
   */
  static forRootAsync(options: KeyscopeModuleAsyncOptions): DynamicModule {
    const { useFactory, inject = [], imports = [], passErrors } = options;
    const provider: Provider = {
      provide: KEYSCOPE_AUTHENTICATOR,
      inject,
      useFactory: async (...args: never[]) => resolveAuthenticator(await useFactory(...args)),
    };
    return define(provider, passErrors, imports as never[]);
  }
}
