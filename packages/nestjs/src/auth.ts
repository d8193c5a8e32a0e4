/**
 * `@Auth()`: the parameter decorator that hands a handler the caller a keyscope guard let through.
 */
import { ConfigurationError } from '@keyscope/core';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { checkedCaller } from './internal/glue.js';

/**
 * The caller's `AuthContext`, as the route's `@RequireScope()` checked it. It reads only what the
 * keyscope guard recorded for this very request, never a `request.auth` another library wrote; on
 * a route without `@RequireScope()` it throws a `ConfigurationError` (a 500), so a missing guard
 * never passes for an authenticated caller.
 *
 * @example
 * ```ts
 * @Get('v2/whoami')
 * @RequireScope('any')
 * whoami(@Auth() auth: AuthContext) {
 *   return { keyId: auth.keyId, scope: auth.scope };
 * }
 * ```
 */
export const Auth = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const caller = checkedCaller(context.switchToHttp().getRequest<object>());
  if (caller === undefined) {
    throw new ConfigurationError('@Auth() needs @RequireScope() on the route');
  }
  return caller;
});
