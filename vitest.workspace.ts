/**
 * The list of test projects: one per package and example. `vitest.config.ts` imports it as
 * `test.projects` (Vitest 4 no longer reads this file by itself).
 */
import { fileURLToPath } from 'node:url';

const root = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * Workspace packages resolve to their sources, so tests and coverage see the TypeScript. A
 * subpath entry comes before its package: an alias also matches `<name>/...`, first match wins.
 */
export const alias = {
  '@keyscope/cli': root('./packages/cli/src/index.ts'),
  '@keyscope/core/rules': root('./packages/core/src/rules/index.ts'),
  '@keyscope/core': root('./packages/core/src/index.ts'),
  '@keyscope/dashboard': root('./packages/dashboard/src/index.ts'),
  '@keyscope/example-shared': root('./examples/shared/src/index.ts'),
  '@keyscope/express': root('./packages/express/src/index.ts'),
  '@keyscope/fastify': root('./packages/fastify/src/index.ts'),
  '@keyscope/fetch': root('./packages/fetch/src/index.ts'),
  '@keyscope/koa': root('./packages/koa/src/index.ts'),
  '@keyscope/nestjs': root('./packages/nestjs/src/index.ts'),
  '@keyscope/postgres': root('./packages/postgres/src/index.ts'),
  '@keyscope/test-kit': root('./packages/test-kit/src/index.ts'),
};

export default [
  {
    resolve: { alias },
    test: {
      name: 'fuzz',
      root: root('./fuzz'),
      include: ['test/**/*.test.ts'],
      // Starts the Express and Koa example servers and sends them 2 000 requests.
      testTimeout: 60_000,
    },
  },
  {
    resolve: { alias },
    test: { name: 'core', root: root('./packages/core'), include: ['test/**/*.test.ts'] },
  },
  {
    resolve: { alias },
    test: {
      name: 'cli',
      root: root('./packages/cli'),
      include: ['test/**/*.test.ts'],
      // The bin tests start real processes; two cores run them slowly.
      testTimeout: 60_000,
    },
  },
  {
    resolve: { alias },
    test: { name: 'express', root: root('./packages/express'), include: ['test/**/*.test.ts'] },
  },
  {
    resolve: { alias },
    test: {
      name: 'dashboard',
      root: root('./packages/dashboard'),
      include: ['test/**/*.test.ts'],
      // The end-to-end tests drive a real Chromium.
      testTimeout: 30_000,
    },
  },
  {
    resolve: { alias },
    test: { name: 'koa', root: root('./packages/koa'), include: ['test/**/*.test.ts'] },
  },
  {
    resolve: { alias },
    test: { name: 'test-kit', root: root('./packages/test-kit'), include: ['test/**/*.test.ts'] },
  },
  {
    resolve: { alias },
    test: {
      name: 'fetch',
      root: root('./packages/fetch'),
      include: ['test/**/*.test.ts'],
      exclude: ['test/runtimes/**'],
    },
  },
  {
    resolve: { alias },
    test: {
      name: 'fetch-runtimes',
      root: root('./packages/fetch'),
      include: ['test/runtimes/**/*.test.ts'],
      // Each runtime starts once, on a bundle built by esbuild; workerd takes a second or two.
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  },
  {
    resolve: { alias },
    test: { name: 'fastify', root: root('./packages/fastify'), include: ['test/**/*.test.ts'] },
  },
  {
    resolve: { alias },
    test: { name: 'nestjs', root: root('./packages/nestjs'), include: ['test/**/*.test.ts'] },
  },
  {
    resolve: { alias },
    test: { name: 'postgres', root: root('./packages/postgres'), include: ['test/**/*.test.ts'] },
  },
  {
    resolve: { alias },
    test: {
      name: 'example-fastify',
      root: root('./examples/fastify'),
      include: ['test/**/*.test.ts'],
    },
  },
  {
    resolve: { alias },
    test: {
      name: 'example-node-http',
      root: root('./examples/node-http'),
      include: ['test/**/*.test.ts'],
    },
  },
  {
    resolve: { alias },
    test: {
      name: 'example-express',
      root: root('./examples/express'),
      include: ['test/**/*.test.ts'],
    },
  },
  {
    resolve: { alias },
    test: {
      name: 'example-koa',
      root: root('./examples/koa'),
      include: ['test/**/*.test.ts'],
    },
  },
  {
    resolve: { alias },
    test: {
      name: 'example-nestjs',
      root: root('./examples/nestjs'),
      include: ['test/**/*.test.ts'],
      // The process tests start Nest as `pnpm start` does; two cores run them slowly.
      testTimeout: 30_000,
    },
  },
  {
    resolve: { alias },
    test: {
      name: 'example-shared',
      root: root('./examples/shared'),
      include: ['test/**/*.test.ts'],
    },
  },
  {
    resolve: { alias },
    test: {
      name: 'example-existing-express-app',
      root: root('./examples/existing-express-app'),
      include: ['test/**/*.test.ts'],
    },
  },
];
