/**
 * Test support: the contract's routes (from the test kit) served by `@keyscope/fetch` alone, as a
 * plain fetch handler of the kind Bun, Deno or a Worker runs. Each route matches with a real
 * `URLPattern` (the runtime's own, or `urlpattern-polyfill` on Node.js 20, which has none),
 * `/v2/whoami` uses `authenticate`, and the scoped routes are wrapped with `requireScope`. The
 * runtime tests bundle this very file, with the built packages, for Bun, Deno and workerd.
 */
import type { KeyStore } from '@keyscope/core';
import {
  authenticate,
  createAuthenticator,
  type RouteParams,
  requireScope,
  toResponse,
  type URLPatternLike,
} from '@keyscope/fetch';
import { type ContractRoute, defineContractRoutes, type Probe } from '@keyscope/test-kit';
import type { FetchHandler } from './bridge.js';

async function answer(
  route: ContractRoute,
  request: Request,
  auth: Parameters<ContractRoute['handle']>[0]['auth'],
  params: RouteParams,
): Promise<Response> {
  try {
    const body = route.readsBody ? await request.json() : undefined;
    const { status, body: json } = await route.handle({ auth, params, body });
    return Response.json(json, { status });
  } catch (error) {
    return toResponse(error);
  }
}

/** The `URLPattern` class to match routes with. */
export type URLPatternClass = new (init: { pathname: string }) => URLPatternLike;

/** Options of {@link createFetchApp}. */
export interface FetchAppOptions {
  /** The `URLPattern` class: the runtime's own, or `urlpattern-polyfill`'s. */
  readonly URLPattern: URLPatternClass;
  /** Told the route name each time a guarded handler runs. */
  readonly probe?: Probe | undefined;
  /** How `/v2/whoami` is guarded: `authenticate` in the handler, or `requireScope('any')`. */
  readonly whoami?: 'authenticate' | "requireScope('any')";
}

/**
 * The contract API as one fetch handler.
 *
 * @example
 * ```ts
 * const handler = createFetchApp(store, { URLPattern, probe });
 * const response = await handler(new Request('http://x/health'));
 * ```
 */
export function createFetchApp(store: KeyStore, options: FetchAppOptions): FetchHandler {
  const { URLPattern, probe, whoami = 'authenticate' } = options;
  const authenticator = createAuthenticator({ store });
  const routes = defineContractRoutes({ store, probe }).map((route) => {
    const pattern = new URLPattern({ pathname: route.path });
    let handler: FetchHandler;
    if (route.guard === 'none') {
      handler = (request) => answer(route, request, undefined, {});
    } else if (route.guard === 'authenticated' && whoami === 'authenticate') {
      // `authenticate` alone, as a handler that returns early.
      handler = async (request) => {
        const result = await authenticate(request, authenticator);
        if (!result.ok) return result.response;
        return answer(route, request, result.auth, {});
      };
    } else {
      // Any other guarded route, with `requireScope` ('any' for one that only authenticates).
      handler = requireScope(
        route.guard === 'authenticated' ? 'any' : route.guard,
        (request, { auth, params }) => answer(route, request, auth, params),
        { authenticator, params: pattern },
      );
    }
    return { method: route.method, pattern, handler };
  });
  return (request) => {
    const route = routes.find(
      (r) => r.method === request.method && r.pattern.exec(request.url) !== null,
    );
    if (route === undefined) {
      return Response.json(
        { errors: [{ code: 'not_found', title: 'No such route' }] },
        { status: 404 },
      );
    }
    return route.handler(request);
  };
}
