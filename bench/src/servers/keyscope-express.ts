/**
 * keyscope on Express 5 in the same bare app as the peers and floors (`/health` and one guarded
 * route, nothing else): `requireScope('app')` over the file store. Beside the example server, which
 * also writes an audit log line per request, this isolates what keyscope itself costs.
 */
import { createServer } from 'node:http';
import { createAuthenticator, openFileStore } from '@keyscope/core';
import { requireScope } from '@keyscope/express';
import express from 'express';
import { APP_BODY, announce, HEALTH_BODY } from './shared.ts';

const store = await openFileStore(process.env.KEYSCOPE_KEYS_FILE ?? '');
const authenticator = createAuthenticator({ store });
const app = express();
app.get('/health', (_req, res) => {
  res.json(HEALTH_BODY);
});
app.get('/v2/apps/:appId', requireScope('app', { authenticator }), (_req, res) => {
  res.json(APP_BODY);
});
announce(createServer(app));
