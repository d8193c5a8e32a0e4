/**
 * The type of the middlewares `authenticate()` and `requireScope()` return. A plain
 * `RequestHandler` would fix Express's route parameters to a string dictionary, so the handlers
 * after it would lose the `req.params` Express 5 infers from the route's path; a generic one fits
 * every route and keeps them.
 */
import type { NextFunction, Request, Response } from 'express';

/**
 * An Express middleware that fits any route: it is generic in the request's parameters, bodies,
 * query and locals, so that Express still infers them (`req.params` from the route's path) for the
 * handlers after it. It is a `RequestHandler`, and goes wherever one does.
 *
 * @example
 * ```ts
 * const guard: KeyscopeMiddleware = requireScope('app');
 * app.get('/v2/apps/:appId', guard, (req, res) => res.json({ id: req.params.appId })); // string
 * ```
 */
export type KeyscopeMiddleware = <
  P,
  ResBody,
  ReqBody,
  ReqQuery,
  Locals extends Record<string, unknown>,
>(
  req: Request<P, ResBody, ReqBody, ReqQuery, Locals>,
  res: Response<ResBody, Locals>,
  next: NextFunction,
) => void;
