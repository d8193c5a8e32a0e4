/**
 * The two translations every Koa middleware of this package needs: a Koa context into core's
 * neutral `AuthRequest` (every raw `Authorization` value of the Node request, so duplicates are
 * refused), and a refusal into Koa's response (core's status, headers and JSON body), or a throw.
 */
import { AuthError, type AuthRequest, toErrorResponse } from '@keyscope/core';
import type { ParameterizedContext } from 'koa';

/** Every raw `Authorization` value: `headersDistinct` where Node has it, else `rawHeaders`. */
export function toAuthRequest(ctx: ParameterizedContext): AuthRequest {
  const { headersDistinct, rawHeaders: raw = [] } = ctx.req;
  const authorization = headersDistinct
    ? headersDistinct.authorization
    : raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === 'authorization');
  return { authorization, method: ctx.method };
}

/** Renders a refusal on `ctx`; throws it instead with `rethrow`, and always throws anything else. */
export function answer(ctx: ParameterizedContext, error: unknown, rethrow: boolean): void {
  if (rethrow || !(error instanceof AuthError)) throw error;
  const { status, headers, body } = toErrorResponse(error);
  ctx.status = status;
  ctx.set(headers);
  ctx.body = body;
}
