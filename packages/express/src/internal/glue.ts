/**
 * What both Express middlewares of this package share: where the caller's context is published
 * (`req.auth`, which keyscope overwrites and never reads back), how a guard reads a request (core's `readNodeRequest`, the route's `req.params`), and how a refusal
 * is answered: core's status, headers and JSON body, exactly (`writeHead`, so that Express adds no
 * charset to `application/json`), or handed to `next(err)`.
 */
import { type GuardAccess, isAuthError, readNodeRequest, toErrorResponse } from '@keyscope/core';
import type { NextFunction, Request, Response } from 'express';

/** How the kit's guards read an Express request. */
export const access: GuardAccess<Request> = {
  request: readNodeRequest,
  setContext: (req, auth) => {
    req.auth = auth;
  },
  resource: ({ params }) => ({ appId: params?.appId, userId: params?.userId }),
};

/** Answers a refusal; hands it to `next` with `pass` or once the answer started, and any other error. */
export function answer(error: unknown, res: Response, next: NextFunction, pass: boolean): void {
  if (pass || !isAuthError(error) || res.headersSent) {
    next(error);
  } else {
    const { status, headers, body } = toErrorResponse(error);
    res.writeHead(status, headers).end(JSON.stringify(body));
  }
}
