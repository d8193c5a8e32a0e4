/**
 * The minimal adapter taught by docs/custom-adapters.md (kept verbatim in
 * `support/minimal-adapter.ts`, which a test here holds to the page) passes the whole shared case
 * table, served with the example's router: an adapter of under 40 lines answers exactly like the
 * Express, Koa, fetch and Fastify ones.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AuthContext } from '@keyscope/core';
import { defineContractRoutes, readJsonBody, runCaseTable } from '@keyscope/test-kit';
import { describe, expect, it } from 'vitest';
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

describe('docs/custom-adapters.md', () => {
  const page = readFileSync(new URL('../../../docs/custom-adapters.md', import.meta.url), 'utf8');
  const adapter = readFileSync(new URL('./support/minimal-adapter.ts', import.meta.url), 'utf8');

  it('shows the tested adapter verbatim, in under 40 lines', () => {
    const section = page.slice(page.indexOf('## A whole adapter in'));
    const shown = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const tested = adapter.slice(adapter.indexOf('\n') + 1); // without its first comment line
    expect(shown).toBe(tested);
    expect(shown.trimEnd().split('\n').length).toBeLessThan(40);
    expect(page).toContain(`## A whole adapter in ${shown.trimEnd().split('\n').length} lines`);
  });
});
