/**
 * The app's own middleware, from before keyscope: a request id on every request and response
 * (`X-Request-Id`), and one log line per request once its answer is sent. The log line names the
 * method, path, status and duration; it never holds a header value, so no credential is logged.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

const SAFE_ID = /^[\w.-]{1,64}$/;

/**
 * Gives each request an id: the caller's `X-Request-Id` when it looks safe, else a new UUID. Kept
 * in `res.locals.requestId` and echoed in the response's `X-Request-Id` header.
 *
 * @example
 * ```ts
 * app.use(requestId());
 * ```
 */
export function requestId(): RequestHandler {
  return function assignRequestId(req, res, next) {
    const given = req.get('X-Request-Id');
    const id = given !== undefined && SAFE_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.set('X-Request-Id', id);
    next();
  };
}

/**
 * Logs one line per request when its answer is finished:
 * `<id> <method> <path> <status> <ms>ms`.
 *
 * @example
 * ```ts
 * app.use(logRequests((line) => console.log(line)));
 * ```
 */
export function logRequests(log: (line: string) => void): RequestHandler {
  return function logRequest(req, res, next) {
    const started = process.hrtime.bigint();
    // Read now: inside a router, `req.path` is relative to the router's mount point.
    const path = req.originalUrl.split('?')[0];
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      log(`${res.locals.requestId} ${req.method} ${path} ${res.statusCode} ${ms.toFixed(1)}ms`);
    });
    next();
  };
}
