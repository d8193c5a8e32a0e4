/**
 * One Express 5 server with the same guarded route built layer by layer, for `layers.ts`: the
 * hand-written floor (Basic or HS256 by the scheme of the request), the minimal jose middleware,
 * keyscope's core alone (`authenticate` then `authorize`, no adapter), and the full
 * `requireScope()` of `@keyscope/express`. Comparing the CPU each costs per request, in one
 * process, tells where the time goes.
 */
import { createServer } from 'node:http';
import { createAuthenticator, openFileStore } from '@keyscope/core';
import { requireScope } from '@keyscope/express';
import express, { type RequestHandler } from 'express';
import { floorBasic, floorHs256, joseMinimal } from './floors.ts';
import { APP_BODY, announce, HEALTH_BODY, loadKeys } from './shared.ts';

const keys = loadKeys();
const store = await openFileStore(process.env.KEYSCOPE_KEYS_FILE ?? '');
const authenticator = createAuthenticator({ store });
const basic = floorBasic(keys);
const hs256 = floorHs256(keys);
const jose = joseMinimal(keys);
const refuse = (res: express.Response) => {
  res.status(401).json({ errors: [{ code: 'unauthorized' }] });
};

const floor: RequestHandler = (req, res, next) => {
  const header = req.headers.authorization;
  if ((header?.startsWith('Basic ') ? basic : hs256)(header)) next();
  else refuse(res);
};
const joseGuard: RequestHandler = (req, res, next) => {
  jose(req.headers.authorization).then((ok) => (ok ? next() : refuse(res)), next);
};
const core: RequestHandler = (req, res, next) => {
  authenticator
    .authenticate({ authorization: req.headers.authorization, method: req.method })
    .then((auth) => authenticator.authorize(auth, 'app', { appId: req.params.appId as string }))
    .then(
      () => next(),
      () => refuse(res),
    );
};
const handler: RequestHandler = (_req, res) => {
  res.json(APP_BODY);
};

const app = express();
app.get('/health', (_req, res) => {
  res.json(HEALTH_BODY);
});
app.get('/floor/:appId', floor, handler);
app.get('/jose/:appId', joseGuard, handler);
app.get('/core/:appId', core, handler);
app.get('/adapter/:appId', requireScope('app', { authenticator }), handler);
announce(createServer(app));
