/**
 * The Express example API of the contract (section 5), built by `createApp` and exported so tests
 * drive it through supertest without opening a port. Each protected route names the scope it needs
 * with `requireScope`, which authenticates the caller and checks the route's `:appId`/`:userId`
 * before the handler runs; the JSON body of the one POST route is parsed only after that check, so
 * an unauthenticated request never has its body read. Refusals use the contract's JSON body, and so
 * do the API's own errors (unknown route, bad JSON body, a path Express cannot decode) with their
 * own codes.
 */

import {
  type AuthContext,
  type Authenticator,
  createAuthenticator,
  type GuardScope,
  isAuthError,
  type KeyStore,
  listReachableApps,
  toErrorResponse,
} from '@keyscope/core';
import { requireScope } from '@keyscope/express';
import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
} from 'express';

/** The protected routes, as named to the `onHandle` hook. */
export type RouteName = 'whoami' | 'listApps' | 'getApp' | 'getUser' | 'postMessage';

/**
 * Options of {@link createApp}: where keys come from (a store, or an authenticator made with
 * `createAuthenticator`), and optional hooks.
 */
export type AppOptions = (
  | { readonly store: KeyStore; readonly authenticator?: undefined }
  | { readonly authenticator: Authenticator; readonly store?: undefined }
) & {
  /**
   * Called by every protected handler when it runs, with the caller's context. For metrics or
   * audit logs; the tests use it to prove that a refused request never reached its handler.
   */
  readonly onHandle?: (route: RouteName, auth: AuthContext) => void;
  /** Largest JSON body accepted (default `'100kb'`); larger bodies answer 413. */
  readonly bodyLimit?: string | number;
};

/** An API error that is not an authentication error: unknown route, bad body. */
interface ApiErrorBody {
  readonly errors: readonly [{ readonly code: string; readonly title: string }];
}

const apiError = (code: string, title: string): ApiErrorBody => ({ errors: [{ code, title }] });

/**
 * Builds the example API.
 *
 * @throws {ConfigurationError} when the store or authenticator is unusable.
 * @example
 * ```ts
 * import { openFileStore } from '@keyscope/core';
 * import { createApp } from './app.js';
 *
 * const app = createApp({ store: await openFileStore('keys.demo.json') });
 * app.listen(3000);
 * ```
 */
export function createApp(options: AppOptions): Express {
  const authenticator = options.authenticator ?? createAuthenticator({ store: options.store });
  const handled = options.onHandle ?? (() => {});
  const app = express();
  app.disable('x-powered-by');

  // Every context comes from the same authenticator; a route guard authenticates on its own.
  const guard = (scope: GuardScope) => requireScope(scope, { authenticator });
  // Parsed only on the route that takes a body, after its guard.
  const json = express.json({ limit: options.bodyLimit ?? '100kb', strict: false });

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  app.get('/v2/whoami', guard('any'), (req, res) => {
    const auth = contextOf(req);
    handled('whoami', auth);
    res.json(describe(auth));
  });

  app.get('/v2/apps', guard('account'), (req, res, next) => {
    const auth = contextOf(req);
    handled('listApps', auth);
    // A store that cannot answer is a 503, rendered by handleErrors.
    listReachableApps(authenticator, auth).then(
      (apps) => res.json({ apps: apps.map((id) => ({ id })) }),
      next,
    );
  });

  app.get('/v2/apps/:appId', guard('app'), (req, res) => {
    handled('getApp', contextOf(req));
    res.json({ app: { id: req.params.appId } });
  });

  app.get('/v2/apps/:appId/users/:userId', guard('appUser'), (req, res) => {
    handled('getUser', contextOf(req));
    res.json({ user: { id: req.params.userId, appId: req.params.appId } });
  });

  app.post(
    '/v2/apps/:appId/users/:userId/messages',
    guard('appUser'),
    requireJsonBody,
    json,
    (req, res) => {
      handled('postMessage', contextOf(req));
      res.status(201).json({ received: req.body });
    },
  );

  app.use((_req, res) => {
    res.status(404).json(apiError('not_found', 'No such route'));
  });

  app.use(handleErrors);
  return app;
}

/** The `whoami` body: the context's public fields, absent ones left out. */
function describe(auth: AuthContext): Record<string, unknown> {
  return {
    method: auth.method,
    keyId: auth.keyId,
    entity: { type: auth.entity.type, id: auth.entity.id },
    scope: auth.scope,
    ...(auth.appId === undefined ? {} : { appId: auth.appId }),
    ...(auth.userId === undefined ? {} : { userId: auth.userId }),
    ...(auth.accountId === undefined ? {} : { accountId: auth.accountId }),
  };
}

function contextOf(req: Request): AuthContext {
  // The guard before every protected handler has set it; a missing one is a wiring bug.
  if (req.auth === undefined) throw new Error('route reached without an authentication context');
  return req.auth;
}

/** 400 without a body (or an empty one), 415 unless the body says it is JSON. */
const requireJsonBody: RequestHandler = (req, res, next) => {
  const type = req.is('application/json');
  if (type === null || req.get('Content-Length') === '0') {
    res.status(400).json(apiError('bad_request', 'A JSON request body is required'));
  } else if (type === false) {
    res
      .status(415)
      .json(apiError('unsupported_media_type', 'The request body must be application/json'));
  } else {
    next();
  }
};

/** The API's answer to a 4xx error of Express or body-parser: a fixed title, never their message. */
function clientError(status: number, type: unknown): [number, ApiErrorBody] {
  if (status === 413) return [413, apiError('payload_too_large', 'The request body is too large')];
  if (status === 415) {
    return [415, apiError('unsupported_media_type', 'The request body encoding is not supported')];
  }
  if (type === 'entity.parse.failed') {
    return [400, apiError('bad_request', 'The request body is not valid JSON')];
  }
  return [400, apiError('bad_request', 'Bad request')];
}

/**
 * The last stop. keyscope errors get the contract's answer (exactly `application/json`). Any other
 * error that carries a 4xx `status` comes from Express or body-parser (a path that is not valid
 * percent-encoding, a body too large or not JSON): a 4xx with the API's body and a fixed title,
 * never the error's message, which may quote the request. Anything else is a 500 that reveals
 * nothing.
 */
const handleErrors: ErrorRequestHandler = (error, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  const status: unknown = error?.status ?? error?.statusCode;
  if (!isAuthError(error) && typeof status === 'number' && status >= 400 && status < 500) {
    const [code, body] = clientError(status, error?.type);
    res.status(code).json(body);
    return;
  }
  const answer = toErrorResponse(error);
  res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
};
