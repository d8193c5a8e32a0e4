import { defineConfig } from 'tsup';
import { packageConfig } from '../../tsup.base.ts';

export default defineConfig({
  ...packageConfig({ index: 'src/index.ts', rules: 'src/rules/index.ts' }),
  // Shared chunks, not a copy per entry: an error class thrown by a rule of `@keyscope/core/rules`
  // must be the very class `@keyscope/core` exports, or `instanceof` would fail across the two.
  splitting: true,
});
