/**
 * The one tsup setup shared by every published package: ESM + CJS + declarations for each,
 * sourcemaps, Node 20 target. Each package's `tsup.config.ts` only names its entry points.
 */
import type { Options } from 'tsup';

export function packageConfig(entry: Record<string, string> = { index: 'src/index.ts' }): Options {
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
  };
}
