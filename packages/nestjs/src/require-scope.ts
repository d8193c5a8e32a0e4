/**
 * `@RequireScope(scope)`: the route decorator. It records what the route requires and puts
 * `KeyscopeGuard` on the route (or on every route of a controller), which checks it.
 */
import { createGuard, type GuardScope, type RequireScopeOptions } from '@keyscope/core';
import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { access, type NestRequest, REQUIRED } from './internal/glue.js';
import { KeyscopeGuard } from './keyscope-guard.js';

/**
 * Options of {@link RequireScope}: where the route names its app and user (default: the `appId`
 * and `userId` route parameters). Resolvers get the platform's request (Express's `req` or
 * Fastify's `request`) and may return anything, or a promise of it: only a string names a resource.
 *
 * @example
 * ```ts
 * const options: NestRequireScopeOptions = { appId: (req) => (req.params as { id: string }).id };
 * ```
 */
export type NestRequireScopeOptions = Pick<RequireScopeOptions<NestRequest>, 'appId' | 'userId'>;

/** What `@RequireScope()` records on a route. */
export interface RequiredScope extends NestRequireScopeOptions {
  readonly scope: GuardScope;
}

/**
 * Requires `scope` (`'appUser'`, `'app'` or `'account'`) on the route's app and user, or `'any'`
 * valid credential. On a method it guards that route; on a controller, every route of it (a
 * method's own `@RequireScope()` wins). A refused request never reaches the handler.
 *
 * @throws {ConfigurationError} when the class is defined, for an unknown scope.
 * @example
 * ```ts
 * @Get('v2/apps/:appId')
 * @RequireScope('app')
 * getApp(@Param('appId') appId: string) {
 *   return { app: { id: appId } };
 * }
 * ```
 */
export function RequireScope(
  scope: GuardScope,
  options: NestRequireScopeOptions = {},
): MethodDecorator & ClassDecorator {
  createGuard(scope, access, {}); // checks the scope now, when the class is defined
  const required: RequiredScope = { scope, ...options };
  return applyDecorators(SetMetadata(REQUIRED, required), UseGuards(KeyscopeGuard));
}
