/**
 * The routes of the contract (section 5), described once without any framework, so that every
 * adapter test and example server mounts the same API with the same guards and the same 200/201
 * bodies. A framework mounts each route at `path` (Express / `@koa/router` syntax), puts the guard
 * named by `guard` in front of it, parses a JSON body when `readsBody` is set, and answers with what
 * `handle` resolves. `handle` rejects with an `AuthError` (503, from core's `listReachableApps`)
 * when the store fails while listing apps; render it with core's `toErrorResponse`.
 */
import { type AuthContext, type KeyStore, listReachableApps, type Scope } from '@keyscope/core';
import type { Probe } from './probe.js';

/** The names of the contract's routes. */
export type ContractRouteName = 'health' | 'whoami' | 'apps' | 'app' | 'user' | 'messages';

/**
 * What protects a route: nothing, any valid credential (`authenticated`: the adapter's
 * `authenticate()`), or a scope on the named resource (the adapter's `requireScope(scope)`).
 */
export type ContractGuard = 'none' | 'authenticated' | Scope;

/** What a mounted route hands to `handle`. */
export interface ContractRequest {
  /** The `AuthContext` the adapter attached (`req.auth`, `ctx.state.auth`). */
  readonly auth?: AuthContext | undefined;
  /** The route parameters. */
  readonly params: { readonly appId?: string | undefined; readonly userId?: string | undefined };
  /** The parsed JSON body (for `readsBody` routes). */
  readonly body?: unknown;
}

/** What a route answers. */
export interface ContractResponse {
  readonly status: 200 | 201;
  readonly body: unknown;
}

/** One route of the contract. */
export interface ContractRoute {
  readonly name: ContractRouteName;
  readonly method: 'GET' | 'POST';
  /** Path in Express / `@koa/router` syntax (`/v2/apps/:appId`). */
  readonly path: string;
  readonly guard: ContractGuard;
  /** Whether the route reads a JSON body (parse it after the guard). */
  readonly readsBody: boolean;
  /**
   * Produces the answer.
   *
   * @throws {StoreUnavailableError} when the store cannot list the caller's apps.
   */
  handle(request: ContractRequest): Promise<ContractResponse>;
}

/** Options of {@link defineContractRoutes}. */
export interface ContractRoutesOptions {
  /** The store the server authenticates with (it lists the apps of `GET /v2/apps`). */
  readonly store: KeyStore;
  /** Told the route name each time a guarded handler runs. */
  readonly probe?: Probe | undefined;
}

/**
 * The `whoami` body of the contract: `method`, `keyId`, `entity`, `scope`, then `appId` (app and
 * appUser scope), `userId` (appUser scope) and `accountId` (account scope).
 *
 * @example
 * ```ts
 * res.json(whoamiBody(req.auth));
 * ```
 */
export function whoamiBody(auth: AuthContext): Record<string, unknown> {
  const body: Record<string, unknown> = {
    method: auth.method,
    keyId: auth.keyId,
    entity: { type: auth.entity.type, id: auth.entity.id },
    scope: auth.scope,
  };
  if (auth.scope !== 'account' && auth.appId !== undefined) body.appId = auth.appId;
  if (auth.scope === 'appUser' && auth.userId !== undefined) body.userId = auth.userId;
  if (auth.scope === 'account' && auth.accountId !== undefined) body.accountId = auth.accountId;
  return body;
}

/**
 * The contract's routes, ready to mount.
 *
 * @example
 * ```ts
 * for (const route of defineContractRoutes({ store, probe })) {
 *   const guard = route.guard === 'none' ? [] :
 *     route.guard === 'authenticated' ? [authenticate({ store })] : [requireScope(route.guard, { store })];
 *   app[route.method === 'GET' ? 'get' : 'post'](route.path, ...guard, (req, res, next) => {
 *     route.handle({ auth: req.auth, params: req.params, body: req.body })
 *       .then(({ status, body }) => res.status(status).json(body), next);
 *   });
 * }
 * ```
 */
export function defineContractRoutes(options: ContractRoutesOptions): readonly ContractRoute[] {
  const { store, probe } = options;
  const caller = (name: ContractRouteName, request: ContractRequest): AuthContext => {
    probe?.ran(name);
    if (request.auth === undefined) {
      throw new Error(`route "${name}" ran without an AuthContext: its guard is missing`);
    }
    return request.auth;
  };
  const route = (
    name: ContractRouteName,
    method: 'GET' | 'POST',
    path: string,
    guard: ContractGuard,
    handle: (request: ContractRequest) => ContractResponse | Promise<ContractResponse>,
  ): ContractRoute => ({
    name,
    method,
    path,
    guard,
    readsBody: method === 'POST',
    handle: async (request) => handle(request),
  });
  return [
    route('health', 'GET', '/health', 'none', () => ({ status: 200, body: { ok: true } })),
    route('whoami', 'GET', '/v2/whoami', 'authenticated', (request) => ({
      status: 200,
      body: whoamiBody(caller('whoami', request)),
    })),
    route('apps', 'GET', '/v2/apps', 'account', async (request) => {
      const ids = await listReachableApps({ store }, caller('apps', request));
      return { status: 200, body: { apps: ids.map((id) => ({ id })) } };
    }),
    route('app', 'GET', '/v2/apps/:appId', 'app', (request) => {
      caller('app', request);
      return { status: 200, body: { app: { id: request.params.appId } } };
    }),
    route('user', 'GET', '/v2/apps/:appId/users/:userId', 'appUser', (request) => {
      caller('user', request);
      const { appId, userId } = request.params;
      return { status: 200, body: { user: { id: userId, appId } } };
    }),
    route('messages', 'POST', '/v2/apps/:appId/users/:userId/messages', 'appUser', (request) => {
      caller('messages', request);
      return { status: 201, body: { received: request.body } };
    }),
  ];
}
