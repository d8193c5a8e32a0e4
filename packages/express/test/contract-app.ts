/**
 * Builds an Express app (4 or 5) serving the contract's routes from the test-kit, guarded by this
 * package, in one of two mounting styles: `chain` (one `authenticate()` on `/v2`, then bare
 * `requireScope(scope)` guards reusing its authenticator) or `standalone` (each route carries its
 * own `authenticate({ store })` or `requireScope(scope, { store })`).
 */
import {
  authenticate,
  createAuthenticator,
  type KeyStore,
  requireScope,
  toErrorResponse,
} from '@keyscope/express';
import { defineContractRoutes, type Probe } from '@keyscope/test-kit';
import type express from 'express';
import type { ErrorRequestHandler, RequestHandler } from 'express';

/** The Express module under test: `express` (5) or `express4`. */
export type ExpressModule = typeof express;

/** How the guards are mounted. */
export type MountStyle = 'chain' | 'standalone';

const param = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Renders any error the way core says (the app-level error handler of the test apps). */
export const renderErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const { status, headers, body } = toErrorResponse(error);
  res.writeHead(status, headers).end(JSON.stringify(body)); // res.json would add a charset
};

/**
 * The contract app, on `store`, reporting handler runs to `probe`.
 *
 * @example
 * ```ts
 * runCaseTable('express 5', (store, probe) => contractApp(express, store, probe, 'chain'));
 * ```
 */
export function contractApp(
  framework: ExpressModule,
  store: KeyStore,
  probe: Probe,
  style: MountStyle,
): express.Express {
  const app = framework();
  if (style === 'chain')
    app.use('/v2', authenticate({ authenticator: createAuthenticator({ store }) }));
  for (const route of defineContractRoutes({ store, probe })) {
    const guards: RequestHandler[] = [];
    if (route.guard === 'authenticated' && style === 'standalone')
      guards.push(authenticate({ store }));
    if (route.guard !== 'none' && route.guard !== 'authenticated') {
      guards.push(
        style === 'chain' ? requireScope(route.guard) : requireScope(route.guard, { store }),
      );
    }
    if (route.readsBody) guards.push(framework.json());
    const handler: RequestHandler = (req, res, next) => {
      const params = { appId: param(req.params.appId), userId: param(req.params.userId) };
      route
        .handle({ auth: req.auth, params, body: req.body })
        .then(({ status, body }) => res.status(status).json(body), next);
    };
    if (route.method === 'GET') app.get(route.path, ...guards, handler);
    else app.post(route.path, ...guards, handler);
  }
  app.use(renderErrors);
  return app;
}
