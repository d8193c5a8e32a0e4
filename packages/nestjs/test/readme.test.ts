/**
 * Keeps the README's quick start honest: its `keys.json`, `tsconfig.json` and `main.ts` are
 * written, as shown (on a free port instead of 3000), to a scratch folder inside this package, so
 * that `@keyscope/nestjs` resolves to the built package and Nest to this package's dependencies,
 * as they would from npm; `main.ts` runs with tsx (esbuild: no decorator metadata), and every
 * `curl` line of the README must answer what the README says. Needs `pnpm build`.
 */
import {
  checkCurl,
  type QuickStartServer,
  readQuickStart,
  serveQuickStart,
} from '@keyscope/test-kit';
import { afterAll, expect, it } from 'vitest';

const quickStart = readQuickStart(new URL('../README.md', import.meta.url));
let server: QuickStartServer | undefined;
afterAll(() => server?.stop());

it('shows keys.json, tsconfig.json and main.ts, and curl lines with their answers', () => {
  expect([...quickStart.files.keys()]).toEqual(['keys.json', 'tsconfig.json', 'main.ts']);
  expect(quickStart.curls.length).toBeGreaterThanOrEqual(3);
});

it('serves what the curl lines say', async () => {
  server = await serveQuickStart(quickStart, new URL('..', import.meta.url), [
    process.execPath,
    '--import',
    'tsx',
    'main.ts',
  ]);
  for (const curl of quickStart.curls) await checkCurl(curl, server.origin);
}, 60_000);
