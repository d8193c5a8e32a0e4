/**
 * The Fastify example API of the contract (section 5), built by `createApp` and exported so tests
 * drive it over HTTP. The `@keyscope/fastify` plugin is registered with the authenticator, and each
 * protected route puts a `requireScope()` hook in its `preHandler`. Fastify reads a request body
 * before `preHandler` hooks run, so bodies are only collected raw (bounded by `bodyLimit`) and the
 * POST route parses its JSON after the guard: a refused caller never has its body parsed. Errors
 * of the API itself (unknown route, bad body) use the contract's JSON body with their own codes.
 */
import {
  type AuthContext,
  type Authenticator,
  createAuthenticator,
  isAuthError,
  type KeyStore,
  listReachableApps,
  toErrorResponse,
} from '@keyscope/core';
import { keyscope, requireScope } from '@keyscope/fastify';
import fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';

/** The protected routes, as named to the `onHandle` hook. */
export type RouteName = 'whoami' | 'listApps' | 'getApp' | 'getUser' | 'postMessage';

/**
 * Options of {@link createApp}: where keys come from (a store, or an authenticator made with
 * `createAuthenticator`), and optional hooks.
 *
 * @example
 * ```ts
 * const options: AppOptions = { store, onHandle: (route) => console.log(route) };
 * ```
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
  /** Largest request body accepted, in bytes (default 100 KiB); larger bodies answer 413. */
  readonly bodyLimit?: number;
  /** Fastify's logger setting (default off); 500s are logged through it. */
  readonly logger?: FastifyServerOptions['logger'];
  /**
   * Client timeouts in milliseconds (`readServerLimits` of `@keyscope/example-shared` reads them
   * from the environment). Unset, Fastify's defaults hold: no request timeout, 72 s keep-alive and
   * Node's 60 s for the headers.
   */
  readonly timeouts?: ClientTimeouts;
};

/**
 * The client timeouts of {@link AppOptions}, in milliseconds.
 *
 * @example
 * ```ts
 * const timeouts: ClientTimeouts = { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 };
 * ```
 */
export interface ClientTimeouts {
  /** Most time to receive the headers (Node's `headersTimeout`). */
  readonly headersTimeout: number;
  /** Most time to receive a whole request (Fastify's `requestTimeout`). */
  readonly requestTimeout: number;
  /** How long an idle keep-alive connection stays open (Fastify's `keepAliveTimeout`). */
  readonly keepAliveTimeout: number;
  /** How often Node checks the first two (default 30 s). */
  readonly connectionsCheckingInterval?: number;
}

interface AppParams {
  readonly appId: string;
  readonly userId: string;
}

const apiError = (code: string, title: string) => ({ errors: [{ code, title }] });

/**
 * Builds the example API (call `await app.ready()` or `app.listen()` before use).
 *
 * @throws {ConfigurationError} (when the app loads) if the store or authenticator is unusable.
 * @example
 * ```ts
 * import { openFileStore } from '@keyscope/core';
 * import { createApp } from './app.js';
 *
 * await createApp({ store: await openFileStore('keys.demo.json') }).listen({ port: 3000 });
 * ```
 */
