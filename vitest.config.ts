import { defineConfig } from 'vitest/config';
import projects from './vitest.workspace.ts';

export default defineConfig({
  test: {
    projects,
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['packages/test-kit/**', '**/*.d.ts'],
      reporter: ['text-summary', 'text'],
      thresholds: {
        'packages/core/src/**': { branches: 95 },
      },
    },
  },
});
