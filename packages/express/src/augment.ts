/**
 * Types `req.auth` for every Express request, by augmenting the global `Express.Request`
 * interface that both Express 4 and Express 5 typings (`@types/express-serve-static-core` 4.x and
 * 5.x) extend. Imported by the package's entry point, so it applies as soon as the package is.
 */
import type { AuthContext } from '@keyscope/core';

declare global {
  namespace Express {
    interface Request {
      /**
       * Who the caller is, set by `authenticate()` or `requireScope()`; `undefined` before them,
       * or after `authenticate({ optional: true })` on a request without credentials. keyscope
       * writes it and never reads it back: its guards trust only their own record of the request.
       */
      auth?: AuthContext | undefined;
    }
  }
}

/** The type of `req.auth` once keyscope has run. Exported so the augmentation ships in the .d.ts. */
export type RequestAuth = AuthContext | undefined;
