/**
 * What both Koa middlewares of this package share: where the caller's context lives
 * (`ctx.state.auth`), how a guard reads a context (core's `readNodeRequest` on `ctx.req`, the
 * route's `ctx.params`), and what becomes of a refusal: rendered on `ctx` (core's status, headers
 * and JSON body, exactly), or thrown as it is for Koa's error handling with `passErrors`.
 */
import { type GuardAccess, isAuthError, readNodeRequest, toErrorResponse } from '@keyscope/core';
import type { ParameterizedContext } from 'koa';

/** How the kit's guards read a Koa context. */
export const access: GuardAccess<ParameterizedContext> = {
  request: (ctx) => readNodeRequest(ctx.req),
  getContext: (ctx) => ctx.state.auth,
  setContext: (ctx, auth) => {
    ctx.state.auth = auth;
  },
  resource: ({ params }) => ({ appId: params?.appId, userId: params?.userId }),
};

/** `passErrors`, or its deprecated spelling `throw`. */
export const passes = (options: { readonly passErrors?: boolean; readonly throw?: boolean }) =>
  options.passErrors === true || options.throw === true;

/** Renders a refusal on `ctx`; throws it instead with `pass`, and always throws anything else. */
export function answer(ctx: ParameterizedContext, error: unknown, pass: boolean): void {
  if (pass || !isAuthError(error)) throw error;
  const { status, headers, body } = toErrorResponse(error);
  ctx.status = status;
  ctx.set(headers);
  ctx.body = JSON.stringify(body); // a string keeps the Content-Type exactly application/json
}
