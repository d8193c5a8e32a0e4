/**
 * The shared case table of the test-kit, run against Express 5 and Express 4, each with the guards
 * mounted both ways (one `authenticate()` in front, or each route guarding itself).
 */
import { createRequire } from 'node:module';
import { runCaseTable } from '@keyscope/test-kit';
import express from 'express';
import express4 from 'express4';
import { expect, it } from 'vitest';
import { contractApp } from './contract-app.js';

const require = createRequire(import.meta.url);

it('runs against the Express majors it claims', () => {
  expect(require('express/package.json').version).toMatch(/^5\./);
  expect(require('express4/package.json').version).toMatch(/^4\./);
});

for (const [name, framework] of [
  ['Express 5', express],
  ['Express 4', express4],
] as const) {
  runCaseTable(`${name}: authenticate() then requireScope()`, (store, probe) =>
    contractApp(framework, store, probe, 'chain'),
  );
  runCaseTable(`${name}: requireScope() on its own`, (store, probe) =>
    contractApp(framework, store, probe, 'standalone'),
  );
}
