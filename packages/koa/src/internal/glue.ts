/**
 * What both Koa middlewares of this package share: where the caller's context is published
 * (`ctx.state.auth`, which keyscope overwrites and never reads back), how a guard reads a context (core's `readNodeRequest` on `ctx.req`, the
 * route's `ctx.params`), and what becomes of a refusal: rendered on `ctx` (core's status, headers
 * and JSON body, exactly), or thrown as it is for Koa's error handling with `passErrors`.
 */
import { type GuardAccess, isAuthError, readNodeRequest, toErrorResponse } from '@keyscope/core';
import type { ParameterizedContext } from 'koa';

/** How the kit's guards read a Koa context. */
export const access: GuardAccess<ParameterizedContext> = {
  request: (ctx) => readNodeRequest(ctx.req),
  setContext: (ctx, auth) => {
    ctx.state.auth = auth;
  },
  resource: ({ params }) => ({ appId: params?.appId, userId: params?.userId }),
};

/** Renders a refusal on `ctx`; throws it instead with `pass`, and always throws anything else. */
export function answer(ctx: ParameterizedContext, error: unknown, pass: boolean): void {
  if (pass || !isAuthError(error)) throw error;
  const { status, headers, body } = toErrorResponse(error);
  ctx.status = status;
  ctx.set(headers);
  ctx.body = JSON.stringify(body); // a string keeps the Content-Type exactly application/json
}
