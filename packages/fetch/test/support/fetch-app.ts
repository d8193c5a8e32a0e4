/**
 * Test support: the contract's routes (from the test kit) served by `@keyscope/fetch` alone, as a
 * plain fetch handler of the kind Bun, Deno or a Worker runs. Each route matches with a small
 * URLPattern-like matcher (Node 20 has no `URLPattern`), `/v2/whoami` uses `authenticate`, and the
 * scoped routes are wrapped with `requireScope`.
 */
import type { KeyStore } from '@keyscope/core';
import { type ContractRoute, defineContractRoutes, type Probe } from '@keyscope/test-kit';
import {
  authenticate,
  createAuthenticator,
  type RouteParams,
  requireScope,
  toResponse,
  type URLPatternLike,
} from '../../src/index.js';
import type { FetchHandler } from './bridge.js';

/**
 * A URLPattern-like matcher for a path with `:name` segments.
 *
 * @example
 * ```ts
 * pathPattern('/v2/apps/:appId').exec('http://x/v2/apps/a')?.pathname.groups; // { appId: 'a' }
 * ```
 */
export function pathPattern(path: string): URLPatternLike {
  const names: string[] = [];
  const source = path.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const regex = new RegExp(`^${source}$`);
  return {
    exec(input) {
      const found = regex.exec(new URL(input).pathname);
      if (found === null) return null;
      const groups: Record<string, string> = {};
      names.forEach((name, i) => {
        groups[name] = decodeURIComponent(found[i + 1] as string);
      });
      return { pathname: { groups } };
    },
  };
}

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

/**
 * The contract API as one fetch handler. `whoami` says how `/v2/whoami` is guarded: with
 * `authenticate` in the handler, or with `requireScope('any')` around it.
 *
 * @example
 * ```ts
 * const handler = createFetchApp(store, probe);
 * const response = await handler(new Request('http://x/health'));
 * ```
 */
export function createFetchApp(
  store: KeyStore,
  probe?: Probe,
  whoami: 'authenticate' | "requireScope('any')" = 'authenticate',
): FetchHandler {
  const authenticator = createAuthenticator({ store });
  const routes = defineContractRoutes({ store, probe }).map((route) => {
    const pattern = pathPattern(route.path);
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
