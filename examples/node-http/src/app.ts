/**
 * The node:http example API of the contract (section 5), built by `createApp` and exported so tests
 * drive it through supertest. A tiny router maps each route to a handler wrapped by the adapter in
 * `keyscope.ts` (`requireScope`, with `'any'` for whoami), which answers refusals before the handler runs;
 * the one POST route reads its JSON body only after that check, so an unauthenticated request
 * never has its body read. The API's own errors (unknown route, bad body) use the same JSON shape.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import {
  type AuthContext,
  type Authenticator,
  createAuthenticator,
  type GuardScope,
  type KeyStore,
  listReachableApps,
} from '@keyscope/core';
import { type ProtectedHandler, requireScope } from './keyscope.js';
import { apiError, createRouter, sendJson } from './router.js';

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
  /** Largest JSON body accepted, in bytes (default 100 KiB); larger bodies answer 413. */
  readonly bodyLimit?: number;
};

/**
 * Builds the example API as an `http.Server` that is not listening yet.
 *
 * @throws {ConfigurationError} when the store or authenticator is unusable.
 * @example
 * ```ts
 * import { openFileStore } from '@keyscope/core';
 * import { createApp } from './app.js';
 *
 * createApp({ store: await openFileStore('keys.demo.json') }).listen(3000);
 * ```
 */
export function createApp(options: AppOptions): Server {
  const authenticator = options.authenticator ?? createAuthenticator({ store: options.store });
  const handled = options.onHandle ?? (() => {});
  const limit = options.bodyLimit ?? 100 * 1024;
  const guard = (scope: GuardScope, name: RouteName, handler: ProtectedHandler) =>
    requireScope(
      scope,
      (req, res, context) => {
        handled(name, context.auth);
        return handler(req, res, context);
      },
      { authenticator },
    );

  const router = createRouter()
    .add('GET', '/health', (_req, res) => sendJson(res, 200, { ok: true }))
    .add(
      'GET',
      '/v2/whoami',
      guard('any', 'whoami', (_req, res, { auth }) => sendJson(res, 200, describe(auth))),
    )
    .add(
      'GET',
      '/v2/apps',
      guard('account', 'listApps', async (_req, res, { auth }) => {
        // A store that cannot answer throws a 503, which the router renders with sendError.
        const apps = await listReachableApps(authenticator, auth);
        sendJson(res, 200, { apps: apps.map((id) => ({ id })) });
      }),
    )
    .add(
      'GET',
      '/v2/apps/:appId',
      guard('app', 'getApp', (_req, res, { params }) => {
        sendJson(res, 200, { app: { id: params.appId } });
      }),
    )
    .add(
      'GET',
      '/v2/apps/:appId/users/:userId',
      guard('appUser', 'getUser', (_req, res, { params }) => {
        sendJson(res, 200, { user: { id: params.userId, appId: params.appId } });
      }),
    )
    .add(
      'POST',
      '/v2/apps/:appId/users/:userId/messages',
      // Reported once the body is accepted: a bad body is a refusal, as in the other examples.
      requireScope(
        'appUser',
        async (req, res, { auth }) => {
          const body = await readJson(req, limit);
          if ('error' in body) return sendJson(res, body.status, body.error);
          handled('postMessage', auth);
          sendJson(res, 201, { received: body.value });
        },
        { authenticator },
      ),
    );

  return createServer((req, res) => {
    void router.handle(req, res);
  });
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

type BodyResult =
  | { readonly value: unknown }
  | { readonly status: number; readonly error: ReturnType<typeof apiError> };

/**
 * Reads a JSON body: 400 when there is none or it is not JSON, 415 when it does not say it is
 * JSON, 413 past `limit` bytes. Error titles are fixed: they never quote the body.
 */
async function readJson(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const hasBody = req.headers['transfer-encoding'] !== undefined || req.headers['content-length'];
  if (!hasBody || req.headers['content-length'] === '0') {
    return { status: 400, error: apiError('bad_request', 'A JSON request body is required') };
  }
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    const title = 'The request body must be application/json';
    return { status: 415, error: apiError('unsupported_media_type', title) };
  }
  const tooLarge = {
    status: 413,
    error: apiError('payload_too_large', 'The request body is too large'),
  };
  if (Number(req.headers['content-length']) > limit) return tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return tooLarge;
    chunks.push(chunk);
  }
  try {
    return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { status: 400, error: apiError('bad_request', 'The request body is not valid JSON') };
  }
}
