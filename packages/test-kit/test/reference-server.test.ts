/**
 * Checks the case table itself against a reference server written on core alone (node:http and
 * the adapter kit, no framework), so that a failing adapter run points at the adapter, not at the
 * table.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  type AuthContext,
  authenticateRequest,
  createAuthenticator,
  createGuard,
  type GuardAccess,
  toErrorResponse,
} from '@keyscope/core';
import { defineContractRoutes, readJsonBody, runCaseTable } from '@keyscope/test-kit';

interface Exchange {
  readonly req: IncomingMessage;
  params: Record<string, string>;
  auth?: AuthContext;
}

const access: GuardAccess<Exchange> = {
  request: ({ req }) => ({ authorization: req.headersDistinct.authorization, method: req.method }),
  setContext: (exchange, auth) => {
    exchange.auth = auth;
  },
  resource: ({ params }) => ({ appId: params.appId, userId: params.userId }),
};

function pattern(path: string): RegExp {
  return new RegExp(`^${path.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`);
}

function reply(res: ServerResponse, status: number, headers: object, body: unknown): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

runCaseTable('reference node:http server on core alone', (store, probe): RequestListener => {
  const authenticator = createAuthenticator({ store });
  const routes = defineContractRoutes({ store, probe }).map((route) => ({
    route,
    match: pattern(route.path),
    guard:
      typeof route.guard === 'string' && route.guard !== 'none' && route.guard !== 'authenticated'
        ? createGuard(route.guard, access, { authenticator })
        : undefined,
  }));
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const found = routes
      .map((r) => {
        const match = r.match.exec(path);
        return { ...r, params: match ? (match.groups ?? {}) : undefined };
      })
      .find((r) => r.params !== undefined && r.route.method === req.method);
    if (!found) return reply(res, 404, {}, { errors: [{ code: 'not_found', title: 'Not found' }] });
    const exchange: Exchange = { req, params: { ...found.params } };
    try {
      if (found.route.guard === 'authenticated') {
        exchange.auth = await authenticateRequest(
          authenticator,
          exchange,
          access.request(exchange),
        );
      } else if (found.guard) {
        await found.guard(exchange);
      }
      const body = found.route.readsBody ? await readJsonBody(req) : undefined;
      const answer = await found.route.handle({
        auth: exchange.auth,
        params: exchange.params,
        body,
      });
      reply(res, answer.status, {}, answer.body);
    } catch (error) {
      const { status, headers, body } = toErrorResponse(error);
      reply(res, status, headers, body);
    }
  };
});
