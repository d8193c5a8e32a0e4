/**
 * The app's own errors and error handler, from before keyscope. Handlers throw (or pass to
 * `next`) an error with a `status`; the handler renders every error in the app's own shape,
 * `{"error":{"status","message","requestId"}}`, shows the message only when the error says it is
 * safe (`expose`, the http-errors convention), and sends the error's own `headers`. That is why
 * keyscope's errors, handed over with `passErrors`, render here with no change: an `AuthError`
 * carries `status`, `expose` and its `WWW-Authenticate` in `headers`.
 */
import type { ErrorRequestHandler } from 'express';

/**
 * An error the app answers with its status and message.
 *
 * @example
 * ```ts
 * throw new HttpError(404, 'No such product');
 * ```
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly expose = true;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

interface HttpLikeError {
  readonly status?: unknown;
  readonly statusCode?: unknown;
  readonly expose?: unknown;
  readonly message?: unknown;
  readonly headers?: unknown;
  readonly type?: unknown;
}

/**
 * The last middleware of the app: renders any error as `{"error":{...}}`.
 *
 * @example
 * ```ts
 * app.use(handleErrors((error) => console.error(error)));
 * ```
 */
export function handleErrors(report: (error: unknown) => void): ErrorRequestHandler {
  return function renderError(error: HttpLikeError, _req, res, next) {
    if (res.headersSent) {
      next(error);
      return;
    }
    const given = typeof error?.status === 'number' ? error.status : error?.statusCode;
    const status =
      typeof given === 'number' && Number.isInteger(given) && given >= 400 && given < 600
        ? given
        : 500;
    if (status >= 500) report(error);
    const message =
      typeof error?.type === 'string'
        ? 'Invalid request body' // a body-parser error, whose message may quote the body
        : status < 500 && error?.expose === true && typeof error.message === 'string'
          ? error.message
          : 'Something went wrong';
    if (typeof error?.headers === 'object' && error.headers !== null) {
      res.set(error.headers as Record<string, string>);
    }
    res.status(status).json({ error: { status, message, requestId: res.locals.requestId } });
  };
}
