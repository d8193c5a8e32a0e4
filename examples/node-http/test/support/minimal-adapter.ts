// The adapter of docs/custom-adapters.md, verbatim: a whole keyscope adapter for node:http.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthContext,
  type AuthenticateOptions,
  authenticateRequest,
  createGuard,
  type GuardAccess,
  resolveAuthenticator,
  type Scope,
  toErrorResponse,
} from '@keyscope/core';

type Params = Record<string, string | undefined>;
type Exchange = { req: IncomingMessage; params: Params; auth?: AuthContext };
type Handler = (req: IncomingMessage, res: ServerResponse, exchange: Required<Exchange>) => unknown;

const access: GuardAccess<Exchange> = {
  // Rule 2: every raw value, so that two Authorization fields are refused (400).
  request: ({ req }) => ({ authorization: req.headersDistinct.authorization, method: req.method }),
  getContext: (exchange) => exchange.auth,
  setContext: (exchange, auth) => Object.assign(exchange, { auth }),
  resource: ({ params }) => ({ appId: params.appId, userId: params.userId }),
};

// Rule 3: status, WWW-Authenticate and the JSON body, exactly (a 500 for anything else).
export function sendError(res: ServerResponse, error: unknown): void {
  const { status, headers, body } = toErrorResponse(error);
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function protect(scope: Scope | 'any', handler: Handler, options: AuthenticateOptions) {
  const authenticator = resolveAuthenticator(options);
  const check =
    scope === 'any'
      ? async (x: Exchange) => (await authenticateRequest(authenticator, x, access.request(x)))!
      : createGuard(scope, access, { authenticator });
  return async (req: IncomingMessage, res: ServerResponse, params: Params = {}) => {
    const auth = await check({ req, params }).catch((error: unknown) => sendError(res, error));
    // Rule 1: after a refusal (answered above, auth undefined) the handler never runs.
    if (auth !== undefined) await handler(req, res, { req, params, auth });
  };
}
