/**
 * The minimal adapter taught by docs/custom-adapters.md (kept verbatim in
 * `support/minimal-adapter.ts`) passes the whole shared case table, served with the example's
 * router: a 40-line adapter answers exactly like the Express, Koa, fetch and Fastify ones.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AuthContext } from '@keyscope/core';
import { defineContractRoutes, readJsonBody, runCaseTable } from '@keyscope/test-kit';
import { createRouter, sendJson } from '../src/router.js';
import { protect, sendError } from './support/minimal-adapter.js';

type Params = Record<string, string | undefined>;

runCaseTable('docs/custom-adapters.md minimal node:http adapter', (store, probe) => {
  const router = createRouter();
  for (const route of defineContractRoutes({ store, probe })) {
    const answer = async (
      req: IncomingMessage,
      res: ServerResponse,
      params: Params,
      auth?: AuthContext,
    ) => {
      try {
        const body = route.readsBody ? await readJsonBody(req) : undefined;
        const { status, body: json } = await route.handle({ auth, params, body });
        sendJson(res, status, json);
      } catch (error) {
        sendError(res, error);
      }
    };
    const { guard } = route;
    router.add(
      route.method,
      route.path,
      guard === 'none'
        ? (req, res, params) => answer(req, res, params)
        : protect(
            guard === 'authenticated' ? 'any' : guard,
            (req, res, { params, auth }) => answer(req, res, params, auth),
            { store },
          ),
    );
  }
  return createServer((req, res) => void router.handle(req, res));
});
