/**
 * The shared case table of the test-kit, run against Fastify 5 and Fastify 4, each with the hooks
 * mounted three ways: `requireScope()` as a `preHandler` route option, the same as `onRequest`,
 * and an `authenticate()` hook on an encapsulated `/v2` context followed by `requireScope()`.
 */
import { createRequire } from 'node:module';
import { runCaseTable } from '@keyscope/test-kit';
import fastify from 'fastify';
import fastify4 from 'fastify4';
import { expect, it } from 'vitest';
import { contractApp } from './contract-app.js';

const require = createRequire(import.meta.url);

it('runs against the Fastify majors it claims', () => {
  expect(require('fastify/package.json').version).toMatch(/^5\./);
  expect(require('fastify4/package.json').version).toMatch(/^4\./);
});

for (const [name, framework] of [
  ['Fastify 5', fastify],
  ['Fastify 4', fastify4],
] as const) {
  runCaseTable(`${name}: requireScope() as a preHandler`, (store, probe) =>
    contractApp(framework, store, probe, 'preHandler'),
  );
  runCaseTable(`${name}: requireScope() as an onRequest hook`, (store, probe) =>
    contractApp(framework, store, probe, 'onRequest'),
  );
  runCaseTable(`${name}: authenticate() on /v2, then requireScope()`, (store, probe) =>
    contractApp(framework, store, probe, 'chain'),
  );
}
