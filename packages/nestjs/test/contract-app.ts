/**
 * Builds a Nest app serving the contract's routes from the test-kit, guarded by this package, on
 * Nest's Express or Fastify platform: a controller whose handlers take the caller with `@Auth()`
 * behind `@RequireScope(scope)` and answer what the test-kit's routes answer. The module is
 * imported with `KeyscopeModule.forRoot({ store })`, or `forRootAsync` with the store from a
 * provider of the app.
 */
import 'reflect-metadata';
import type { Server } from 'node:http';
import {
  Auth,
  type AuthContext,
  type KeyStore,
  KeyscopeModule,
  RequireScope,
} from '@keyscope/nestjs';
import {
  type ContractRoute,
  type ContractRouteName,
  defineContractRoutes,
  type Probe,
} from '@keyscope/test-kit';
import {
  Body,
  Controller,
  type DynamicModule,
  Get,
  type INestApplication,
  Inject,
  Module,
  Param,
  Post,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

/** The platform under test. */
export type Platform = 'express' | 'fastify';

/** How the module is imported. */
export type ModuleStyle = 'forRoot' | 'forRootAsync';

const ROUTES = Symbol('contract routes');
const STORE = Symbol('store');
type Routes = Record<ContractRouteName, ContractRoute>;
type Params = { appId?: string; userId?: string };

@Controller()
class ContractController {
  constructor(@Inject(ROUTES) private readonly routes: Routes) {}

  async #answer(name: ContractRouteName, auth?: AuthContext, params: Params = {}, body?: unknown) {
    return (await this.routes[name].handle({ auth, params, body })).body;
  }

  @Get('health')
  health() {
    return this.#answer('health');
  }

  @Get('v2/whoami')
  @RequireScope('any')
  whoami(@Auth() auth: AuthContext) {
    return this.#answer('whoami', auth);
  }

  @Get('v2/apps')
  @RequireScope('account')
  apps(@Auth() auth: AuthContext) {
    return this.#answer('apps', auth);
  }

  @Get('v2/apps/:appId')
  @RequireScope('app')
  app(@Auth() auth: AuthContext, @Param() params: Params) {
    return this.#answer('app', auth, params);
  }

  @Get('v2/apps/:appId/users/:userId')
  @RequireScope('appUser')
  user(@Auth() auth: AuthContext, @Param() params: Params) {
    return this.#answer('user', auth, params);
  }

  @Post('v2/apps/:appId/users/:userId/messages')
  @RequireScope('appUser')
  messages(@Auth() auth: AuthContext, @Param() params: Params, @Body() body: unknown) {
    return this.#answer('messages', auth, params, body);
  }
}

/** The app's own module: the store and the routes as providers, the controller, keyscope. */
function appModule(store: KeyStore, probe: Probe, style: ModuleStyle): DynamicModule {
  const routes = Object.fromEntries(
    defineContractRoutes({ store, probe }).map((route) => [route.name, route]),
  ) as Routes;
  const keyscope =
    style === 'forRoot'
      ? KeyscopeModule.forRoot({ store })
      : KeyscopeModule.forRootAsync({
          imports: [StoreModule.with(store)],
          inject: [STORE],
          useFactory: async (given: KeyStore) => ({ store: given }),
        });
  return {
    module: AppModule,
    imports: [keyscope],
    controllers: [ContractController],
    providers: [{ provide: ROUTES, useValue: routes }],
  };
}

@Module({})
class AppModule {}

@Module({})
class StoreModule {
  static with(store: KeyStore): DynamicModule {
    return {
      module: StoreModule,
      providers: [{ provide: STORE, useValue: store }],
      exports: [STORE],
    };
  }
}

/**
 * Creates the Nest app (not listening).
 *
 * @example
 * ```ts
 * const app = await createNestApp('fastify', store, probe, 'forRoot');
 * ```
 */
export async function createNestApp(
  platform: Platform,
  store: KeyStore,
  probe: Probe,
  style: ModuleStyle = 'forRoot',
): Promise<INestApplication> {
  const module = appModule(store, probe, style);
  if (platform === 'express') {
    const app = await NestFactory.create(module, new ExpressAdapter(), { logger: false });
    return app.init();
  }
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), {
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/**
 * The contract app's HTTP server, for the case table.
 *
 * @example
 * ```ts
 * runCaseTable('nest', (store, probe) => contractServer('express', store, probe));
 * ```
 */
export async function contractServer(
  platform: Platform,
  store: KeyStore,
  probe: Probe,
  style?: ModuleStyle,
): Promise<Server> {
  return (await createNestApp(platform, store, probe, style)).getHttpServer() as Server;
}
