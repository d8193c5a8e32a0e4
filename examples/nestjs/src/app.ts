/**
 * The NestJS example API of the contract (section 5), built by `createApp` on Nest's Express or
 * Fastify platform and exported so tests drive it over HTTP. `KeyscopeModule` provides the
 * authenticator; each protected route carries `@RequireScope(scope)` and takes the caller with
 * `@Auth()`. Nest parses a JSON body before guards run; the POST route checks its type and
 * presence after the guard. Errors of the API itself (unknown route, bad body) answer the
 * contract's JSON body with their own codes.
 */
import 'reflect-metadata';
import {
  Auth,
  type AuthContext,
  type Authenticator,
  KEYSCOPE_AUTHENTICATOR,
  KeyscopeModule,
  listReachableApps,
  RequireScope,
} from '@keyscope/nestjs';
import {
  type ArgumentsHost,
  BadRequestException,
  Body,
  Catch,
  Controller,
  type DynamicModule,
  type ExceptionFilter,
  Get,
  Headers,
  HttpException,
  type INestApplication,
  Inject,
  Module,
  type NestApplicationOptions,
  Param,
  Post,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

/** The protected routes, as named to the `onHandle` hook. */
export type RouteName = 'whoami' | 'listApps' | 'getApp' | 'getUser' | 'postMessage';

/** Nest's HTTP platform. */
export type Platform = 'express' | 'fastify';

/**
 * Options of {@link createApp}: the authenticator (made with `createAuthenticator`), the platform,
 * and an optional hook.
 *
 * @example
 * ```ts
 * const options: AppOptions = { authenticator, platform: 'fastify' };
 * ```
 */
export interface AppOptions {
  readonly authenticator: Authenticator;
  /** Nest's platform (default `'express'`). */
  readonly platform?: Platform;
  /**
   * Called by every protected handler when it runs, with the caller's context. For metrics or
   * audit logs; the tests use it to prove that a refused request never reached its handler.
   */
  readonly onHandle?: (route: RouteName, auth: AuthContext) => void;
  /** Log server errors (default `false`: silent, as the tests want). */
  readonly logErrors?: boolean;
}

const ON_HANDLE = Symbol('onHandle');

const apiError = (code: string, title: string) => ({ errors: [{ code, title }] });

@Controller()
class HealthController {
  @Get('health')
  health() {
    return { ok: true };
  }
}

@Controller('v2')
class ApiController {
  constructor(
    @Inject(KEYSCOPE_AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(ON_HANDLE) private readonly handled: (route: RouteName, auth: AuthContext) => void,
  ) {}

  @Get('whoami')
  @RequireScope('any')
  whoami(@Auth() auth: AuthContext) {
    this.handled('whoami', auth);
    return {
      method: auth.method,
      keyId: auth.keyId,
      entity: { type: auth.entity.type, id: auth.entity.id },
      scope: auth.scope,
      ...(auth.appId === undefined ? {} : { appId: auth.appId }),
      ...(auth.userId === undefined ? {} : { userId: auth.userId }),
      ...(auth.accountId === undefined ? {} : { accountId: auth.accountId }),
    };
  }

  @Get('apps')
  @RequireScope('account')
  async listApps(@Auth() auth: AuthContext) {
    this.handled('listApps', auth);
    // A store that cannot answer throws a 503, answered by keyscope's filter.
    const apps = await listReachableApps(this.authenticator, auth);
    return { apps: apps.map((id) => ({ id })) };
  }

  @Get('apps/:appId')
  @RequireScope('app')
  getApp(@Auth() auth: AuthContext, @Param('appId') appId: string) {
    this.handled('getApp', auth);
    return { app: { id: appId } };
  }

  @Get('apps/:appId/users/:userId')
  @RequireScope('appUser')
  getUser(
    @Auth() auth: AuthContext,
    @Param('appId') appId: string,
    @Param('userId') userId: string,
  ) {
    this.handled('getUser', auth);
    return { user: { id: userId, appId } };
  }

  @Post('apps/:appId/users/:userId/messages')
  @RequireScope('appUser')
  postMessage(
    @Auth() auth: AuthContext,
    @Headers('content-type') type: string | undefined,
    @Body() body: unknown,
  ) {
    this.handled('postMessage', auth);
    if (type?.split(';', 1)[0]?.trim().toLowerCase() !== 'application/json') {
      throw new UnsupportedMediaTypeException('The request body must be application/json');
    }
    if (body === undefined || body === null) {
      throw new BadRequestException('A JSON request body is required');
    }
    return { received: body };
  }
}

/** The API's own errors (not keyscope's refusals) in the contract's JSON body. */
@Catch(HttpException)
class ApiErrorsFilter implements ExceptionFilter {
  catch(error: HttpException, host: ArgumentsHost) {
    const status = error.getStatus();
    const [code, title] =
      status === 404
        ? ['not_found', 'No such route']
        : status === 413
          ? ['payload_too_large', 'The request body is too large']
          : status === 415
            ? ['unsupported_media_type', error.message]
            : ['bad_request', status === 400 ? error.message : 'Bad request'];
    const response = host.switchToHttp().getResponse();
    const send = 'raw' in response ? response.code(status) : response.status(status);
    send.send(apiError(code, title));
  }
}

@Module({})
class AppModule {}

function appModule(options: AppOptions): DynamicModule {
  return {
    module: AppModule,
    imports: [KeyscopeModule.forRoot({ authenticator: options.authenticator })],
    controllers: [HealthController, ApiController],
    providers: [{ provide: ON_HANDLE, useValue: options.onHandle ?? (() => {}) }],
  };
}

/**
 * Builds the example API, initialised (call `listen()` to serve, or hand `getHttpServer()` to a
 * test).
 *
 * @example
 * ```ts
 * const app = await createApp({ authenticator, platform: 'express' });
 * await app.listen(3000, '127.0.0.1');
 * ```
 */
export async function createApp(options: AppOptions): Promise<INestApplication> {
  const settings: NestApplicationOptions = {
    logger: options.logErrors === true ? ['error'] : false,
    abortOnError: false,
  };
  const app =
    options.platform === 'fastify'
      ? await NestFactory.create<NestFastifyApplication>(
          appModule(options),
          new FastifyAdapter(),
          settings,
        )
      : await NestFactory.create(appModule(options), new ExpressAdapter(), settings);
  app.useGlobalFilters(new ApiErrorsFilter());
  await app.init();
  if (options.platform === 'fastify') {
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  }
  return app;
}
