/**
 * A tiny router for `node:http`: routes are a method and a path with `:name` segments
 * (`/v2/apps/:appId`); the first match runs with the decoded parameters. No match answers 404, a
 * parameter that is not valid percent-encoding 400, and a handler that throws a 500, all in the
 * contract's JSON body. HEAD is served by the GET route.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler, RouteParams } from './keyscope.js';
import { sendError } from './keyscope.js';

/** A router: add routes, then hand it every request. */
export interface Router {
  /** Adds a route. */
  add(method: string, path: string, handler: RouteHandler): Router;
  /** Serves one request (the `http.createServer` listener). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

interface Route {
  readonly method: string;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
}

/**
 * Writes a JSON answer.
 *
 * @example
 * ```ts
 * sendJson(res, 200, { ok: true });
 * ```
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * An API error that is not an authentication error, in the contract's body shape.
 *
 * @example
 * ```ts
 * sendJson(res, 404, apiError('not_found', 'No such route'));
 * ```
 */
export function apiError(code: string, title: string) {
  return { errors: [{ code, title }] };
}

/**
 * Creates an empty router.
 *
 * @example
 * ```ts
 * const router = createRouter().add('GET', '/health', (_req, res) => sendJson(res, 200, { ok: true }));
 * http.createServer((req, res) => void router.handle(req, res)).listen(3000);
 * ```
 */
export function createRouter(): Router {
  const routes: Route[] = [];
  const router: Router = {
    add(method, path, handler) {
      routes.push({ method, segments: path.split('/'), handler });
      return router;
    },
    async handle(req, res) {
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      // The path as sent (origin form); `new URL()` would read `//x/y` as a host.
      let path = (req.url ?? '/').split('?', 1)[0] as string;
      if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
      const segments = path.split('/');
      try {
        for (const route of routes) {
          const params = route.method === method ? match(route.segments, segments) : undefined;
          if (params !== undefined) return await route.handler(req, res, params);
        }
        sendJson(res, 404, apiError('not_found', 'No such route'));
      } catch (error) {
        if (error instanceof URIError) {
          sendJson(res, 400, apiError('bad_request', 'Bad request'));
        } else {
          sendError(res, error);
        }
      }
    },
  };
  return router;
}

/** The parameters when `actual` fits `pattern`; throws `URIError` on bad percent-encoding. */
function match(pattern: readonly string[], actual: readonly string[]): RouteParams | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const value = actual[index] as string;
    if (part.startsWith(':')) {
      if (value === '') return undefined;
      params[part.slice(1)] = decodeURIComponent(value);
    } else if (part !== value) {
      return undefined;
    }
  }
  return params;
}
