import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base.ts';

export default defineConfig([
  // The library entry (runCli and the store seam): ESM + CJS + declarations, as every package.
  // Its clean keeps the executable, which the second build writes at the same time.
  { ...packageConfig({ index: 'src/index.ts' }), clean: ['!cli.js', '!cli.js.map'] },
  // The executable: ESM only, with a shebang; the package's "bin" points at dist/cli.js.
  {
    ...packageConfig({ cli: 'src/cli.ts' }),
    format: ['esm'],
    dts: false,
    clean: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
