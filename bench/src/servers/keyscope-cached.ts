/**
 * keyscope on Express 5 in front of a slow store (every lookup takes 1 ms), through the caching
 * layer `createCachedStore`: the scenario of a database-backed store.
 */

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createCachedStore, createMemoryStore, type KeyStore } from '@keyscope/core';
import { requireScope } from '@keyscope/express';
import express from 'express';
import { APP_BODY, announce, HEALTH_BODY } from './shared.ts';

const memory = createMemoryStore(
  JSON.parse(readFileSync(process.env.KEYSCOPE_KEYS_FILE ?? '', 'utf8')),
);
const delay = () => new Promise((resolve) => setTimeout(resolve, 1));
const slow: KeyStore = {
  findKey: async (id) => {
    await delay();
    return memory.findKey(id);
  },
  appsFor: async (entity) => {
    await delay();
    return memory.appsFor(entity);
  },
};
const store = createCachedStore(slow, { ttl: 30_000, maxEntries: 10_000, negativeTtl: 5_000 });
const app = express();
app.get('/health', (_req, res) => {
  res.json(HEALTH_BODY);
});
app.get('/v2/apps/:appId', requireScope('app', { store }), (_req, res) => {
  res.json(APP_BODY);
});
announce(createServer(app));
