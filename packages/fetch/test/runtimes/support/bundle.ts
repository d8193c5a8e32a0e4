/**
 * Bundles the runtime entries (`fixture/*-server.ts`, `fixture/worker.ts`) with esbuild into one
 * ES module each, from the **built** packages: `@keyscope/fetch` and `@keyscope/core` resolve to
 * their `dist/` (so `pnpm build` must have run; the repository's TypeScript paths, which point at
 * the sources, are not used), jose is bundled, and Node's built-in modules stay imports for the
 * runtime to provide. The built packages import them by their bare names (`crypto`); each becomes
 * `node:crypto`, the one name Deno and workerd accept, as the bundlers of those platforms (Deno's
 * `npm:` loader, wrangler) do. Only the contract routes and the store helpers of the test kit are
 * bundled (its entry point also holds vitest code).
 */
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The entries, by runtime. */
export const ENTRIES = {
  bun: here('../fixture/bun-server.ts'),
  deno: here('../fixture/deno-server.ts'),
  workerd: here('../fixture/worker.ts'),
} as const;

/** Node's built-in modules, under any name, as external `node:` imports. */
const nodeBuiltins: Plugin = {
  name: 'node-builtins',
  setup(esbuild) {
    const names = new Set(builtinModules.filter((name) => !name.startsWith('_')));
    esbuild.onResolve({ filter: /^[\w/:]+$/ }, ({ path }) => {
      const name = path.replace(/^node:/, '');
      return names.has(name) ? { path: `node:${name}`, external: true } : undefined;
    });
  },
};

/**
 * Bundles `entry` into `outfile`.
 *
 * @throws {Error} when the packages are not built, or esbuild fails.
 * @example
 * ```ts
 * await bundle(ENTRIES.deno, join(dir, 'server.mjs'));
 * ```
 */
export async function bundle(entry: string, outfile: string): Promise<void> {
  const built = here('../../../dist/index.js');
  if (!existsSync(built) || !existsSync(here('../../../../core/dist/index.js'))) {
    throw new Error('the runtime tests run the built packages: run `pnpm build` first');
  }
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    tsconfigRaw: {},
    plugins: [nodeBuiltins],
    alias: {
      '@keyscope/fetch': built,
      '@keyscope/test-kit': here('../../../../test-kit/src/contract-routes.ts'),
    },
    logLevel: 'silent',
  });
}
