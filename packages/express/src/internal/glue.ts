/**
 * The two translations every Express middleware of this package needs: an Express request into
 * core's neutral `AuthRequest` (every raw `Authorization` value, so duplicates are refused), and an
 * error into an Express answer (core's status, headers and JSON body) or into `next(err)`.
 */
import { AuthError, type AuthRequest, toErrorResponse } from '@keyscope/core';
import type { NextFunction, Request, Response } from 'express';

/** Every raw `Authorization` value: `headersDistinct` where Node has it, else `rawHeaders`. */
export function toAuthRequest(req: Request): AuthRequest {
  const raw: readonly string[] = req.rawHeaders ?? [];
  const authorization = req.headersDistinct
    ? req.headersDistinct.authorization
    : raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === 'authorization');
  return { authorization, method: req.method };
}

/** Answers a refusal with its status, headers and JSON body, or hands any error to `next`. */
export function answer(error: unknown, res: Response, next: NextFunction, pass: boolean): void {
  if (pass || !(error instanceof AuthError) || res.headersSent) {
    next(error);
    return;
  }
  const { status, headers, body } = toErrorResponse(error);
  res.status(status).set(headers).json(body);
}
