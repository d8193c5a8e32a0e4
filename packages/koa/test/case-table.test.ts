/**
 * The shared case table of the test-kit, run against Koa 3 and Koa 2 (with `@koa/router`), each
 * with the guards mounted both ways (one `authenticate()` in front, or each route guarding itself).
 */
import { createRequire } from 'node:module';
import { runCaseTable } from '@keyscope/test-kit';
import Koa from 'koa';
import Koa2 from 'koa2';
import { expect, it } from 'vitest';
import { contractApp } from './contract-app.js';

const require = createRequire(import.meta.url);

it('runs against the Koa majors it claims', () => {
  expect(require('koa/package.json').version).toMatch(/^3\./);
  expect(require('koa2/package.json').version).toMatch(/^2\./);
});

for (const [name, Framework] of [
  ['Koa 3', Koa],
  ['Koa 2', Koa2],
] as const) {
  runCaseTable(`${name}: authenticate() then requireScope()`, (store, probe) =>
    contractApp(Framework, store, probe, 'chain').callback(),
  );
  runCaseTable(`${name}: requireScope() on its own`, (store, probe) =>
    contractApp(Framework, store, probe, 'standalone').callback(),
  );
}
