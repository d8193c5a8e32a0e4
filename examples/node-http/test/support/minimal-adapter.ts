// The adapter of docs/custom-adapters.md, verbatim: a whole keyscope adapter for node:http.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthContext,
  type AuthenticateOptions,
  createGuard,
  type GuardAccess,
  type GuardScope,
  readNodeRequest,
  toErrorResponse,
} from '@keyscope/core';

type Params = Record<string, string | undefined>;
type Exchange = { req: IncomingMessage; params: Params };
type Allowed = { params: Params; auth: AuthContext };
type Handler = (req: IncomingMessage, res: ServerResponse, allowed: Allowed) => unknown;

const access: GuardAccess<Exchange> = {
  // Rule 2: every raw Authorization value, so that two fields are refused (400).
  request: ({ req }) => readNodeRequest(req),
  resource: ({ params }) => params,
  // Rule 4: keyscope's record of the request lives on the request, not on this wrapper.
  recordOn: ({ req }) => req,
};

// Rule 3: the status, every header (WWW-Authenticate, Content-Type) and the JSON body, exactly.
export function sendError(res: ServerResponse, error: unknown): void {
  const { status, headers, body } = toErrorResponse(error);
  res.writeHead(status, headers).end(JSON.stringify(body));
}

// `scope` is 'appUser', 'app', 'account', or 'any' (any valid credential).
export function protect(scope: GuardScope, handler: Handler, options: AuthenticateOptions) {
  const check = createGuard(scope, access, options);
  return async (req: IncomingMessage, res: ServerResponse, params: Params = {}) => {
    const auth = await check({ req, params }).catch((error: unknown) => sendError(res, error));
    // Rule 1: after a refusal (answered above, auth undefined) the handler never runs.
    if (auth !== undefined) await handler(req, res, { params, auth });
  };
}