export function createApp(options: AppOptions): FastifyInstance {
  const authenticator = options.authenticator ?? createAuthenticator({ store: options.store });
  const handled = options.onHandle ?? (() => {});
  const timeouts = options.timeouts;
  const app = fastify({
    ...(timeouts && {
      requestTimeout: timeouts.requestTimeout,
      keepAliveTimeout: timeouts.keepAliveTimeout,
      // Fastify has no option of its own for these two: they go to http.createServer.
      http: {
        headersTimeout: timeouts.headersTimeout,
        ...(timeouts.connectionsCheckingInterval && {
          connectionsCheckingInterval: timeouts.connectionsCheckingInterval,
        }),
      },
    }),
    bodyLimit: options.bodyLimit ?? 100 * 1024,
    // While the server drains, requests on kept-alive connections are answered (with
    // `Connection: close`), as in the other examples, rather than refused with 503.
    return503OnClosing: false,
    logger: options.logger ?? false,
    routerOptions: { ignoreTrailingSlash: true },
    // Errors before routing (a path that is not valid percent-encoding): the API's JSON body.
    frameworkErrors: (_error, _request, reply) => {
      (reply as FastifyReply).code(400).send(apiError('bad_request', 'Bad request'));
    },
  });

  // Collect bodies raw: JSON is parsed by the route, after its guard.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.register(keyscope, { authenticator });
  app.register(async function contractRoutes(api) {
    const auth = (request: { auth?: AuthContext | undefined }, route: RouteName): AuthContext => {
      // The route's hook has set it; a missing one is a wiring bug (500).
      if (request.auth === undefined) throw new Error(`route ${route} ran without a context`);
      handled(route, request.auth);
      return request.auth;
    };

    api.get('/health', async () => ({ ok: true }));

    api.get('/v2/whoami', { preHandler: requireScope('any') }, async (request) =>
      describe(auth(request, 'whoami')),
    );

    api.get('/v2/apps', { preHandler: requireScope('account') }, async (request) => {
      // A store that cannot answer throws a 503, rendered by handleError.
      const apps = await listReachableApps(authenticator, auth(request, 'listApps'));
      return { apps: apps.map((id) => ({ id })) };
    });

    api.get<{ Params: AppParams }>(
      '/v2/apps/:appId',
      { preHandler: requireScope('app') },
      async (request) => {
        auth(request, 'getApp');
        return { app: { id: request.params.appId } };
      },
    );

    api.get<{ Params: AppParams }>(
      '/v2/apps/:appId/users/:userId',
      { preHandler: requireScope('appUser') },
      async (request) => {
        auth(request, 'getUser');
        return { user: { id: request.params.userId, appId: request.params.appId } };
      },
    );

    api.post<{ Params: AppParams; Body: Buffer | undefined }>(
      '/v2/apps/:appId/users/:userId/messages',
      { preHandler: requireScope('appUser') },
      async (request, reply) => {
        const type = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
        if (request.body === undefined || request.body.length === 0) {
          return reply.code(400).send(apiError('bad_request', 'A JSON request body is required'));
        }
        if (type !== 'application/json') {
          const title = 'The request body must be application/json';
          return reply.code(415).send(apiError('unsupported_media_type', title));
        }
        let received: unknown;
        try {
          received = JSON.parse(request.body.toString('utf8'));
        } catch {
          return reply
            .code(400)
            .send(apiError('bad_request', 'The request body is not valid JSON'));
        }
        // Reported once the body is accepted: a bad body is a refusal, as in the other examples.
        auth(request, 'postMessage');
        return reply.code(201).send({ received });
      },
    );
  });

  app.setNotFoundHandler((_request, reply) => {
    reply.code(404).send(apiError('not_found', 'No such route'));
  });
  app.setErrorHandler((error: FastifyError, request, reply) =>
    handleError(error, request.log, reply),
  );
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

/**
 * The last stop: keyscope errors get the contract's answer; Fastify's own 4xx (body too large, bad
 * path encoding...) a fixed title that never quotes the request; anything else a 500 that reveals
 * nothing.
 */
function handleError(
  error: FastifyError,
  log: { error(object: unknown, message: string): void },
  reply: FastifyReply,
) {
  const status: unknown = error.statusCode ?? (error as { status?: unknown }).status;
  if (!isAuthError(error) && typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) {
      return reply.code(413).send(apiError('payload_too_large', 'The request body is too large'));
    }
    return reply.code(400).send(apiError('bad_request', 'Bad request'));
  }
  if (!isAuthError(error)) log.error({ err: error }, 'request failed');
  const { status: code, headers, body } = toErrorResponse(error);
  // A Buffer, so that the type stays exactly `application/json` (no charset added).
  return reply
    .code(code)
    .headers(headers)
    .send(Buffer.from(JSON.stringify(body)));
}
