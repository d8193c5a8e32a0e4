/**
 * `KeyscopeGuard`: the Nest guard behind `@RequireScope()`. It reads what the route requires,
 * authenticates the request with the module's authenticator and authorizes the caller on the
 * route's resource; it never trusts a `request.auth` another library wrote. A refusal is thrown
 * as the `AuthError` it is, for `KeyscopeExceptionFilter` (or the app's own filter) to answer.
 */
import { type AuthContext, type Authenticator, createGuard } from '@keyscope/core';
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { access, type NestRequest, REQUIRED } from './internal/glue.js';
import type { RequiredScope } from './require-scope.js';
import { KEYSCOPE_AUTHENTICATOR } from './tokens.js';

/**
 * The guard `@RequireScope()` puts on a route. Routes without `@RequireScope()` pass untouched, so
 * it may also be bound globally (`APP_GUARD`). Its dependencies are injected by explicit tokens:
 * it needs no `emitDecoratorMetadata`.
 *
 * @throws {AuthError} (as a rejection) 400, 401, 403 or 503 when the request is refused.
 * @example
 * ```ts
 * @UseGuards(KeyscopeGuard) // what @RequireScope() does for you
 * ```
 */
@Injectable()
export class KeyscopeGuard implements CanActivate {
  /** One kit guard per `@RequireScope()`, made on its first request. */
  readonly #guards = new WeakMap<RequiredScope, (req: NestRequest) => Promise<AuthContext>>();

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(KEYSCOPE_AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<RequiredScope | undefined>(REQUIRED, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required === undefined) return true;
    const { scope, appId, userId } = required;
    const guard =
      this.#guards.get(required) ??
      createGuard(scope, access, { appId, userId, authenticator: this.authenticator });
    this.#guards.set(required, guard);
    await guard(context.switchToHttp().getRequest<NestRequest>());
    return true;
  }
}
